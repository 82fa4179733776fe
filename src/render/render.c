/*
 * render.c - the one rendering rule (render.h): a story's stored HTML cut
 * at its photos, each photo decided once for the viewer and the context.
 * The markup of a shown photo comes from media/ (media_photo_view); the
 * decision of what is shown is made only here.
 */
#include "render/render.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "media/media.h"
#include "web/web.h"
#include "store/store_media.h"
#include "stories/markdown.h"
#include "stories/stories_web.h"

#include <string.h>

static const char *viewer_of(struct http_req *req, enum render_context where)
{
	/* A feed is what an anonymous reader may see, whoever fetches it;
	 * a reader's private feed is for her. */
	if (where == RENDER_FEED || where == RENDER_BOOK)
		return web_req(req)->photo_reader;
	/* An Article leaves the site for servers and readers unknown. */
	if (where == RENDER_AP)
		return NULL;
	const struct viewer *v = web_viewer(req);
	return v->signed_in ? v->user.id : NULL;
}

static bool page_like(enum render_context where)
{
	return where == RENDER_PAGE || where == RENDER_PREVIEW;
}

static void add_html(json_t *parts, const char *s, size_t n)
{
	if (!n)
		return;
	/* The renderer's own output, cut at tag boundaries: valid UTF-8
	 * already, and jansson's check of a whole story was a fifth of a
	 * signed-in page view. */
	json_t *o = json_object();
	json_object_set_new_nocheck(o, "part_html", json_stringn_nocheck(s, n));
	json_array_append_new(parts, o);
}

/* A photo in a book: what the book needs to hold it as a file of its own
 * (porting/book.c reads the file by id) and, for a sensitive one, the
 * writer's note, which the book puts on the page before it. */
static json_t *book_photo(const struct photo_row *p)
{
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I}", "id", p->id, "alt", p->alt, "caption",
			      p->caption, "width", (json_int_t)p->width, "height",
			      (json_int_t)p->height);
	if (p->sensitive)
		json_object_set_new(o, "note", json_string(p->note[0] ? p->note :
						      "This photo may be hard to look at."));
	return json_pack("{s:o}", "book_photo", o);
}

/* What one photo becomes for this viewer here (NULL: nothing at all). */
static json_t *photo_part(struct http_req *req, const struct story_row *s,
			  const struct photo_row *p, enum render_context where, const char *show_id,
			  const char *key, size_t nth)
{
	if (!audience_may_see_photo(web_store(req), viewer_of(req, where), s, p->audience,
				    p->circle_id))
		return where == RENDER_AP ? NULL : json_pack("{s:{s:s}}", "withheld", "id", p->id);
	if (where == RENDER_BOOK)
		return book_photo(p);
	if (p->sensitive && !page_like(where)) {
		const char *path = story_path(&req->arena, s);
		const char *note = p->note[0] ? p->note : "This photo may be hard to look at.";
		return json_pack("{s:{s:s,s:s}}", "gate", "note", note, "story_url",
				 web_url(req, arena_printf(&req->arena, "%s#photo-%s", path, p->id)));
	}
	json_t *view = media_photo_view(req, p, nth > 0,
					where == RENDER_PAGE ? show_id : NULL, key,
					!page_like(where));
	return json_pack("{s:o}", "photo", view);
}

/* A photo an import could not fetch yet: a placeholder on the page and
 * preview for her who wrote the story, with where it was and why it
 * failed; nothing at all for anyone else. */
static void missing_part(struct http_req *req, const struct story_row *s, const char *id,
			 json_t *parts)
{
	const struct viewer *v = web_viewer(req);
	struct import_photo_row m;
	if (!v->signed_in || strcmp(v->user.id, s->author_id) != 0 ||
	    store_import_photo_get(web_store(req), &req->arena, id, &m) != STORE_OK ||
	    strcmp(m.story_id, s->id) != 0)
		return;
	json_array_append_new(parts, json_pack("{s:{s:s,s:s,s:s,s:s}}", "missing", "id", id,
					       "url", m.url, "alt", m.alt, "error", m.error));
}

