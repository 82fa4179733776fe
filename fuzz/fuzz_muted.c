/* fuzz_muted.c - Unicode folding and whole-word matching of muted phrases,
 * and the visible text of rendered HTML that responses are matched on.
 * Input: phrase, a 0x00 byte, then the text (also read as HTML).
 * Invariants: folding is idempotent, a phrase always matches its own
 * folded text, the visible text is never longer than the HTML and is
 * valid UTF-8 without NUL whenever the HTML is valid UTF-8. */
#include "core/text.h"
#include "responses/muted.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *zero = memchr(data, 0, size);
	if (!zero)
		return 0;
	struct arena a;
	arena_init(&a);
	const char *phrase = arena_strndup(&a, (const char *)data, (size_t)(zero - data));
	const char *text = (const char *)zero + 1;
	size_t tn = size - (size_t)(zero - data) - 1;
	const char *list[1] = {phrase};
	(void)muted_match(&a, text, tn, list, 1);
	(void)muted_match_html(&a, text, tn, list, 1);
	const char *vis = muted_visible_text(&a, text, tn);
	size_t vn = strlen(vis);
	if (vn > tn)
		abort();
	if (utf8_valid(text, tn) && !utf8_valid(vis, vn))
		abort();
	char *f = muted_fold(&a, phrase, strlen(phrase));
	if (f) {
		char *ff = muted_fold(&a, f, strlen(f));
		if (!ff || strcmp(f, ff) != 0)
			abort();
		if (*f && !muted_match(&a, phrase, strlen(phrase), list, 1))
			abort();
	}
	arena_release(&a);
	return 0;
}
