/*
 * importer.c - posts of other platforms into stories (importer.h).
 */
#include "stories/importer.h"

#include "circles/circles.h"
#include "core/clock.h"
#include "stories/stories.h"

#include "core/crypto.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

/* An image's address as the importer can fetch it: absolute http(s);
 * "//host/..." as https; "/path" against the post's own site (base);
 * NULL for anything else, with *why. */
static const char *image_url(struct arena *a, const char *url, const char *base, const char **why)
{
	if (!strncasecmp(url, "https://", 8) || !strncasecmp(url, "http://", 7))
		return url;
	if (url[0] == '/' && url[1] == '/')
		return arena_printf(a, "https:%s", url);
	if (url[0] == '/' && base && (!strncasecmp(base, "https://", 8) ||
				      !strncasecmp(base, "http://", 7))) {
		const char *host = strstr(base, "://") + 3;
		size_t hl = strcspn(host, "/?#");
		return arena_printf(a, "%.*s%s", (int)(host - base + (ptrdiff_t)hl), base, url);
	}
	*why = "its address is relative, with no site to resolve it against";
	return NULL;
}

/* Fetch one image into photo id of story s, or remember it as missing. */
static void import_image(struct store *st, struct arena *a, const struct user_row *author,
			 const char *story_id, const char *id, const struct port_image *im,
			 const char *base, struct import_report *r)
{
	const char *why = "photos are not fetched in this run";
	const char *url = image_url(a, im->url, base, &why);
	int rc = url && r->photo ? r->photo(r->photo_ctx, st, a, url, story_id, id, im->alt,
					    im->caption, &why) : -1;
	if (rc == 0) {
		r->photos++;
		if (r->out)
			fprintf(r->out, "    photo fetched: %s\n", im->url);
		return;
	}
	r->missing++;
	struct import_photo_row m = {.url = im->url, .alt = im->alt, .caption = im->caption,
				     .error = why ? why : "it could not be fetched", .tries = 1,
				     .created_at = clock_now()};
	memcpy(m.id, id, sizeof(m.id));
	memcpy(m.story_id, story_id, sizeof(m.story_id));
	memcpy(m.user_id, author->id, sizeof(m.user_id));
	bool kept = store_import_photo_put(st, &m) == STORE_OK;
	if (r->out)
		fprintf(r->out, "    photo MISSING: %s%s%s: %s%s\n", im->url, im->alt[0] ? " alt: " : "",
			im->alt, m.error, kept ? "" : " (and could not be remembered for a retry)");
}

const char *story_import_circle(struct store *st, struct arena *a, const struct user_row *author,
				const char *name)
{
	struct circle_row *cs;
	size_t n;
	if (!circle_name_ok(name) || store_circle_list(st, a, author->id, &cs, &n))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cs[i].name, name))
			return arena_strdup(a, cs[i].id);
	struct circle_row c;
	if (circle_create(st, author->id, name, clock_now(), &c))
		return NULL;
	return arena_strdup(a, c.id);
}

