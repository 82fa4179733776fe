/* test_render_parts.c - a story's HTML cut into parts around its photos
 * (render_story_parts). Issue 14, item 10: the photo id after
 * '<img src="/photos/' was copied before its length was checked, reading
 * past the end of a body that ends a few bytes later. Each body here sits
 * in a buffer of exactly its size, so the sanitizer build (make asan)
 * reports any read beyond it. */
#include "render/render.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static json_t *parts_of(const char *html_text, char **keep)
{
	size_t n = strlen(html_text) + 1;
	char *html = malloc(n);
	memcpy(html, html_text, n);
	*keep = html;
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.arena);
	struct story_row s;
	memset(&s, 0, sizeof(s));
	memcpy(s.id, "0123456789abcdef", 17);
	s.body_html = html;
	s.audience = AUDIENCE_PUBLIC;
	json_t *parts = render_story_parts(&req, &s, NULL, RENDER_PAGE, NULL);
	arena_release(&req.arena);
	return parts;
}

static const char *joined(json_t *parts, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < json_array_size(parts); i++) {
		const char *h = json_string_value(json_object_get(json_array_get(parts, i), "part_html"));
		size_t l = h ? strlen(h) : 0;
		if (o + l >= cap)
			break;
		memcpy(out + o, h, l);
		o += l;
	}
	out[o] = '\0';
	return out;
}

int main(void)
{
	static const char *const short_tails[] = {
		"<p><img src=\"/photos/ab\"></p>",
		"<img src=\"/photos/>",
		"<img src=\"/photos/0123456789abcde>",
		"<img src=\"/photos/0123456789abcdef>",
	};
	for (size_t i = 0; i < sizeof(short_tails) / sizeof(short_tails[0]); i++) {
		char *keep, out[256];
		json_t *p = parts_of(short_tails[i], &keep);
		is_str(joined(p, out, sizeof(out)), short_tails[i],
		       "a short photo reference is kept as text (%zu)", i);
		json_decref(p);
		free(keep);
	}
	return tap_done();
}
