/*
 * markdown.c - Markdown to sanitised HTML and plain-text excerpts through
 * cmark-gfm; see markdown.h for the rules and the contract.
 *
 * How: a linear pre-scan decides whether tables are safe to parse (see
 * tables_safe), cmark-gfm parses the body into a tree, and we walk the tree
 * once and fix it up before rendering: raw HTML and custom nodes are
 * removed, # headings made h2, links and images checked against our own
 * scheme allow-list, links nested in links flattened. cmark then renders
 * in its default safe mode (which would also blank dangerous URLs and omit
 * raw HTML on its own), with the tagfilter extension attached as a last
 * line of defence; our allow-list is stricter than cmark's deny-list and
 * does not depend on it.
 *
 * cmark's renderer cannot add rel="..." to links, and links cannot become
 * custom nodes (table cells refuse them), so rel is added while copying the
 * rendered HTML out: in that HTML every '<' opens a tag cmark wrote, since
 * text and attribute values have '<' and '"' escaped, which makes
 * '<a href="' followed by the value up to the next '"' an exact match.
 *
 * Not here: HTML parsing or cleaning of any kind; page layout.
 */
#include "stories/markdown.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

const char *md_lib_version(void)
{
	return cmark_version_string();
}

#include "core/buf.h"
#include "core/text.h"

/*
 * Safe rendering is cmark-gfm's default; the option that turns it off must
 * never appear here. Strikethrough needs two tildes so that "~5 km" in an
 * essay is not struck through.
 */
#define MD_CMARK_OPTIONS \
	(CMARK_OPT_SMART | CMARK_OPT_FOOTNOTES | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

#define ELLIPSIS "\xE2\x80\xA6"

static const char *const ext_names[] = {"table", "strikethrough", "autolink", "tagfilter"};
#define N_EXT (sizeof ext_names / sizeof ext_names[0])

/* Written once under ext_once, read-only afterwards. */
static cmark_syntax_extension *ext[N_EXT];
static pthread_once_t ext_once = PTHREAD_ONCE_INIT;

/*
 * cmark-gfm 0.29.0.gfm.6 sets process-wide special-character tables at the
 * start of every inline parse and clears them at the end, so two parses at
 * once race (one can lose another's strikethrough or autolinks). Parsing
 * holds this lock; walking and rendering do not need it.
 */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

const char *md_strerror(enum md_err e)
{
	switch (e) {
	case MD_OK: return "success";
	case MD_TOO_LARGE: return "text is too long";
	case MD_BAD_UTF8: return "text is not valid UTF-8";
	}
	return "unknown Markdown error";
}

static void ext_init(void)
{
	cmark_gfm_core_extensions_ensure_registered();
	for (size_t i = 0; i < N_EXT; i++) {
		ext[i] = cmark_find_syntax_extension(ext_names[i]);
		if (!ext[i]) {
			/* A broken library install; nothing sensible to render. */
			fprintf(stderr, "markdown: cmark-gfm extension '%s' missing\n",
				ext_names[i]);
			abort();
		}
	}
}

/*
 * cmark-gfm 0.29.0.gfm.6's table extension takes time quadratic in the
 * cells of a header row, and pads every body row to the header's width
 * with no limit. Measured here: a 64 KB line of pipes over a delimiter row
 * took 9 s; 100 columns over 100,000 one-cell rows (400 KB of source) took
 * 9 s and built more than 64 MB of HTML, and 200 columns exhausted 3 GB, on
 * which cmark aborts the whole process. Cells written in the source cost
 * no more than other text; the padding is what explodes. So before parsing
 * we bound the header width and the padding in one linear pass, and a body
 * that could pass either limit is rendered without the table extension
 * (its pipes stay text).
 *
 * The bound is conservative: any line of only "-|:>" and blanks may be a
 * delimiter row, with one column per '|'-separated part holding a '-'. A
 * blank line ends every table, so each later line up to the next blank one
 * may be a row of a table no wider than the widest such line before it,
 * padded by that width less (its unescaped pipes - 1).
 */
static bool tables_safe(const char *s, size_t n)
{
	size_t fill = 0, open_cols = 0, i = 0;
	while (i < n) {
		size_t pipes = 0, cells = 0, cols = 0;
		bool blank = true, delim = true, dash = false, escaped = false;
		for (; i < n && s[i] != '\n' && s[i] != '\r'; i++) {
			char c = s[i];
			if (c != ' ' && c != '\t')
				blank = false;
			if (c == '|') {
				pipes++;
				cells += !escaped;
				cols += dash;
				dash = false;
			} else if (c == '-') {
				dash = true;
			} else if (!strchr(" \t\v\f:>", c)) {
				delim = false;
			}
			escaped = c == '\\' && !escaped;
		}
		cols += dash;
		if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
			i++;
		i++;
		if (pipes > MD_TABLE_MAX_PIPES)
			return false;
		if (blank) {
			open_cols = 0;
			continue;
		}
		cells = cells > 1 ? cells - 1 : 0;
		size_t pad = open_cols > cells ? open_cols - cells : 0;
		if (pad > MD_TABLE_MAX_FILL - fill)
			return false;
		fill += pad;
		if (delim && cols > open_cols)
			open_cols = cols;
	}
	return true;
}

static cmark_parser *parser_new(bool tables)
{
	if (pthread_once(&ext_once, ext_init) != 0)
		abort();
	cmark_parser *p = cmark_parser_new(MD_CMARK_OPTIONS);
	for (size_t i = 0; i < N_EXT; i++) {
		if (!tables && strcmp(ext_names[i], "table") == 0)
			continue;
		if (!cmark_parser_attach_syntax_extension(p, ext[i]))
			abort();
	}
	return p;
}

/* Parse src[0..n); the caller frees the tree, then the parser. */
static cmark_node *parse(cmark_parser *p, const char *src, size_t n)
{
	if (pthread_mutex_lock(&parse_lock) != 0)
		abort();
	if (n)
		cmark_parser_feed(p, src, n);
	cmark_node *doc = cmark_parser_finish(p);
	pthread_mutex_unlock(&parse_lock);
	return doc;
}

/* ---- URLs ---- */

enum url_kind {
	URL_RELATIVE,	/* no scheme: same site */
	URL_WEB,	/* http:, https:, or "//host" */
	URL_MAILTO,
	URL_OTHER,	/* any other scheme, or something that looks like one */
};

static bool scheme_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.';
}

