/*
 * markdown.h - a story body in Markdown (CommonMark + GitHub extensions) to
 * sanitised HTML, and to plain-text excerpts. The only module that calls
 * cmark-gfm.
 *
 * The HTML is the fragment that goes inside the story page's <article>,
 * after the title, and it is the only raw HTML the templates accept. This
 * module is not a general HTML sanitiser: it never parses HTML and never
 * lets any through. Rules, each tested in tests/unit/test_markdown.c:
 *
 *  - No raw HTML. HTML blocks and inline tags in the source are dropped;
 *    the text between tags stays, as text.
 *  - The story title is the page's <h1>, so body headings nest from <h2>:
 *    ## -> <h2>, ### -> <h3> ... ###### -> <h6>, and # (which would be a
 *    second title) is an <h2> too. Writers from Medium and Ghost use ##
 *    for sections; the page's outline then has no skipped level.
 *  - Links keep their <a> only for http:, https:, mailto: and relative
 *    URLs; any other scheme (javascript:, vbscript:, data:, file: ...)
 *    loses the <a> and keeps its text. Absolute http(s) links, including
 *    protocol-relative "//host/..." ones, get rel="nofollow noopener";
 *    relative and mailto: links get no rel.
 *  - No link inside a link: cmark allows autolinks and footnote references
 *    in link text; the inner link keeps only its text, and a footnote
 *    reference moves to just after the link.
 *  - Images keep their <img> only for http(s) and relative URLs, unless an
 *    image hook (below) rewrites the URL; a refused image becomes its alt
 *    text. data: images are refused too.
 *  - An image whose URL is "photo:" and 16 lowercase hex digits (an
 *    uploaded photo, ![alt](photo:ID "caption")) gets src "/photos/ID",
 *    unless a hook decides otherwise; media/ turns it into the photo.
 *  - A URL has a scheme when a ':' comes before any '/', '?' or '#'. The
 *    scheme is checked after entities (&#106;) and backslash escapes are
 *    decoded, in any case (JaVaScRiPt:), and whitespace or control
 *    characters in it (" javascript:", "java\tscript:") refuse the URL
 *    rather than being skipped. Everything else is a relative URL.
 *  - GFM tables, ~~strikethrough~~ (double tilde only, so "~5 km" in prose
 *    stays as typed), autolinks (URLs, www., e-mail addresses) and
 *    footnotes. Smart punctuation: curly quotes, -- en dash, --- em dash,
 *    ... ellipsis.
 *  - Tables are left as text in a body with a line of more than
 *    MD_TABLE_MAX_PIPES '|', or whose short rows could need more than
 *    MD_TABLE_MAX_FILL empty cells to pad them to their header's width:
 *    past those, cmark-gfm 0.29.0.gfm.6 takes seconds and gigabytes.
 *
 * Threads: md_render() and md_excerpt() may run in several threads at once.
 * Debian 12's cmark-gfm (0.29.0.gfm.6) keeps its inline special-character
 * tables in process-wide arrays that every parse sets on entry and clears
 * on exit, so the parse step is serialised by a private mutex; the walk and
 * the HTML rendering run unlocked. The slowest bodies of MD_MAX_BYTES
 * measured here (deep quotes, emphasis runs) parse in about 0.3 s.
 *
 * Memory: cmark-gfm aborts on out-of-memory, as mem.h does; input is capped
 * at MD_MAX_BYTES before anything is parsed. Nothing is retained between
 * calls; all cmark objects are freed before each function returns.
 */
#ifndef QUIRE_STORIES_MARKDOWN_H
#define QUIRE_STORIES_MARKDOWN_H

#include <stddef.h>

#include "core/buf.h"

/* Largest story body, in bytes of Markdown, that md_render() accepts. A long
 * essay is ~50 KB; the cap leaves ten times that and bounds the time spent
 * in cmark-gfm, which has inputs that are quadratic in their length. */
#define MD_MAX_BYTES (512 * 1024)

/* Table limits, see the rules above. Both are far beyond any essay's table
 * and keep the worst case to about 0.15 s and 1 MB of HTML. */