json_t *render_story_parts(struct http_req *req, const struct story_row *s,
			   const char *body_html, enum render_context where, const char *show_id)
{
	const char *html = body_html ? body_html : s->body_html;
	/* Readers of an unlisted story hold its key; the photo URLs carry it. */
	const char *key = s->audience == AUDIENCE_UNLISTED && s->share_key[0] ?
			  s->share_key : NULL;
	static const char needle[] = "<img src=\"/photos/";
	const size_t nl = sizeof(needle) - 1;
	json_t *parts = json_array();
	struct store *st = web_store(req);
	const char *pos = html;
	size_t nphotos = 0;
	for (;;) {
		const char *m = strstr(pos, needle);
		if (!m)
			break;
		const char *after = m + nl;
		const char *close = strchr(after, '>');
		if (!close)
			break;
		char id[17];
		if (strnlen(after, 17) < 17 || after[16] != '"') {
			add_html(parts, pos, (size_t)(close + 1 - pos));
			pos = close + 1;
			continue;
		}
		memcpy(id, after, 16);
		id[16] = '\0';
		if (!id_valid(id)) {
			add_html(parts, pos, (size_t)(close + 1 - pos));
			pos = close + 1;
			continue;
		}
		/* A photo alone in its paragraph replaces the paragraph. */
		const char *start = m, *end = close + 1;
		if (start - pos >= 3 && memcmp(start - 3, "<p>", 3) == 0 &&
		    strncmp(end, "</p>", 4) == 0) {
			start -= 3;
			end += 4;
		}
		add_html(parts, pos, (size_t)(start - pos));
		struct photo_row p;
		/* A photo of another story, or gone, disappears. */
		json_t *part = NULL;
		if (store_photo_get(st, &req->arena, id, &p) == STORE_OK &&
		    strcmp(p.story_id, s->id) == 0) {
			if ((part = photo_part(req, s, &p, where, show_id, key, nphotos))) {
				nphotos++;
				json_array_append_new(parts, part);
			}
		} else if (page_like(where))
			missing_part(req, s, id, parts);
		pos = end;
	}
	add_html(parts, pos, strlen(pos));
	return parts;
}

bool render_parts_gated(const json_t *parts)
{
	size_t i;
	const json_t *part;
	json_array_foreach(parts, i, part) {
		const json_t *ph = json_object_get(part, "photo");
		if (ph && json_is_true(json_object_get(ph, "gated")))
			return true;
	}
	return false;
}

const char *render_story_html(struct http_req *req, const struct story_row *s,
			      enum render_context where)
{
	json_t *ctx = json_object();
	json_object_set_new(ctx, "parts", render_story_parts(req, s, NULL, where, NULL));
	/* A feed reader or a mailbox shows the story alone: the writer's
	 * note comes first. */
	if ((where == RENDER_FEED || where == RENDER_MAIL) && s->content_note[0])
		json_object_set_new(ctx, "content_note", json_string(s->content_note));
	struct buf out;
	buf_init(&out, MD_HTML_MAX);
	bool ok = web_render(req, "body_html", ctx, &out);
	json_decref(ctx);
	const char *html = ok ? arena_strndup(&req->arena, buf_str(&out), out.len) : "";
	buf_release(&out);
	return html;
}

void render_plain(const char *body, size_t n, enum render_context where, size_t max_chars,
		  struct buf *out)
{
	if (where == RENDER_EXCERPT)
		md_excerpt(body, n, max_chars, out);
	else
		md_text(body, n, out);
}

const char *render_card_image(struct http_req *req, const struct story_row *s)
{
	char id[17];
	int64_t w = 0;
	/* Only for the story's whole audience, never sensitive: the store's
	 * query applies PHOTO_FOR_ALL_SQL and sensitive = 0. */
	if (store_story_share_photo(web_store(req), s->id, 1600, id, &w) || w <= 0)
		return NULL;
	return web_url(req, arena_printf(&req->arena, "/photos/%s/%lld.jpg", id, (long long)w));
}

const char *render_list_thumb(struct http_req *req, const struct story_row *s)
{
	char id[17];
	int64_t w = 0;
	if (s->content_note[0] ||
	    store_story_share_photo(web_store(req), s->id, 480, id, &w) || w <= 0)
		return NULL;
	return arena_printf(&req->arena, "/photos/%s/%lld.jpg", id, (long long)w);
}

/* In body at i (just after "](photo:" + id), the end of the image's
 * destination: past an optional "title" and the closing ')'; 0 if the
 * reference does not close as photo_markdown() and CommonMark write it. */
static size_t ref_end(const char *b, size_t n, size_t i)
{
	while (i < n && (b[i] == ' ' || b[i] == '\t'))
		i++;
	if (i < n && (b[i] == '"' || b[i] == '\'')) {
		char q = b[i++];
		while (i < n && b[i] != q) {
			if (b[i] == '\\' && i + 1 < n)
				i++;
			i++;
		}
		if (i >= n)
			return 0;
		i++;
		while (i < n && (b[i] == ' ' || b[i] == '\t'))
			i++;
	}
	return i < n && b[i] == ')' ? i + 1 : 0;
}

