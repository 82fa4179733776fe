/* fuzz_conf.c - quire.conf files from arbitrary bytes: the parser never
 * reads past the input; what it accepts holds only values their key
 * accepts, with the line numbers of the input; masking never grows a
 * value's secret back (masking twice is masking once). */
#include "core/conf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	/* A copy of exactly size bytes, so reading past it is caught. */
	char *p = malloc(size ? size : 1);
	if (size)
		memcpy(p, data, size);
	unsigned lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += p[i] == '\n';
	struct conf c;
	conf_init(&c, &a);
	char err[512];
	if (conf_parse(&c, p, size, "f", err, sizeof(err))) {
		for (int k = 0; k < CONF_NKEYS; k++) {
			const struct conf_value *v = &c.v[k];
			if (!v->value)
				continue;
			if (!conf_check((enum conf_id)k, v->value, err, sizeof(err)) || v->line < 1 ||
			    v->line > lines)
				abort();
			struct buf once, twice;
			buf_init(&once, 0);
			buf_init(&twice, 0);
			conf_mask(v->value, &once);
			conf_mask(buf_str(&once), &twice);
			if (strcmp(buf_str(&once), buf_str(&twice)))
				abort();
			buf_release(&once);
			buf_release(&twice);
			(void)conf_display(&c, (enum conf_id)k);
		}
	} else if (strncmp(err, "f:", 2)) {
		abort(); /* every error names the file and line */
	}
	free(p);
	arena_release(&a);
	return 0;
}
