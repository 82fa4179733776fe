/* parse.c - network input decoders; see parse.h. */
#include "http/parse.h"
#include "core/text.h"

#include <arpa/inet.h>
#include <string.h>

const char *parse_strerror(enum parse_err e)
{
	switch (e) {
	case PARSE_OK: return "ok";
	case PARSE_BAD_ENCODING: return "malformed encoding (bad percent escape or invalid UTF-8)";
	case PARSE_TOO_MANY: return "too many fields";
	case PARSE_BAD_PATH: return "malformed path";
	}
	return "unknown error";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

enum parse_err pct_decode(struct arena *a, const char *s, size_t n, bool plus_space,
			  char **out, size_t *out_len)
{
	if (!memchr(s, '%', n) && !(plus_space && memchr(s, '+', n))) {
		/* Nothing to decode: a copy (most paths and arguments). */
		char *d = arena_strndup(a, s, n);
		if (!utf8_valid(d, n))
			return PARSE_BAD_ENCODING;
		*out = d;
		*out_len = n;
		return PARSE_OK;
	}
	char *d = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (n - i < 3)
				return PARSE_BAD_ENCODING;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return PARSE_BAD_ENCODING;
			d[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (c == '+' && plus_space) {
			d[o++] = ' ';
		} else {
			d[o++] = c;
		}
	}
	d[o] = '\0';
	if (!utf8_valid(d, o))
		return PARSE_BAD_ENCODING;
	*out = d;
	*out_len = o;
	return PARSE_OK;
}

static void kv_push(struct arena *a, struct kvlist *l, size_t *cap, struct kv item)
{
	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct kv *ni = arena_alloc(a, ncap * sizeof(*ni));
		if (l->n)
			memcpy(ni, l->items, l->n * sizeof(*ni));
		l->items = ni;
		*cap = ncap;
	}
	l->items[l->n++] = item;
}

enum parse_err form_parse(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	size_t cap = 0;
	out->items = NULL;
	out->n = 0;
	size_t i = 0;
	while (i < n) {
		size_t end = i;
		while (end < n && s[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
			char *k, *v = NULL;
			size_t kl, vl = 0;
			enum parse_err e = pct_decode(a, s + i, klen, true, &k, &kl);
			if (e)
				return e;
			if (eq) {
				e = pct_decode(a, eq + 1, (size_t)(s + end - (eq + 1)), true, &v, &vl);
				if (e)
					return e;
			} else {
				v = arena_strdup(a, "");
			}
			if (out->n >= PARSE_MAX_FIELDS)
				return PARSE_TOO_MANY;
			kv_push(a, out, &cap, (struct kv){k, v, vl});
		}
		i = end + 1;
	}
	return PARSE_OK;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

enum parse_err cookie_parse(struct arena *a, const char *s, size_t n, struct kvlist *out)
{
	size_t cap = 0;
	out->items = NULL;
	out->n = 0;
	size_t i = 0;
	while (i < n) {
		size_t end = i;
		while (end < n && s[end] != ';')
			end++;
		size_t b = i, e = end;
		while (b < e && is_ows(s[b]))
			b++;
		while (e > b && is_ows(s[e - 1]))
			e--;
		const char *eq = memchr(s + b, '=', e - b);
		if (eq && eq > s + b) {
			size_t kl = (size_t)(eq - (s + b));
			const char *v = eq + 1;
			size_t vl = (size_t)(s + e - v);
			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v++;
				vl -= 2;
			}
			if (utf8_valid(s + b, kl) && utf8_valid(v, vl)) {
				if (out->n >= PARSE_MAX_FIELDS / 4)
					return PARSE_TOO_MANY;
				kv_push(a, out, &cap,
					(struct kv){arena_strndup(a, s + b, kl),
						    arena_strndup(a, v, vl), vl});
			}
		}
		i = end + 1;
	}
	return PARSE_OK;
}

enum parse_err path_split(struct arena *a, const char *path, size_t n, char ***segs,
			  size_t *nsegs, bool *trailing_slash)
{
	*segs = NULL;
	*nsegs = 0;
	*trailing_slash = false;
	if (n == 0 || path[0] != '/')
		return PARSE_BAD_PATH;
	char **out = arena_alloc(a, PATH_MAX_SEGMENTS * sizeof(*out));
	size_t count = 0;
	size_t i = 1;
	if (n == 1) {
		*segs = out;
		return PARSE_OK;
	}
	while (i <= n) {
		size_t end = i;
		while (end < n && path[end] != '/')
			end++;
		if (end == i) {
			/* Empty segment: only a single trailing slash is fine. */
			if (end == n && count > 0) {
				*trailing_slash = true;
				break;
			}
			return PARSE_BAD_PATH;
		}
		char *d;
		size_t dl;
		if (pct_decode(a, path + i, end - i, false, &d, &dl))
			return PARSE_BAD_ENCODING;
		if (memchr(d, '/', dl) || strcmp(d, ".") == 0 || strcmp(d, "..") == 0)
			return PARSE_BAD_PATH;
		if (count == PATH_MAX_SEGMENTS)
			return PARSE_TOO_MANY;
		out[count++] = d;
		if (end == n)
			break;
		i = end + 1;
	}
	*segs = out;
	*nsegs = count;
	return PARSE_OK;
}

const struct kv *kv_find(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return &l->items[i];
	return NULL;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	const struct kv *kv = kv_find(l, key);
	return kv ? kv->val : NULL;
}

/* ---- client addresses ---- */

static const unsigned char v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool net_addr_is_v4(const struct net_addr *a)
{
	return memcmp(a->b, v4_prefix, 12) == 0;
}

bool net_addr_parse(const char *s, size_t n, struct net_addr *out)
{
	char tmp[NET_ADDR_STRLEN];
	if (n == 0 || n >= sizeof(tmp) || memchr(s, '\0', n))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	unsigned char v4[4];
	if (inet_pton(AF_INET, tmp, v4) == 1) {
		memcpy(out->b, v4_prefix, 12);
		memcpy(out->b + 12, v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, tmp, out->b) == 1;
}

void net_addr_format(const struct net_addr *a, char out[NET_ADDR_STRLEN])
{
	if (net_addr_is_v4(a)) {
		/* Dotted quad by hand: this runs for every request, and
		 * inet_ntop() formats through the stdio machinery. */
		char *o = out;
		for (int i = 12; i < 16; i++) {
			unsigned v = a->b[i];
			if (v >= 100)
				*o++ = (char)('0' + v / 100);
			if (v >= 10)
				*o++ = (char)('0' + v / 10 % 10);
			*o++ = (char)('0' + v % 10);
			*o++ = i < 15 ? '.' : '\0';
		}
		return;
	}
	const char *r = inet_ntop(AF_INET6, a->b, out, NET_ADDR_STRLEN);
	if (!r)
		memcpy(out, "unknown", 8);
}

bool net_addr_equal(const struct net_addr *x, const struct net_addr *y)
{
	return memcmp(x->b, y->b, 16) == 0;
}

static bool in_cidr(const struct net_cidr *c, const struct net_addr *x)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->net.b, x->b, full) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (x->b[full] & mask) == c->net.b[full];
}

