/*
 * stories.c - the rules of a story: what a valid title and body are,
 * rendering at save time, slug choice and history, publication dates.
 */
#include "stories/stories.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/text.h"
#include "audience/audience.h"
#include "render/plain.h"
#include "responses/responses.h"
#include "core/clock.h"
#include "stories/desk.h"
#include "stories/markdown.h"

#include <stdio.h>
#include <string.h>

const char *story_strerror(enum story_err e)
{
	switch (e) {
	case STORY_OK: return "ok";
	case STORY_BAD_TITLE: return "A title is 1 to 200 characters, on one line.";
	case STORY_BAD_SUBTITLE: return "A subtitle is at most 300 characters, on one line.";
	case STORY_BAD_BODY: return "The story text is not valid UTF-8 text.";
	case STORY_BODY_TOO_LARGE: return "The story text is longer than 512 KiB.";
	case STORY_BAD_STATUS: return "Status is \"draft\" or \"published\".";
	case STORY_BAD_AUDIENCE:
		return "Audience is \"public\", \"unlisted\", \"circle\" or \"private\".";
	case STORY_BAD_CIRCLE: return "Choose one of your circles for a circle story.";
	case STORY_BAD_NOTE: return "A content note is at most 300 characters, on one line.";
	case STORY_BAD_TAGS:
		return "Up to 5 tags, each 1 to 30 letters, digits or hyphens.";
	case STORY_BAD_RESPONSES:
		return "Responses are \"open\", \"approval\" or \"off\"; responders are "
		       "\"signed_in\" or \"circle\".";
	case STORY_CONFLICT:
		return "This story was changed in another tab or window since you opened it. "
		       "Your text was not lost: it is kept in the story's history.";
	case STORY_STORE: return "The story could not be saved. Nothing was lost; please try again.";
	}
	return "unknown error";
}

static bool line_ok(const char *s, size_t max_chars, bool required)
{
	size_t n = strlen(s);
	if (required && n == 0)
		return false;
	return utf8_valid(s, n) && !text_has_controls(s, n, false) && utf8_count(s, n) <= max_chars;
}

/* Trim surrounding white space into the arena. */
static const char *trim(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
		s++;
		n--;
	}
	return arena_strndup(a, s, n);
}

enum story_err story_validate(struct arena *a, struct story_input *in)
{
	if (in->title) {
		in->title = trim(a, in->title);
		if (!line_ok(in->title, TITLE_MAX_CHARS, true))
			return STORY_BAD_TITLE;
	}
	if (in->subtitle) {
		in->subtitle = trim(a, in->subtitle);
		if (!line_ok(in->subtitle, SUBTITLE_MAX_CHARS, false))
			return STORY_BAD_SUBTITLE;
	}
	if (in->body) {
		size_t n = strlen(in->body);
		if (n > MD_MAX_BYTES)
			return STORY_BODY_TOO_LARGE;
		/* Control characters other than tab and newlines have no place
		 * in prose, and would make feeds invalid XML. */
		if (!utf8_valid(in->body, n) || text_has_controls(in->body, n, true))
			return STORY_BAD_BODY;
		/* One kind of line end: a form's textarea sends CRLF, the
		 * editor script and most API clients LF; the same text must
		 * compare equal (revisions, diffs, conflict checks). */
		if (memchr(in->body, '\r', n)) {
			char *b = arena_alloc(a, n + 1), *o = b;
			for (const char *p = in->body; *p; p++) {
				if (*p == '\r') {
					*o++ = '\n';
					if (p[1] == '\n')
						p++;
				} else {
					*o++ = *p;
				}
			}
			*o = '\0';
			in->body = b;
		}
	}
	if (in->status && strcmp(in->status, "draft") != 0 && strcmp(in->status, "published") != 0)
		return STORY_BAD_STATUS;
	if (in->audience && !audience_valid(in->audience))
		return STORY_BAD_AUDIENCE;
	if (!responses_policy_valid(in->responses, in->responders))
		return STORY_BAD_RESPONSES;
	if (in->tags) {
		if (in->ntags > STORY_MAX_TAGS)
			return STORY_BAD_TAGS;
		const char **norm = arena_alloc(a, (in->ntags ? in->ntags : 1) * sizeof(*norm));
		size_t k = 0;
		for (size_t i = 0; i < in->ntags; i++) {
			const char *t = tag_normalise(a, in->tags[i]);
			if (!t)
				return STORY_BAD_TAGS;
			bool dup = false;
			for (size_t j = 0; j < k; j++)
				dup = dup || strcmp(norm[j], t) == 0;
			if (!dup)
				norm[k++] = t;
		}
		in->tags = norm;
		in->ntags = k;
	}
	if (in->content_note) {
		in->content_note = trim(a, in->content_note);
		if (!line_ok(in->content_note, NOTE_MAX_CHARS, false))
			return STORY_BAD_NOTE;
	}
	return STORY_OK;
}

