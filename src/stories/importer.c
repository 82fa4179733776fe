/*
 * importer.c - posts of other platforms into stories (importer.h).
 */
#include "stories/importer.h"

#include "circles/circles.h"
#include "core/clock.h"
#include "stories/stories.h"

#include <string.h>

/* The post's images stay at their original URLs for now: the report
 * names each, so none is lost silently. */
static void report_images(const struct port_post *p, struct import_report *r)
{
	for (size_t i = 0; i < p->body.images.n; i++) {
		r->images++;
		if (r->out)
			fprintf(r->out, "    image not fetched yet: %s%s%s\n", p->body.images.items[i].url,
				p->body.images.items[i].alt[0] ? " alt: " : "",
				p->body.images.items[i].alt);
	}
}

/* The id of author's circle called name, made if she has none. */
static const char *circle_named(struct store *st, struct arena *a, const struct user_row *author,
				const char *name)
{
	struct circle_row *cs;
	size_t n;
	if (store_circle_list(st, a, author->id, &cs, &n))
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
	struct story_import im = {source, p->source_id, p->slug, p->canonical_url, p->published_at};
	const char **tags = arena_alloc(a, (p->tags.n ? p->tags.n : 1) * sizeof(*tags));
	size_t nt = 0;
	for (size_t i = 0; i < p->tags.n && nt < 20; i++) {
		const char *t = tag_normalise(a, p->tags.items[i]);
		if (t)
			tags[nt++] = t;
	}
	struct story_input in = {0};
	if (p->circle) {
		/* Never public: the circle named for those who paid, hers to fill. */
		const char *cid = circle_named(st, a, author, p->circle);
		if (!cid) {
			r->failed++;
			if (r->out)
				fprintf(r->out, "  FAILED   \"%s\": its circle could not be made\n", p->title);
			return;
		}
		in.audience = "circle";
		in.circle_id = cid;
	}
	in.title = p->title;
	in.subtitle = p->subtitle;
	in.body = p->body.md;
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
	}
	report_images(p, r);
}

void story_import_all(struct store *st, struct arena *a, const struct user_row *author,
		      const char *source, const struct port_export *ex, struct import_report *r)
{
	for (size_t i = 0; i < ex->n; i++)
		import_one(st, a, author, source, &ex->posts[i], r);
	for (size_t i = 0; r->out && i < ex->notes.n; i++)
		fprintf(r->out, "  note: %s\n", ex->notes.items[i]);
}