#define MD_TABLE_MAX_PIPES 1000
#define MD_TABLE_MAX_FILL 100000

/* HTML can be much larger than its source on hostile input (measured: 59
 * times for a body of footnote references, 27 for nested quotes). Callers
 * should give out a cap, such as this one, rather than the buf default. */
#define MD_HTML_MAX ((size_t)8 << 20)

/* Largest image URL an image hook may produce. */
#define MD_URL_MAX 2048

enum md_err {
	MD_OK = 0,
	MD_TOO_LARGE,	/* source over MD_MAX_BYTES, or HTML over out's cap */
	MD_BAD_UTF8,	/* source is not valid UTF-8, or contains a NUL byte */
};

/* A short English message for e; never NULL. */
const char *md_strerror(enum md_err e);
/* cmark-gfm's version ("0.29.0.gfm.6"), for quire --version. */
const char *md_lib_version(void);

/*
 * Image hook: lets a caller map its own image references (such as a future
 * "photo:ID") to real URLs. It is called once per image in the body with the
 * image's URL as written (entities decoded, NUL-terminated), and returns:
 *
 *  MD_IMAGE_DEFAULT  apply the default policy to url (http(s)/relative kept)
 *  MD_IMAGE_REWRITE  use the URL it appended to rewritten instead; the
 *                    default policy still applies to it, so a hook cannot
 *                    produce a javascript: or data: URL, and a rewritten URL
 *                    longer than MD_URL_MAX refuses the image
 *  MD_IMAGE_REFUSE   drop the image, keeping its alt text
 *
 * rewritten is empty on entry and owned by the renderer. ctx is
 * md_options.image_ctx. The hook must not call md_render().
 */
enum md_image_verdict {
	MD_IMAGE_DEFAULT = 0,
	MD_IMAGE_REWRITE,
	MD_IMAGE_REFUSE,
};

typedef enum md_image_verdict (*md_image_fn)(void *ctx, const char *url,
					     struct buf *rewritten);

struct md_options {
	md_image_fn image;	/* NULL: every image gets the default policy */
	void *image_ctx;
};

/*
 * Render Markdown src[0..n) to sanitised HTML appended to out (IN/OUT),
 * following the rules at the top of this file. src need not be
 * NUL-terminated; n == 0 appends nothing.
 *
 * Returns MD_OK, or an error with out exactly as it was: MD_TOO_LARGE when
 * n > MD_MAX_BYTES or the HTML does not fit under out->max (or out had
 * already failed), MD_BAD_UTF8 when src is not valid UTF-8 or holds a NUL.
 */
enum md_err md_render(const char *src, size_t n, struct buf *out)
	__attribute__((warn_unused_result));

/* As md_render(), with hooks; opts may be NULL. */
enum md_err md_render_opts(const char *src, size_t n,
			   const struct md_options *opts, struct buf *out)
	__attribute__((warn_unused_result));

/*
 * Plain-text excerpt of Markdown src[0..n) for story lists and meta
 * descriptions, appended to out (IN/OUT): the prose of paragraphs, list
 * items and quotes, with markup removed, whitespace collapsed to single
 * spaces, and headings, code blocks, tables, images, raw HTML and footnotes
 * left out. Text longer than max_chars code points is cut at a word
 * boundary and ends in "…", the ellipsis counting towards max_chars (a
 * single word longer than that is cut mid-word).
 *
 * The result is plain text, not HTML: templates escape it like any other
 * text. Appends nothing when max_chars is 0 or src is not valid UTF-8; only
 * the first MD_MAX_BYTES of src are read. If out overflows its cap, out's
 * sticky too_large error is set (see buf.h).
 */
void md_excerpt(const char *src, size_t n, size_t max_chars, struct buf *out);

/*
 * All the text a reader of src[0..n) reads, as plain text for full-text
 * search: as md_excerpt() without a length limit and with headings, code,
 * tables and footnotes kept; images (their alt text and titles) and raw
 * HTML left out, so nothing of a photo is ever in it. Appends nothing when
 * src is invalid UTF-8 or over MD_MAX_BYTES.
 */
void md_text(const char *src, size_t n, struct buf *out);

#endif