/*
 * Classify url[0..n). A URL has a scheme when a ':' comes before any '/',
 * '?' or '#'; the scheme must then be exactly http, https or mailto in any
 * case, and anything else before that ':' - other schemes, whitespace,
 * control characters, '%' - makes it URL_OTHER. Browsers drop tabs and
 * newlines inside a scheme and trim spaces around it ("java\tscript:"),
 * so a softer rule would need to mimic them exactly; refusing is simpler.
 *
 * Used on URLs in the tree, where cmark has already decoded entities and
 * backslash escapes ("&#106;avascript:" arrives as "javascript:"), and on
 * hrefs in cmark's output, where the bytes of any scheme we allow are
 * unchanged, so both give the same answer for links we keep.
 */
static enum url_kind url_classify(const char *url, size_t n)
{
	const unsigned char *p = (const unsigned char *)url;
	if (n >= 2 && p[0] == '/' && p[1] == '/')
		return URL_WEB;	/* network-path reference: another host */

	size_t i = 0;
	bool clean = true;
	for (; i < n; i++) {
		if (p[i] == ':' || p[i] == '/' || p[i] == '?' || p[i] == '#')
			break;
		clean = clean && scheme_char(p[i]);
	}
	if (i == n || p[i] != ':')
		return URL_RELATIVE;
	if (!clean)
		return URL_OTHER;
	if ((i == 4 && strncasecmp(url, "http", 4) == 0) ||
	    (i == 5 && strncasecmp(url, "https", 5) == 0))
		return URL_WEB;
	if (i == 6 && strncasecmp(url, "mailto", 6) == 0)
		return URL_MAILTO;
	return URL_OTHER;
}

static enum url_kind node_url_kind(cmark_node *node)
{
	const char *url = cmark_node_get_url(node);
	return url ? url_classify(url, strlen(url)) : URL_RELATIVE;
}

#define LINK_OPEN "<a href=\""
#define LINK_REL " rel=\"nofollow noopener\""

/*
 * Copy cmark's HTML to out (when out is not NULL), adding LINK_REL after
 * the href of every absolute http(s) link (see the top of this file for
 * why this match is exact). Returns the length of the result, so that a
 * first call with out == NULL can check it fits.
 */
