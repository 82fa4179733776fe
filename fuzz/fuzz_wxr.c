/* fuzz_wxr.c - WordPress exports (src/porting/wxr.c): any bytes are read
 * or refused with a message, never a crash, leak or overrun; every post
 * read has an id, a title and a NUL-terminated body. */
#include "porting/porting.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct port_export e;
	char err[300];
	if (port_read_wxr(&a, (const char *)data, size, &e, err, sizeof(err))) {
		for (size_t i = 0; i < e.n; i++)
			if (!e.posts[i].source_id || !e.posts[i].source_id[0] || !e.posts[i].title ||
			    !e.posts[i].body.md)
				abort();
	} else if (!err[0]) {
		abort();
	}
	arena_release(&a);
	return 0;
}
