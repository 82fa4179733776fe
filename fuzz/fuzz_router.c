/* fuzz_router.c - path splitting then matching against a route table shaped
 * like the real one (literal, {param} and @{param} segments). */
#include "http/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void h(struct http_req *r, struct http_res *s)
{
	(void)r;
	(void)s;
}

static const struct http_route routes[] = {
	{HTTP_GET, "/", h},
	{HTTP_GET, "/static/{file}", h},
	{HTTP_GET | HTTP_POST, "/edit/{id}", h},
	{HTTP_GET, "/@{handle}", h},
	{HTTP_GET, "/@{handle}/{slug}", h},
	{HTTP_GET | HTTP_PATCH | HTTP_DELETE, "/api/v1/stories/{id}", h},
	{HTTP_DELETE, "/api/v1/tokens/current", h},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.arena);
	req.method = (enum http_method)(1u << (data[0] % 8));
	if (path_split(&req.arena, (const char *)data + 1, size - 1, &req.segs, &req.nsegs,
		       &req.trailing_slash) == PARSE_OK) {
		const struct http_route *r;
		unsigned allow;
		enum http_match m = http_route_match(&req, routes, sizeof(routes) / sizeof(routes[0]),
						     &r, &allow);
		if (m == HTTP_MATCH_OK) {
			for (size_t i = 0; i < req.params.n; i++)
				if (!req.params.items[i].val || !req.params.items[i].key)
					abort();
		} else if (m == HTTP_MATCH_METHOD) {
			if (!allow)
				abort();
			(void)http_methods_str(&req.arena, allow);
		}
	}
	arena_release(&req.arena);
	return 0;
}
