/*
 * frontmatter.h - the YAML front matter of the Markdown files in a Quire
 * export (porting/export.h): a small emitter, and a parser of the subset
 * of YAML it emits plus what a person editing such a file by hand, or
 * another tool writing one, commonly writes.
 *
 * The emitter quotes every string ("..."), so that a title such as
 * "yes", "3.0", "- a list?" or "#1: the start" is never read as anything
 * but text, by Hugo, Jekyll or any YAML 1.1 or 1.2 reader. Inside the
 * quotes it escapes ", \, line breaks, tabs, every C0 and C1 control, DEL,
 * U+2028, U+2029, U+FEFF and the noncharacters U+FFFE/U+FFFF as \uXXXX
 * (or \n, \t, \r, \", \\); other characters (any script, emoji) are
 * written as the UTF-8 they are. A string always ends on its line.
 *
 * The parser reads a document that opens with a "---" line and whose
 * front matter ends at the next "---" (or "...") line; the rest is the
 * body, returned as it is. Inside: block mappings (plain keys), block
 * sequences ("- item", "- key: value" starting a mapping), empty flow
 * collections ("[]", "{}") and flow sequences of scalars ("[a, "b"]"),
 * and scalars: double-quoted (every YAML escape but line folding),
 * single-quoted ('' for '), plain (to a " #" comment or the line's end),
 * and literal (|) or folded (>) blocks with - or + chomping. Comments and
 * blank lines are skipped, CRLF and a leading BOM are accepted.
 * Anything else (anchors, aliases, tags, multi-line quoted or plain
 * scalars, complex keys, tabs as indentation, duplicate keys, nesting
 * deeper than FM_MAX_DEPTH, more than FM_MAX_NODES values) is refused
 * with an error naming its line, never guessed at. Input that is not
 * UTF-8, or holds a NUL (also as an escape), is refused.
 *
 * Memory: nodes and strings live in the caller's arena. Pure: no I/O, no
 * global state; fuzzed by fuzz/fuzz_frontmatter.c.
 */
#ifndef QUIRE_PORTING_FRONTMATTER_H
#define QUIRE_PORTING_FRONTMATTER_H

#include "core/arena.h"
#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FM_MAX_BYTES ((size_t)1 << 20) /* the front matter itself, not the body */
#define FM_MAX_DEPTH 8
#define FM_MAX_NODES 20000

enum fm_type { FM_NULL, FM_SCALAR, FM_LIST, FM_MAP };

struct fm_node {
	enum fm_type type;
	const char *text;  /* FM_SCALAR: the value, unescaped; "" otherwise */
	bool quoted;       /* FM_SCALAR: it was quoted (so never a boolean or date) */
	size_t n;          /* FM_LIST, FM_MAP: how many items */
	const char **keys; /* FM_MAP: the keys, in order */
	struct fm_node **items;
	unsigned line;     /* where it starts, from 1 (the opening "---") */
};

/*
 * Parse text[0..len). On success *root is the front matter (an FM_MAP;
 * empty when the block is), *body the text after the closing line
 * (pointing into text, *body_len bytes). False with err ("line N: ...")
 * when text does not open with a front matter block or it is not YAML
 * this parser reads; *root is then NULL.
 */
bool fm_parse(struct arena *a, const char *text, size_t len, struct fm_node **root,
	      const char **body, size_t *body_len, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The value of key in map (NULL when map is not a mapping or has none). */
const struct fm_node *fm_get(const struct fm_node *map, const char *key);
/* A scalar's text; NULL when key is missing, null, or not a scalar. */
const char *fm_str(const struct fm_node *map, const char *key);
/* A plain true/false (also True, TRUE, and YAML 1.1's yes/no/on/off);
 * def when key is missing or null; -1 when it is something else. */
int fm_bool(const struct fm_node *map, const char *key, int def);
/* A time (fm_time_parse) as Unix seconds; 0 when key is missing or null,
 * -1 when it is not a time. */
int64_t fm_time(const struct fm_node *map, const char *key);

/* "2024-03-01T10:00:00Z", "2024-03-01T12:00:00+02:00", with a space
 * for the T, fractions of a second, or a bare date "2024-03-01"
 * (midnight UTC); false for anything else or a year outside 1..9999. */
bool fm_time_parse(const char *s, int64_t *out);

/* Emitting: s as a double-quoted YAML string (see above). s must be
 * UTF-8; a byte that is not is written as U+FFFD. */
void fm_put_str(struct buf *b, const char *s);
/* t as "2024-03-01T10:00:00Z" (unquoted: a YAML timestamp). */
void fm_put_time(struct buf *b, int64_t t);
/* "key: \"value\"\n" with indent spaces before it. */
void fm_put_key_str(struct buf *b, int indent, const char *key, const char *s);

#endif