bool net_list_contains(const struct net_list *l, const struct net_addr *x)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (in_cidr(&l->items[i], x))
			return true;
	return false;
}

static bool cidr_parse(const char *s, size_t n, struct net_cidr *out)
{
	const char *slash = memchr(s, '/', n);
	size_t an = slash ? (size_t)(slash - s) : n;
	if (!net_addr_parse(s, an, &out->net))
		return false;
	unsigned max = net_addr_is_v4(&out->net) ? 32 : 128, bits = max;
	if (slash) {
		const char *d = slash + 1;
		size_t dn = n - an - 1;
		if (dn == 0 || dn > 3)
			return false;
		bits = 0;
		for (size_t i = 0; i < dn; i++) {
			if (d[i] < '0' || d[i] > '9')
				return false;
			bits = bits * 10 + (unsigned)(d[i] - '0');
		}
		if (bits > max)
			return false;
	}
	out->bits = bits + (max == 32 ? 96 : 0);
	/* Clear the host bits, so that 10.1.2.3/8 means 10.0.0.0/8. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = out->bits > i * 8 ? out->bits - i * 8 : 0;
		if (keep < 8)
			out->net.b[i] &= (unsigned char)(0xff << (8 - keep));
	}
	return true;
}

bool net_list_parse(struct arena *a, const char *spec, struct net_list *out, const char **bad)
{
	size_t cap = 1;
	for (const char *p = spec; *p; p++)
		cap += *p == ',';
	struct net_cidr *items = arena_alloc(a, cap * sizeof(*items));
	size_t n = 0;
	const char *p = spec;
	for (;;) {
		while (*p == ' ')
			p++;
		const char *start = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		size_t len = (size_t)(p - start);
		while (*p == ' ')
			p++;
		if (!len || (*p && *p != ',') || !cidr_parse(start, len, &items[n])) {
			*bad = start;
			return false;
		}
		n++;
		if (!*p)
			break;
		p++; /* the comma */
	}
	out->items = items;
	out->n = n;
	return true;
}

/* One hop of a forwarding header: an address, or something that is not
 * one. */
struct hop {
	struct net_addr addr;
	bool ok;
};
struct hops {
	struct hop *v;
	size_t n, cap;
};

