/*
 * html_md.c - HTML (parsed by gumbo, a full HTML5 parser) to the Markdown
 * Quire stores. A walk over the tree: block elements become Markdown
 * blocks, runs of inline content become paragraphs; what has no Markdown
 * form goes to the notes. No regular expressions, no string surgery on
 * HTML.
 */
#include "porting/porting.h"

#include "core/buf.h"

#include <gumbo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void port_list_add(struct arena *a, struct port_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		const char **items = arena_alloc(a, cap * sizeof(*items));
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = arena_strdup(a, s ? s : "");
}

void port_list_addf(struct arena *a, struct port_list *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(a, fmt, ap);
	va_end(ap);
	port_list_add(a, l, s);
}

static void images_add(struct arena *a, struct port_images *l, const char *url, const char *alt,
		       const char *caption)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct port_image *items = arena_alloc(a, cap * sizeof(*items));
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = (struct port_image){ arena_strdup(a, url), arena_strdup(a, alt),
						arena_strdup(a, caption) };
}

struct conv {
	struct arena *a;
	struct port_md *out;
	bool depth_noted;
};

static const char *attr(const GumboNode *n, const char *name)
{
	if (n->type != GUMBO_NODE_ELEMENT)
		return NULL;
	GumboAttribute *at = gumbo_get_attribute(&n->v.element.attributes, name);
	return at ? at->value : NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Trim b in place (leading and trailing ASCII white space). */
static void trim(struct buf *b)
{
	size_t s = 0, e = b->len;
	while (s < e && is_space(b->data[s]))
		s++;
	while (e > s && is_space(b->data[e - 1]))
		e--;
	if (s || e != b->len) {
		if (b->len)
			memmove(b->data, b->data + s, e - s);
		b->len = e - s;
		if (b->data)
			b->data[b->len] = 0;
	}
}

/* Text with white space collapsed and Markdown punctuation escaped. */
static void add_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (is_space((char)c)) {
			if (b->len && b->data[b->len - 1] != ' ' && b->data[b->len - 1] != '\n')
				buf_addch(b, ' ');
			else if (!b->len)
				buf_addch(b, ' ');
			continue;
		}
		if (strchr("\\`*_[]<>&|~#!", c))
			buf_addch(b, '\\');
		buf_addch(b, (char)c);
	}
}

/* Plain text content of a subtree (no escaping, white space collapsed). */
static void plain_text(const GumboNode *n, struct buf *b, int depth)
{
	if (depth > PORT_MAX_DEPTH)
		return;
	if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
		for (const char *s = n->v.text.text; *s; s++) {
			if (is_space(*s)) {
				if (b->len && b->data[b->len - 1] != ' ')
					buf_addch(b, ' ');
			} else {
				buf_addch(b, *s);
			}
		}
		return;
	}
	if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE)
		return;
	if (n->v.element.tag == GUMBO_TAG_SCRIPT || n->v.element.tag == GUMBO_TAG_STYLE)
		return;
	if (n->v.element.tag == GUMBO_TAG_BR)
		buf_addch(b, ' ');
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		plain_text(ch->data[i], b, depth + 1);
}

static bool url_ok(const char *u)
{
	/* scheme: a ':' before any '/', '?', '#' */
	const char *p = u;
	while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#')
		p++;
	if (*p != ':')
		return true; /* relative */
	size_t n = (size_t)(p - u);
	return (n == 4 && strncasecmp(u, "http", 4) == 0) || (n == 5 && strncasecmp(u, "https", 5) == 0) ||
	       (n == 6 && strncasecmp(u, "mailto", 6) == 0);
}

/* A URL inside (...): spaces and parentheses percent-encoded. */
static void add_url(struct buf *b, const char *u)
{
	for (; *u; u++) {
		unsigned char c = (unsigned char)*u;
		if (c <= ' ' || c == '(' || c == ')' || c == '<' || c == '>' || c == '\\' || c == 0x7f)
			buf_addf(b, "%%%02X", c);
		else
			buf_addch(b, (char)c);
	}
}

/* A title inside "...". */
static void add_title(struct buf *b, const char *t)
{
	for (; *t; t++) {
		if (*t == '"' || *t == '\\')
			buf_addch(b, '\\');
		buf_addch(b, *t == '\n' ? ' ' : *t);
	}
}

