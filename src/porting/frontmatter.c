/*
 * frontmatter.c - YAML front matter: the emitter and the parser of its
 * subset (frontmatter.h).
 */
#include "porting/frontmatter.h"

#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- emitting ---- */

/* The next code point of s (valid UTF-8 assumed, else U+FFFD for one byte). */
static unsigned next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	unsigned c = s[0];
	int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
	if (n == 1) {
		*p = s + 1;
		return c;
	}
	unsigned cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			n = 0;
			break;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (n == 0 || !utf8_valid((const char *)s, (size_t)n)) {
		*p = s + 1;
		return 0xfffd;
	}
	*p = s + n;
	return cp;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char o[4];
	if (cp < 0x80) {
		buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, o, 3);
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, o, 4);
	}
}

void fm_put_str(struct buf *b, const char *s)
{
	buf_addch(b, '"');
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned cp = next_cp(&p);
		switch (cp) {
		case '"':
			buf_adds(b, "\\\"");
			continue;
		case '\\':
			buf_adds(b, "\\\\");
			continue;
		case '\n':
			buf_adds(b, "\\n");
			continue;
		case '\t':
			buf_adds(b, "\\t");
			continue;
		case '\r':
			buf_adds(b, "\\r");
			continue;
		default:
			break;
		}
		/* Not printable in YAML, or a line break to YAML 1.1. */
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
		    cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			buf_addf(b, "\\u%04X", cp);
		else
			put_utf8(b, cp);
	}
	buf_addch(b, '"');
}

void fm_put_time(struct buf *b, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		buf_adds(b, "1970-01-01T00:00:00Z");
		return;
	}
	buf_addf(b, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void fm_put_key_str(struct buf *b, int indent, const char *key, const char *s)
{
	for (int i = 0; i < indent; i++)
		buf_addch(b, ' ');
	buf_adds(b, key);
	buf_adds(b, ": ");
	fm_put_str(b, s ? s : "");
	buf_addch(b, '\n');
}

/* ---- times ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool fm_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
		return false;
	const char *p = s + 10;
	int64_t off = 0;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return false;
		p++;
		if (strlen(p) < 8 || !digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi) ||
		    p[5] != ':' || !digits(p + 6, 2, &se) || h > 23 || mi > 59 || se > 60)
			return false;
		p += 8;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (*p == ' ')
			p++;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om = 0;
			int sign = *p == '-' ? -1 : 1;
			p++;
			if (!digits(p, 2, &oh))
				return false;
			p += 2;
			if (*p == ':')
				p++;
			if (*p && !digits(p, 2, &om))
				return false;
			if (*p)
				p += 2;
			if (oh > 23 || om > 59)
				return false;
			off = sign * (int64_t)(oh * 3600 + om * 60);
		}
		if (*p)
			return false;
		if (se == 60)
			se = 59;
	}
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	return true;
}

/* ---- parsing ---- */

struct line {
	const char *raw;   /* the whole line, without its line break (and CR) */
	size_t rawlen;
	int indent;        /* spaces before its content */
	const char *s;     /* the content: what follows the indent (may be moved on by "- ") */
	size_t len;        /* without trailing spaces */
	unsigned no;
	bool empty;        /* blank or a comment */
};

struct parser {
	struct arena *a;
	struct line *L;
	size_t n, i;
	size_t nodes;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 3, 4)))
