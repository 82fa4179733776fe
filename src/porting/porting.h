/*
 * porting.h - reading other platforms' exports into plain post records:
 * HTML to the Markdown Quire stores (gumbo, a real HTML5 parser), and the
 * readers for Medium, Substack and WordPress (WXR, libxml2) exports.
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

enum port_source { PORT_MEDIUM, PORT_SUBSTACK, PORT_WORDPRESS };
const char *port_source_name(enum port_source s);

/* One post of an export. Strings are never NULL ("" when absent). */
struct port_post {
	const char *file;          /* the file it came from (for messages) */
	const char *source_id;     /* the platform's own id; stable across exports */
	const char *title;
	const char *subtitle;
	const char *slug;          /* the original slug, "" when none */
	const char *canonical_url;
	int64_t published_at;      /* Unix seconds, 0 when unknown */
	bool draft;
	bool response;             /* Medium: a response the writer wrote */
	bool paid;                 /* Substack: for paying subscribers only */
	const char *circle;        /* circle to publish in ("" = by audience) */
	struct port_list tags;
	struct port_md body;
};

struct port_posts {
	struct port_post *items;
	size_t n, cap;
};

/* A clear error: file, line (0 when not known) and a sentence. */
struct port_error {
	char file[512];
	long line;
	char msg[512];
};

/*
 * Medium: dir is the unpacked export (dir/posts/NAME.html). Every post file
 * is read in name order; files whose name starts with "draft_" and files
 * without a publication date are drafts; files without a subtitle section
 * and not drafts are responses (kept, with response = true; the importer
 * skips them unless --include-responses). source_id is the post id at the
 * end of the canonical or "View original" link.
 * Returns false and fills *err when a file cannot be read; nothing is
 * added to *out then.
 */
bool port_medium_read_dir(struct arena *a, const char *dir, struct port_posts *out,
			  struct port_error *err) __attribute__((warn_unused_result));
/* One Medium post file's bytes (for tests and fuzzing). */
bool port_medium_parse(struct arena *a, const char *file, const char *html, size_t len,
		       struct port_post *out, struct port_error *err)
	__attribute__((warn_unused_result));

/*
 * Substack: dir holds posts.csv and posts/<post_id>.html. posts.csv is
 * RFC 4180 CSV with a header row (post_id, post_date, is_published,
 * email_sent_at, inbox_sent_at, type, audience, title, subtitle,
 * podcast_url); audience "only_paid" or "founding" marks a post paid
 * (circle = "Paid subscribers"). A row naming a missing HTML file is an
 * error naming posts.csv and the line.
 */
bool port_substack_read_dir(struct arena *a, const char *dir, struct port_posts *out,
			    struct port_error *err) __attribute__((warn_unused_result));

/* RFC 4180 CSV: rows of fields. Quoted fields may hold commas, "" and new
 * lines. Returns false with the line of the first error. */
struct port_csv_row {
	const char **fields;
	size_t n;
	long line; /* line where the row starts, from 1 */
};
struct port_csv {
	struct port_csv_row *rows;
	size_t n, cap;
};
bool port_csv_parse(struct arena *a, const char *s, size_t len, struct port_csv *out,
		    long *err_line) __attribute__((warn_unused_result));

/*
 * WordPress WXR 1.0-1.2 (a file). Parsed by libxml2 with XML_PARSE_NONET,
 * no entity substitution and no DTD loading; posts of type "post" (pages
 * and attachments are noted and skipped), status publish -> published,
 * draft/pending/private/future -> draft; categories and tags -> tags.
 * A malformed file fails with its line.
 */
bool port_wxr_read_file(struct arena *a, const char *path, struct port_posts *out,
			struct port_list *notes, struct port_error *err)
	__attribute__((warn_unused_result));
bool port_wxr_parse(struct arena *a, const char *name, const char *xml, size_t len,
		    struct port_posts *out, struct port_list *notes, struct port_error *err)
	__attribute__((warn_unused_result));

/* "2018-08-11T11:23:34.123Z", "2018-08-11 11:23:34" (UTC), RFC 2822
 * ("Sat, 11 Aug 2018 11:23:34 +0000"): Unix seconds, 0 if not a date. */
int64_t port_parse_date(const char *s);

#endif