/* Settle audience, circle and share key on n (the row to be saved). */
enum story_err story_apply_audience(struct store *st, struct arena *a, struct story_row *n,
				    const struct story_input *in)
{
	/* Validated already (story_validate): the names parse. */
	if (in->audience && !story_audience_parse(in->audience, &n->audience))
		return STORY_BAD_AUDIENCE;
	if (in->circle_id) {
		if (in->circle_id[0] && !id_valid(in->circle_id))
			return STORY_BAD_CIRCLE;
		snprintf(n->circle_id, sizeof(n->circle_id), "%s", in->circle_id);
	}
	if (n->audience == AUDIENCE_CIRCLE) {
		struct circle_row c;
		if (!n->circle_id[0] || store_circle_get(st, a, n->circle_id, &c) ||
		    strcmp(c.owner_id, n->author_id) != 0)
			return STORY_BAD_CIRCLE;
	} else {
		n->circle_id[0] = '\0';
	}
	if (n->audience == AUDIENCE_UNLISTED && !n->share_key[0])
		id_new(n->share_key);
	else if (n->audience != AUDIENCE_UNLISTED)
		n->share_key[0] = '\0'; /* leaving unlisted retires the link */
	if (in->content_note)
		n->content_note = in->content_note;
	if (in->responses)
		n->responses = in->responses;
	if (in->responders)
		n->responders = in->responders;
	return STORY_OK;
}

/* Render body into s->body_html, s->excerpt, s->word_count. */
static enum story_err render(struct arena *a, struct story_row *s)
{
	struct buf html, ex;
	buf_init(&html, 8 * MD_MAX_BYTES);
	buf_init(&ex, 4096);
	size_t n = strlen(s->body);
	enum md_err e = md_render(s->body, n, &html);
	if (e) {
		buf_release(&html);
		buf_release(&ex);
		return e == MD_TOO_LARGE ? STORY_BODY_TOO_LARGE : STORY_BAD_BODY;
	}
	/* Plain text never carries a photo (render/render.h). */
	render_plain(s->body, n, RENDER_EXCERPT, EXCERPT_CHARS, &ex);
	s->body_html = arena_strndup(a, buf_str(&html), html.len);
	s->excerpt = arena_strndup(a, buf_str(&ex), ex.len);
	struct buf txt;
	buf_init(&txt, 2 * MD_MAX_BYTES);
	render_plain(s->body, n, RENDER_SEARCH, 0, &txt);
	s->search_text = arena_strndup(a, buf_str(&txt), txt.len);
	buf_release(&txt);
	s->word_count = (int64_t)text_word_count(s->body, n);
	buf_release(&html);
	buf_release(&ex);
	return STORY_OK;
}

/* A slug for title not used by another of the author's stories. */
static enum story_err pick_slug(struct store *st, struct arena *a, const char *author_id,
				const char *story_id, const char *title, const char **out)
{
	const char *base = slug_from_title(a, title, strlen(title));
	for (int i = 1; i < 1000; i++) {
		const char *cand = i == 1 ? base : arena_printf(a, "%s-%d", base, i);
		bool taken;
		if (store_story_slug_taken(st, author_id, cand, story_id, &taken))
			return STORY_STORE;
		if (!taken) {
			*out = cand;
			return STORY_OK;
		}
	}
	/* Pathological: fall back to something certainly unique. */
	char rnd[17];
	id_new(rnd);
	*out = arena_printf(a, "%s-%s", base, rnd);
	return STORY_OK;
}

