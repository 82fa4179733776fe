/*
 * book_xhtml.c - a story's HTML, as render/ gives it for RENDER_BOOK, into
 * the XHTML of a book's pages (book.h: book_xhtml).
 *
 * The HTML is the Markdown renderer's sanitised output, but the renderer
 * speaks HTML5 and an EPUB speaks XML, so it is parsed by a real HTML5
 * parser (gumbo) and written out again: every element closed, void ones
 * as <x/>, attributes quoted and escaped, only elements and attributes a
 * book's XHTML may hold. Headings are nested from the story's title (h1)
 * down, one level at a time. Links to this site become absolute; links
 * within the story follow their target to the page it lands on.
 *
 * A sensitive photo never shares a page with text: the body is cut into
 * segments after each top-level block that holds one, and the photo
 * follows its segment (book.c gives it a page for its note and one for
 * itself). Not here: the store, the photos' files, the EPUB around it.
 */
#include "core/text.h"
#include "porting/book.h"
#include "porting/porting.h"

#include <gumbo.h>
#include <stdlib.h>
#include <string.h>

#define BOOK_MAX_IDS 4096

struct id_seg {
	const char *id; /* in gumbo's tree */
	size_t seg;
	bool written;   /* only the first element with an id keeps it */
};

struct cv {
	struct arena *a;
	const struct book_conv *c;
	struct id_seg *ids;
	size_t nids;
	size_t seg;  /* the segment being written */
	int heading; /* the level of the last heading written (1: the title) */
};

static const char *attr(const GumboNode *n, const char *name)
{
	const GumboAttribute *at = gumbo_get_attribute(&n->v.element.attributes, name);
	return at ? at->value : NULL;
}

/* Photo marker N: <img data-book="N">, as book.c writes it. */
static bool marker(const GumboNode *n, unsigned *num)
{
	if (n->type != GUMBO_NODE_ELEMENT || n->v.element.tag != GUMBO_TAG_IMG)
		return false;
	const char *v = attr(n, "data-book");
	if (!v || !*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
		return false;
	*num = (unsigned)strtoul(v, NULL, 10);
	return true;
}

/* An id we keep: a letter, then letters, digits, '-', '_' or '.'. */
static bool id_ok(const char *id)
{
	if (!id || !((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
	return n == strlen(id) && n <= 128;
}

static struct id_seg *id_find(const struct cv *v, const char *id)
{
	for (size_t i = 0; i < v->nids; i++)
		if (!strcmp(v->ids[i].id, id))
			return &v->ids[i];
	return NULL;
}

/* Pass 1 over one top-level block: its ids (first one wins) and its
 * sensitive photos, appended to *after. */
static void scan(struct cv *v, const GumboNode *n, int depth, unsigned **after, size_t *nafter,
		 size_t *cap)
{
	if (n->type != GUMBO_NODE_ELEMENT || depth > PORT_MAX_DEPTH)
		return;
	unsigned num;
	if (marker(n, &num)) {
		if (v->c->sensitive(v->c->ctx, num)) {
			if (*nafter == *cap) {
				size_t nc = *cap ? *cap * 2 : 4;
				unsigned *g = arena_alloc(v->a, nc * sizeof(*g));
				if (*nafter)
					memcpy(g, *after, *nafter * sizeof(*g));
				*after = g;
				*cap = nc;
			}
			(*after)[(*nafter)++] = num;
		}
		return;
	}
	const char *id = attr(n, "id");
	if (id_ok(id) && !id_find(v, id) && v->nids < BOOK_MAX_IDS) {
		v->ids[v->nids].id = id;
		v->ids[v->nids++].seg = v->seg;
	}
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		scan(v, ch->data[i], depth + 1, after, nafter, cap);
}

/* Text as XML character data: & < > (and " in attributes) escaped,
 * characters XML 1.0 cannot hold left out. */
static void text_out(struct buf *b, const char *s, bool in_attr)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&': buf_adds(b, "&amp;"); continue;
		case '<': buf_adds(b, "&lt;"); continue;
		case '>': buf_adds(b, "&gt;"); continue;
		case '"':
			if (in_attr) {
				buf_adds(b, "&quot;");
				continue;
			}
			break;
		default:
			break;
		}
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			continue;
		/* U+FFFE and U+FFFF (EF BF BE / EF BF BF) are not XML characters. */
		if (ch == 0xEF && (unsigned char)s[1] == 0xBF &&
		    ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
			s += 2;
			continue;
		}
		/* Only whole, valid UTF-8 sequences: a stray byte (the HTML
		 * parser can leave one) would make the page not well-formed. */
		if (ch >= 0x80) {
			size_t n = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : ch >= 0xC0 ? 2 : 0, k = 1;
			while (n && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			if (!n || k < n || !utf8_valid(s, n))
				continue;
			buf_add(b, s, n);
			s += n - 1;
			continue;
		}
		buf_addch(b, (char)ch);
	}
}

static void attr_out(struct buf *b, const char *name, const char *value)
{
	buf_addf(b, " %s=\"", name);
	text_out(b, value, true);
	buf_addch(b, '"');
}

/* The elements a page of the book may hold, as they are; others are
 * unwrapped (their content kept) or, for the few below, dropped whole. */
static bool kept(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
	case GUMBO_TAG_LI: case GUMBO_TAG_PRE: case GUMBO_TAG_CODE: case GUMBO_TAG_EM:
	case GUMBO_TAG_STRONG: case GUMBO_TAG_A: case GUMBO_TAG_HR: case GUMBO_TAG_BR:
	case GUMBO_TAG_TABLE: case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY: case GUMBO_TAG_TFOOT:
	case GUMBO_TAG_TR: case GUMBO_TAG_TH: case GUMBO_TAG_TD: case GUMBO_TAG_DEL:
	case GUMBO_TAG_S: case GUMBO_TAG_SUP: case GUMBO_TAG_SUB: case GUMBO_TAG_SECTION:
	case GUMBO_TAG_DIV: case GUMBO_TAG_SPAN: case GUMBO_TAG_B: case GUMBO_TAG_I:
	case GUMBO_TAG_U: case GUMBO_TAG_MARK: case GUMBO_TAG_SMALL: case GUMBO_TAG_KBD:
	case GUMBO_TAG_SAMP: case GUMBO_TAG_VAR: case GUMBO_TAG_Q: case GUMBO_TAG_CITE:
	case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_ABBR:
		return true;
	default:
		return false;
	}
}

static bool dropped(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_TEMPLATE:
	case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
	case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE:
	case GUMBO_TAG_META: case GUMBO_TAG_LINK: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH:
	case GUMBO_TAG_FORM: case GUMBO_TAG_INPUT: case GUMBO_TAG_BUTTON:
	case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_IMG:
	case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO: case GUMBO_TAG_CANVAS:
		return true;
	default:
		return false;
	}
}

