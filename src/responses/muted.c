/*
 * muted.c - Unicode folding and whole-word phrase matching; see muted.h.
 * Folding: NFKD + case fold (libunistring u8_casefold), then drop
 * default-ignorable code points (invisible: ZWSP, ZWJ, soft hyphen, word
 * joiner, bidi controls...) and combining marks (general category M), and
 * collapse white space. The visible text of rendered HTML is read here
 * too, so that a phrase is matched on what readers will see.
 */
#include "responses/muted.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
		if (uc_is_property_default_ignorable_code_point(c)) {
			/* Drawn as nothing: "bad\u200bword" reads "badword". */
		} else if (uc_is_property_white_space(c) || uc_is_general_category(c, UC_CATEGORY_Zs)) {
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

/* Tags that sit inside a run of text: readers see their content joined
 * to what surrounds it ("bad<em>word</em>" reads "badword"). Any other
 * tag separates words. */
static bool inline_tag(const char *name, size_t n)
{
	static const char *const names[] = {"a", "abbr", "b", "code", "del", "em", "i", "ins",
					    "kbd", "mark", "s", "small", "span", "strong", "sub",
					    "sup", "u"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncasecmp(names[i], name, n) == 0)
			return true;
	return false;
}

/* Decode the character reference at s[0..n) (starting with '&'): append
 * its UTF-8 to out (room bytes free at *o) and return the reference's
 * length, or 0 if it is not one. A reference is never shorter than its
 * UTF-8, so the text never outgrows the HTML. */
static size_t entity(const char *s, size_t n, char *out, size_t *o, size_t room)
{
	static const struct { const char *name; const char *text; } named[] = {
		{"amp;", "&"}, {"lt;", "<"}, {"gt;", ">"}, {"quot;", "\""}, {"apos;", "'"},
		{"nbsp;", "\xc2\xa0"},
	};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		size_t l = strlen(named[i].name);
		size_t tl = strlen(named[i].text);
		if (n >= l + 1 && memcmp(s + 1, named[i].name, l) == 0 && tl <= room) {
			memcpy(out + *o, named[i].text, tl);
			*o += tl;
			return l + 1;
		}
	}
	if (n < 4 || s[1] != '#')
		return 0;
	bool hex = s[2] == 'x' || s[2] == 'X';
	size_t i = hex ? 3 : 2;
	ucs4_t cp = 0;
	size_t digits = 0;
	for (; i < n && digits < 8; i++, digits++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			hex && c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		cp = cp * (hex ? 16 : 10) + (ucs4_t)d;
	}
	if (!digits || i >= n || s[i] != ';')
		return 0;
	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	int w = u8_uctomb((uint8_t *)out + *o, cp, (int)(room < 6 ? room : 6));
	if (w > 0)
		*o += (size_t)w;
	return i + 1;
}

char *muted_visible_text(struct arena *a, const char *html, size_t n)
{
	/* Never longer than the HTML: each reference is longer than its
	 * UTF-8, each tag gives at most one space. */
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		char c = html[i];
		if (c == '<') {
			if (n - i >= 4 && memcmp(html + i, "<!--", 4) == 0) {
				const char *end = memmem(html + i + 4, n - i - 4, "-->", 3);
				i = end ? (size_t)(end - html) + 3 : n;
				continue;
			}
			size_t j = i + 1;
			if (j < n && html[j] == '/')
				j++;
			size_t name = j;
			while (j < n && ((html[j] >= 'a' && html[j] <= 'z') ||
					 (html[j] >= 'A' && html[j] <= 'Z') || (html[j] >= '0' && html[j] <= '9')))
				j++;
			bool joins = inline_tag(html + name, j - name);
			char quote = 0;
			while (j < n && (quote || html[j] != '>')) {
				if (quote && html[j] == quote)
					quote = 0;
				else if (!quote && (html[j] == '"' || html[j] == '\''))
					quote = html[j];
				j++;
			}
			i = j < n ? j + 1 : n;
			if (!joins && o > 0 && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		if (c == '&') {
			size_t used = entity(html + i, n - i, out, &o, n + 1 - o);
			if (used) {
				i += used;
				continue;
			}
		}
		if (c != '\0')
			out[o++] = c;
		i++;
	}
	out[o] = '\0';
	return out;
}

bool muted_match_html(struct arena *a, const char *html, size_t n, const char *const *phrases,
		      size_t nphrases)
{
	if (nphrases == 0)
		return false;
	const char *t = muted_visible_text(a, html, n);
	return muted_match(a, t, strlen(t), phrases, nphrases);
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