static story_save_hook save_hook;

void story_set_save_hook(story_save_hook fn)
{
	save_hook = fn;
}

static story_delete_hook delete_hook;

void story_set_delete_hook(story_delete_hook fn)
{
	delete_hook = fn;
}

static story_retag_hook retag_hook;

void story_set_retag_hook(story_retag_hook fn)
{
	retag_hook = fn;
}

static story_restore_hook restore_hook;

void story_set_restore_hook(story_restore_hook fn)
{
	restore_hook = fn;
}

enum store_err story_untrash(struct store *st, struct arena *a, const char *id,
			     const char *author_id)
{
	if (store_begin(st))
		return STORE_ERROR;
	struct story_row s;
	enum store_err e = store_trash_restore(st, id, author_id);
	if (!e)
		e = store_story_get(st, a, id, &s);
	if (!e && restore_hook && restore_hook(st, a, &s))
		e = STORE_ERROR;
	if (e || store_commit(st)) {
		store_rollback(st);
		return e ? e : STORE_ERROR;
	}
	return STORE_OK;
}

/* Whether tags (n of them, normalised, each once) are another set than
 * story_id's now (in any order: they are kept in their own). */
static bool tags_differ(struct store *st, struct arena *a, const char *story_id,
			const char *const *tags, size_t n)
{
	const char **had;
	size_t nh;
	if (store_tags_get(st, a, story_id, &had, &nh) || nh != n)
		return true;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < nh && !found; k++)
			found = !strcmp(had[k], tags[i]);
		if (!found)
			return true;
	}
	return false;
}

enum story_err story_trash(struct store *st, struct arena *a, const struct story_row *s)
{
	if (store_begin(st))
		return STORY_STORE;
	if (store_story_delete(st, s->id, clock_now()) || (delete_hook && delete_hook(st, a, s)) ||
	    store_commit(st)) {
		store_rollback(st);
		return STORY_STORE;
	}
	return STORY_OK;
}

static bool hook_ok(struct store *st, struct arena *a, const struct story_row *before,
		    const struct story_row *after, int email)
{
	return !save_hook || save_hook(st, a, before, after, email) == 0;
}

enum story_err story_create(struct store *st, struct arena *a, const struct user_row *author,
			    const struct story_input *in, struct story_row *out)
{
	return story_create_desk(st, a, author, in, NULL, out);
}