static size_t add_html_rel(const char *html, struct buf *out)
{
	size_t total = 0;
	const char *p = html, *a;
	while ((a = strstr(p, LINK_OPEN)) != NULL) {
		const char *val = a + strlen(LINK_OPEN);
		const char *close = strchr(val, '"');
		if (!close)
			break;
		size_t n = (size_t)(close + 1 - p);
		bool web = url_classify(val, (size_t)(close - val)) == URL_WEB;
		if (out) {
			buf_add(out, p, n);
			if (web)
				buf_adds(out, LINK_REL);
		}
		total += n + (web ? strlen(LINK_REL) : 0);
		p = close + 1;
	}
	size_t rest = strlen(p);
	if (out)
		buf_add(out, p, rest);
	return total + rest;
}

/* ---- tree walk ---- */

/* The node after node in document order, staying inside root; into node's
 * children only when descend is set. */
static cmark_node *walk_next(cmark_node *node, cmark_node *root, bool descend)
{
	cmark_node *child = descend ? cmark_node_first_child(node) : NULL;
	if (child)
		return child;
	while (node && node != root) {
		cmark_node *next = cmark_node_next(node);
		if (next)
			return next;
		node = cmark_node_parent(node);
	}
	return NULL;
}

/* Remove node and its subtree; returns the next node to visit. */
static cmark_node *drop(cmark_node *node, cmark_node *root)
{
	cmark_node *next = walk_next(node, root, false);
	cmark_node_free(node);
	return next;
}

/* Replace node by its children (a link or image losing its tag keeps its
 * text); returns the next node to visit, the first former child. */
static cmark_node *unwrap(cmark_node *node, cmark_node *root)
{
	cmark_node *first = cmark_node_first_child(node);
	cmark_node *child;
	while ((child = cmark_node_first_child(node)) != NULL)
		if (!cmark_node_insert_before(node, child))
			break;	/* cannot hold here; such children go with node */
	if (first && cmark_node_parent(first) == node)
		first = NULL;
	cmark_node *next = first ? first : walk_next(node, root, false);
	cmark_node_free(node);
	return next;
}

/*
 * cmark lets a link's text hold nodes that render as links themselves
 * (autolinks such as <a@b.example>, footnote references), and <a> inside
 * <a> is not valid HTML. Inner links lose their tag; footnote references
 * move to just after the link, in order. Each node is scanned by at most
 * one enclosing link, since no link is left inside another.
 */
static void link_flatten(cmark_node *link)
{
	cmark_node *after = link;
	cmark_node *node = cmark_node_first_child(link);
	while (node) {
		cmark_node_type type = cmark_node_get_type(node);
		if (type == CMARK_NODE_LINK) {
			node = unwrap(node, link);
		} else if (type == CMARK_NODE_FOOTNOTE_REFERENCE) {
			cmark_node *next = walk_next(node, link, false);
			if (cmark_node_insert_after(after, node))
				after = node;
			else
				cmark_node_free(node);
			node = next;
		} else {
			node = walk_next(node, link, true);
		}
	}
}

/* Links keep their node only with an allowed scheme. */
static cmark_node *link_fix(cmark_node *node, cmark_node *root)
{
	if (node_url_kind(node) == URL_OTHER)
		return unwrap(node, root);
	link_flatten(node);
	return walk_next(node, root, true);
}

static bool image_url_ok(const char *url)
{
	if (!url || !*url)
		return false;	/* src="" would fetch the page itself */
	enum url_kind kind = url_classify(url, strlen(url));
	return kind == URL_RELATIVE || kind == URL_WEB;
}

