/* fuzz_muted.c - Unicode folding and whole-word matching of muted phrases.
 * Input: phrase, a 0x00 byte, then the text. Invariants: folding is
 * idempotent, and a phrase always matches its own folded text. */
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
