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

/* True when s has control characters other than \t \n \r. Use for
 * single-line fields (titles) together with utf8_valid. */
bool text_has_controls(const char *s, size_t n, bool allow_newlines);

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