static int heading_level(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_H1: return 1;
	case GUMBO_TAG_H2: return 2;
	case GUMBO_TAG_H3: return 3;
	case GUMBO_TAG_H4: return 4;
	case GUMBO_TAG_H5: return 5;
	case GUMBO_TAG_H6: return 6;
	default: return 0;
	}
}

/* href as the book's page can hold it, or NULL to leave the link out. */
static const char *href_of(struct cv *v, const char *h)
{
	if (!h || !*h)
		return NULL;
	if (h[0] == '#') {
		const struct id_seg *t = id_find(v, h + 1);
		if (!t)
			return NULL;
		if (t->seg == v->seg)
			return h;
		return arena_printf(v->a, "%s%s", v->c->seg_href(v->c->ctx, t->seg), h);
	}
	if (h[0] == '/' && h[1] != '/')
		return v->c->base_url ? arena_printf(v->a, "%s%s", v->c->base_url, h) : NULL;
	if (!strncmp(h, "https://", 8) || !strncmp(h, "http://", 7) || !strncmp(h, "mailto:", 7))
		return h;
	return NULL;
}

static void attrs_out(struct cv *v, const GumboNode *n, GumboTag t, struct buf *b)
{
	const GumboVector *at = &n->v.element.attributes;
	for (unsigned i = 0; i < at->length; i++) {
		const GumboAttribute *x = at->data[i];
		const char *name = x->name, *val = x->value;
		if (!strcmp(name, "id")) {
			struct id_seg *d = id_ok(val) ? id_find(v, val) : NULL;
			if (d && d->seg == v->seg && !d->written) {
				attr_out(b, "id", val);
				d->written = true;
			}
		} else if (!strcmp(name, "class") || !strcmp(name, "title") ||
			   !strcmp(name, "lang") || !strcmp(name, "aria-label")) {
			attr_out(b, name, val);
		} else if (!strcmp(name, "href") && t == GUMBO_TAG_A) {
			const char *h = href_of(v, val);
			if (h)
				attr_out(b, "href", h);
		} else if (!strcmp(name, "start") && t == GUMBO_TAG_OL &&
			   strspn(val, "0123456789") == strlen(val) && *val && strlen(val) < 10) {
			attr_out(b, "start", val);
		} else if (!strcmp(name, "align") && (t == GUMBO_TAG_TH || t == GUMBO_TAG_TD) &&
			   (!strcmp(val, "left") || !strcmp(val, "center") || !strcmp(val, "right"))) {
			buf_addf(b, " style=\"text-align: %s\"", val);
		}
	}
}