static void fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	int k = snprintf(p->err, p->errlen, "line %u: ", line);
	if (k < 0 || (size_t)k >= p->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err + k, p->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static struct fm_node *node_new(struct parser *p, enum fm_type t, unsigned line)
{
	if (++p->nodes > FM_MAX_NODES) {
		fail(p, line, "more than %d values", FM_MAX_NODES);
		return NULL;
	}
	struct fm_node *n = arena_alloc(p->a, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->text = "";
	n->line = line;
	return n;
}

/* Append (key, v) to collection c (key NULL for a list). */
static void node_push(struct parser *p, struct fm_node *c, const char *key, struct fm_node *v)
{
	/* Grow by doubling: capacities are the powers of two. */
	if ((c->n & (c->n - 1)) == 0) {
		size_t cap = c->n ? c->n * 2 : 1;
		struct fm_node **items = arena_alloc(p->a, cap * sizeof(*items));
		const char **keys = arena_alloc(p->a, cap * sizeof(*keys));
		if (c->n) {
			memcpy(items, c->items, c->n * sizeof(*items));
			memcpy(keys, c->keys, c->n * sizeof(*keys));
		}
		c->items = items;
		c->keys = keys;
	}
	c->items[c->n] = v;
	c->keys[c->n] = key;
	c->n++;
}

static void skip_empty(struct parser *p)
{
	while (p->i < p->n && p->L[p->i].empty)
		p->i++;
}

static bool is_item(const struct line *l)
{
	return l->len && l->s[0] == '-' && (l->len == 1 || l->s[1] == ' ');
}

/* What may follow a scalar on its line: spaces, then nothing or a comment. */
static bool rest_ok(const char *s, size_t len)
{
	size_t k = 0;
	while (k < len && s[k] == ' ')
		k++;
	return k == len || (s[k] == '#' && k > 0);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A double-quoted scalar at s[0] == '"'; *used is how many bytes it took
 * (both quotes). NULL on error (reported). */
static const char *dquoted(struct parser *p, unsigned line, const char *s, size_t len, size_t *used)
{
	struct buf b;
	buf_init(&b, len + 1);
	size_t k = 1;
	bool closed = false;
	while (k < len && !p->failed) {
		char c = s[k];
		if (c == '"') {
			closed = true;
			k++;
			break;
		}
		if (c != '\\') {
			buf_addch(&b, c);
			k++;
			continue;
		}
		if (k + 1 >= len) {
			fail(p, line, "a quoted string must end on its line");
			break;
		}
		char e = s[k + 1];
		k += 2;
		int hex = 0;
		switch (e) {
		case 'a': buf_addch(&b, '\a'); break;
		case 'b': buf_addch(&b, '\b'); break;
		case 't': case '\t': buf_addch(&b, '\t'); break;
		case 'n': buf_addch(&b, '\n'); break;
		case 'v': buf_addch(&b, '\v'); break;
		case 'f': buf_addch(&b, '\f'); break;
		case 'r': buf_addch(&b, '\r'); break;
		case 'e': buf_addch(&b, '\x1b'); break;
		case ' ': buf_addch(&b, ' '); break;
		case '"': buf_addch(&b, '"'); break;
		case '/': buf_addch(&b, '/'); break;
		case '\\': buf_addch(&b, '\\'); break;
		case 'N': put_utf8(&b, 0x85); break;
		case '_': put_utf8(&b, 0xa0); break;
		case 'L': put_utf8(&b, 0x2028); break;
		case 'P': put_utf8(&b, 0x2029); break;
		case 'x': hex = 2; break;
		case 'u': hex = 4; break;
		case 'U': hex = 8; break;
		case '0':
			fail(p, line, "a string holds a NUL (\\0)");
			break;
		default:
			fail(p, line, "unknown escape \\%c in a quoted string", e);
			break;
		}
		if (hex) {
			unsigned cp = 0;
			for (int j = 0; j < hex; j++) {
				int v = k + (size_t)j < len ? hexval(s[k + (size_t)j]) : -1;
				if (v < 0) {
					fail(p, line, "\\%c wants %d hex digits", e, hex);
					break;
				}
				cp = cp * 16 + (unsigned)v;
			}
			k += (size_t)hex;
			if (!p->failed && (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff))
				fail(p, line, "\\%c escape of U+%04X, which a string cannot hold", e, cp);
			if (!p->failed)
				put_utf8(&b, cp);
		}
	}
	if (!closed && !p->failed)
		fail(p, line, "a quoted string must end on its line");
	const char *out = p->failed ? NULL : arena_strndup(p->a, buf_str(&b), b.len);
	buf_release(&b);
	*used = k;
	return out;
}

static const char *squoted(struct parser *p, unsigned line, const char *s, size_t len, size_t *used)
{
	struct buf b;
	buf_init(&b, len + 1);
	size_t k = 1;
	bool closed = false;
	while (k < len) {
		if (s[k] == '\'') {
			if (k + 1 < len && s[k + 1] == '\'') {
				buf_addch(&b, '\'');
				k += 2;
				continue;
			}
			closed = true;
			k++;
			break;
		}
		buf_addch(&b, s[k++]);
	}
	if (!closed)
		fail(p, line, "a quoted string must end on its line");
	const char *out = closed ? arena_strndup(p->a, buf_str(&b), b.len) : NULL;
	buf_release(&b);
	*used = k;
	return out;
}

static bool is_null_word(const char *s, size_t n)
{
	return (n == 1 && s[0] == '~') ||
	       (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

/* A plain scalar s[0..len) (already cut at a comment and trimmed). */
static struct fm_node *plain(struct parser *p, unsigned line, const char *s, size_t len)
{
	for (size_t k = 0; k + 1 < len; k++)
		if (s[k] == ':' && s[k + 1] == ' ') {
			fail(p, line, "\": \" inside a plain value (quote it)");
			return NULL;
		}
	if (len && s[len - 1] == ':') {
		fail(p, line, "a value ends in ':' (quote it)");
		return NULL;
	}
	struct fm_node *n = node_new(p, is_null_word(s, len) ? FM_NULL : FM_SCALAR, line);
	if (n && n->type == FM_SCALAR)
		n->text = arena_strndup(p->a, s, len);
	return n;
}

/* Where a plain value on a line ends: before " #", trailing spaces cut. */
static size_t plain_len(const char *s, size_t len)
{
	size_t e = len;
	for (size_t k = 1; k < len; k++)
		if (s[k] == '#' && (s[k - 1] == ' ' || s[k - 1] == '\t')) {
			e = k;
			break;
		}
	while (e && (s[e - 1] == ' ' || s[e - 1] == '\t'))
		e--;
	return e;
}

/* A scalar inside a flow sequence: quoted, or plain up to ',' or ']'. */
static struct fm_node *flow_item(struct parser *p, unsigned line, const char *s, size_t len,
				 size_t *used)
{
	if (s[0] == '"' || s[0] == '\'') {
		const char *t = s[0] == '"' ? dquoted(p, line, s, len, used) :
				squoted(p, line, s, len, used);
		if (!t)
			return NULL;
		struct fm_node *n = node_new(p, FM_SCALAR, line);
		if (n) {
			n->text = t;
			n->quoted = true;
		}
		return n;
	}
	if (s[0] == '[' || s[0] == '{') {
		fail(p, line, "nested [ ] or { } are not read; write the list one item a line");
		return NULL;
	}
	size_t e = 0;
	while (e < len && s[e] != ',' && s[e] != ']')
		e++;
	*used = e;
	size_t t = e;
	while (t && s[t - 1] == ' ')
		t--;
	if (!t) {
		fail(p, line, "an empty item in a [ ] list");
		return NULL;
	}
	for (size_t k = 0; k < t; k++)
		if (s[k] == '#' || (s[k] == ':' && (k + 1 == t || s[k + 1] == ' '))) {
			fail(p, line, "'%c' inside a [ ] list item (quote it)", s[k]);
			return NULL;
		}
	return plain(p, line, s, t);
}

static struct fm_node *flow_seq(struct parser *p, unsigned line, const char *s, size_t len)
{
	struct fm_node *list = node_new(p, FM_LIST, line);
	size_t k = 1;
	bool closed = false, want_item = true, first = true;
	while (list && !p->failed && k < len) {
		while (k < len && s[k] == ' ')
			k++;
		if (k >= len)
			break;
		if (s[k] == ']') {
			if (want_item && !first) {
				fail(p, line, "an empty item in a [ ] list");
				return NULL;
			}
			closed = true;
			k++;
			break;
		}
		if (!want_item) {
			if (s[k] != ',') {
				fail(p, line, "expected ',' or ']' in a [ ] list");
				return NULL;
			}
			k++;
			want_item = true;
			continue;
		}
		size_t used = 0;
		struct fm_node *it = flow_item(p, line, s + k, len - k, &used);
		if (!it)
			return NULL;
		node_push(p, list, NULL, it);
		k += used;
		want_item = false;
		first = false;
	}
	if (p->failed || !list)
		return NULL;
	if (!closed) {
		fail(p, line, "a [ list must close on its line");
		return NULL;
	}
	if (!rest_ok(s + k, len - k)) {
		fail(p, line, "something after the ] of a list");
		return NULL;
	}
	return list;
}

static int raw_indent(const struct line *l)
{
	int k = 0;
	while ((size_t)k < l->rawlen && l->raw[k] == ' ')
		k++;
	return k;
}

static bool raw_blank(const struct line *l)
{
	for (size_t k = 0; k < l->rawlen; k++)
		if (l->raw[k] != ' ')
			return false;
	return true;
}

/* A literal (|) or folded (>) block scalar whose header h[0..hl) is on
 * line p->i; its text is the lines after it indented more than parent. */
static struct fm_node *block_scalar(struct parser *p, int parent, const char *h, size_t hl)
{
	unsigned line = p->L[p->i].no;
	bool folded = h[0] == '>';
	char chomp = 'c';
	int explicit = 0;
	size_t k = 1;
	for (int j = 0; j < 2 && k < hl; j++, k++) {
		if ((h[k] == '-' || h[k] == '+') && chomp == 'c')
			chomp = h[k];
		else if (h[k] >= '1' && h[k] <= '9' && !explicit)
			explicit = h[k] - '0';
		else
			break;
	}
	if (!rest_ok(h + k, hl - k)) {
		fail(p, line, "unexpected text after a block's %c", h[0]);
		return NULL;
	}
	p->i++;
	int bi = explicit ? parent + explicit : -1;
	struct buf b;
	buf_init(&b, FM_MAX_BYTES);
	size_t trailing = 0; /* blank lines not yet written */
	bool any = false, prev_more = false;
	while (p->i < p->n) {
		const struct line *l = &p->L[p->i];
		if (raw_blank(l)) {
			trailing++;
			p->i++;
			continue;
		}
		int ind = raw_indent(l);
		if (bi < 0) {
			if (ind <= parent)
				break;
			bi = ind;
		}
		if (ind < bi)
			break;
		const char *t = l->raw + bi;
		size_t tl = l->rawlen - (size_t)bi;
		bool more = t[0] == ' ' || t[0] == '\t';
		if (any) {
			if (!folded) {
				buf_addch(&b, '\n');
				for (size_t j = 0; j < trailing; j++)
					buf_addch(&b, '\n');
			} else if (trailing) {
				for (size_t j = 0; j < trailing; j++)
					buf_addch(&b, '\n');
				if (more || prev_more)
					buf_addch(&b, '\n');
			} else {
				buf_addch(&b, more || prev_more ? '\n' : ' ');
			}
		} else {
			for (size_t j = 0; j < trailing; j++)
				buf_addch(&b, '\n');
		}
		trailing = 0;
		buf_add(&b, t, tl);
		any = true;
		prev_more = more;
		p->i++;
	}
	if (any && chomp != '-')
		buf_addch(&b, '\n');
	if (chomp == '+')
		for (size_t j = 0; j < trailing; j++)
			buf_addch(&b, '\n');
	struct fm_node *n = NULL;
	if (buf_failed(&b))
		fail(p, line, "a block longer than the front matter may be");
	else if ((n = node_new(p, FM_SCALAR, line))) {
		n->text = arena_strndup(p->a, buf_str(&b), b.len);
		n->quoted = true;
	}
	buf_release(&b);
	return n;
}

static struct fm_node *parse_block(struct parser *p, int indent, int depth);
static struct fm_node *parse_seq(struct parser *p, int indent, int depth);

/* The value s[0..len) written after a key or "- " on line p->i, whose
 * block is indented parent; advances p->i past what it used. */
static struct fm_node *inline_value(struct parser *p, int parent, const char *s, size_t len,
				    int depth)
{
	unsigned line = p->L[p->i].no;
	if (depth > FM_MAX_DEPTH) {
		fail(p, line, "nested deeper than %d", FM_MAX_DEPTH);
		return NULL;
	}
	char c = s[0];
	struct fm_node *n = NULL;
	if (c == '|' || c == '>')
		return block_scalar(p, parent, s, len);
	if (c == '"' || c == '\'') {
		size_t used = 0;
		const char *t = c == '"' ? dquoted(p, line, s, len, &used) : squoted(p, line, s, len, &used);
		if (!t)
			return NULL;
		if (!rest_ok(s + used, len - used)) {
			fail(p, line, "something after a quoted string");
			return NULL;
		}
		if ((n = node_new(p, FM_SCALAR, line))) {
			n->text = t;
			n->quoted = true;
		}
	} else if (c == '[') {
		n = flow_seq(p, line, s, len);
	} else if (c == '{') {
		size_t k = 1;
		while (k < len && s[k] == ' ')
			k++;
		if (k >= len || s[k] != '}' || !rest_ok(s + k + 1, len - k - 1)) {
			fail(p, line, "{ } mappings are not read; write one key a line");
			return NULL;
		}
		n = node_new(p, FM_MAP, line);
	} else if (c == '&' || c == '*' || c == '!') {
		fail(p, line, "anchors, aliases and tags (&, *, !) are not read");
		return NULL;
	} else if (c == '@' || c == '`' || c == '%') {
		fail(p, line, "a value may not start with '%c' (quote it)", c);
		return NULL;
	} else if ((c == '-' || c == '?') && (len == 1 || s[1] == ' ')) {
		fail(p, line, "'%c ' must start its own line", c);
		return NULL;
	} else {
		n = plain(p, line, s, plain_len(s, len));
	}
	if (n)
		p->i++;
	return n;
}

/* After a key or "-" with nothing on its line: the block below it. */
static struct fm_node *nested(struct parser *p, int indent, bool allow_same_seq, int depth)
{
	unsigned line = p->L[p->i].no;
	p->i++;
	skip_empty(p);
	if (p->i < p->n && p->L[p->i].indent > indent)
		return parse_block(p, p->L[p->i].indent, depth + 1);
	if (allow_same_seq && p->i < p->n && p->L[p->i].indent == indent && is_item(&p->L[p->i]))
		return parse_seq(p, indent, depth + 1);
	return node_new(p, FM_NULL, line);
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static struct fm_node *parse_map(struct parser *p, int indent, int depth)
{
	if (depth > FM_MAX_DEPTH) {
		fail(p, p->L[p->i].no, "nested deeper than %d", FM_MAX_DEPTH);
		return NULL;
	}
	struct fm_node *map = node_new(p, FM_MAP, p->L[p->i].no);
	while (map && !p->failed) {
		skip_empty(p);
		if (p->i >= p->n)
			break;
		struct line *l = &p->L[p->i];
		if (l->indent < indent)
			break;
		if (l->indent > indent) {
			fail(p, l->no, "unexpected indentation");
			return NULL;
		}
		if (is_item(l)) {
			fail(p, l->no, "a list item where a key was expected");
			return NULL;
		}
		size_t k = 0;
		while (k < l->len && key_char(l->s[k]))
			k++;
		if (k == 0 || k >= l->len || l->s[k] != ':' || (k + 1 < l->len && l->s[k + 1] != ' ')) {
			if (l->s[0] == '"' || l->s[0] == '\'' || l->s[0] == '?')
				fail(p, l->no, "quoted or complex keys are not read");
			else
				fail(p, l->no, "expected \"key: value\" (a key is letters, digits, '_', "
				     "'-' or '.')");
			return NULL;
		}
		const char *key = arena_strndup(p->a, l->s, k);
		if (map->n >= 1000) {
			fail(p, l->no, "more than 1000 keys in one mapping");
			return NULL;
		}
		for (size_t j = 0; j < map->n; j++)
			if (!strcmp(map->keys[j], key)) {
				fail(p, l->no, "the key \"%s\" twice", key);
				return NULL;
			}
		size_t v = k + 1;
		while (v < l->len && l->s[v] == ' ')
			v++;
		struct fm_node *val = v >= l->len || l->s[v] == '#' ?
				      nested(p, indent, true, depth) :
				      inline_value(p, indent, l->s + v, l->len - v, depth + 1);
		if (!val)
			return NULL;
		node_push(p, map, key, val);
	}
	return p->failed ? NULL : map;
}

/* Line p->i's content moved on by off bytes (after "- "): its indent
 * becomes that column, so a mapping or list there continues below. */
static void move_on(struct line *l, size_t off)
{
	l->s += off;
	l->len -= off;
	l->indent += (int)off;
}

/* Whether s[0..len) (after "- ") starts a mapping: "key:" then a space
 * or the end, the key made of key characters. */
static bool starts_map(const char *s, size_t len)
{
	size_t k = 0;
	while (k < len && key_char(s[k]))
		k++;
	return k > 0 && k < len && s[k] == ':' && (k + 1 == len || s[k + 1] == ' ');
}

static struct fm_node *parse_seq(struct parser *p, int indent, int depth)
{
	if (depth > FM_MAX_DEPTH) {
		fail(p, p->L[p->i].no, "nested deeper than %d", FM_MAX_DEPTH);
		return NULL;
	}
	struct fm_node *list = node_new(p, FM_LIST, p->L[p->i].no);
	while (list && !p->failed) {
		skip_empty(p);
		if (p->i >= p->n)
			break;
		struct line *l = &p->L[p->i];
		if (l->indent < indent)
			break;
		if (l->indent > indent) {
			fail(p, l->no, "unexpected indentation");
			return NULL;
		}
		if (!is_item(l))
			break; /* the parent mapping's next key, at the same indent */
		size_t off = 1;
		while (off < l->len && l->s[off] == ' ')
			off++;
		struct fm_node *it;
		if (off >= l->len || l->s[off] == '#') {
			it = nested(p, indent, false, depth);
		} else if (starts_map(l->s + off, l->len - off)) {
			move_on(l, off);
			it = parse_map(p, l->indent, depth + 1);
		} else if (is_item(&(struct line){.s = l->s + off, .len = l->len - off})) {
			move_on(l, off);
			it = parse_seq(p, l->indent, depth + 1);
		} else {
			it = inline_value(p, indent, l->s + off, l->len - off, depth + 1);
		}
		if (!it)
			return NULL;
		node_push(p, list, NULL, it);
	}
	return p->failed ? NULL : list;
}

static struct fm_node *parse_block(struct parser *p, int indent, int depth)
{
	return is_item(&p->L[p->i]) ? parse_seq(p, indent, depth) : parse_map(p, indent, depth);
}

/* The line at t[*pos..len) (without its break), *pos moved past the break. */
static const char *next_line(const char *t, size_t len, size_t *pos, size_t *ll)
{
	if (*pos >= len)
		return NULL;
	const char *s = t + *pos;
	const char *nl = memchr(s, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - s) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if (n && s[n - 1] == '\r')
		n--;
	*ll = n;
	return s;
}

static bool is_marker(const char *s, size_t n, const char *m)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n == 3 && !memcmp(s, m, 3);
}

bool fm_parse(struct arena *a, const char *text, size_t len, struct fm_node **root,
	      const char **body, size_t *body_len, char *err, size_t errlen)
{
	*root = NULL;
	*body = NULL;
	*body_len = 0;
	struct parser p = {.a = a, .err = err, .errlen = errlen};
	size_t pos = 0, ll;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	const char *first = next_line(text, len, &pos, &ll);
	if (!first || !is_marker(first, ll, "---")) {
		fail(&p, 1, "no front matter (the file should open with a line \"---\")");
		return false;
	}
	size_t start = pos, end = 0, cap = 64;
	bool closed = false;
	p.L = arena_alloc(a, cap * sizeof(*p.L));
	unsigned no = 1;
	const char *s;
	while ((s = next_line(text, len, &pos, &ll))) {
		no++;
		if (is_marker(s, ll, "---") || is_marker(s, ll, "...")) {
			closed = true;
			end = (size_t)(s - text);
			break;
		}
		if (pos - start > FM_MAX_BYTES) {
			fail(&p, no, "front matter longer than %zu bytes", FM_MAX_BYTES);
			return false;
		}
		if (p.n == cap) {
			struct line *nl = arena_alloc(a, 2 * cap * sizeof(*nl));
			memcpy(nl, p.L, cap * sizeof(*nl));
			p.L = nl;
			cap *= 2;
		}
		struct line *l = &p.L[p.n++];
		memset(l, 0, sizeof(*l));
		l->raw = s;
		l->rawlen = ll;
		l->no = no;
		size_t k = 0;
		while (k < ll && s[k] == ' ')
			k++;
		size_t e = ll;
		while (e > k && (s[e - 1] == ' ' || s[e - 1] == '\t'))
			e--;
		l->indent = (int)k;
		l->s = s + k;
		l->len = e - k;
		l->empty = l->len == 0 || s[k] == '#';
		if (!l->empty && s[k] == '\t') {
			fail(&p, no, "a tab in the indentation (indent with spaces)");
			return false;
		}
	}
	if (!closed) {
		fail(&p, no, "the front matter does not end (no closing \"---\" line)");
		return false;
	}
	if (!utf8_valid(text + start, end - start)) {
		fail(&p, 1, "the front matter is not UTF-8 text (or holds a NUL)");
		return false;
	}
	skip_empty(&p);
	struct fm_node *top;
	if (p.i >= p.n) {
		top = node_new(&p, FM_MAP, 1);
	} else {
		if (is_item(&p.L[p.i])) {
			fail(&p, p.L[p.i].no, "the front matter is a list; it should be keys and values");
			return false;
		}
		top = parse_map(&p, p.L[p.i].indent, 0);
		skip_empty(&p);
		if (top && p.i < p.n) {
			fail(&p, p.L[p.i].no, "unexpected indentation");
			top = NULL;
		}
	}
	if (!top || p.failed)
		return false;
	*root = top;
	*body = text + pos;
	*body_len = len - pos;
	return true;
}

/* ---- reading values ---- */

const struct fm_node *fm_get(const struct fm_node *map, const char *key)
{
	if (!map || map->type != FM_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i], key))
			return map->items[i];
	return NULL;
}

const char *fm_str(const struct fm_node *map, const char *key)
{
	const struct fm_node *v = fm_get(map, key);
	return v && v->type == FM_SCALAR ? v->text : NULL;
}

int fm_bool(const struct fm_node *map, const char *key, int def)
{
	const struct fm_node *v = fm_get(map, key);
	if (!v || v->type == FM_NULL)
		return def;
	if (v->type != FM_SCALAR || v->quoted)
		return -1;
	const char *t = v->text;
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(t, yes[i]))
			return 1;
		if (!strcmp(t, no[i]))
			return 0;
	}
	return -1;
}

int64_t fm_time(const struct fm_node *map, const char *key)
{
	const struct fm_node *v = fm_get(map, key);
	if (!v || v->type == FM_NULL)
		return 0;
	int64_t t;
	if (v->type != FM_SCALAR || !fm_time_parse(v->text, &t))
		return -1;
	return t;
}
