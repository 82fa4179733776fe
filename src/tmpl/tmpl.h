/*
 * tmpl.h - Quire's template engine: a subset of Mustache, rendered against
 * jansson values.
 *
 * A tmpl_set holds named templates. Each template is compiled once, by
 * tmpl_set_add(), into a node tree; rendering walks the tree and never
 * parses again. Supported: {{name}} (HTML-escaped), {{{name}}} and
 * {{& name}} (raw), dotted names and {{.}}, sections {{#x}}, inverted
 * sections {{^x}}, partials {{>name}}, comments {{! }}, set delimiters
 * {{=<% %>=}}, and the spec's standalone-line and partial-indentation
 * rules. Not supported: lambdas, template inheritance, dynamic names.
 *
 * Values: strings render as they are, integers in decimal, reals in the
 * shortest form that reads back exactly (1.21 -> "1.21"), true/false as
 * "true"/"false"; null, objects, arrays and missing names render nothing.
 * A section is skipped when its value is missing, null, false, an empty
 * array or an empty string; an array repeats the section once per element
 * with the element pushed on the context stack; any other value renders it
 * once with the value pushed. Lookups walk up the context stack for the
 * first segment of a dotted name only, as the spec requires.
 *
 * Not a sandbox for hostile templates: templates come from the
 * application. It is nonetheless safe against any input bytes: nesting
 * depth, partial depth, render work and output size are all bounded.
 *
 * Ownership and threads: the set owns its templates and copies of the
 * names and sources given to it. Load all templates first (tmpl_set_add
 * is not thread-safe); after that the set is read-only and tmpl_render may
 * be called from many threads at once. Rendering allocates only a small
 * per-call context stack and what it appends to the caller's buf.
 */
#ifndef QUIRE_TMPL_TMPL_H
#define QUIRE_TMPL_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"

struct tmpl_set;

/*
 * Flags for tmpl_set_new().
 *
 * TMPL_STRICT_RAW: a raw tag ({{{x}}} or {{& x}}) compiles only if the last
 * segment of its name ends in "_html" ({{{story.body_html}}}); any other
 * raw tag makes tmpl_set_add() fail. The application creates its set with
 * this flag so that only the Markdown renderer's sanitised output, which
 * it stores under *_html keys, can be inserted unescaped.
 */
#define TMPL_STRICT_RAW 0x1u

/* Limits. Exceeding one is a compile error or a render failure. */
#define TMPL_MAX_PARTIAL_DEPTH 32	/* nested {{>partial}} at render time */
#define TMPL_MAX_NESTING 64		/* nested sections within one template */
#define TMPL_MAX_DELIM 16		/* bytes in a {{=a b=}} delimiter */
#define TMPL_MAX_STEPS (1ul << 24)	/* nodes visited by one tmpl_render */

/* An empty set; never NULL (aborts on out-of-memory). Free with
 * tmpl_set_free(). */
struct tmpl_set *tmpl_set_new(unsigned flags);

/* Frees the set and every template in it. NULL is allowed. */
void tmpl_set_free(struct tmpl_set *s);

/*
 * Compiles src (len bytes, need not be NUL-terminated, may hold any bytes)
 * and adds it under name, replacing a template already there. name and src
 * are copied.
 *
 * Returns 0, or -1 with the set unchanged and a NUL-terminated message
 * such as "line 3: unclosed section 'items'" written to err (truncated to
 * errlen bytes; err may be NULL when errlen is 0). Errors: unclosed tag,
 * unclosed, unexpected or mismatched section end, empty or malformed name,
 * bad set-delimiter tag, sections nested deeper than TMPL_MAX_NESTING, and
 * under TMPL_STRICT_RAW a raw tag whose name does not end in "_html".
 */
int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len,
		 char *err, size_t errlen) __attribute__((warn_unused_result));

/* Whether a template called name has been added. */
bool tmpl_set_has(const struct tmpl_set *s, const char *name);

/*
 * Renders template name with ctx (usually an object; NULL is treated as
 * an empty context) and appends the result to out.
 *
 * Returns 0, or -1 when name is unknown, partials nest deeper than
 * TMPL_MAX_PARTIAL_DEPTH, rendering visits more than TMPL_MAX_STEPS nodes,
 * or out reports too_large. After -1, out holds whatever was appended
 * before the failure (possibly a partial page): the caller should discard
 * it. A partial that is not in the set renders as nothing, as the spec
 * says; it is not an error.
 */
int tmpl_render(const struct tmpl_set *s, const char *name, const json_t *ctx,
		struct buf *out) __attribute__((warn_unused_result));

#endif
