/*
 * import_quire.c - a Quire export back into a site (importer.h): circles,
 * settings, then stories with their photos and pending drafts. Each step
 * looks first at what is there, so a second run adds nothing.
 */
#include "stories/importer.h"

#include "accounts/accounts.h"
#include "circles/circles.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/tz.h"
#include "responses/muted.h"
#include "responses/responses.h"
#include "stories/desk.h"
#include "stories/stories.h"

#include <string.h>

/* The account with handle h here, into *u; false when there is none. */
static bool user_of(struct store *st, struct arena *a, const char *h, struct user_row *u)
{
	const char *n = handle_normalise(a, h);
	return n && store_user_by_handle(st, a, n, u) == STORE_OK;
}

static void import_circles(struct store *st, struct arena *a, const struct user_row *author,
			   const struct quire_export *ex, struct import_report *r)
{
	int64_t now = clock_now();
	for (size_t i = 0; i < ex->ncircles; i++) {
		const struct quire_circle *c = &ex->circles[i];
		const char *cid = story_import_circle(st, a, author, c->name);
		if (!cid) {
			r->failed++;
			if (r->out)
				fprintf(r->out, "  FAILED   circle \"%s\": it could not be made\n", c->name);
			continue;
		}
		size_t added = 0, invited = 0, absent = 0;
		for (int pass = 0; pass < 2; pass++) {
			const struct port_list *l = pass ? &c->invited : &c->members;
			for (size_t k = 0; k < l->n; k++) {
				struct user_row u;
				bool member = false;
				if (!user_of(st, a, l->items[k], &u)) {
					absent++;
					continue;
				}
				if (!strcmp(u.id, author->id) ||
				    store_circle_is_member(st, cid, u.id, &member) || member)
					continue;
				if (pass == 0 && store_circle_member_add(st, cid, u.id, now) == STORE_OK)
					added++;
				else if (pass == 1 && store_circle_invitee_add(st, cid, u.id, now) == STORE_OK)
					invited++;
			}
		}
		if (r->out)
			fprintf(r->out, "  circle   \"%s\": %zu members added, %zu invited again%s\n",
				c->name, added, invited, absent ? " (some have no account here)" : "");
	}
}

static bool has_phrase(const char *const *l, size_t n, const char *p)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], p))
			return true;
	return false;
}

static void import_settings(struct store *st, struct arena *a, const struct user_row *author,
			    const struct quire_settings *s, struct import_report *r)
{
	const char *dr, *dd;
	if (s->responses && s->responders && responses_policy_valid(s->responses, s->responders) &&
	    store_response_defaults(st, a, author->id, &dr, &dd) == STORE_OK &&
	    (strcmp(dr, s->responses) || strcmp(dd, s->responders))) {
		if (store_response_defaults_set(st, author->id, s->responses, s->responders))
			r->failed++;
		else if (r->out)
			fprintf(r->out, "  settings responses default to %s, from %s\n", s->responses,
				s->responders);
	}
	const char **have;
	size_t nh;
	if (s->muted.n && store_muted_get(st, a, author->id, &have, &nh) == STORE_OK) {
		const char **all = arena_alloc(a, (nh + s->muted.n) * sizeof(*all));
		memcpy(all, have, nh * sizeof(*all));
		size_t n = nh;
		for (size_t i = 0; i < s->muted.n; i++) {
			const char *p = s->muted.items[i];
			size_t len = strlen(p);
			if (utf8_valid(p, len) && utf8_count(p, len) <= MUTED_MAX_PHRASE_CHARS &&
			    !has_phrase(all, n, p) && n < MUTED_MAX_PHRASES)
				all[n++] = p;
		}
		if (n > nh && store_muted_set(st, author->id, all, n))
			r->failed++;
		else if (n > nh && r->out)
			fprintf(r->out, "  settings %zu muted words or phrases added\n", n - nh);
	}
	for (size_t i = 0; i < s->blocked.n; i++) {
		struct user_row u;
		bool blocked = false;
		if (user_of(st, a, s->blocked.items[i], &u) && strcmp(u.id, author->id) &&
		    store_block_check(st, author->id, u.id, &blocked) == STORE_OK && !blocked) {
			if (store_block_add(st, author->id, u.id, clock_now()))
				r->failed++;
			else if (r->out)
				fprintf(r->out, "  settings @%s blocked\n", u.handle);
		}
	}
	/* Her profile only where she has not written her own here yet. */
	const char *bio = s->bio;
	size_t bl = bio ? strlen(bio) : 0;
	if (bl && !(author->bio && author->bio[0]) && utf8_valid(bio, bl) &&
	    !text_has_controls(bio, bl, true) && utf8_count(bio, bl) <= BIO_MAX_CHARS) {
		if (store_user_update_profile(st, author->id, author->name, bio))
			r->failed++;
		else if (r->out)
			fprintf(r->out, "  settings her bio\n");
	}
	const char *tz = s->time_zone;
	if (tz && tz[0] && !(author->time_zone && author->time_zone[0]) && tz_name_ok(tz)) {
		if (store_user_set_time_zone(st, author->id, tz))
			r->failed++;
		else if (r->out)
			fprintf(r->out, "  settings time zone %s\n", tz);
	}
}

