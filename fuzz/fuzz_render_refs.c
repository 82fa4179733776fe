/* fuzz_render_refs.c - cutting photo references out of a story's Markdown
 * for readers who may not see them (render_cut_photo_refs, behind the
 * JSON API's "body"): whatever the text, a refused photo's reference
 * never survives, the output never grows, and kept text is untouched. */
#include "render/render.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keep ids whose first hex digit is below '8': a mix of both. */
static bool keep_low(void *ctx, const char *id)
{
	(void)ctx;
	return id[0] < '8';
}

static bool keep_none(void *ctx, const char *id)
{
	(void)ctx;
	(void)id;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	size_t n = strlen(s); /* the store's text has no NUL */
	bool (*const keeps[])(void *, const char *) = {keep_low, keep_none};
	for (size_t k = 0; k < 2; k++) {
		struct buf out;
		buf_init(&out, n + 1);
		bool ok = render_cut_photo_refs(s, keeps[k], NULL, &out);
		if (ok) {
			if (out.len > n)
				abort();
			/* A refused reference is gone: any "](photo:" + 16 hex
			 * digits left must be one keep() accepted. */
			const char *p = buf_str(&out);
			const char *m;
			while ((m = strstr(p, "](photo:"))) {
				const char *id = m + 8;
				bool hex = strlen(id) >= 16;
				for (size_t i = 0; hex && i < 16; i++)
					hex = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
				if (hex && !keeps[k](NULL, id))
					abort();
				p = m + 1;
			}
		}
		buf_release(&out);
	}
	free(s);
	return 0;
}