static void image(struct conv *c, const GumboNode *img, const char *caption, struct buf *b)
{
	const char *src = attr(img, "src");
	const char *alt = attr(img, "alt");
	if (!src || !*src)
		src = attr(img, "data-src");
	if (!src || !*src) {
		port_list_add(c->a, &c->out->notes, "an image without a source was left out");
		return;
	}
	if (strncasecmp(src, "data:", 5) == 0) {
		port_list_addf(c->a, &c->out->notes, "an inline (data:) image \"%s\" was left out", alt ? alt : "");
		return;
	}
	if (!url_ok(src)) {
		port_list_addf(c->a, &c->out->notes, "an image with an unsupported URL was left out: %.200s", src);
		return;
	}
	struct buf t;
	buf_init(&t, 0);
	add_text(&t, alt ? alt : "");
	trim(&t);
	buf_adds(b, "![");
	buf_adds(b, buf_str(&t));
	buf_adds(b, "](");
	add_url(b, src);
	if (caption && *caption) {
		buf_adds(b, " \"");
		add_title(b, caption);
		buf_addch(b, '"');
	}
	buf_addch(b, ')');
	images_add(c->a, &c->out->images, src, alt ? alt : "", caption ? caption : "");
	buf_release(&t);
}

static bool is_block_tag(GumboTag t)
{
	switch (t) {
	case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_UL:
	case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
	case GUMBO_TAG_FIGURE: case GUMBO_TAG_HR: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION:
	case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
	case GUMBO_TAG_ASIDE: case GUMBO_TAG_NAV: case GUMBO_TAG_BODY: case GUMBO_TAG_HTML:
	case GUMBO_TAG_TABLE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_OBJECT: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
	case GUMBO_TAG_FORM: case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
	case GUMBO_TAG_HEAD: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_DETAILS:
	case GUMBO_TAG_ADDRESS: case GUMBO_TAG_CENTER: case GUMBO_TAG_FIGCAPTION:
		return true;
	default:
		return false;
	}
}

static void inline_nodes(struct conv *c, const GumboNode *n, struct buf *b, int depth);

static void inline_children(struct conv *c, const GumboNode *n, struct buf *b, int depth)
{
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		inline_nodes(c, ch->data[i], b, depth + 1);
}

/* Wrap the inline content of n in mark ... mark, spaces kept outside. */
static void wrap(struct conv *c, const GumboNode *n, struct buf *b, const char *mark, int depth)
{
	struct buf in;
	buf_init(&in, 0);
	inline_children(c, n, &in, depth);
	const char *s = buf_str(&in);
	size_t len = in.len, st = 0, en = len;
	while (st < en && is_space(s[st]))
		st++;
	while (en > st && is_space(s[en - 1]))
		en--;
	if (st > 0 && (!b->len || b->data[b->len - 1] != ' '))
		buf_addch(b, ' ');
	if (en > st) {
		buf_adds(b, mark);
		buf_add(b, s + st, en - st);
		buf_adds(b, mark);
	}
	if (en < len)
		buf_addch(b, ' ');
	buf_release(&in);
}

static void inline_nodes(struct conv *c, const GumboNode *n, struct buf *b, int depth)
{
	if (depth > PORT_MAX_DEPTH) {
		if (!c->depth_noted)
			port_list_add(c->a, &c->out->notes, "content nested too deeply was left out");
		c->depth_noted = true;
		return;
	}
	switch (n->type) {
	case GUMBO_NODE_TEXT:
	case GUMBO_NODE_WHITESPACE:
	case GUMBO_NODE_CDATA:
		add_text(b, n->v.text.text);
		return;
	case GUMBO_NODE_ELEMENT:
	case GUMBO_NODE_TEMPLATE:
		break;
	default:
		return;
	}
	switch (n->v.element.tag) {
	case GUMBO_TAG_EM: case GUMBO_TAG_I: case GUMBO_TAG_CITE: case GUMBO_TAG_DFN:
		wrap(c, n, b, "*", depth);
		return;
	case GUMBO_TAG_STRONG: case GUMBO_TAG_B:
		wrap(c, n, b, "**", depth);
		return;
	case GUMBO_TAG_S: case GUMBO_TAG_DEL: case GUMBO_TAG_STRIKE:
		wrap(c, n, b, "~~", depth);
		return;
	case GUMBO_TAG_CODE: case GUMBO_TAG_KBD: case GUMBO_TAG_SAMP: case GUMBO_TAG_TT: {
		struct buf t;
		buf_init(&t, 0);
		plain_text(n, &t, depth);
		trim(&t);
		if (t.len) {
			const char *fence = strchr(buf_str(&t), '`') ? "`` " : "`";
			const char *close = strchr(buf_str(&t), '`') ? " ``" : "`";
			buf_adds(b, fence);
			buf_adds(b, buf_str(&t));
			buf_adds(b, close);
		}
		buf_release(&t);
		return;
	}
	case GUMBO_TAG_BR:
		buf_adds(b, "\\\n");
		return;
	case GUMBO_TAG_IMG:
		image(c, n, NULL, b);
		return;
	case GUMBO_TAG_A: {
		const char *href = attr(n, "href");
		if (!href || !*href) {
			inline_children(c, n, b, depth);
			return;
		}
		if (!url_ok(href)) {
			port_list_addf(c->a, &c->out->notes, "a link to an unsupported URL kept only its text: %.200s", href);
			inline_children(c, n, b, depth);
			return;
		}
		struct buf in;
		buf_init(&in, 0);
		inline_children(c, n, &in, depth);
		trim(&in);
		buf_addch(b, '[');
		if (in.len)
			buf_adds(b, buf_str(&in));
		else
			add_text(b, href);
		buf_adds(b, "](");
		add_url(b, href);
		buf_addch(b, ')');
		buf_release(&in);
		return;
	}
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
		port_list_add(c->a, &c->out->notes, "a script or style element was left out");
		return;
	case GUMBO_TAG_INPUT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA:
		port_list_add(c->a, &c->out->notes, "a form control was left out");
		return;
	default:
		inline_children(c, n, b, depth);
		return;
	}
}

