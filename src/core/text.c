/* text.c - UTF-8 validation, slugs, word counts. */
#include "core/text.h"

#include <string.h>

/* Length of the well-formed UTF-8 sequence at s[i], or 0. */
static size_t seq_len(const unsigned char *s, size_t i, size_t n)
{
	unsigned c = s[i];
	size_t len;
	unsigned cp, min;
	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2; cp = c & 0x1F; min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3; cp = c & 0x0F; min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n - i < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

bool utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		if (s[i] - 1u < 0x7Fu) { /* ASCII other than NUL, the common case */
			i++;
			continue;
		}
		size_t len = seq_len(s, i, n);
		if (len == 0)
			return false;
		i += len;
	}
	return true;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* Length of the noncharacter encoded at s[i] (3 or 4 bytes), or 0. The
 * byte patterns: U+FDD0..U+FDEF is EF B7 90..AF; U+FFFE/U+FFFF is EF BF
 * BE/BF; U+nFFFE/U+nFFFF (planes 1-16) is F0..F4, a second byte whose
 * low four bits are all set, then BF BE/BF. */
static size_t nonchar_len(const unsigned char *s, size_t i, size_t n)
{
	if (s[i] == 0xEF && n - i >= 3) {
		if (s[i + 1] == 0xB7 && s[i + 2] >= 0x90 && s[i + 2] <= 0xAF)
			return 3;
		if (s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF))
			return 3;
	}
	if (s[i] >= 0xF0 && s[i] <= 0xF4 && n - i >= 4 && (s[i + 1] & 0x0F) == 0x0F &&
	    (s[i + 1] & 0xC0) == 0x80 && s[i + 2] == 0xBF && (s[i + 3] == 0xBE || s[i + 3] == 0xBF))
		return 4;
	return 0;
}

bool text_has_controls(const char *str, size_t n, bool allow_newlines)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t')
			continue;
		if ((s[i] == '\n' || s[i] == '\r') && allow_newlines)
			continue;
		if (s[i] < 0x20 || s[i] == 0x7F)
			return true;
		if (s[i] >= 0xEF && nonchar_len(s, i, n))
			return true;
	}
	return false;
}

size_t text_xml_clean(char *str, size_t n)
{
	unsigned char *s = (unsigned char *)str;
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		size_t len = seq_len(s, i, n);
		if (len == 0) {
			i++; /* a stray byte */
			continue;
		}
		bool drop = len == 1 ? ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') ||
					s[i] == 0x7F)
				     : nonchar_len(s, i, n) == len;
		if (!drop) {
			memmove(s + o, s + i, len);
			o += len;
		}
		i += len;
	}
	if (n)
		s[o] = '\0';
	return o;
}

/* Fold a two-byte Latin-1 Supplement / Latin Extended-A letter to ASCII. */
static const char *fold_latin(unsigned cp)
{
	static const struct { unsigned lo, hi; const char *to; } map[] = {
		{0xC0, 0xC5, "a"}, {0xC6, 0xC6, "ae"}, {0xC7, 0xC7, "c"},
		{0xC8, 0xCB, "e"}, {0xCC, 0xCF, "i"}, {0xD0, 0xD0, "d"},
		{0xD1, 0xD1, "n"}, {0xD2, 0xD6, "o"}, {0xD8, 0xD8, "o"},
		{0xD9, 0xDC, "u"}, {0xDD, 0xDD, "y"}, {0xDE, 0xDE, "th"},
		{0xDF, 0xDF, "ss"}, {0xE0, 0xE5, "a"}, {0xE6, 0xE6, "ae"},
		{0xE7, 0xE7, "c"}, {0xE8, 0xEB, "e"}, {0xEC, 0xEF, "i"},
		{0xF0, 0xF0, "d"}, {0xF1, 0xF1, "n"}, {0xF2, 0xF6, "o"},
		{0xF8, 0xF8, "o"}, {0xF9, 0xFC, "u"}, {0xFD, 0xFD, "y"},
		{0xFE, 0xFE, "th"}, {0xFF, 0xFF, "y"}, {0x100, 0x105, "a"},
		{0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
		{0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"},
		{0x134, 0x135, "j"}, {0x136, 0x138, "k"}, {0x139, 0x142, "l"},
		{0x143, 0x14B, "n"}, {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"},
		{0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"},
		{0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
		{0x179, 0x17E, "z"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (cp >= map[i].lo && cp <= map[i].hi)
			return map[i].to;
	return NULL;
}

char *slug_from_title(struct arena *a, const char *title, size_t n)
{
	char *out = arena_alloc(a, SLUG_MAX + 1);
	size_t o = 0;
	int pending_dash = 0;
	const unsigned char *s = (const unsigned char *)title;
	for (size_t i = 0; i < n && o < SLUG_MAX;) {
		unsigned c = s[i];
		const char *piece = NULL;
		char one[2] = {0, 0};
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			one[0] = (char)c;
			piece = one;
			i++;
		} else if (c >= 'A' && c <= 'Z') {
			one[0] = (char)(c - 'A' + 'a');
			piece = one;
			i++;
		} else if (c == '\'' ) {
			i++; /* "writer's" -> "writers" */
			continue;
		} else if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
			unsigned cp = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
			piece = fold_latin(cp);
			i += 2;
		} else if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x99) {
			i += 3; /* right single quotation mark, as an apostrophe */
			continue;
		} else {
			/* Skip the rest of a multi-byte sequence as one separator. */
			i++;
			while (i < n && (s[i] & 0xC0) == 0x80)
				i++;
		}
		if (!piece) {
			pending_dash = o > 0;
			continue;
		}
		size_t pl = strlen(piece);
		if (o + pl + (pending_dash ? 1 : 0) > SLUG_MAX)
			break;
		if (pending_dash)
			out[o++] = '-';
		pending_dash = 0;
		memcpy(out + o, piece, pl);
		o += pl;
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	if (o == 0) {
		memcpy(out, "story", 6);
		return out;
	}
	out[o] = '\0';
	return out;
}

bool slug_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > SLUG_MAX + 8 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (c == '-' && s[i + 1] == '-')
			return false;
	}
	return true;
}

size_t text_word_count(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t words = 0;
	int in_word = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		int wordch = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c >= 0x80 || c == '\'';
		if (wordch && !in_word)
			words++;
		in_word = wordch;
	}
	return words;
}