/* "photo:" and 16 lowercase hex digits: a reference to an uploaded photo. */
static bool photo_ref(const char *url)
{
	if (!url || strncmp(url, "photo:", 6) != 0 || strlen(url) != 6 + 16)
		return false;
	for (const char *c = url + 6; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return false;
	return true;
}

static cmark_node *image_fix(cmark_node *node, cmark_node *root,
			     const struct md_options *opts)
{
	const char *url = cmark_node_get_url(node);
	enum md_image_verdict v = MD_IMAGE_DEFAULT;
	bool keep = false;

	if (opts && opts->image) {
		struct buf rw;
		buf_init(&rw, MD_URL_MAX);
		v = opts->image(opts->image_ctx, url ? url : "", &rw);
		if (v == MD_IMAGE_REWRITE) {
			keep = !buf_failed(&rw) && image_url_ok(buf_str(&rw)) &&
			       cmark_node_set_url(node, buf_str(&rw));
		}
		buf_release(&rw);
	}
	if (v == MD_IMAGE_DEFAULT && photo_ref(url)) {
		/* "photo:ID" -> "/photos/ID"; the story page turns that into
		 * the photo's <picture> (media/). */
		char rel[8 + 16 + 1];
		snprintf(rel, sizeof(rel), "/photos/%s", url + 6);
		keep = cmark_node_set_url(node, rel);
		v = MD_IMAGE_REWRITE;
	}
	if (v == MD_IMAGE_DEFAULT)
		keep = image_url_ok(url);
	if (!keep)
		return unwrap(node, root);
	/* Alt text is rendered as plain text, but walk it anyway so that no
	 * node we do not allow survives anywhere in the tree. */
	return walk_next(node, root, true);
}

/* cmark-gfm 0.29.0.gfm.6 can cut a text node in the middle of a
 * character: an unmatched footnote reference whose label spans a line
 * ("[^" newline "\xe2\x80\x94n]") comes out as "[^" newline "\xe2]"
 * (github/cmark-gfm#282; found by fuzz/fuzz_markdown.c). Drop the stray
 * bytes so the stored HTML is always valid UTF-8. */
static void text_fix(cmark_node *node)
{
	const char *t = cmark_node_get_literal(node);
	size_t n = t ? strlen(t) : 0;
	if (!t || utf8_valid(t, n))
		return;
	char *fixed = malloc(n + 1);
	if (!fixed)
		abort();
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)t[i];
		size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		if (i + len <= n && utf8_valid(t + i, len)) {
			memcpy(fixed + o, t + i, len);
			o += len;
			i += len;
		} else {
			i++;
		}
	}
	fixed[o] = '\0';
	cmark_node_set_literal(node, fixed);
	free(fixed);
}

static void sanitise(cmark_node *root, const struct md_options *opts)
{
	cmark_node *node = cmark_node_first_child(root);
	while (node) {
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_CUSTOM_BLOCK:
		case CMARK_NODE_CUSTOM_INLINE:
			node = drop(node, root);
			continue;
		case CMARK_NODE_LINK:
			node = link_fix(node, root);
			continue;
		case CMARK_NODE_IMAGE:
			node = image_fix(node, root, opts);
			continue;
		case CMARK_NODE_TEXT:
			text_fix(node);
			break;
		case CMARK_NODE_HEADING: {
			/* The story's title is its one <h1>: "#" and "##" are
			 * both sections (h2), deeper levels keep their number. */
			if (cmark_node_get_heading_level(node) == 1)
				cmark_node_set_heading_level(node, 2);
			break;
		}
		default:
			break;
		}
		node = walk_next(node, root, true);
	}
}

enum md_err md_render(const char *src, size_t n, struct buf *out)
{
	return md_render_opts(src, n, NULL, out);
}

enum md_err md_render_opts(const char *src, size_t n,
			   const struct md_options *opts, struct buf *out)
{
	if (n > MD_MAX_BYTES || buf_failed(out))
		return MD_TOO_LARGE;
	if (!utf8_valid(src, n))
		return MD_BAD_UTF8;

	cmark_parser *p = parser_new(tables_safe(src, n));
	cmark_node *doc = parse(p, src, n);
	sanitise(doc, opts);
	char *html = cmark_render_html(doc, MD_CMARK_OPTIONS,
				       cmark_parser_get_syntax_extensions(p));
	enum md_err err = MD_OK;
	if (add_html_rel(html, NULL) > out->max - out->len)
		err = MD_TOO_LARGE;
	else
		add_html_rel(html, out);
	cmark_get_default_mem_allocator()->free(html);
	cmark_node_free(doc);
	cmark_parser_free(p);
	return err;
}

/* ---- excerpts ---- */

struct plain {
	struct buf text;
	size_t chars;	/* code points in text */
	size_t limit;	/* stop once chars exceeds this */
	bool space;	/* a separating space is due before the next text */
	bool full;	/* md_text(): all text a reader reads, not only prose */
};

static void plain_space(struct plain *pl)
{
	if (pl->chars)
		pl->space = true;
}

static void plain_add(struct plain *pl, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool lead = (c & 0xC0) != 0x80;
		if (lead && pl->chars > pl->limit)
			return;
		if (c <= 0x20 || c == 0x7F) {
			plain_space(pl);
			continue;
		}
		if (pl->space) {
			buf_addch(&pl->text, ' ');
			pl->chars++;
			pl->space = false;
		}
		buf_addch(&pl->text, (char)c);
		if (lead)
			pl->chars++;
	}
}

