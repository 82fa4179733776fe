/* fuzz_substack.c - Substack's posts.csv (src/porting/substack.c): any
 * bytes are read or refused with a message; every post read has an id, a
 * title and a body. Each post's HTML is the input itself. */
#include "porting/porting.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in_data;
static size_t in_size;

static const char *same(void *ctx, struct arena *a, const char *name, size_t *len)
{
	(void)ctx;
	if (strstr(name, "none"))
		return NULL;
	*len = in_size;
	return arena_strndup(a, (const char *)in_data, in_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in_data = data;
	in_size = size;
	struct arena a;
	arena_init(&a);
	struct port_export e;
	char err[300];
	if (port_read_substack(&a, (const char *)data, size, same, NULL, &e, err, sizeof(err))) {
		for (size_t i = 0; i < e.n; i++)
			if (!e.posts[i].source_id || !e.posts[i].title || !e.posts[i].body.md)
				abort();
	} else if (!err[0]) {
		abort();
	}
	arena_release(&a);
	return 0;
}
