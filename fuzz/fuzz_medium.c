/* fuzz_medium.c - one Medium export post (src/porting/medium.c): any
 * bytes give a post or a note, never a crash, leak or overrun. */
#include "porting/porting.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct port_export e = {0};
	port_read_medium_post(&a, "post.html", (const char *)data, size, size & 1, &e);
	if (e.n + e.notes.n != 1)
		abort();
	if (e.n && (!e.posts[0].title || !e.posts[0].body.md || !e.posts[0].source_id))
		abort();
	arena_release(&a);
	return 0;
}