/* The circle of a text (by name), for audience "circle"; NULL when it
 * cannot be had (the caller makes the story private then). */
static const char *circle_for(struct store *st, struct arena *a, const struct user_row *author,
			      const char *audience, const char *name)
{
	if (!audience || strcmp(audience, "circle") || !name || !name[0])
		return NULL;
	return story_import_circle(st, a, author, name);
}

/* A text's fields as a save's input; audience "circle" whose circle
 * cannot be had becomes "private" (never wider than she chose). */
static struct story_input input_of(struct store *st, struct arena *a,
				   const struct user_row *author, const struct quire_text *t,
				   const char *body, struct import_report *r)
{
	struct story_input in = {0};
	in.title = t->title;
	in.subtitle = t->subtitle;
	in.body = body;
	in.audience = t->audience;
	in.content_note = t->content_note;
	in.responses = t->responses;
	in.responders = t->responders;
	in.email = -1; /* an old story is not news to her subscribers */
	if (t->audience && !strcmp(t->audience, "circle")) {
		in.circle_id = circle_for(st, a, author, t->audience, t->circle);
		if (!in.circle_id) {
			in.audience = "private";
			if (r->out)
				fprintf(r->out, "    note: its circle \"%s\" could not be had; it is "
					"private\n", t->circle);
		}
	}
	const char **tags = arena_alloc(a, (t->tags.n ? t->tags.n : 1) * sizeof(*tags));
	size_t nt = 0;
	for (size_t i = 0; i < t->tags.n; i++) {
		const char *g = tag_normalise(a, t->tags.items[i]);
		if (g && nt < STORY_MAX_TAGS && !has_phrase(tags, nt, g))
			tags[nt++] = g;
	}
	in.tags = tags;
	in.ntags = nt;
	return in;
}

static void import_photo(struct store *st, struct arena *a, const struct user_row *author,
			 const struct story_row *s, const struct quire_photo *qp, const char *id,
			 import_file_photo_fn photo, void *ctx, struct import_report *r)
{
	struct photo_row p;
	memset(&p, 0, sizeof(p));
	memcpy(p.id, id, sizeof(p.id));
	memcpy(p.story_id, s->id, sizeof(p.story_id));
	p.alt = qp->alt;
	p.caption = qp->caption;
	p.sensitive = qp->sensitive;
	p.note = qp->note;
	p.audience = "story";
	if (!strcmp(qp->audience, "private")) {
		p.audience = "private";
	} else if (!strcmp(qp->audience, "circle")) {
		const char *cid = circle_for(st, a, author, "circle", qp->circle);
		p.audience = cid ? "circle" : "private";
		if (cid)
			memcpy(p.circle_id, cid, sizeof(p.circle_id));
	} else if (strcmp(qp->audience, "story")) {
		p.audience = "private"; /* unknown: the narrowest */
	}
	const char *why = "photos are not imported in this run (--skip-photos)";
	int rc = photo ? photo(ctx, st, a, qp->file, &p, &why) : -1;
	if (rc == 0) {
		r->photos++;
		if (r->out)
			fprintf(r->out, "    photo    %s%s\n", qp->file, p.sensitive ? " (sensitive)" : "");
		return;
	}
	r->missing++;
	if (r->out)
		fprintf(r->out, "    photo MISSING: %s: %s\n", qp->file, why ? why : "not stored");
}