/* ---- blocks ---- */

struct blocks {
	struct buf *out;   /* the Markdown being written */
	struct buf para;   /* the current run of inline content */
};

static void block_children(struct conv *c, const GumboNode *n, struct buf *out, int depth);

static void emit_block(struct buf *out, const char *s)
{
	if (!*s)
		return;
	if (out->len)
		buf_adds(out, "\n\n");
	buf_adds(out, s);
}

/* Escape what would start a block at the beginning of a paragraph. */
static void emit_para(struct buf *out, struct buf *para)
{
	trim(para);
	if (!para->len)
		return;
	const char *s = buf_str(para);
	struct buf p;
	buf_init(&p, 0);
	size_t digits = strspn(s, "0123456789");
	if (s[0] == '-' || s[0] == '+' || s[0] == '=' || (s[0] == '>' ) ||
	    (digits && (s[digits] == '.' || s[digits] == ')'))) {
		if (digits) {
			buf_add(&p, s, digits);
			buf_addch(&p, '\\');
			buf_adds(&p, s + digits);
		} else {
			buf_addch(&p, '\\');
			buf_adds(&p, s);
		}
	} else {
		buf_adds(&p, s);
	}
	emit_block(out, buf_str(&p));
	buf_release(&p);
	buf_reset(para);
}

/* Prefix every line of s with first (line 1) or rest. */
static void prefix_lines(struct buf *out, const char *s, const char *first, const char *rest)
{
	bool start = true, line1 = true;
	for (; *s; s++) {
		if (start) {
			if (line1 || *s != '\n')
				buf_adds(out, line1 ? first : rest);
			else
				buf_adds(out, rest[0] == '>' ? ">" : "");
			start = false;
			line1 = false;
		}
		buf_addch(out, *s);
		if (*s == '\n')
			start = true;
	}
}

