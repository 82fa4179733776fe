/* test_http.c - request decoding (percent, forms, cookies, paths) and the router. */
#include "http/http.h"
#include "http/parse.h"
#include "tap.h"

#include <string.h>

static void h_a(struct http_req *r, struct http_res *s) { (void)r; (void)s; }
static void h_b(struct http_req *r, struct http_res *s) { (void)r; (void)s; }
static void h_c(struct http_req *r, struct http_res *s) { (void)r; (void)s; }
static void h_d(struct http_req *r, struct http_res *s) { (void)r; (void)s; }

static void test_decode(void)
{
	struct arena a;
	arena_init(&a);
	char *out;
	size_t n;
	ok(pct_decode(&a, "a%20b+c", 7, true, &out, &n) == PARSE_OK && strcmp(out, "a b c") == 0,
	   "percent and plus decoding");
	ok(pct_decode(&a, "a+b", 3, false, &out, &n) == PARSE_OK && strcmp(out, "a+b") == 0,
	   "plus kept in paths");
	ok(pct_decode(&a, "%C3%A9", 6, false, &out, &n) == PARSE_OK && strcmp(out, "é") == 0,
	   "UTF-8 from escapes");
	ok(pct_decode(&a, "%zz", 3, false, &out, &n) == PARSE_BAD_ENCODING, "bad hex refused");
	ok(pct_decode(&a, "%4", 2, false, &out, &n) == PARSE_BAD_ENCODING, "truncated escape refused");
	ok(pct_decode(&a, "%00", 3, false, &out, &n) == PARSE_BAD_ENCODING, "NUL refused");
	ok(pct_decode(&a, "%FF", 3, false, &out, &n) == PARSE_BAD_ENCODING, "invalid UTF-8 refused");

	struct kvlist l;
	ok(form_parse(&a, "title=Hello+World&body=a%26b&&empty=&flag", 41, &l) == PARSE_OK, "form parses");
	ok(l.n == 4, "four fields (empty piece skipped)");
	is_str(kv_get(&l, "title"), "Hello World", "form value decoded");
	is_str(kv_get(&l, "body"), "a&b", "escaped ampersand stays in value");
	is_str(kv_get(&l, "empty"), "", "empty value");
	is_str(kv_get(&l, "flag"), "", "key without '='");
	ok(kv_get(&l, "missing") == NULL, "missing key is NULL");
	ok(form_parse(&a, "a=%ZZ", 5, &l) == PARSE_BAD_ENCODING, "bad form encoding refused");
	char many[PARSE_MAX_FIELDS * 4 + 8];
	size_t m = 0;
	for (int i = 0; i < PARSE_MAX_FIELDS + 1; i++) {
		memcpy(many + m, "a=1&", 4);
		m += 4;
	}
	ok(form_parse(&a, many, m, &l) == PARSE_TOO_MANY, "too many fields refused");

	ok(cookie_parse(&a, "a=1; quire_session=abc; junk; b=\"q\"", 35, &l) == PARSE_OK, "cookies parse");
	is_str(kv_get(&l, "quire_session"), "abc", "cookie value");
	is_str(kv_get(&l, "b"), "q", "quoted cookie value unquoted");
	ok(kv_get(&l, "junk") == NULL, "malformed cookie piece skipped");
	arena_release(&a);
}

