/*
 * text.h - UTF-8 and slug helpers. Pure functions over bytes; no I/O.
 */
#ifndef QUIRE_CORE_TEXT_H
#define QUIRE_CORE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL byte. */
bool utf8_valid(const char *s, size_t n);

/* Number of code points in valid UTF-8. */
size_t utf8_count(const char *s, size_t n);

/* True when s holds a character no text field may store: a C0 control
 * other than tab (and, when allow_newlines, LF and the CR of a CRLF line
 * end), DEL, or a Unicode noncharacter (U+FDD0..U+FDEF, and U+xFFFE /
 * U+xFFFF in every plane). XML 1.0 forbids some of these outright (a
 * title holding U+FFFF broke every Atom feed), the rest are never prose.
 * Use together with utf8_valid; single-line fields (titles) pass false. */
bool text_has_controls(const char *s, size_t n, bool allow_newlines);

/* Make s[0..n) safe to place in an XML 1.0 document, in place: drops
 * bytes that are not well-formed UTF-8 and every character that
 * text_has_controls(s, n, true) refuses (C0 controls but tab, LF and CR;
 * DEL; noncharacters). Returns the new length; s[new length] is set to
 * NUL when n > 0. For output built from rows stored before the input
 * check existed: feeds and the sitemap run it over their whole body. */
size_t text_xml_clean(char *s, size_t n);

#define SLUG_MAX 80

/* A URL slug from a title: lowercase ASCII letters and digits separated by
 * single hyphens, common Latin accents folded (é -> e, ß -> ss), at most
 * SLUG_MAX bytes, never empty ("story" when nothing usable remains).
 * Result owned by the arena. */
char *slug_from_title(struct arena *a, const char *title, size_t n);

/* True when s is a syntactically valid slug as produced above. */
bool slug_valid(const char *s);

/* Word count of Markdown-ish text (runs of letters/digits). */
size_t text_word_count(const char *s, size_t n);

#endif
