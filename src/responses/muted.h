/*
 * muted.h - matching a writer's muted words and phrases against text.
 *
 * Both sides are folded the same way before comparing: Unicode
 * compatibility decomposition (fullwidth "ＵＧＬＹ" -> "UGLY"), case folding,
 * removal of default-ignorable code points (zero-width space and joiners,
 * soft hyphen, word joiner, bidi controls: "bad\u200bword" -> "badword"),
 * removal of combining marks ("uglý" -> "ugly"), and runs of white space
 * collapsed to one space. A phrase matches only on whole words: the
 * characters on either side of a match may not be letters or digits, so
 * "smugly" does not match "ugly". The only module that uses libunistring.
 */
#ifndef QUIRE_RESPONSES_MUTED_H
#define QUIRE_RESPONSES_MUTED_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

#define MUTED_MAX_PHRASES 500
#define MUTED_MAX_PHRASE_CHARS 100

/* Folded form of s[0..n) (valid UTF-8) into the arena, or NULL if s is
 * not valid UTF-8. The result has no leading or trailing space. */
char *muted_fold(struct arena *a, const char *s, size_t n);

/* True when text contains one of phrases[0..nphrases) as whole words,
 * after folding both. Empty phrases never match. */
bool muted_match(struct arena *a, const char *text, size_t n, const char *const *phrases,
		 size_t nphrases);

/*
 * The text a reader sees in rendered HTML html[0..n) (the Markdown
 * renderer's output), into the arena: tags and comments removed,
 * character references decoded ("b&#97;dword" -> "badword"), a space
 * where a tag that is not inline (p, li, br, td...) separated text, and
 * nothing where an inline one (em, strong, a, code...) did. Invalid
 * references decode to U+FFFD; NUL bytes are dropped.
 */
char *muted_visible_text(struct arena *a, const char *html, size_t n);

/* muted_match() on muted_visible_text(html): matches what readers see. */
bool muted_match_html(struct arena *a, const char *html, size_t n, const char *const *phrases,
		      size_t nphrases);

#endif