static void test_paths(void)
{
	struct arena a;
	arena_init(&a);
	char **segs;
	size_t n;
	bool ts;
	ok(path_split(&a, "/", 1, &segs, &n, &ts) == PARSE_OK && n == 0, "root has no segments");
	ok(path_split(&a, "/@ann/my%20story", 16, &segs, &n, &ts) == PARSE_OK && n == 2 &&
	   strcmp(segs[0], "@ann") == 0 && strcmp(segs[1], "my story") == 0, "segments decoded");
	ok(path_split(&a, "/a/", 3, &segs, &n, &ts) == PARSE_OK && n == 1 && ts, "trailing slash noted");
	ok(path_split(&a, "/a//b", 5, &segs, &n, &ts) == PARSE_BAD_PATH, "empty segment refused");
	ok(path_split(&a, "/a/../b", 7, &segs, &n, &ts) == PARSE_BAD_PATH, "dot-dot refused");
	ok(path_split(&a, "/a/%2e%2e/b", 11, &segs, &n, &ts) == PARSE_BAD_PATH, "encoded dot-dot refused");
	ok(path_split(&a, "/a%2Fb", 6, &segs, &n, &ts) == PARSE_BAD_PATH, "encoded slash refused");
	ok(path_split(&a, "x", 1, &segs, &n, &ts) == PARSE_BAD_PATH, "relative path refused");
	ok(path_split(&a, "/%ff", 4, &segs, &n, &ts) == PARSE_BAD_ENCODING, "bad UTF-8 in path refused");
	char deep[200];
	size_t d = 0;
	for (int i = 0; i < PATH_MAX_SEGMENTS + 1; i++) {
		memcpy(deep + d, "/x", 2);
		d += 2;
	}
	ok(path_split(&a, deep, d, &segs, &n, &ts) == PARSE_TOO_MANY, "too many segments refused");
	arena_release(&a);
}

static enum http_match route(const char *path, enum http_method m, const struct http_route *rs,
			     size_t nr, const struct http_route **out, unsigned *allow,
			     struct http_req *req)
{
	memset(req, 0, sizeof(*req));
	arena_init(&req->arena);
	req->method = m;
	if (path_split(&req->arena, path, strlen(path), &req->segs, &req->nsegs, &req->trailing_slash))
		return HTTP_MATCH_NONE;
	return http_route_match(req, rs, nr, out, allow);
}

static void test_router(void)
{
	static const struct http_route rs[] = {
		{HTTP_GET, "/", h_a, 0},
		{HTTP_GET, "/@{handle}", h_b, 0},
		{HTTP_GET, "/@{handle}/{slug}", h_c, 0},
		{HTTP_POST | HTTP_PATCH, "/api/v1/stories/{id}", h_d, 0},
	};
	size_t nr = sizeof(rs) / sizeof(rs[0]);
	const struct http_route *r;
	unsigned allow;
	struct http_req req;
	ok(route("/", HTTP_GET, rs, nr, &r, &allow, &req) == HTTP_MATCH_OK && r->fn == h_a, "root");
	arena_release(&req.arena);
	ok(route("/@ann", HTTP_GET, rs, nr, &r, &allow, &req) == HTTP_MATCH_OK && r->fn == h_b &&
	   strcmp(http_req_param(&req, "handle"), "ann") == 0, "profile captures handle");
	arena_release(&req.arena);
	ok(route("/@ann/a-story", HTTP_HEAD, rs, nr, &r, &allow, &req) == HTTP_MATCH_OK && r->fn == h_c &&
	   strcmp(http_req_param(&req, "slug"), "a-story") == 0, "HEAD matches GET route, slug captured");
	arena_release(&req.arena);
	ok(route("/ann", HTTP_GET, rs, nr, &r, &allow, &req) == HTTP_MATCH_NONE, "@ prefix required");
	arena_release(&req.arena);
	ok(route("/@", HTTP_GET, rs, nr, &r, &allow, &req) == HTTP_MATCH_NONE, "bare @ does not match");
	arena_release(&req.arena);
	ok(route("/@ann/a/b", HTTP_GET, rs, nr, &r, &allow, &req) == HTTP_MATCH_NONE, "extra segment");
	arena_release(&req.arena);
	ok(route("/api/v1/stories/abc", HTTP_DELETE, rs, nr, &r, &allow, &req) == HTTP_MATCH_METHOD &&
	   allow == (HTTP_POST | HTTP_PATCH), "wrong method reports allowed ones");
	is_str(http_methods_str(&req.arena, allow), "POST, PATCH", "Allow header text");
	arena_release(&req.arena);
	ok(route("/api/v1/stories/abc", HTTP_PATCH, rs, nr, &r, &allow, &req) == HTTP_MATCH_OK &&
	   strcmp(http_req_param(&req, "id"), "abc") == 0, "API route with id");
	arena_release(&req.arena);
}

int main(void)
{
	test_decode();
	test_paths();
	test_router();
	return tap_done();
}
