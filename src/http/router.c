/*
 * router.c - matches decoded path segments against a static route table.
 * Linear scan: the table is small and the comparison is a few string
 * compares per route, cheaper than building anything cleverer.
 */
#include "http/http.h"

#include <string.h>

/* Does pattern match segs? Fills params (arena) when it does. */
static bool match_one(struct http_req *req, const char *pattern, struct kv *caps, size_t *ncaps)
{
	const char *p = pattern;
	size_t seg = 0;
	*ncaps = 0;
	if (strcmp(p, "/") == 0)
		return req->nsegs == 0;
	while (*p) {
		if (*p != '/')
			return false;
		p++;
		const char *end = strchr(p, '/');
		size_t plen = end ? (size_t)(end - p) : strlen(p);
		if (seg >= req->nsegs)
			return false;
		const char *s = req->segs[seg];
		if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (*ncaps >= 8)
				return false;
			caps[(*ncaps)++] = (struct kv){arena_strndup(&req->arena, p + 1, plen - 2), s,
						       strlen(s)};
		} else if (plen >= 3 && p[0] == '@' && p[1] == '{' && p[plen - 1] == '}') {
			if (s[0] != '@' || s[1] == '\0' || *ncaps >= 8)
				return false;
			caps[(*ncaps)++] = (struct kv){arena_strndup(&req->arena, p + 2, plen - 3),
						       s + 1, strlen(s + 1)};
		} else {
			if (strlen(s) != plen || memcmp(s, p, plen) != 0)
				return false;
		}
		seg++;
		p += plen;
	}
	return seg == req->nsegs;
}

enum http_match http_route_match(struct http_req *req, const struct http_route *routes,
				 size_t n, const struct http_route **out, unsigned *allow)
{
	struct kv caps[8];
	size_t ncaps;
	*allow = 0;
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!match_one(req, routes[i].pattern, caps, &ncaps))
			continue;
		unsigned m = routes[i].methods;
		if (m & HTTP_GET)
			m |= HTTP_HEAD;
		if (m & req->method) {
			struct kv *items = arena_alloc(&req->arena, (ncaps ? ncaps : 1) * sizeof(*items));
			memcpy(items, caps, ncaps * sizeof(*items));
			req->params.items = items;
			req->params.n = ncaps;
			*out = &routes[i];
			return HTTP_MATCH_OK;
		}
		*allow |= m;
	}
	return *allow ? HTTP_MATCH_METHOD : HTTP_MATCH_NONE;
}

const char *http_methods_str(struct arena *a, unsigned mask)
{
	static const struct { unsigned m; const char *name; } names[] = {
		{HTTP_GET, "GET"}, {HTTP_HEAD, "HEAD"}, {HTTP_POST, "POST"},
		{HTTP_PUT, "PUT"}, {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"},
		{HTTP_OPTIONS, "OPTIONS"},
	};
	char tmp[64];
	size_t o = 0;
	tmp[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(mask & names[i].m))
			continue;
		size_t l = strlen(names[i].name);
		if (o + l + 3 >= sizeof(tmp))
			break;
		if (o) {
			memcpy(tmp + o, ", ", 2);
			o += 2;
		}
		memcpy(tmp + o, names[i].name, l);
		o += l;
		tmp[o] = '\0';
	}
	return arena_strdup(a, tmp);
}