enum story_err story_create_desk(struct store *st, struct arena *a, const struct user_row *author,
				 const struct story_input *in_, const struct desk_save *ds,
				 struct story_row *out)
{
	struct story_input in = *in_;
	if (!in.title)
		return STORY_BAD_TITLE;
	enum story_err e = story_validate(a, &in);
	if (e)
		return e;
	struct story_row s = {0};
	id_new(s.id);
	memcpy(s.author_id, author->id, sizeof(s.author_id));
	s.title = in.title;
	s.subtitle = in.subtitle ? in.subtitle : "";
	s.body = in.body ? in.body : "";
	s.status = STATUS_DRAFT;
	if (in.status && !story_status_parse(in.status, &s.status))
		return STORY_BAD_STATUS;
	s.created_at = s.updated_at = clock_now();
	if (s.status == STATUS_PUBLISHED)
		s.published_at = s.created_at;
	const struct story_import *im = in.import;
	s.canonical_url = im && im->canonical_url ? im->canonical_url : "";
	int64_t now = s.created_at;
	if (im && im->published_at > 0 && im->published_at < s.created_at) {
		s.created_at = im->published_at;
		if (s.status == STATUS_PUBLISHED)
			s.published_at = im->published_at;
	}
	if (im && im->created_at > 0 && im->created_at <= now &&
	    (!s.published_at || im->created_at <= s.published_at))
		s.created_at = im->created_at;
	if (im && im->updated_at >= s.created_at && im->updated_at <= now)
		s.updated_at = im->updated_at;
	if (im && s.published_at && im->edited_at >= s.published_at && im->edited_at <= now)
		s.edited_at = im->edited_at;
	s.author_handle = author->handle;
	s.author_name = author->name;
	s.audience = AUDIENCE_PUBLIC;
	s.content_note = "";
	if (store_response_defaults(st, a, author->id, &s.responses, &s.responders)) {
		s.responses = "open";
		s.responders = "signed_in";
	}
	if ((e = story_apply_audience(st, a, &s, &in)))
		return e;
	if ((e = render(a, &s)))
		return e;
	if (store_begin(st))
		return STORY_STORE;
	const char *slug_from = im && im->slug && im->slug[0] ? im->slug : s.title;
	if ((e = pick_slug(st, a, s.author_id, s.id, slug_from, &s.slug)) ||
	    store_story_insert(st, &s) || desk_on_create(st, a, &s, ds) ||
	    (im && store_import_source_add(st, s.author_id, im->source, im->source_id, s.id,
					   now)) ||
	    (in.tags && store_tags_set(st, s.id, in.tags, in.ntags)) ||
	    !hook_ok(st, a, NULL, &s, in.email) || store_commit(st)) {
		store_rollback(st);
		return STORY_STORE;
	}
	if (ds && ds->set_schedule)
		desk_scheduler_poke();
	*out = s;
	return STORY_OK;
}

enum story_err story_update(struct store *st, struct arena *a, struct story_row *s,
			    const struct story_input *in)
{
	return story_save(st, a, s, in, NULL, NULL);
}

enum story_err story_save(struct store *st, struct arena *a, struct story_row *s,
			  const struct story_input *in_, const struct desk_save *ds_,
			  struct desk_result *out)
{
	bool was_live = s->status == STATUS_PUBLISHED;
	/* Nothing the editor saves reaches readers of a published story. */
	if (ds_ && ds_->held && !in_->status && was_live)
		return story_draft_save(st, a, s, in_, ds_, out);
	struct story_input in = *in_;
	struct desk_save dsv = {0};
	if (ds_)
		dsv = *ds_;
	const struct desk_save *ds = &dsv;
	struct story_draft_row d; /* outlives the block: in points into it */
	/* Unpublishing: the pending draft becomes the story's text, under
	 * whatever this save sets itself. */
	if (was_live && in.status && strcmp(in.status, "draft") == 0) {
		bool had = false;
		enum story_err de = story_draft_get(st, a, s, &d, &had);
		if (de)
			return de;
		if (had) {
			struct story_input din = story_draft_input(&d);
			const char **f[] = {&in.title, &in.subtitle, &in.body, &in.audience,
					    &in.circle_id, &in.content_note, &in.responses,
					    &in.responders};
			const char *const *g[] = {&din.title, &din.subtitle, &din.body,
						  &din.audience, &din.circle_id, &din.content_note,
						  &din.responses, &din.responders};
			for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
				if (!*f[i])
					*f[i] = *g[i];
			if (!in.tags) {
				in.tags = din.tags;
				in.ntags = din.ntags;
			}
			dsv.drop_draft = true;
		}
	}
	enum story_err e = story_validate(a, &in);
	if (e)
		return e;
	struct story_row n = *s;
	bool content_changed = false;
	if (in.title && strcmp(in.title, s->title) != 0) {
		n.title = in.title;
		content_changed = true;
	}
	if (in.subtitle && strcmp(in.subtitle, s->subtitle) != 0) {
		n.subtitle = in.subtitle;
		content_changed = true;
	}
	if (in.body && strcmp(in.body, s->body) != 0) {
		n.body = in.body;
		content_changed = true;
		if ((e = render(a, &n)))
			return e;
	}
	if (in.status && !story_status_parse(in.status, &n.status))
		return STORY_BAD_STATUS;
	if ((e = story_apply_audience(st, a, &n, &in)))
		return e;
	int64_t now = clock_now();
	bool was_published = s->status == STATUS_PUBLISHED;
	bool publish = n.status == STATUS_PUBLISHED;
	if (publish && n.published_at == 0)
		n.published_at = now;
	if (content_changed && was_published && publish)
		n.edited_at = now;
	n.updated_at = now;