static void code_block(struct conv *c, const GumboNode *n, struct buf *out, int depth)
{
	struct buf t;
	buf_init(&t, 0);
	/* raw text, <br> as new line */
	const GumboNode *stack[PORT_MAX_DEPTH + 1];
	unsigned idx[PORT_MAX_DEPTH + 1];
	int sp = 0;
	stack[0] = n;
	idx[0] = 0;
	const char *lang = NULL;
	(void)depth;
	while (sp >= 0) {
		const GumboNode *cur = stack[sp];
		if (cur->type != GUMBO_NODE_ELEMENT || idx[sp] >= cur->v.element.children.length) {
			sp--;
			continue;
		}
		const GumboNode *ch = cur->v.element.children.data[idx[sp]++];
		if (ch->type == GUMBO_NODE_TEXT || ch->type == GUMBO_NODE_WHITESPACE || ch->type == GUMBO_NODE_CDATA) {
			buf_adds(&t, ch->v.text.text);
		} else if (ch->type == GUMBO_NODE_ELEMENT) {
			if (ch->v.element.tag == GUMBO_TAG_BR) {
				buf_addch(&t, '\n');
			} else if (sp < PORT_MAX_DEPTH) {
				const char *cls = attr(ch, "class");
				if (!lang && cls && strncmp(cls, "language-", 9) == 0)
					lang = cls + 9;
				stack[++sp] = ch;
				idx[sp] = 0;
			}
		}
	}
	trim(&t);
	/* a fence longer than any run of backticks inside */
	size_t run = 0, best = 0;
	for (size_t i = 0; i < t.len; i++) {
		run = t.data[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	size_t flen = best >= 3 ? best + 1 : 3;
	struct buf blk;
	buf_init(&blk, 0);
	for (size_t i = 0; i < flen; i++)
		buf_addch(&blk, '`');
	if (lang) {
		for (const char *l = lang; *l && *l != ' ' && *l != '`'; l++)
			buf_addch(&blk, *l);
	}
	buf_addch(&blk, '\n');
	buf_adds(&blk, buf_str(&t));
	buf_addch(&blk, '\n');
	for (size_t i = 0; i < flen; i++)
		buf_addch(&blk, '`');
	emit_block(out, buf_str(&blk));
	buf_release(&blk);
	buf_release(&t);
	(void)c;
}

static const GumboNode *find_tag(const GumboNode *n, GumboTag tag, int depth)
{
	if (depth > PORT_MAX_DEPTH || n->type != GUMBO_NODE_ELEMENT)
		return NULL;
	if (n->v.element.tag == tag)
		return n;
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++) {
		const GumboNode *f = find_tag(ch->data[i], tag, depth + 1);
		if (f)
			return f;
	}
	return NULL;
}

static void embed_link(struct conv *c, const GumboNode *n, struct buf *out, int depth)
{
	const char *src = attr(n, "src");
	if (!src || !*src) {
		const GumboNode *s = find_tag(n, GUMBO_TAG_SOURCE, depth);
		src = s ? attr(s, "src") : NULL;
	}
	if (!src || !*src)
		src = attr(n, "data");
	if (!src || !*src || !url_ok(src)) {
		port_list_add(c->a, &c->out->notes, "an embedded object without a usable URL was left out");
		return;
	}
	struct buf l;
	buf_init(&l, 0);
	buf_adds(&l, "[");
	const char *title = attr(n, "title");
	add_text(&l, title && *title ? title : src);
	buf_adds(&l, "](");
	add_url(&l, src);
	buf_adds(&l, ")");
	emit_block(out, buf_str(&l));
	buf_release(&l);
	port_list_addf(c->a, &c->out->notes, "an embed became a link: %.200s", src);
}

static void figure(struct conv *c, const GumboNode *n, struct buf *out, int depth)
{
	const GumboNode *cap = find_tag(n, GUMBO_TAG_FIGCAPTION, depth);
	struct buf ct;
	buf_init(&ct, 0);
	if (cap)
		plain_text(cap, &ct, depth);
	trim(&ct);
	/* images in order; an iframe/video in a figure is an embed */
	const GumboNode *stack[PORT_MAX_DEPTH + 1];
	unsigned idx[PORT_MAX_DEPTH + 1];
	int sp = 0, found = 0;
	stack[0] = n;
	idx[0] = 0;
	while (sp >= 0) {
		const GumboNode *cur = stack[sp];
		if (idx[sp] >= cur->v.element.children.length) {
			sp--;
			continue;
		}
		const GumboNode *ch = cur->v.element.children.data[idx[sp]++];
		if (ch->type != GUMBO_NODE_ELEMENT)
			continue;
		GumboTag t = ch->v.element.tag;
		if (t == GUMBO_TAG_IMG) {
			struct buf im;
			buf_init(&im, 0);
			image(c, ch, buf_str(&ct), &im);
			emit_block(out, buf_str(&im));
			buf_release(&im);
			found++;
		} else if (t == GUMBO_TAG_IFRAME || t == GUMBO_TAG_VIDEO || t == GUMBO_TAG_AUDIO ||
			   t == GUMBO_TAG_EMBED || t == GUMBO_TAG_OBJECT) {
			embed_link(c, ch, out, depth + sp);
			found++;
		} else if (t != GUMBO_TAG_FIGCAPTION && t != GUMBO_TAG_NOSCRIPT && sp < PORT_MAX_DEPTH) {
			stack[++sp] = ch;
			idx[sp] = 0;
		}
	}
	if (!found) /* a figure of text (a quote, code): its content as blocks */
		block_children(c, n, out, depth);
	buf_release(&ct);
}

static void list(struct conv *c, const GumboNode *n, struct buf *out, int depth)
{
	bool ordered = n->v.element.tag == GUMBO_TAG_OL;
	long num = 1;
	const char *start = attr(n, "start");
	if (ordered && start) {
		char *end;
		long v = strtol(start, &end, 10);
		if (*end == 0 && v >= 0 && v < 1000000000)
			num = v;
	}
	struct buf l;
	buf_init(&l, 0);
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++) {
		const GumboNode *li = ch->data[i];
		if (li->type != GUMBO_NODE_ELEMENT || li->v.element.tag != GUMBO_TAG_LI)
			continue; /* the parser puts stray content of a list elsewhere or in an li */
		struct buf item;
		buf_init(&item, 0);
		block_children(c, li, &item, depth + 1);
		char marker[24];
		if (ordered)
			snprintf(marker, sizeof(marker), "%ld. ", num++);
		else
			snprintf(marker, sizeof(marker), "- ");
		char indent[24];
		size_t w = strlen(marker);
		memset(indent, ' ', w);
		indent[w] = 0;
		if (l.len)
			buf_addch(&l, '\n');
		if (!item.len)
			buf_adds(&l, marker);
		else
			prefix_lines(&l, buf_str(&item), marker, indent);
		buf_release(&item);
	}
	emit_block(out, buf_str(&l));
	buf_release(&l);
}