static void node_out(struct cv *v, const GumboNode *n, int depth, bool top, struct buf *b);

static void children_out(struct cv *v, const GumboNode *n, int depth, struct buf *b)
{
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		node_out(v, ch->data[i], depth + 1, false, b);
}

static void node_out(struct cv *v, const GumboNode *n, int depth, bool top, struct buf *b)
{
	if (depth > PORT_MAX_DEPTH)
		return;
	switch (n->type) {
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
	case GUMBO_NODE_CDATA:
		text_out(b, n->v.text.text, false);
		return;
	case GUMBO_NODE_ELEMENT:
		break;
	default:
		return;
	}
	unsigned num;
	if (marker(n, &num)) {
		/* A sensitive photo follows its segment, on its own page. */
		if (!v->c->sensitive(v->c->ctx, num))
			v->c->photo(v->c->ctx, num, top, b);
		return;
	}
	GumboTag t = n->v.element.tag;
	int level = heading_level(t);
	if (level) {
		if (level > v->heading + 1)
			level = v->heading + 1;
		if (level < 2)
			level = 2; /* the title is the page's one h1 */
		v->heading = level;
		buf_addf(b, "<h%d", level);
		attrs_out(v, n, t, b);
		buf_addch(b, '>');
		children_out(v, n, depth, b);
		buf_addf(b, "</h%d>", level);
		return;
	}
	if (dropped(t))
		return;
	if (!kept(t)) {
		children_out(v, n, depth, b);
		return;
	}
	const char *name = gumbo_normalized_tagname(t);
	buf_addf(b, "<%s", name);
	attrs_out(v, n, t, b);
	if (t == GUMBO_TAG_BR || t == GUMBO_TAG_HR) {
		buf_adds(b, "/>");
		return;
	}
	buf_addch(b, '>');
	children_out(v, n, depth, b);
	buf_addf(b, "</%s>", name);
}

static const GumboNode *body_of(const GumboNode *root)
{
	if (!root || root->type != GUMBO_NODE_ELEMENT)
		return NULL;
	const GumboVector *ch = &root->v.element.children;
	for (unsigned i = 0; i < ch->length; i++) {
		const GumboNode *c = ch->data[i];
		if (c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_BODY)
			return c;
	}
	return NULL;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

bool book_xhtml(struct arena *a, const char *html, size_t len, const struct book_conv *c,
		struct book_seg **segs, size_t *nsegs)
{
	*segs = NULL;
	*nsegs = 0;
	if (len > PORT_MAX_HTML)
		return false;
	GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
	if (!g)
		return false;
	const GumboNode *body = body_of(g->root);
	struct cv v = {.a = a, .c = c, .heading = 1};
	v.ids = arena_alloc(a, BOOK_MAX_IDS * sizeof(*v.ids));
	v.nids = 0;
	size_t nkids = body ? body->v.element.children.length : 0;
	/* Pass 1: where each top-level block lands, and what follows it. */
	size_t *seg_of = arena_alloc(a, (nkids + 1) * sizeof(*seg_of));
	size_t cap = 4;
	struct book_seg *out = arena_alloc(a, cap * sizeof(*out));
	size_t n = 1, acap = 0;
	for (size_t i = 0; i < nkids; i++) {
		const GumboNode *k = body->v.element.children.data[i];
		seg_of[i] = v.seg;
		struct book_seg *s = &out[v.seg];
		scan(&v, k, 0, &s->after, &s->nafter, &acap);
		if (s->nafter) {
			if (n == cap) {
				struct book_seg *grown = arena_alloc(a, cap * 2 * sizeof(*grown));
				memcpy(grown, out, cap * sizeof(*out));
				out = grown;
				cap *= 2;
			}
			v.seg = n++;
			acap = 0;
		}
	}
	/* Pass 2: each block into its segment. */
	bool ok = true;
	struct buf b;
	buf_init(&b, PORT_MAX_HTML * 2);
	size_t cur = 0;
	for (size_t i = 0; i <= nkids; i++) {
		if (i == nkids || seg_of[i] != cur) {
			out[cur].xhtml = arena_strndup(a, buf_str(&b), b.len);
			out[cur].empty = blank(buf_str(&b), b.len);
			ok = ok && !b.too_large;
			buf_reset(&b);
			if (i == nkids)
				break;
			cur = seg_of[i];
		}
		v.seg = cur;
		node_out(&v, body->v.element.children.data[i], 0, true, &b);
	}
	/* A last segment that nothing was written to (the body ended with a
	 * sensitive photo) still exists, empty. */
	for (size_t i = 0; i < n; i++)
		if (!out[i].xhtml) {
			out[i].xhtml = "";
			out[i].empty = true;
		}
	buf_release(&b);
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	*segs = out;
	*nsegs = n;
	return ok;
}
