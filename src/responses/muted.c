/*
 * muted.c - Unicode folding and whole-word phrase matching; see muted.h.
 * Folding: NFKD + case fold (libunistring u8_casefold), then drop
 * combining marks (general category M) and collapse white space.
 */
#include "responses/muted.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "core/text.h"

char *muted_fold(struct arena *a, const char *s, size_t n)
{
	if (!utf8_valid(s, n))
		return NULL;
	size_t flen = 0;
	uint8_t *folded = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFKD, NULL, &flen);
	if (!folded)
		return NULL;
	char *out = arena_alloc(a, flen + 1);
	size_t o = 0;
	bool space = false;
	const uint8_t *p = folded, *end = folded + flen;
	while (p < end) {
		ucs4_t c;
		int len = u8_mbtouc(&c, p, (size_t)(end - p));
		if (len <= 0)
			break;
		if (uc_is_property_white_space(c) || uc_is_general_category(c, UC_CATEGORY_Zs)) {
			space = o > 0;
		} else if (!uc_is_general_category(c, UC_CATEGORY_M)) {
			if (space) {
				out[o++] = ' ';
				space = false;
			}
			memcpy(out + o, p, (size_t)len);
			o += (size_t)len;
		}
		p += len;
	}
	out[o] = '\0';
	free(folded);
	return out;
}

/* Is the code point ending just before pos (or starting at pos) a letter
 * or digit? Used for the whole-word check. */
static bool alnum_before(const char *s, size_t pos)
{
	if (pos == 0)
		return false;
	const uint8_t *start = (const uint8_t *)s;
	ucs4_t c;
	if (!u8_prev(&c, start + pos, start))
		return false;
	return uc_is_alnum(c) || c == '_';
}

static bool alnum_at(const char *s, size_t pos, size_t n)
{
	if (pos >= n)
		return false;
	ucs4_t c;
	if (u8_mbtouc(&c, (const uint8_t *)s + pos, n - pos) <= 0)
		return false;
	return uc_is_alnum(c) || c == '_';
}

bool muted_match(struct arena *a, const char *text, size_t n, const char *const *phrases,
		 size_t nphrases)
{
	if (nphrases == 0)
		return false;
	char *t = muted_fold(a, text, n);
	if (!t)
		return false;
	size_t tn = strlen(t);
	for (size_t i = 0; i < nphrases; i++) {
		char *p = muted_fold(a, phrases[i], strlen(phrases[i]));
		if (!p || !*p)
			continue;
		size_t pn = strlen(p);
		const char *hit = t;
		while ((hit = strstr(hit, p)) != NULL) {
			size_t at = (size_t)(hit - t);
			if (!alnum_before(t, at) && !alnum_at(t, at + pn, tn))
				return true;
			hit++;
		}
	}
	return false;
}