static void block_node(struct conv *c, const GumboNode *n, struct blocks *bl, int depth)
{
	if (depth > PORT_MAX_DEPTH) {
		if (!c->depth_noted)
			port_list_add(c->a, &c->out->notes, "content nested too deeply was left out");
		c->depth_noted = true;
		return;
	}
	if (n->type != GUMBO_NODE_ELEMENT || !is_block_tag(n->v.element.tag)) {
		inline_nodes(c, n, &bl->para, depth);
		return;
	}
	emit_para(bl->out, &bl->para);
	struct buf *out = bl->out;
	GumboTag t = n->v.element.tag;
	switch (t) {
	case GUMBO_TAG_P: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_ADDRESS:
	case GUMBO_TAG_FIGCAPTION: {
		struct buf p;
		buf_init(&p, 0);
		inline_children(c, n, &p, depth);
		emit_para(out, &p);
		buf_release(&p);
		return;
	}
	case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
	case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: {
		int level = 1 + (int)(t - GUMBO_TAG_H1);
		struct buf h, p;
		buf_init(&h, 0);
		buf_init(&p, 0);
		inline_children(c, n, &p, depth);
		trim(&p);
		/* a heading is one line */
		for (size_t i = 0; i < p.len; i++)
			if (p.data[i] == '\n')
				p.data[i] = ' ';
		if (p.len) {
			for (int i = 0; i < level; i++)
				buf_addch(&h, '#');
			buf_addch(&h, ' ');
			buf_adds(&h, buf_str(&p));
			emit_block(out, buf_str(&h));
		}
		buf_release(&h);
		buf_release(&p);
		return;
	}
	case GUMBO_TAG_UL: case GUMBO_TAG_OL:
		list(c, n, out, depth);
		return;
	case GUMBO_TAG_BLOCKQUOTE: {
		struct buf q, r;
		buf_init(&q, 0);
		buf_init(&r, 0);
		block_children(c, n, &q, depth);
		prefix_lines(&r, buf_str(&q), "> ", "> ");
		emit_block(out, buf_str(&r));
		buf_release(&q);
		buf_release(&r);
		return;
	}
	case GUMBO_TAG_PRE:
		code_block(c, n, out, depth);
		return;
	case GUMBO_TAG_FIGURE:
		figure(c, n, out, depth);
		return;
	case GUMBO_TAG_HR:
		emit_block(out, "---");
		return;
	case GUMBO_TAG_IFRAME: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO:
	case GUMBO_TAG_EMBED: case GUMBO_TAG_OBJECT:
		embed_link(c, n, out, depth);
		return;
	case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
		port_list_add(c->a, &c->out->notes, "a script or style element was left out");
		return;
	case GUMBO_TAG_HEAD: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
		return;
	case GUMBO_TAG_FORM:
		port_list_add(c->a, &c->out->notes, "a form was left out");
		return;
	case GUMBO_TAG_TABLE: {
		/* one paragraph per row, cells joined by " | " */
		port_list_add(c->a, &c->out->notes, "a table was carried over as text, one line per row");
		const GumboNode *stack[PORT_MAX_DEPTH + 1];
		unsigned idx[PORT_MAX_DEPTH + 1];
		int sp = 0;
		stack[0] = n;
		idx[0] = 0;
		while (sp >= 0) {
			const GumboNode *cur = stack[sp];
			if (idx[sp] >= cur->v.element.children.length) {
				sp--;
				continue;
			}
			const GumboNode *ch = cur->v.element.children.data[idx[sp]++];
			if (ch->type != GUMBO_NODE_ELEMENT)
				continue;
			if (ch->v.element.tag == GUMBO_TAG_TR) {
				struct buf row;
				buf_init(&row, 0);
				const GumboVector *cells = &ch->v.element.children;
				for (unsigned i = 0; i < cells->length; i++) {
					const GumboNode *cell = cells->data[i];
					if (cell->type != GUMBO_NODE_ELEMENT)
						continue;
					struct buf cb;
					buf_init(&cb, 0);
					inline_children(c, cell, &cb, depth + sp + 2);
					trim(&cb);
					if (row.len)
						buf_adds(&row, " \\| ");
					buf_adds(&row, buf_str(&cb));
					buf_release(&cb);
				}
				emit_para(out, &row);
				buf_release(&row);
			} else if (sp < PORT_MAX_DEPTH) {
				stack[++sp] = ch;
				idx[sp] = 0;
			}
		}
		return;
	}
	default:
		block_children(c, n, out, depth);
		return;
	}
}