static void import_story(struct store *st, struct arena *a, const struct user_row *author,
			 const struct quire_story *q, import_file_photo_fn photo, void *ctx,
			 struct import_report *r)
{
	/* Her own export brought back to the site it came from: it is here. */
	struct story_row here;
	if (id_valid(q->source_id) && store_story_get(st, a, q->source_id, &here) == STORE_OK &&
	    !strcmp(here.author_id, author->id)) {
		r->skipped++;
		if (r->out)
			fprintf(r->out, "  skipped  \"%s\": it is here already (/@%s/%s)\n", q->t.title,
				author->handle, here.slug);
		return;
	}
	char have[17];
	enum store_err se = store_import_source_get(st, author->id, "quire", q->source_id, have);
	if (se == STORE_OK) {
		r->skipped++;
		if (r->out)
			fprintf(r->out, "  skipped  \"%s\": imported before (story %s)\n", q->t.title, have);
		return;
	}
	if (se != STORE_NOT_FOUND) {
		r->failed++;
		if (r->out)
			fprintf(r->out, "  FAILED   \"%s\": the database did not answer\n", q->t.title);
		return;
	}
	/* Photo ids first, so the saved body already names them. */
	const char **ids = arena_alloc(a, (q->nphotos ? q->nphotos : 1) * sizeof(*ids));
	const char **files = arena_alloc(a, (q->nphotos ? q->nphotos : 1) * sizeof(*files));
	for (size_t i = 0; i < q->nphotos; i++) {
		char *id = arena_alloc(a, 17);
		id_new(id);
		ids[i] = id;
		files[i] = q->photos[i].file;
	}
	size_t swapped;
	const char *body = quire_swap_photos(a, q->t.body, q->t.path, files, ids, q->nphotos,
					     &swapped);
	struct story_input in = input_of(st, a, author, &q->t, body, r);
	bool scheduled = !strcmp(q->status, "scheduled");
	in.status = !strcmp(q->status, "published") ? "published" : "draft";
	struct story_import im = {
		.source = "quire", .source_id = q->source_id, .slug = q->slug,
		.canonical_url = q->canonical_url, .published_at = q->published_at,
		.created_at = q->created_at, .updated_at = q->t.updated_at, .edited_at = q->edited_at,
	};
	in.import = &im;
	struct desk_save ds = {0};
	int64_t now = clock_now();
	if (scheduled && q->publish_at > now) {
		ds.set_schedule = true;
		ds.publish_at = q->publish_at;
	}
	struct story_row s;
	enum story_err e = story_create_desk(st, a, author, &in, &ds, &s);
	if (e) {
		r->failed++;
		if (r->out)
			fprintf(r->out, "  FAILED   \"%s\": %s\n", q->t.title, story_err_code(e));
		return;
	}
	r->imported++;
	if (r->out) {
		fprintf(r->out, "  imported \"%s\" as /@%s/%s%s\n", q->t.title, author->handle, s.slug,
			ds.set_schedule ? " (scheduled)" : s.status == STATUS_DRAFT ? " (a draft)" : "");
		if (q->slug[0] && strcmp(q->slug, s.slug))
			fprintf(r->out, "    note: its slug %s is taken here\n", q->slug);
		if (scheduled && !ds.set_schedule)
			fprintf(r->out, "    note: it was scheduled for a time now past: it is a draft\n");
	}
	for (size_t i = 0; i < q->nphotos; i++)
		import_photo(st, a, author, &s, &q->photos[i], ids[i], photo, ctx, r);
	if (q->pending && s.status == STATUS_PUBLISHED) {
		const char *pbody = quire_swap_photos(a, q->pending->body, q->pending->path, files,
						      ids, q->nphotos, &swapped);
		struct story_input din = input_of(st, a, author, q->pending, pbody, r);
		struct desk_save dds = {.held = true};
		e = story_draft_save(st, a, &s, &din, &dds, NULL);
		if (e) {
			r->failed++;
			if (r->out)
				fprintf(r->out, "    FAILED its pending draft: %s\n", story_err_code(e));
		} else if (r->out) {
			fprintf(r->out, "    with its pending draft\n");
		}
	}
}

void story_import_quire(struct store *st, struct arena *a, const struct user_row *author,
			const struct quire_export *ex, import_file_photo_fn photo, void *ctx,
			struct import_report *r)
{
	import_circles(st, a, author, ex, r);
	import_settings(st, a, author, &ex->settings, r);
	for (size_t i = 0; i < ex->n; i++) {
		import_story(st, a, author, &ex->stories[i], photo, ctx, r);
		if (r->progress && !r->progress(r->progress_ctx, i + 1, ex->n)) {
			if (r->out)
				fprintf(r->out, "  stopped after %zu of %zu stories\n", i + 1, ex->n);
			break;
		}
	}
	for (size_t i = 0; r->out && i < ex->notes.n; i++)
		fprintf(r->out, "  note: %s\n", ex->notes.items[i]);
}