	if (store_begin(st))
		return STORY_STORE;
	if ((e = desk_check_base(st, a, s, &in, ds, out))) {
		/* Refused, but the refused text is kept: commit that. */
		if (e != STORY_CONFLICT || store_commit(st))
			goto fail;
		return e;
	}
	if (in.title && strcmp(slug_from_title(a, n.title, strlen(n.title)), s->slug) != 0) {
		/* The title changed its slug: move, and keep the old one
		 * redirecting here. */
		const char *slug;
		if ((e = pick_slug(st, a, n.author_id, n.id, n.title, &slug)))
			goto fail;
		if (strcmp(slug, s->slug) != 0) {
			if (store_story_slug_remember(st, n.author_id, s->slug, n.id))
				goto fail;
			n.slug = slug;
		}
	}
	bool retagged = in.tags && tags_differ(st, a, n.id, in.tags, in.ntags);
	if (store_story_update(st, &n) ||
	    desk_on_update(st, a, s, &n, &in, content_changed, ds, out) ||
	    (ds->drop_draft && store_draft_delete(st, n.id)) ||
	    (in.tags && store_tags_set(st, n.id, in.tags, in.ntags)) ||
	    !hook_ok(st, a, s, &n, in.email) || (retagged && retag_hook && retag_hook(st, a, s, &n)) ||
	    store_commit(st))
		goto fail;
	*s = n;
	desk_scheduler_poke(); /* after the commit, or it could miss it */
	return STORY_OK;
fail:
	store_rollback(st);
	return STORY_STORE;
}

const char *tag_normalise(struct arena *a, const char *t)
{
	if (!t)
		return NULL;
	size_t n = strlen(t);
	while (n && (*t == ' ' || *t == '#')) {
		t++;
		n--;
	}
	while (n && t[n - 1] == ' ')
		n--;
	if (n == 0 || n > 30)
		return NULL;
	char *o = arena_strndup(a, t, n);
	for (size_t i = 0; i < n; i++) {
		char c = o[i];
		if (c >= 'A' && c <= 'Z')
			o[i] = (char)(c - 'A' + 'a');
		else if (c == ' ' || c == '_')
			o[i] = '-';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return NULL;
	}
	return o;
}

int story_reading_minutes(int64_t words)
{
	int64_t m = (words + 229) / 230;
	return m < 1 ? 1 : (int)m;
}

const char *story_path(struct arena *a, const struct story_row *s)
{
	if (s->audience == AUDIENCE_UNLISTED && s->share_key[0])
		return arena_printf(a, "/u/%s", s->share_key);
	return arena_printf(a, "/@%s/%s", s->author_handle, s->slug);
}

enum story_err story_backfill_text(struct store *st)
{
	char ids[64][17];
	const char *bodies[64];
	for (;;) {
		struct arena a;
		arena_init(&a);
		size_t n = 0;
		if (store_story_text_missing(st, &a, ids, bodies, 64, &n)) {
			arena_release(&a);
			return STORY_STORE;
		}
		/* One transaction per batch, not a sync per story: a site of a
		 * million stories from before search text is filled in minutes. */
		enum store_err e = n ? store_begin(st) : STORE_OK;
		for (size_t i = 0; !e && i < n; i++) {
			struct buf txt;
			buf_init(&txt, 2 * MD_MAX_BYTES);
			render_plain(bodies[i], strlen(bodies[i]), RENDER_SEARCH, 0, &txt);
			e = store_story_text_set(st, ids[i], buf_str(&txt));
			buf_release(&txt);
		}
		if (n && !e)
			e = store_commit(st);
		else if (n)
			store_rollback(st);
		if (e) {
			arena_release(&a);
			return STORY_STORE;
		}
		arena_release(&a);
		if (n < 64)
			return STORY_OK;
	}
}