static void block_children(struct conv *c, const GumboNode *n, struct buf *out, int depth)
{
	if (depth > PORT_MAX_DEPTH)
		return;
	struct blocks bl = { .out = out };
	buf_init(&bl.para, 0);
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		block_node(c, ch->data[i], &bl, depth + 1);
	emit_para(out, &bl.para);
	buf_release(&bl.para);
}

bool port_html_to_md(struct arena *a, const char *html, size_t len, struct port_md *out)
{
	memset(out, 0, sizeof(*out));
	out->md = "";
	if (len > PORT_MAX_HTML) {
		port_list_addf(a, &out->notes, "the HTML is larger than %zu bytes and was not converted", PORT_MAX_HTML);
		return false;
	}
	GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
	struct conv c = { .a = a, .out = out };
	struct buf md;
	buf_init(&md, 0);
	block_children(&c, g->root, &md, 0);
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	out->md = arena_strndup(a, buf_str(&md), md.len);
	buf_release(&md);
	return true;
}

static bool escaped(const char *start, const char *q)
{
	size_t n = 0;
	while (q > start && q[-1] == '\\') {
		q--;
		n++;
	}
	return n % 2 == 1;
}

/* Whether the "](" at m closes the text of an image ("![...]"), not of a
 * link: its matching '[' (escapes and nesting counted) follows a '!'. */
static bool opens_image(const char *md, const char *m)
{
	int depth = 0;
	for (const char *q = m - 1; q >= md; q--) {
		/* An image's text never spans paragraphs: the scan stops at one. */
		if (*q == '\n' && q > md && q[-1] == '\n')
			return false;
		if ((*q != '[' && *q != ']') || escaped(md, q))
			continue;
		if (*q == ']') {
			depth++;
		} else if (depth) {
			depth--;
		} else {
			return q > md && q[-1] == '!' && !escaped(md, q - 1);
		}
	}
	return false;
}

const char *port_md_swap_images(struct arena *a, const char *md, const struct port_images *im,
				const char *const *ids, size_t *swapped)
{
	struct buf out, want;
	buf_init(&out, 0);
	buf_init(&want, 0);
	*swapped = 0;
	const char *pos = md;
	for (size_t i = 0; i < im->n; i++) {
		buf_reset(&want);
		buf_adds(&want, "](");
		add_url(&want, im->items[i].url);
		/* The URL ends the destination: ')' or its title's ' "'. */
		const char *m = pos;
		for (;;) {
			m = strstr(m, buf_str(&want));
			if (!m)
				break;
			char c = m[want.len];
			if ((c == ')' || c == ' ') && opens_image(md, m))
				break;
			m += want.len;
		}
		if (!m)
			continue;
		buf_add(&out, pos, (size_t)(m - pos));
		buf_addf(&out, "](photo:%s", ids[i]);
		pos = m + want.len;
		(*swapped)++;
	}
	buf_adds(&out, pos);
	const char *r = arena_strndup(a, buf_str(&out), out.len);
	buf_release(&out);
	buf_release(&want);
	return r;
}
