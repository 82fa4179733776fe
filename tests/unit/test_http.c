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
		{HTTP_GET, "/", h_a},
		{HTTP_GET, "/@{handle}", h_b},
		{HTTP_GET, "/@{handle}/{slug}", h_c},
		{HTTP_POST | HTTP_PATCH, "/api/v1/stories/{id}", h_d},
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

/* Issue 14, item 2: the client behind trusted proxies. Peer 127.0.0.1;
 * trusted: loopback, 10/8 and 2001:db8::/32. */
static const char *client(struct arena *a, const char *peer, const char *fwd, const char *xff)
{
	struct net_list t;
	const char *bad;
	struct net_addr p, c;
	if (!net_list_parse(a, "127.0.0.0/8, ::1,10.0.0.0/8,2001:db8::/32", &t, &bad) ||
	    !net_addr_parse(peer, strlen(peer), &p))
		return "(setup)";
	forwarded_client(a, &p, &t, fwd, xff, &c);
	char *out = arena_alloc(a, NET_ADDR_STRLEN);
	net_addr_format(&c, out);
	return out;
}

/* net_addr_format() writes IPv4 by hand: every width of octet. */
static void test_addr_format(void)
{
	static const char *const v4[] = {"0.0.0.0", "1.22.255.9", "10.100.200.99",
					 "255.255.255.255", "127.0.0.2", "198.51.100.7"};
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		struct net_addr x;
		char out[NET_ADDR_STRLEN];
		ok(net_addr_parse(v4[i], strlen(v4[i]), &x), "parse %s", v4[i]);
		net_addr_format(&x, out);
		is_str(out, v4[i], "IPv4 formatted back");
	}
	struct net_addr y;
	char out6[NET_ADDR_STRLEN];
	ok(net_addr_parse("2001:db8::1", 11, &y), "parse IPv6");
	net_addr_format(&y, out6);
	is_str(out6, "2001:db8::1", "IPv6 formatted back");
}

static void test_forwarded(void)
{
	struct arena a;
	arena_init(&a);
	const char *L = "127.0.0.1";
	is_str(client(&a, L, NULL, NULL), L, "no header: the peer");
	is_str(client(&a, L, NULL, "198.51.100.7"), "198.51.100.7", "X-Forwarded-For from a trusted peer");
	is_str(client(&a, "192.0.2.1", NULL, "198.51.100.7"), "192.0.2.1",
	       "an untrusted peer's header is ignored");
	is_str(client(&a, L, NULL, "6.6.6.6, 198.51.100.7"), "198.51.100.7",
	       "what the client wrote to the left is never believed");
	is_str(client(&a, L, NULL, "6.6.6.6, 198.51.100.7, 10.1.2.3"), "198.51.100.7",
	       "trusted proxies are walked past from the right");
	is_str(client(&a, L, NULL, "10.9.9.9, 10.1.2.3"), "10.9.9.9", "all trusted: the leftmost");
	is_str(client(&a, L, NULL, "198.51.100.7:4711"), "198.51.100.7", "IPv4 with a port");
	is_str(client(&a, L, NULL, "[2001:db9::5]:443"), "2001:db9::5", "bracketed IPv6 with a port");
	is_str(client(&a, L, NULL, "2001:DB9:0::5"), "2001:db9::5", "IPv6, written canonically");
	is_str(client(&a, L, NULL, "::ffff:198.51.100.7"), "198.51.100.7", "IPv4-mapped as IPv4");
	is_str(client(&a, L, NULL, "6.6.6.6, garbage"), L, "a hop that is no address stops at its proxy");
	is_str(client(&a, L, NULL, "6.6.6.6, unknown, 10.1.2.3"), "10.1.2.3",
	       "...which is the last trusted hop that reported it");
	is_str(client(&a, L, NULL, " , 198.51.100.7 ,"), "198.51.100.7", "empty list elements skipped");
	is_str(client(&a, L, "for=198.51.100.7", NULL), "198.51.100.7", "Forwarded");
	is_str(client(&a, L, "for=6.6.6.6, for=\"[2001:db9::5]:4711\";proto=https", NULL),
	       "2001:db9::5", "Forwarded: rightmost element, quoted IPv6 with port");
	is_str(client(&a, L, "for=6.6.6.6;by=x, FOR=198.51.100.7;proto=http, for=10.0.0.2", NULL),
	       "198.51.100.7", "Forwarded: case-insensitive name, trusted hop skipped");
	is_str(client(&a, L, "for=\"a,b\", for=198.51.100.7", NULL), "198.51.100.7",
	       "Forwarded: a comma inside quotes does not split");
	is_str(client(&a, L, "for=198.51.100.7, for=_hidden", NULL), L,
	       "Forwarded: an obfuscated hop stops the walk");
	is_str(client(&a, L, "for=198.51.100.7;for=6.6.6.6", NULL), L,
	       "Forwarded: two 'for' in one element is not an address");
	is_str(client(&a, L, "junk==, for=198.51.100.7", NULL), "198.51.100.7",
	       "Forwarded: a malformed element only spoils itself");
	is_str(client(&a, L, "for=\"198.51.100.7", NULL), L, "Forwarded: unterminated quote");
	is_str(client(&a, L, "for=198.51.100.7", "198.51.100.7"), "198.51.100.7", "both headers agree");
	is_str(client(&a, L, "for=6.6.6.6", "198.51.100.7"), L,
	       "both headers disagree: neither is believed");
	is_str(client(&a, "::1", NULL, "198.51.100.7"), "198.51.100.7", "an IPv6 trusted peer");
	arena_release(&a);

	arena_init(&a);
	struct net_list l;
	const char *bad = NULL;
	struct net_addr x;
	ok(net_list_parse(&a, "10.1.2.3/8", &l, &bad) && net_addr_parse("10.200.0.1", 10, &x) &&
	   net_list_contains(&l, &x), "host bits of a network are ignored");
	ok(net_addr_parse("11.0.0.1", 8, &x) && !net_list_contains(&l, &x), "outside the network");
	ok(net_list_parse(&a, "2001:db8::/33", &l, &bad) && net_addr_parse("2001:db8:7fff::1", 16, &x) &&
	   net_list_contains(&l, &x), "an IPv6 prefix not on a byte boundary");
	ok(net_addr_parse("2001:db8:8000::1", 16, &x) && !net_list_contains(&l, &x),
	   "...and just outside it");
	ok(net_list_parse(&a, "0.0.0.0/0", &l, &bad) && net_addr_parse("2001:db8::1", 11, &x) &&
	   !net_list_contains(&l, &x), "0.0.0.0/0 holds every IPv4 address, no IPv6 one");
	ok(!net_list_parse(&a, "10.0.0.0/33", &l, &bad), "IPv4 prefix over 32 refused");
	ok(!net_list_parse(&a, "10.0.0.1,", &l, &bad), "empty item refused");
	ok(!net_list_parse(&a, "localhost", &l, &bad) && strcmp(bad, "localhost") == 0,
	   "a name is refused, and named");
	ok(!net_list_parse(&a, "10.0.0.1 10.0.0.2", &l, &bad), "items need commas");
	arena_release(&a);
}

int main(void)
{
	test_decode();
	test_paths();
	test_router();
	test_addr_format();
	test_forwarded();
	return tap_done();
}