static void import_one(struct store *st, struct arena *a, const struct user_row *author,
		       const char *source, const struct port_post *p, struct import_report *r)
{
	char have[17];
	enum store_err se = store_import_source_get(st, author->id, source, p->source_id, have);
	if (se == STORE_OK) {
		r->skipped++;
		if (r->out)
			fprintf(r->out, "  skipped  \"%s\": imported before (story %s)\n", p->title, have);
		return;
	}
	if (se != STORE_NOT_FOUND) {
		r->failed++;
		if (r->out)
			fprintf(r->out, "  FAILED   \"%s\": the database did not answer\n", p->title);
		return;
	}
	struct story_import im = {.source = source, .source_id = p->source_id, .slug = p->slug,
				  .canonical_url = p->canonical_url, .published_at = p->published_at};
	const char **tags = arena_alloc(a, (p->tags.n ? p->tags.n : 1) * sizeof(*tags));
	size_t nt = 0;
	struct port_list left = {0};
	for (size_t i = 0; i < p->tags.n; i++) {
		const char *t = tag_normalise(a, p->tags.items[i]);
		bool dup = false;
		for (size_t k = 0; t && k < nt; k++)
			dup = dup || !strcmp(tags[k], t);
		if (!t || dup)
			continue;
		if (nt < STORY_MAX_TAGS)
			tags[nt++] = t;
		else
			port_list_add(a, &left, p->tags.items[i]);
	}
	struct story_input in = {0};
	if (p->circle) {
		/* Never public: the circle named for those who paid, hers to fill. */
		const char *cid = story_import_circle(st, a, author, p->circle);
		if (!cid) {
			r->failed++;
			if (r->out)
				fprintf(r->out, "  FAILED   \"%s\": its circle could not be made\n", p->title);
			return;
		}
		in.audience = "circle";
		in.circle_id = cid;
	}
	/* Each image gets its photo id first, so the saved body already
	 * names the photos that are fetched after it. */
	const char **ids = arena_alloc(a, (p->body.images.n ? p->body.images.n : 1) * sizeof(*ids));
	for (size_t i = 0; i < p->body.images.n; i++) {
		char *id = arena_alloc(a, 17);
		id_new(id);
		ids[i] = id;
	}
	size_t swapped = 0;
	in.title = p->title;
	in.subtitle = p->subtitle;
	in.body = p->body.images.n ? port_md_swap_images(a, p->body.md, &p->body.images, ids,
							  &swapped) : p->body.md;
	in.status = p->draft ? "draft" : "published";
	in.tags = tags;
	in.ntags = nt;
	in.email = -1; /* an old post is not news to her subscribers */
	in.import = &im;
	struct story_row s;
	enum story_err e = story_create(st, a, author, &in, &s);
	if (e) {
		r->failed++;
		if (r->out)
			fprintf(r->out, "  FAILED   \"%s\": %s\n", p->title, story_err_code(e));
		return;
	}
	r->imported++;
	if (r->out) {
		fprintf(r->out, "  imported \"%s\" as /@%s/%s%s\n", p->title, author->handle, s.slug,
			p->draft ? " (a draft)" : "");
		for (size_t i = 0; i < p->body.notes.n; i++)
			fprintf(r->out, "    note: %s\n", p->body.notes.items[i]);
		if (left.n) {
			fprintf(r->out, "    note: a story keeps %d tags; left out:", STORY_MAX_TAGS);
			for (size_t i = 0; i < left.n; i++)
				fprintf(r->out, "%s \"%s\"", i ? "," : "", left.items[i]);
			fprintf(r->out, "\n");
		}
	}
	if (swapped != p->body.images.n && r->out)
		fprintf(r->out, "    note: %zu of its %zu images could not be found in the text and "
			"stay at their addresses\n", p->body.images.n - swapped, p->body.images.n);
	for (size_t i = 0; i < p->body.images.n; i++)
		import_image(st, a, author, s.id, ids[i], &p->body.images.items[i],
			     p->canonical_url, r);
}

void story_import_all(struct store *st, struct arena *a, const struct user_row *author,
		      const char *source, const struct port_export *ex, struct import_report *r)
{
	for (size_t i = 0; i < ex->n; i++) {
		import_one(st, a, author, source, &ex->posts[i], r);
		if (r->progress && !r->progress(r->progress_ctx, i + 1, ex->n)) {
			if (r->out)
				fprintf(r->out, "  stopped after %zu of %zu posts\n", i + 1, ex->n);
			break;
		}
	}
	for (size_t i = 0; r->out && i < ex->notes.n; i++)
		fprintf(r->out, "  note: %s\n", ex->notes.items[i]);
}

void story_import_retry_photos(struct store *st, struct arena *a, const struct user_row *author,
			       size_t max, struct import_report *r)
{
	struct import_photo_row *rows;
	size_t n;
	if (store_import_photo_list(st, a, author->id, max, &rows, &n)) {
		r->failed++;
		if (r->out)
			fprintf(r->out, "  FAILED   the database did not answer\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (r->progress && i && !r->progress(r->progress_ctx, i, n))
			break;
		struct import_photo_row *m = &rows[i];
		const char *why = "photos are not fetched in this run";
		struct story_row s;
		const char *base = store_story_get(st, a, m->story_id, &s) == STORE_OK ?
				   s.canonical_url : NULL;
		const char *url = image_url(a, m->url, base, &why);
		int rc = url && r->photo ? r->photo(r->photo_ctx, st, a, url, m->story_id, m->id,
						    m->alt, m->caption, &why) : -1;
		if (rc == 0 && store_import_photo_delete(st, m->id) == STORE_OK) {
			r->photos++;
			if (r->out)
				fprintf(r->out, "  photo fetched: %s\n", m->url);
			continue;
		}
		r->missing++;
		m->tries++;
		m->error = rc == 0 ? "it was fetched but its note could not be cleared" :
			   why ? why : "it could not be fetched";
		if (store_import_photo_put(st, m) != STORE_OK)
			r->failed++;
		if (r->out)
			fprintf(r->out, "  photo MISSING: %s: %s (tried %lld times)\n", m->url, m->error,
				(long long)m->tries);
	}
}
