/*
 * tmpl.c - Mustache-subset compiler and renderer; see tmpl.h for the
 * contract.
 *
 * Compiling turns the source into a tree of nodes whose text and names
 * point into the template's own copy of the source. The spec's whitespace
 * rules are settled here, once: a standalone tag's line (its indentation
 * and its line ending) is left out of the text nodes, and every line start
 * that survives gets a LINESTART node. Rendering a partial that stood
 * alone on its line passes that line's indentation down, and LINESTART
 * nodes write it; everywhere else they write nothing. That gives the
 * spec's "indent every line of the partial" without re-parsing at render
 * time.
 *
 * This file does not own a parser of JSON or a notion of HTML beyond
 * buf_add_html(); values come in as jansson trees and go out through buf.
 */
#include "tmpl/tmpl.h"
#include "core/mem.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum node_type {
	N_TEXT,		/* literal bytes: text */
	N_LINESTART,	/* start of a source line: write the partial indent */
	N_VAR,		/* {{name}}, HTML-escaped */
	N_RAW,		/* {{{name}}} or {{& name}} */
	N_SECTION,	/* {{#name}} kids {{/name}} */
	N_INVERTED,	/* {{^name}} kids {{/name}} */
	N_PARTIAL,	/* {{>text}}; indent when standalone */
};

struct span {
	const char *p;
	size_t n;
};

struct node {
	enum node_type type;
	bool standalone;	/* N_PARTIAL: alone on its line */
	struct span text;	/* N_TEXT bytes, N_PARTIAL name */
	struct span indent;	/* N_PARTIAL: whitespace before a standalone tag */
	struct span *seg;	/* dotted name segments; nseg 0 means "." */
	size_t nseg;
	struct node *kids;	/* N_SECTION, N_INVERTED */
	size_t nkids;
};

struct nodelist {
	struct node *v;
	size_t n, alloc;
};

struct tmpl {
	char *name;
	char *src;	/* private copy; every span points into it */
	struct node *nodes;
	size_t nnodes;
};

struct tmpl_set {
	unsigned flags;
	struct tmpl **v;	/* sorted by name (bytewise) */
	size_t n, alloc;
};

/* ---- node lists ---- */

static void nodes_free(struct node *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].seg);
		nodes_free(v[i].kids, v[i].nkids);
	}
	free(v);
}

