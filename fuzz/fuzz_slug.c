/* fuzz_slug.c - slugs from arbitrary titles are always valid, bounded and
 * deterministic; UTF-8 validation and word counting never misbehave. */
#include "core/text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	const char *s = (const char *)data;
	const char *slug = slug_from_title(&a, s, size);
	if (!slug_valid(slug) || strlen(slug) > SLUG_MAX)
		abort();
	if (strcmp(slug, slug_from_title(&a, s, size)) != 0)
		abort();
	if (utf8_valid(s, size) && utf8_count(s, size) > size)
		abort();
	(void)text_word_count(s, size);
	(void)text_has_controls(s, size, true);
	arena_release(&a);
	return 0;
}
