/*
 * drafts.c - held edits: while a story is published, what the writer
 * saves in the editor (autosave, Save, a restored revision) goes to the
 * story's pending draft, and readers keep the published version until she
 * publishes the draft. See desk.h. Not here: the SQL (store_desk.c) and
 * the pages and API built on it (story_pages.c, desk_pages.c,
 * desk_api.c).
 */
#include "stories/desk.h"
#include "core/crypto.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>

static bool same(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "") == 0;
}

static bool same_tags(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* The live story's fields as a draft (tags read from the store). */
static enum story_err draft_of_story(struct store *st, struct arena *a, const struct story_row *s,
				     struct story_draft_row *d)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->story_id, s->id, sizeof(d->story_id));
	d->title = s->title;
	d->subtitle = s->subtitle;
	d->body = s->body;
	d->audience = story_audience_name(s->audience);
	memcpy(d->circle_id, s->circle_id, sizeof(d->circle_id));
	d->content_note = s->content_note;
	d->responses = s->responses;
	d->responders = s->responders;
	const char **tags;
	if (store_tags_get(st, a, s->id, &tags, &d->ntags))
		return STORY_STORE;
	d->tags = tags;
	return STORY_OK;
}

static bool draft_equal(const struct story_draft_row *x, const struct story_draft_row *y)
{
	return same(x->title, y->title) && same(x->subtitle, y->subtitle) && same(x->body, y->body) &&
	       same(x->audience, y->audience) && same(x->circle_id, y->circle_id) &&
	       same(x->content_note, y->content_note) && same(x->responses, y->responses) &&
	       same(x->responders, y->responders) &&
	       same_tags(x->tags, x->ntags, y->tags, y->ntags);
}

struct story_row story_draft_view(const struct story_row *s, const struct story_draft_row *d)
{
	struct story_row n = *s;
	n.title = d->title;
	n.subtitle = d->subtitle;
	n.body = d->body;
	if (!story_audience_parse(d->audience, &n.audience))
		n.audience = AUDIENCE_PRIVATE;
	memcpy(n.circle_id, d->circle_id, sizeof(n.circle_id));
	n.content_note = d->content_note;
	n.responses = d->responses;
	n.responders = d->responders;
	return n;
}

enum story_err story_draft_get(struct store *st, struct arena *a, const struct story_row *s,
			       struct story_draft_row *d, bool *exists)
{
	enum store_err e = store_draft_get(st, a, s->id, d);
	*exists = e == STORE_OK;
	if (e == STORE_NOT_FOUND)
		return STORY_OK;
	return e ? STORY_STORE : STORY_OK;
}

struct story_input story_draft_input(const struct story_draft_row *d)
{
	struct story_input in = {0};
	in.title = d->title;
	in.subtitle = d->subtitle;
	in.body = d->body;
	in.audience = d->audience;
	in.circle_id = d->circle_id;
	in.content_note = d->content_note;
	in.responses = d->responses;
	in.responders = d->responders;
	in.tags = d->tags;
	in.ntags = d->ntags;
	return in;
}

enum story_err story_draft_save(struct store *st, struct arena *a, const struct story_row *s,
				const struct story_input *in_, const struct desk_save *ds,
				struct desk_result *out)
{
	struct desk_result local = {0};
	if (!out)
		out = &local;
	struct story_input in = *in_;
	in.status = NULL;
	enum story_err e = story_validate(a, &in);
	if (e)
		return e;
	struct story_draft_row live, cur;
	bool had = false;
	if ((e = draft_of_story(st, a, s, &live)) || (e = story_draft_get(st, a, s, &cur, &had)))
		return e;
	if (!had)
		cur = live;
	/* What the editor showed: the story with its draft. */
	struct story_row base = story_draft_view(s, &cur);
	struct story_row n = base;
	bool content_changed = false;
	if (in.title && strcmp(in.title, base.title) != 0) {
		n.title = in.title;
		content_changed = true;
	}
	if (in.subtitle && strcmp(in.subtitle, base.subtitle) != 0) {
		n.subtitle = in.subtitle;
		content_changed = true;
	}
	if (in.body && strcmp(in.body, base.body) != 0) {
		n.body = in.body;
		content_changed = true;
	}
	if ((e = story_apply_audience(st, a, &n, &in)))
		return e;
	struct story_draft_row d = cur;
	d.title = n.title;
	d.subtitle = n.subtitle;
	d.body = n.body;
	d.audience = story_audience_name(n.audience);
	memcpy(d.circle_id, n.circle_id, sizeof(d.circle_id));
	d.content_note = n.content_note;
	d.responses = n.responses;
	d.responders = n.responders;
	if (in.tags) {
		d.tags = in.tags;
		d.ntags = in.ntags;
	}
	d.updated_at = clock_now();
	n.updated_at = d.updated_at;

	if (store_begin(st))
		return STORY_STORE;
	if ((e = desk_check_base(st, a, &base, &in, ds, out))) {
		if (e != STORY_CONFLICT || store_commit(st))
			goto fail;
		return e;
	}
	if (desk_on_update(st, a, &base, &n, &in, content_changed, ds, out))
		goto fail;
	memcpy(d.revision_id, out->revision_id, sizeof(d.revision_id));
	/* Back to exactly what readers have: nothing is pending any more. */
	if (draft_equal(&d, &live) ? store_draft_delete(st, s->id) : store_draft_put(st, &d))
		goto fail;
	if (store_commit(st))
		goto fail;
	return STORY_OK;
fail:
	store_rollback(st);
	return STORY_STORE;
}

enum story_err story_draft_publish(struct store *st, struct arena *a, struct story_row *s,
				   const char *base_revision, struct desk_result *out)
{
	struct story_draft_row d;
	bool had = false;
	enum story_err e = story_draft_get(st, a, s, &d, &had);
	if (e)
		return e;
	struct story_input in = {0};
	if (had)
		in = story_draft_input(&d);
	in.status = "published";
	struct desk_save ds = {.base_revision = base_revision, .drop_draft = true};
	return story_save(st, a, s, &in, &ds, out);
}

enum story_err story_draft_discard(struct store *st, struct arena *a, const struct story_row *s,
				   struct desk_result *out)
{
	struct story_draft_row d;
	bool had = false;
	enum story_err e = story_draft_get(st, a, s, &d, &had);
	if (e || !had)
		return e;
	/* The published text becomes the current revision again, so the
	 * editor's next save is checked against what it shows. */
	struct revision_row *revs;
	size_t n = 0;
	if (store_revision_list(st, a, s->id, &revs, &n))
		return STORY_STORE;
	const char *published = NULL;
	for (size_t i = 0; i < n && !published; i++)
		if (strcmp(revs[i].kind, "publish") == 0)
			published = revs[i].id;
	struct revision_row r = {0};
	id_new(r.id);
	memcpy(r.story_id, s->id, sizeof(r.story_id));
	r.kind = "restore";
	r.title = s->title;
	r.subtitle = s->subtitle;
	r.body = s->body;
	r.word_count = s->word_count;
	if (published)
		snprintf(r.restored_from, sizeof(r.restored_from), "%s", published);
	r.created_at = r.saved_at = clock_now();
	if (store_begin(st))
		return STORY_STORE;
	if (store_draft_delete(st, s->id) || store_revision_add(st, &r) || store_commit(st)) {
		store_rollback(st);
		return STORY_STORE;
	}
	if (out)
		memcpy(out->revision_id, r.id, sizeof(out->revision_id));
	return STORY_OK;
}