/* Where the "![" of the image whose "]" is at close begins, or -1. */
static long ref_start(const char *b, size_t close)
{
	int depth = 1;
	for (size_t i = close; i-- > 0;) {
		bool escaped = false;
		for (size_t k = i; k-- > 0 && b[k] == '\\';)
			escaped = !escaped;
		if (escaped)
			continue;
		if (b[i] == ']')
			depth++;
		else if (b[i] == '[' && --depth == 0)
			return i > 0 && b[i - 1] == '!' ? (long)i - 1 : -1;
	}
	return -1;
}

/* One pass of render_cut_photo_refs(); *cut tells whether it cut any. */
static bool cut_pass(const char *b, bool (*keep)(void *ctx, const char *id), void *ctx,
		     struct buf *out, bool *cut)
{
	static const char needle[] = "](photo:";
	const size_t nl = sizeof(needle) - 1;
	size_t n = strlen(b), from = 0;
	const char *m;
	while ((m = strstr(b + from, needle))) {
		size_t close = (size_t)(m - b), after = close + nl;
		char id[17] = {0};
		if (n - after >= 16)
			memcpy(id, b + after, 16);
		if (!id_valid(id) || keep(ctx, id)) {
			size_t upto = id_valid(id) ? after + 16 : after;
			buf_add(out, b + from, upto - from);
			from = upto;
			continue;
		}
		long start = ref_start(b, close);
		size_t end = ref_end(b, n, after + 16);
		if (start < (long)from || !end)
			return false; /* not a reference we can cut cleanly */
		buf_add(out, b + from, (size_t)start - from);
		from = end;
		*cut = true;
	}
	buf_add(out, b + from, n - from);
	return !out->too_large;
}

bool render_cut_photo_refs(const char *b, bool (*keep)(void *ctx, const char *id), void *ctx,
			   struct buf *out)
{
	/* Cutting can join the text around a reference into a new one
	 * ("![a](photo:12![b](photo:ID)34...)"): cut again until nothing is
	 * cut. Each pass that cuts shortens the text, so this ends. */
	struct buf cur, next;
	buf_init(&cur, out->max);
	buf_adds(&cur, b);
	bool ok = !cur.too_large;
	for (int pass = 0; ok; pass++) {
		bool cut = false;
		buf_init(&next, out->max);
		ok = cut_pass(buf_str(&cur), keep, ctx, &next, &cut);
		buf_release(&cur);
		cur = next;
		if (!cut)
			break;
		if (pass > 1000)
			ok = false;
	}
	if (ok)
		buf_add(out, buf_str(&cur), cur.len);
	buf_release(&cur);
	return ok && !out->too_large;
}

bool render_export_refs(const char *body, const char *(*file_of)(void *ctx, const char *id),
			void *ctx, struct buf *out)
{
	size_t n = strlen(body), from = 0;
	const char *m;
	while ((m = strstr(body + from, "](photo:"))) {
		size_t at = (size_t)(m - body) + 2; /* "photo:" */
		char id[17] = {0};
		if (n - at >= 6 + 16)
			memcpy(id, body + at + 6, 16);
		const char *file = id_valid(id) ? file_of(ctx, id) : NULL;
		size_t upto = at + (id_valid(id) ? 6 + 16 : 6);
		if (!file) {
			buf_add(out, body + from, upto - from);
			from = upto;
			continue;
		}
		buf_add(out, body + from, at - from);
		buf_adds(out, file);
		from = upto;
	}
	buf_add(out, body + from, n - from);
	return !out->too_large;
}

struct source_ctx {
	struct http_req *req;
	const struct story_row *s;
	const char *viewer;
};

static bool source_keeps(void *ctx, const char *id)
{
	struct source_ctx *c = ctx;
	struct photo_row p;
	struct store *st = web_store(c->req);
	return store_photo_get(st, &c->req->arena, id, &p) == STORE_OK &&
	       strcmp(p.story_id, c->s->id) == 0 && !p.sensitive &&
	       audience_may_see_photo(st, c->viewer, c->s, p.audience, p.circle_id);
}

const char *render_story_source(struct http_req *req, const struct story_row *s)
{
	const struct viewer *v = web_viewer(req);
	if (v->signed_in && strcmp(v->user.id, s->author_id) == 0)
		return s->body;
	struct source_ctx c = {req, s, v->signed_in ? v->user.id : NULL};
	struct buf out;
	buf_init(&out, strlen(s->body) + 1);
	/* Give nothing away when a reference cannot be cut. */
	const char *r = render_cut_photo_refs(s->body, source_keeps, &c, &out) ?
			arena_strndup(&req->arena, buf_str(&out), out.len) : "";
	buf_release(&out);
	return r;
}
