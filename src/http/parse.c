/* parse.c - network input decoders; see parse.h. */
#include "http/parse.h"
#include "core/text.h"

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