static struct node *list_push(struct nodelist *l, enum node_type type)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	struct node *n = &l->v[l->n++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

/* ---- compiler ---- */

struct frame {
	struct nodelist list;	/* nodes compiled so far at this level */
	enum node_type type;	/* N_SECTION or N_INVERTED; unused in frame 0 */
	struct span name;	/* trimmed name, for matching the end tag */
	struct span *seg;
	size_t nseg;
	unsigned line;
};

struct parser {
	const char *src;
	size_t len;
	size_t pos;		/* next byte not yet compiled */
	unsigned line;		/* line number of pos, from 1 */
	unsigned flags;

	char otag[TMPL_MAX_DELIM + 1], ctag[TMPL_MAX_DELIM + 2];
	size_t olen, clen;

	/* The line being scanned, for the standalone rule. */
	size_t line_begin;	/* offset of its first byte */
	bool line_blank;	/* only spaces/tabs so far, outside tags */
	bool line_tagged;	/* a tag has been seen on it */
	bool pending_ls;	/* a line started and nothing was emitted yet */

	struct frame stack[TMPL_MAX_NESTING + 1];
	size_t depth;		/* open sections; stack[0] is the root */

	char *err;
	size_t errlen;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static struct span trim(const char *p, size_t n)
{
	while (n && is_ws(*p)) {
		p++;
		n--;
	}
	while (n && is_ws(p[n - 1]))
		n--;
	return (struct span){p, n};
}

static bool span_eq(struct span a, struct span b)
{
	return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* A name fit for an error message: printable ASCII, cut to 40 bytes. */
static const char *show(struct span s, char out[48])
{
	size_t j = 0;
	for (size_t i = 0; i < s.n && j < 40; i++) {
		unsigned char c = (unsigned char)s.p[i];
		out[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (s.n > 40) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
	return out;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	if (p->err && p->errlen) {
		int k = snprintf(p->err, p->errlen, "line %u: ", line);
		if (k >= 0 && (size_t)k < p->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

static size_t count_nl(const char *p, size_t n)
{
	size_t k = 0;
	const char *e = p + n;
	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

static struct nodelist *cur_list(struct parser *p)
{
	return &p->stack[p->depth].list;
}

/* Marks the start of a line once something is about to be emitted on it. */
static void line_start(struct parser *p)
{
	if (p->pending_ls) {
		list_push(cur_list(p), N_LINESTART);
		p->pending_ls = false;
	}
}

/* Text [a, b) as one node per line, each preceded by its line start. */
static void emit_text(struct parser *p, size_t a, size_t b)
{
	while (a < b) {
		const char *nl = memchr(p->src + a, '\n', b - a);
		size_t end = nl ? (size_t)(nl - p->src) + 1 : b;
		line_start(p);
		struct node *n = list_push(cur_list(p), N_TEXT);
		n->text = (struct span){p->src + a, end - a};
		if (nl)
			p->pending_ls = true;
		a = end;
	}
}

/* Track line state over text [a, b) that lies outside tags. */
static void scan_text(struct parser *p, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++) {
		char c = p->src[i];
		if (c == '\n') {
			p->line++;
			p->line_begin = i + 1;
			p->line_blank = true;
			p->line_tagged = false;
		} else if (c != ' ' && c != '\t') {
			p->line_blank = false;
		}
	}
}

/*
 * Splits a trimmed tag name into dotted segments. "." is the implicit
 * iterator (no segments); empty segments ("a..b", ".a") are errors.
 */
static int parse_name(struct parser *p, unsigned line, struct span name,
		      struct span **seg, size_t *nseg)
{
	char sh[48];
	*seg = NULL;
	*nseg = 0;
	if (name.n == 0)
		return fail(p, line, "empty tag name");
	if (name.n == 1 && name.p[0] == '.')
		return 0;
	size_t k = 1;
	for (size_t i = 0; i < name.n; i++)
		k += name.p[i] == '.';
	struct span *v = xmalloc(k * sizeof(*v));
	size_t start = 0, j = 0;
	for (size_t i = 0; i <= name.n; i++) {
		if (i < name.n && name.p[i] != '.')
			continue;
		if (i == start) {
			free(v);
			return fail(p, line, "invalid name '%s'", show(name, sh));
		}
		v[j++] = (struct span){name.p + start, i - start};
		start = i + 1;
	}
	*seg = v;
	*nseg = j;
	return 0;
}

static bool raw_allowed(const struct span *seg, size_t nseg)
{
	static const char suffix[] = "_html";
	const size_t sl = sizeof(suffix) - 1;
	if (nseg == 0)
		return false;
	struct span last = seg[nseg - 1];
	return last.n >= sl && memcmp(last.p + last.n - sl, suffix, sl) == 0;
}

/* {{=open close=}}: inner is the text between the two '='. */
static int set_delims(struct parser *p, unsigned line, struct span inner)
{
	struct span t = trim(inner.p, inner.n);
	size_t i = 0;
	while (i < t.n && !is_ws(t.p[i]))
		i++;
	struct span open = {t.p, i};
	struct span close = trim(t.p + i, t.n - i);
	bool okay = open.n && close.n && open.n <= TMPL_MAX_DELIM && close.n <= TMPL_MAX_DELIM;
	for (size_t k = 0; okay && k < close.n; k++)
		okay = !is_ws(close.p[k]) && close.p[k] != '=';
	for (size_t k = 0; okay && k < open.n; k++)
		okay = open.p[k] != '=';
	if (!okay)
		return fail(p, line, "invalid set-delimiters tag");
	memcpy(p->otag, open.p, open.n);
	p->otag[open.n] = '\0';
	p->olen = open.n;
	memcpy(p->ctag, close.p, close.n);
	p->ctag[close.n] = '\0';
	p->clen = close.n;
	return 0;
}

/* Compiles the tag whose open delimiter starts at ts. */
static int parse_tag(struct parser *p, size_t ts)
{
	const char *s = p->src;
	unsigned line = p->line;
	char sh[48], sh2[48];
	size_t cs = ts + p->olen;
	if (cs >= p->len)
		return fail(p, line, "unclosed tag");

	enum { T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL,
	       T_COMMENT, T_DELIM } type = T_VAR;
	char close[TMPL_MAX_DELIM + 2];
	size_t closelen = p->clen;
	memcpy(close, p->ctag, p->clen);
	switch (s[cs]) {
	case '{':
		type = T_RAW;
		close[0] = '}';
		memcpy(close + 1, p->ctag, p->clen);
		closelen = p->clen + 1;
		break;
	case '&': type = T_RAW; break;
	case '#': type = T_SECTION; break;
	case '^': type = T_INVERTED; break;
	case '/': type = T_CLOSE; break;
	case '>': type = T_PARTIAL; break;
	case '!': type = T_COMMENT; break;
	case '=': type = T_DELIM; break;
	default: break;
	}
	if (type != T_VAR)
		cs++;
	const char *ce = cs < p->len ? memmem(s + cs, p->len - cs, close, closelen) : NULL;
	if (!ce)
		return fail(p, line, "unclosed tag");
	size_t content_end = (size_t)(ce - s);
	size_t tag_end = content_end + closelen;
	struct span content = {s + cs, content_end - cs};

	/* Standalone: a non-output tag alone on its line but for spaces and
	 * tabs; the whole line, line ending included, then disappears. */
	bool standalone = false;
	size_t after = tag_end;
	if (type != T_VAR && type != T_RAW && p->line_blank && !p->line_tagged) {
		size_t q = tag_end;
		while (q < p->len && (s[q] == ' ' || s[q] == '\t'))
			q++;
		if (q == p->len) {
			standalone = true;
		} else if (s[q] == '\n') {
			standalone = true;
			q++;
		} else if (s[q] == '\r' && q + 1 < p->len && s[q + 1] == '\n') {
			standalone = true;
			q += 2;
		}
		if (standalone)
			after = q;
	}
	struct span indent = {s + p->line_begin, 0};
	if (standalone) {
		emit_text(p, p->pos, p->line_begin);
		indent.n = ts - p->line_begin;
	} else {
		emit_text(p, p->pos, ts);
	}
	p->line += (unsigned)count_nl(s + ts, after - ts);
	p->pos = after;
	if (standalone) {
		p->line_begin = after;
		p->line_blank = true;
		p->line_tagged = false;
		p->pending_ls = true;
	} else {
		p->line_tagged = true;
	}

	struct span name = trim(content.p, content.n);
	struct span *seg;
	size_t nseg;
	struct node *n;
	struct frame *f;
	switch (type) {
	case T_VAR:
	case T_RAW:
		if (parse_name(p, line, name, &seg, &nseg) < 0)
			return -1;
		if (type == T_RAW && (p->flags & TMPL_STRICT_RAW) && !raw_allowed(seg, nseg)) {
			free(seg);
			return fail(p, line, "raw tag '%s' not allowed: name must end in _html",
				    show(name, sh));
		}
		line_start(p);
		n = list_push(cur_list(p), type == T_RAW ? N_RAW : N_VAR);
		n->seg = seg;
		n->nseg = nseg;
		return 0;
	case T_SECTION:
	case T_INVERTED:
		if (p->depth == TMPL_MAX_NESTING)
			return fail(p, line, "sections nested deeper than %d", TMPL_MAX_NESTING);
		if (parse_name(p, line, name, &seg, &nseg) < 0)
			return -1;
		if (!standalone)
			line_start(p);
		f = &p->stack[++p->depth];
		memset(f, 0, sizeof(*f));
		f->type = type == T_SECTION ? N_SECTION : N_INVERTED;
		f->name = name;
		f->seg = seg;
		f->nseg = nseg;
		f->line = line;
		return 0;
	case T_CLOSE:
		if (p->depth == 0)
			return fail(p, line, "unexpected section end '%s'", show(name, sh));
		f = &p->stack[p->depth];
		if (!span_eq(f->name, name))
			return fail(p, line, "section end '%s' does not match '%s' opened on line %u",
				    show(name, sh), show(f->name, sh2), f->line);
		p->depth--;
		n = list_push(cur_list(p), f->type);
		n->seg = f->seg;
		n->nseg = f->nseg;
		n->kids = f->list.v;
		n->nkids = f->list.n;
		memset(f, 0, sizeof(*f));
		return 0;
	case T_PARTIAL:
		if (name.n == 0)
			return fail(p, line, "empty partial name");
		if (!standalone)
			line_start(p);
		n = list_push(cur_list(p), N_PARTIAL);
		n->text = name;
		n->standalone = standalone;
		n->indent = indent;
		return 0;
	case T_COMMENT:
		return 0;
	case T_DELIM:
		if (content.n == 0 || content.p[content.n - 1] != '=')
			return fail(p, line, "invalid set-delimiters tag");
		return set_delims(p, line, (struct span){content.p, content.n - 1});
	}
	return 0;
}

static int compile(struct parser *p)
{
	while (p->pos < p->len) {
		const char *o = memmem(p->src + p->pos, p->len - p->pos, p->otag, p->olen);
		size_t ts = o ? (size_t)(o - p->src) : p->len;
		scan_text(p, p->pos, ts);
		if (!o) {
			emit_text(p, p->pos, p->len);
			p->pos = p->len;
			break;
		}
		if (parse_tag(p, ts) < 0)
			return -1;
	}
	if (p->depth > 0) {
		char sh[48];
		struct frame *f = &p->stack[p->depth];
		return fail(p, f->line, "unclosed section '%s'", show(f->name, sh));
	}
	return 0;
}

static void tmpl_free(struct tmpl *t)
{
	if (!t)
		return;
	nodes_free(t->nodes, t->nnodes);
	free(t->src);
	free(t->name);
	free(t);
}

/* ---- the set ---- */

struct tmpl_set *tmpl_set_new(unsigned flags)
{
	struct tmpl_set *s = xcalloc(1, sizeof(*s));
	s->flags = flags;
	return s;
}

void tmpl_set_free(struct tmpl_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		tmpl_free(s->v[i]);
	free(s->v);
	free(s);
}

static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/* Index of name, or where it would go (with *found false). */
static size_t find_slot(const struct tmpl_set *s, const char *name, size_t n, bool *found)
{
	size_t lo = 0, hi = s->n;
	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = name_cmp(s->v[mid]->name, strlen(s->v[mid]->name), name, n);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct tmpl *find(const struct tmpl_set *s, const char *name, size_t n)
{
	bool found;
	size_t i = find_slot(s, name, n, &found);
	return found ? s->v[i] : NULL;
}

int tmpl_set_add(struct tmpl_set *s, const char *name, const char *src, size_t len,
		 char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	struct tmpl *t = xcalloc(1, sizeof(*t));
	t->src = xmalloc(len + 1);
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';

	struct parser *p = xcalloc(1, sizeof(*p));
	p->src = t->src;
	p->len = len;
	p->line = 1;
	p->flags = s->flags;
	memcpy(p->otag, "{{", 3);
	memcpy(p->ctag, "}}", 3);
	p->olen = p->clen = 2;
	p->line_blank = true;
	p->pending_ls = true;
	p->err = err;
	p->errlen = errlen;

	int rc = compile(p);
	if (rc < 0) {
		for (size_t i = 0; i <= p->depth; i++) {
			nodes_free(p->stack[i].list.v, p->stack[i].list.n);
			free(p->stack[i].seg);
		}
		free(p);
		tmpl_free(t);
		return -1;
	}
	t->nodes = p->stack[0].list.v;
	t->nnodes = p->stack[0].list.n;
	free(p);
	t->name = xstrdup(name);

	bool found;
	size_t i = find_slot(s, name, strlen(name), &found);
	if (found) {
		tmpl_free(s->v[i]);
		s->v[i] = t;
		return 0;
	}
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
	}
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = t;
	s->n++;
	return 0;
}

bool tmpl_set_has(const struct tmpl_set *s, const char *name)
{
	return find(s, name, strlen(name)) != NULL;
}

/* ---- renderer ---- */

/* The indentation in force: a chain of standalone partial tags' leading
 * whitespace, outermost first when written. */
struct indent {
	struct span ws;
	const struct indent *up;
};

struct render {
	const struct tmpl_set *set;
	struct buf *out;
	const json_t **stack;	/* context stack; the top is stack[depth - 1] */
	size_t depth, alloc;
	unsigned partials;	/* partial nesting */
	unsigned long steps;
};

static void push(struct render *r, const json_t *v)
{
	if (r->depth == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->stack = xrealloc(r->stack, r->alloc * sizeof(*r->stack));
	}
	r->stack[r->depth++] = v;
}

static const json_t *lookup(const struct render *r, const struct span *seg, size_t nseg)
{
	if (nseg == 0)
		return r->depth ? r->stack[r->depth - 1] : NULL;
	const json_t *v = NULL;
	for (size_t i = r->depth; i > 0 && !v; i--) {
		const json_t *c = r->stack[i - 1];
		if (json_is_object(c))
			v = json_object_getn(c, seg[0].p, seg[0].n);
	}
	for (size_t k = 1; k < nseg && v; k++)
		v = json_is_object(v) ? json_object_getn(v, seg[k].p, seg[k].n) : NULL;
	return v;
}

static bool falsey(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

/* The shortest %g form that reads back as the same double. */
static void add_real(struct buf *b, double d)
{
	char tmp[40];
	snprintf(tmp, sizeof(tmp), "%g", d);
	if (isfinite(d)) {
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
			if (strtod(tmp, NULL) == d)
				break;
		}
	}
	buf_adds(b, tmp);
}

static void add_value(struct buf *b, const json_t *v, bool escape)
{
	char tmp[32];
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (escape)
			buf_add_html(b, json_string_value(v), json_string_length(v));
		else
			buf_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		buf_adds(b, tmp);
		break;
	case JSON_REAL:
		add_real(b, json_real_value(v));
		break;
	case JSON_TRUE:
		buf_adds(b, "true");
		break;
	case JSON_FALSE:
		buf_adds(b, "false");
		break;
	default:
		break;
	}
}

static void add_indent(struct buf *b, const struct indent *ind)
{
	if (!ind)
		return;
	add_indent(b, ind->up);
	buf_add(b, ind->ws.p, ind->ws.n);
}

static int render_nodes(struct render *r, const struct node *v, size_t n,
			const struct indent *ind);

static int render_partial(struct render *r, const struct node *nd, const struct indent *ind)
{
	const struct tmpl *t = find(r->set, nd->text.p, nd->text.n);
	if (!t)
		return 0;
	if (r->partials >= TMPL_MAX_PARTIAL_DEPTH)
		return -1;
	/* Only a standalone tag indents the partial; an inline one starts
	 * afresh, as if the partial's text had been pasted in place. */
	struct indent mine = {nd->indent, ind};
	r->partials++;
	int rc = render_nodes(r, t->nodes, t->nnodes, nd->standalone ? &mine : NULL);
	r->partials--;
	return rc;
}

static int render_nodes(struct render *r, const struct node *v, size_t n,
			const struct indent *ind)
{
	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &v[i];
		if (buf_failed(r->out) || ++r->steps > TMPL_MAX_STEPS)
			return -1;
		const json_t *val;
		int rc = 0;
		switch (nd->type) {
		case N_TEXT:
			buf_add(r->out, nd->text.p, nd->text.n);
			break;
		case N_LINESTART:
			add_indent(r->out, ind);
			break;
		case N_VAR:
		case N_RAW:
			val = lookup(r, nd->seg, nd->nseg);
			if (val)
				add_value(r->out, val, nd->type == N_VAR);
			break;
		case N_SECTION:
			val = lookup(r, nd->seg, nd->nseg);
			if (falsey(val))
				break;
			if (json_is_array(val)) {
				size_t k = json_array_size(val);
				for (size_t j = 0; j < k && rc == 0; j++) {
					push(r, json_array_get(val, j));
					rc = render_nodes(r, nd->kids, nd->nkids, ind);
					r->depth--;
				}
			} else {
				push(r, val);
				rc = render_nodes(r, nd->kids, nd->nkids, ind);
				r->depth--;
			}
			break;
		case N_INVERTED:
			val = lookup(r, nd->seg, nd->nseg);
			if (falsey(val))
				rc = render_nodes(r, nd->kids, nd->nkids, ind);
			break;
		case N_PARTIAL:
			rc = render_partial(r, nd, ind);
			break;
		}
		if (rc < 0)
			return -1;
	}
	return buf_failed(r->out) ? -1 : 0;
}

int tmpl_render(const struct tmpl_set *s, const char *name, const json_t *ctx,
		struct buf *out)
{
	const struct tmpl *t = find(s, name, strlen(name));
	if (!t)
		return -1;
	struct render r = {.set = s, .out = out};
	if (ctx)
		push(&r, ctx);
	int rc = render_nodes(&r, t->nodes, t->nnodes, NULL);
	free(r.stack);
	return rc;
}
