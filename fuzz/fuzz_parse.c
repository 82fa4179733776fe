/* fuzz_parse.c - request decoders: percent-decoding, forms, cookies, paths.
 * The input's first byte picks the decoder; the rest is the input. */
#include "http/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena a;
	arena_init(&a);
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct kvlist l;
	char *out;
	size_t out_len;
	switch (data[0] % 4) {
	case 0:
		if (pct_decode(&a, s, n, true, &out, &out_len) == PARSE_OK && strlen(out) != out_len)
			abort(); /* decoded text never holds NUL */
		break;
	case 1:
		if (form_parse(&a, s, n, &l) == PARSE_OK) {
			if (l.n > PARSE_MAX_FIELDS)
				abort();
			for (size_t i = 0; i < l.n; i++)
				if (strlen(l.items[i].val) != l.items[i].val_len)
					abort();
		}
		break;
	case 2: {
		/* Cookie headers arrive NUL-terminated from the server. */
		char *z = arena_strndup(&a, s, n);
		if (cookie_parse(&a, z, strlen(z), &l) == PARSE_OK)
			for (size_t i = 0; i < l.n; i++)
				(void)kv_get(&l, l.items[i].key);
		break;
	}
	case 3: {
		char **segs;
		size_t nsegs;
		bool ts;
		if (path_split(&a, s, n, &segs, &nsegs, &ts) == PARSE_OK) {
			if (nsegs > PATH_MAX_SEGMENTS)
				abort();
			for (size_t i = 0; i < nsegs; i++)
				if (!segs[i][0] || strchr(segs[i], '/') || !strcmp(segs[i], ".."))
					abort();
		}
		break;
	}
	}
	arena_release(&a);
	return 0;
}