/* Subtrees that are not prose (full: that a reader does not read as
 * text; images never, so no alt text is ever plain text). */
static bool excerpt_skips(cmark_node *node, bool full)
{
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_HTML_INLINE:
	case CMARK_NODE_CUSTOM_BLOCK:
	case CMARK_NODE_CUSTOM_INLINE:
	case CMARK_NODE_IMAGE:
		return true;
	default:
		break;
	}
	if (full)
		return false;
	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_HEADING:
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_FOOTNOTE_DEFINITION:
	case CMARK_NODE_FOOTNOTE_REFERENCE:
		return true;
	default:
		break;
	}
	const char *type = cmark_node_get_type_string(node);
	return type && strcmp(type, "table") == 0;
}

static void excerpt_collect(cmark_node *doc, struct plain *pl)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while (pl->chars <= pl->limit && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *node = cmark_iter_get_node(it);
		cmark_node_type type = cmark_node_get_type(node);
		bool block = (type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK;
		if (ev == CMARK_EVENT_EXIT) {
			if (block)
				plain_space(pl);
			continue;
		}
		if (excerpt_skips(node, pl->full)) {
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
			plain_space(pl);
			continue;
		}
		if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE ||
		    (pl->full && type == CMARK_NODE_CODE_BLOCK)) {
			if (type == CMARK_NODE_TEXT)
				text_fix(node);
			const char *lit = cmark_node_get_literal(node);
			if (lit)
				plain_add(pl, lit, strlen(lit));
		} else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
			plain_space(pl);
		}
	}
	cmark_iter_free(it);
}

/* Length of a character at the end of t[0..end) that should not stand
 * before the ellipsis (space, , ; : and dashes), or 0. */
static size_t trailing_junk(const char *t, size_t end)
{
	static const char *const dashes[] = {"\xE2\x80\x93", "\xE2\x80\x94"};
	if (end == 0)
		return 0;
	if (strchr(" ,;:-", t[end - 1]))
		return 1;
	for (size_t i = 0; i < 2; i++)
		if (end >= 3 && memcmp(t + end - 3, dashes[i], 3) == 0)
			return 3;
	return 0;
}

void md_excerpt(const char *src, size_t n, size_t max_chars, struct buf *out)
{
	if (max_chars == 0)
		return;
	if (n > MD_MAX_BYTES) {
		/* Cut at a code point boundary; the tail cannot matter. */
		n = MD_MAX_BYTES;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	if (!utf8_valid(src, n))
		return;

	cmark_parser *p = parser_new(tables_safe(src, n));
	cmark_node *doc = parse(p, src, n);
	struct plain pl = {.chars = 0, .limit = max_chars, .space = false};
	buf_init(&pl.text, 0);
	excerpt_collect(doc, &pl);
	cmark_node_free(doc);
	cmark_parser_free(p);

	const char *t = buf_str(&pl.text);
	size_t len = pl.text.len;
	if (pl.chars <= max_chars) {
		buf_add(out, t, len);
		buf_release(&pl.text);
		return;
	}
	/* Room for max_chars - 1 code points, then the ellipsis. */
	size_t end = 0;
	for (size_t k = 0; k + 1 < max_chars && end < len; k++) {
		end++;
		while (end < len && ((unsigned char)t[end] & 0xC0) == 0x80)
			end++;
	}
	size_t cut = end;
	if (end < len && t[end] != ' ') {
		size_t i = end;
		while (i > 0 && t[i - 1] != ' ')
			i--;
		if (i > 0)
			cut = i - 1;
	}
	size_t junk;
	while ((junk = trailing_junk(t, cut)) != 0)
		cut -= junk;
	buf_add(out, t, cut);
	buf_adds(out, ELLIPSIS);
	buf_release(&pl.text);
}

void md_text(const char *src, size_t n, struct buf *out)
{
	if (n > MD_MAX_BYTES || !utf8_valid(src, n))
		return;
	cmark_parser *p = parser_new(tables_safe(src, n));
	cmark_node *doc = parse(p, src, n);
	struct plain pl = {.chars = 0, .limit = SIZE_MAX - 1, .space = false, .full = true};
	buf_init(&pl.text, 0);
	excerpt_collect(doc, &pl);
	cmark_node_free(doc);
	cmark_parser_free(p);
	buf_add(out, buf_str(&pl.text), pl.text.len);
	buf_release(&pl.text);
}
