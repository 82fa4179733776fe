/*
 * porting.h - reading other platforms' exports into plain post records:
 * HTML to the Markdown Quire stores (gumbo, a real HTML5 parser), and the
 * WordPress (WXR, libxml2) reader; Medium and Substack readers are to come.
 *
 * This room only reads and converts. It never touches the store, the
 * network or photos: a post comes out with its body in Markdown whose
 * images still point at their original URLs (port_post.images lists them),
 * and the importer (issue 19) fetches them, makes photos and rewrites the
 * references to photo:ID. Everything a reader cannot carry over (scripts,
 * forms, tables flattened, embeds turned into links, unknown elements) is
 * written to port_post.notes, never silently dropped.
 *
 * Memory: everything returned lives in the caller's arena. Inputs are
 * bounded (PORT_MAX_HTML, PORT_MAX_DEPTH) before anything deeper happens.
 * Thread-safe: no shared state.
 */
#ifndef QUIRE_PORTING_PORTING_H
#define QUIRE_PORTING_PORTING_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORT_MAX_HTML ((size_t)8 << 20)   /* one post's HTML */
#define PORT_MAX_DEPTH 200               /* element nesting converted; deeper is reported */

/* A growable list of strings in an arena. */
struct port_list {
	const char **items;
	size_t n, cap;
};
void port_list_add(struct arena *a, struct port_list *l, const char *s);
void port_list_addf(struct arena *a, struct port_list *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct port_image {
	const char *url;     /* as written in the source (absolute or not) */
	const char *alt;     /* "" when none */
	const char *caption; /* plain text, "" when none */
};

struct port_images {
	struct port_image *items;
	size_t n, cap;
};

/* The result of one HTML -> Markdown conversion. */
struct port_md {
	const char *md;              /* CommonMark + GFM, NUL-terminated */
	struct port_images images;   /* in order of appearance; each is ![alt](url "caption") in md */
	struct port_list notes;      /* what was not carried over, one sentence each */
};

/*
 * Convert an HTML fragment or document (UTF-8) to Markdown: paragraphs,
 * headings (h1..h6 as # .. ######), *emphasis*, **strong**, `code`,
 * ~~strikethrough~~, links (http, https, mailto, relative; other schemes
 * keep their text and are noted), ordered and unordered lists (nested),
 * block quotes, code blocks (fenced, <br> as new lines), images and
 * figures (![alt](src "caption")), iframes/video/audio/embeds as links
 * with a note, horizontal rules. Tables are flattened to one line per row
 * with a note; script, style, forms are dropped with a note.
 * Returns false (with a note saying why) only when the input is larger
 * than PORT_MAX_HTML; out->md is then "".
 */
bool port_html_to_md(struct arena *a, const char *html, size_t len, struct port_md *out);

/*
 * md with the URL of each of its n images (in md's order, as
 * port_html_to_md() wrote them) replaced by "photo:" and ids[i], so the
 * body names photos the importer makes. An image whose URL cannot be
 * found in order is left as it was (*swapped counts those replaced).
 */
const char *port_md_swap_images(struct arena *a, const char *md, const struct port_images *im,
				const char *const *ids, size_t *swapped);

/* One post of an export, as a reader found it. */
struct port_post {
	const char *source_id;     /* the source's own id for it (never "") */
	const char *title;
	const char *subtitle;      /* "" when none */
	const char *slug;          /* the source's slug, "" when none */
	const char *canonical_url; /* where it was published, "" when unknown */
	int64_t published_at;      /* its original date (Unix time), 0 when unknown */
	bool draft;                /* not published there */
	const char *circle;        /* for paying readers only there: the circle's name; NULL */
	struct port_list tags;
	struct port_md body;
};

struct port_export {
	struct port_post *posts;
	size_t n, cap;
	struct port_list notes; /* what the reader skipped, and why */
};

#define PORT_MAX_EXPORT ((size_t)256 << 20) /* one export file */

/*
 * WordPress eXtended RSS (WXR 1.0 to 1.2): the items of type "post"
 * (source_id "SITE#post-ID", SITE the export's base URL)
 * (pages, attachments and menu items are skipped with a note), title,
 * link (the canonical URL), wp:post_id, wp:post_name, wp:status (publish
 * is published; draft, pending, future and private come in as drafts, the
 * last noted), wp:post_date_gmt (else pubDate), content:encoded converted
 * by port_html_to_md(), excerpt:encoded as the subtitle, and its
 * categories and tags as tags. libxml2 reads it with no network, no DTD
 * and no entity substitution. False with err ("line N: ...") when the
 * file is not well-formed XML or not WXR; nothing is half-read then.
 */
bool port_read_wxr(struct arena *a, const char *xml, size_t len, struct port_export *out,
		   char *err, size_t errlen);

/* The text of one file of an export (e.g. "posts/123.x.html"), in a; NULL
 * when there is none. The reader's only way to files: it stays pure. */
typedef const char *(*port_file_fn)(void *ctx, struct arena *a, const char *name, size_t *len);

/*
 * A Substack export: posts.csv (RFC 4180; the columns post_id, post_date,
 * is_published, type, audience, title, subtitle, podcast_url by name in
 * its header) and posts/POST_ID.html. Newsletters and podcasts are posts
 * (a podcast's audio address is noted); pages and threads are skipped with
 * a note. Posts only for paying readers ("only_paid", "founding") come with
 * circle "Paid subscribers" or "Founding members", never public. False with
 * err ("line N: ...") when posts.csv is not such a file.
 */
bool port_read_substack(struct arena *a, const char *csv, size_t len, port_file_fn file, void *ctx,
			struct port_export *out, char *err, size_t errlen);

/*
 * One post of a Medium export (posts/NAME.html, parsed with gumbo): the
 * title (h1.p-name), subtitle (the subtitle section), body (the body
 * section, without the title and subtitle Medium repeats in it), date
 * (time.dt-published), canonical URL (a.p-canonical; its last path part
 * gives the slug and, with its trailing id, the source id) and tags
 * (a.p-tag). A post with neither a date nor a canonical URL is a draft.
 * A response (no subtitle section) is skipped with a note unless
 * responses is true. Adds one post to out, or a note.
 */
void port_read_medium_post(struct arena *a, const char *name, const char *html, size_t len,
			   bool responses, struct port_export *out);

/* For fuzzing and tests: the fields of the CSV record at *p (RFC 4180),
 * *p moved past it; false at the end or on an unclosed quote (*line
 * counts lines). */
bool port_csv_record(struct arena *a, const char **p, const char *end, struct port_list *fields,
		     unsigned *line);

#endif