static void hop_push(struct arena *a, struct hops *h, bool ok, const struct net_addr *addr)
{
	if (h->n == h->cap) {
		size_t ncap = h->cap ? 2 * h->cap : 8;
		struct hop *nv = arena_alloc(a, ncap * sizeof(*nv));
		if (h->n)
			memcpy(nv, h->v, h->n * sizeof(*nv));
		h->v = nv;
		h->cap = ncap;
	}
	struct hop *x = &h->v[h->n++];
	x->ok = ok;
	if (ok)
		x->addr = *addr;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A node as proxies write it: "192.0.2.7", "192.0.2.7:4711",
 * "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:4711". */
static bool node_parse(const char *s, size_t n, struct net_addr *out)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return false;
		size_t after = n - (size_t)(close - s) - 1;
		if (after && (close[1] != ':' || !all_digits(close + 2, after - 1)))
			return false;
		return net_addr_parse(s + 1, (size_t)(close - s) - 1, out);
	}
	const char *colon = memchr(s, ':', n);
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1)) {
		/* One colon: an IPv4 address and a port. */
		size_t an = (size_t)(colon - s);
		return all_digits(colon + 1, n - an - 1) && net_addr_parse(s, an, out) &&
		       net_addr_is_v4(out);
	}
	return net_addr_parse(s, n, out);
}

static void xff_hops(struct arena *a, const char *s, struct hops *h)
{
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k < n) { /* empty list elements do not count */
			struct net_addr addr;
			bool ok = node_parse(s, n, &addr);
			hop_push(a, h, ok, &addr);
		}
		if (!comma)
			break;
		s = comma + 1;
	}
}

static bool tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Forwarded: element *("," element); element: pair *(";" pair); pair:
 * token "=" (token | quoted-string). Each element is one hop, named by
 * its "for" parameter. A malformed element is a hop that is not an
 * address; reading resumes at the next comma outside quotes. */
static void forwarded_hops(struct arena *a, const char *s, struct hops *h)
{
	size_t n = strlen(s), i = 0;
	char *val = arena_alloc(a, n + 1);
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		if (s[i] == ',') { /* an empty list element */
			i++;
			continue;
		}
		bool ok = true, have_for = false, for_ok = false;
		struct net_addr addr;
		for (;;) { /* one pair */
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			size_t name = i;
			while (i < n && tchar(s[i]))
				i++;
			size_t name_len = i - name;
			if (!name_len || i >= n || s[i] != '=') {
				ok = false;
				break;
			}
			i++;
			size_t vl = 0;
			if (i < n && s[i] == '"') {
				i++;
				while (i < n && s[i] != '"') {
					if (s[i] == '\\' && i + 1 < n)
						i++;
					val[vl++] = s[i++];
				}
				if (i >= n) { /* unterminated */
					ok = false;
					break;
				}
				i++;
			} else {
				while (i < n && tchar(s[i]))
					val[vl++] = s[i++];
			}
			if (name_len == 3 && strncasecmp(s + name, "for", 3) == 0) {
				ok = ok && !have_for; /* one "for" per element */
				have_for = true;
				for_ok = node_parse(val, vl, &addr);
			}
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			if (i < n && s[i] == ';') {
				i++;
				continue;
			}
			break;
		}
		if (!ok || (i < n && s[i] != ',')) {
			ok = false;
			bool q = false; /* resume after the next comma outside quotes */
			while (i < n && (q || s[i] != ',')) {
				if (q && s[i] == '\\' && i + 1 < n)
					i++;
				else if (s[i] == '"')
					q = !q;
				i++;
			}
		}
		hop_push(a, h, ok && have_for && for_ok, &addr);
		if (i >= n)
			break;
		i++; /* the comma */
	}
}

/* Walk hops from the right, past trusted proxies. */
static struct net_addr walk(const struct hops *h, const struct net_addr *peer,
			    const struct net_list *trusted)
{
	struct net_addr cur = *peer;
	for (size_t i = h->n; i-- > 0;) {
		if (!h->v[i].ok)
			return cur;
		if (!net_list_contains(trusted, &h->v[i].addr))
			return h->v[i].addr;
		cur = h->v[i].addr;
	}
	return cur;
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	return *s == '\0';
}

bool forwarded_client(struct arena *a, const struct net_addr *peer, const struct net_list *trusted,
		      const char *forwarded, const char *xff, struct net_addr *client)
{
	*client = *peer;
	if (!net_list_contains(trusted, peer))
		return false;
	bool has_f = !blank(forwarded), has_x = !blank(xff);
	struct net_addr f = *peer, x = *peer;
	if (has_f) {
		struct hops h = {0};
		forwarded_hops(a, forwarded, &h);
		f = walk(&h, peer, trusted);
	}
	if (has_x) {
		struct hops h = {0};
		xff_hops(a, xff, &h);
		x = walk(&h, peer, trusted);
	}
	if (has_f && has_x && !net_addr_equal(&f, &x))
		return false;
	if (!has_f && !has_x)
		return false;
	*client = has_f ? f : x;
	return true;
}
