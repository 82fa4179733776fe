/* fuzz_worker.c - the photo worker's answer as the server reads it
 * (media_worker_parse): never reads past the bytes, and anything it
 * accepts is a set of variants the server can store as they are. */
#include "media/media_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading past it is caught. */
	unsigned char *p = malloc(size ? size : 1);
	if (size)
		memcpy(p, data, size);
	struct arena a;
	arena_init(&a);
	struct media_ingest in;
	enum media_err e = media_worker_parse(p, size, &a, &in);
	if (e == MEDIA_OK) {
		if (in.nblobs == 0 || in.nblobs > MEDIA_MAX_BLOBS || !in.preview ||
		    strncmp(in.preview, "data:image/jpeg;base64,", 23) != 0)
			abort();
		for (size_t i = 0; i < in.nblobs; i++) {
			const struct media_blob *b = &in.blobs[i];
			const unsigned char *d = b->data;
			if (d < p || d + b->len > p + size || b->len == 0 || strlen(b->hash) != 64 ||
			    b->width > in.width || b->height > in.height)
				abort();
		}
	} else if (e > MEDIA_IO && e != MEDIA_NO_MEMORY) {
		abort(); /* the worker cannot report a timeout or a stop */
	}
	arena_release(&a);
	free(p);
	return 0;
}
