/*
 * export.c - a writer's whole site into one zip (export.h). Reads the
 * store for her alone (every story of hers but the trash, whatever its
 * audience: it is all hers), writes Markdown with front matter, the photo
 * files as stored, and JSON for what is not a story.
 */
#include "porting/export.h"

#include "core/buf.h"
#include "media/media.h"
#include "porting/frontmatter.h"
#include "porting/zip.h"
#include "render/plain.h"
#include "store/store_mail.h"
#include "store/store_media.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT_MAX_PHOTOS 1000 /* photos of one story read back; more than any site allows */

struct exporter {
	struct store *st;
	const struct user_row *u;
	struct zip_out *z;
	const char *root; /* "quire-HANDLE/" */
	struct arena *a;  /* lives as long as the export */
	struct circle_row *circles;
	size_t ncircles;
	json_t *responses;
	struct export_stats *stats;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void fail(struct exporter *x, const char *fmt, ...)
{
	if (x->failed)
		return;
	x->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
}

static const char *circle_name(const struct exporter *x, const char *id)
{
	for (size_t i = 0; id && id[0] && i < x->ncircles; i++)
		if (!strcmp(x->circles[i].id, id))
			return x->circles[i].name;
	return "";
}

static const char *day_of(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return "1970-01-01";
	return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static json_t *json_time(int64_t t)
{
	if (!t)
		return json_null();
	struct buf b;
	buf_init(&b, 64);
	fm_put_time(&b, t);
	json_t *j = json_string(buf_str(&b));
	buf_release(&b);
	return j;
}

static void add_bytes(struct exporter *x, struct arena *a, const char *name, const char *data,
		      size_t len)
{
	char err[300];
	if (!x->failed && !zip_out_add(x->z, arena_printf(a, "%s%s", x->root, name), data, len, false,
				       err, sizeof(err)))
		fail(x, "%s", err);
}

static void add_json(struct exporter *x, struct arena *a, const char *name, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	if (!s) {
		fail(x, "%s could not be written", name);
		return;
	}
	size_t n = strlen(s);
	char *t = arena_alloc(a, n + 2);
	memcpy(t, s, n);
	t[n] = '\n';
	t[n + 1] = '\0';
	free(s);
	add_bytes(x, a, name, t, n + 1);
}

static void put_key(struct buf *b, int indent, const char *key)
{
	for (int i = 0; i < indent; i++)
		buf_addch(b, ' ');
	buf_adds(b, key);
	buf_adds(b, ":");
}

static void put_time(struct buf *b, const char *key, int64_t t)
{
	put_key(b, 0, key);
	buf_addch(b, ' ');
	fm_put_time(b, t);
	buf_addch(b, '\n');
}

static void put_tags(struct buf *b, const char *const *tags, size_t n)
{
	put_key(b, 0, "tags");
	if (!n)
		buf_adds(b, " []");
	buf_addch(b, '\n');
	for (size_t i = 0; i < n; i++) {
		buf_adds(b, "  - ");
		fm_put_str(b, tags[i]);
		buf_addch(b, '\n');
	}
}

/* ---- one story ---- */

struct story_photos {
	struct photo_row *rows;
	const char **rel; /* per photo: its file from the Markdown file, NULL when missing */
	size_t n;
};

static const char *rel_of(void *ctx, const char *id)
{
	struct story_photos *ph = ctx;
	for (size_t i = 0; i < ph->n; i++)
		if (!strcmp(ph->rows[i].id, id))
			return ph->rel[i];
	return NULL;
}

/* body with its photo references pointing at the files (RENDER_EXPORT). */
static const char *body_of(struct exporter *x, struct arena *a, const char *body,
			   struct story_photos *ph)
{
	struct buf b;
	buf_init(&b, 0);
	if (!render_export_refs(body, rel_of, ph, &b))
		fail(x, "a story is larger than an export may hold");
	const char *out = arena_strndup(a, buf_str(&b), b.len);
	buf_release(&b);
	return out;
}

/* Its photos into the zip: static/photos for a public site, _quire/photos
 * for every other. All Markdown files sit two folders deep. */
static void story_photos(struct exporter *x, struct arena *a, const struct story_row *s,
			 struct story_photos *ph)
{
	ph->rows = arena_alloc(a, EXPORT_MAX_PHOTOS * sizeof(*ph->rows));
	ph->n = 0;
	if (store_photo_list(x->st, a, s->id, ph->rows, EXPORT_MAX_PHOTOS, &ph->n)) {
		fail(x, "the database did not answer (photos of \"%s\")", s->title);
		ph->n = 0;
		ph->rel = NULL;
		return;
	}
	ph->rel = arena_alloc(a, (ph->n ? ph->n : 1) * sizeof(*ph->rel));
	memset(ph->rel, 0, (ph->n ? ph->n : 1) * sizeof(*ph->rel));
	bool public_story = s->status == STATUS_PUBLISHED && s->audience == AUDIENCE_PUBLIC;
	for (size_t i = 0; i < ph->n && !x->failed; i++) {
		const struct photo_row *p = &ph->rows[i];
		const char *format = NULL;
		const char *path = media_photo_file(x->st, a, p, &format);
		ph->rel[i] = NULL;
		if (!path) {
			x->stats->missing_photos++;
			continue;
		}
		bool pub = public_story && !strcmp(p->audience, "story") && !p->sensitive;
		const char *file = arena_printf(a, "%s/%s.%s", pub ? "static/photos" : "_quire/photos",
						p->id, strcmp(format, "jpeg") ? "webp" : "jpg");
		char err[300];
		if (!zip_out_add_file(x->z, arena_printf(a, "%s%s", x->root, file), path, true, err,
				      sizeof(err))) {
			fail(x, "%s", err);
			return;
		}
		ph->rel[i] = arena_printf(a, "../../%s", file);
		x->stats->photos++;
	}
}

static void put_photos(struct exporter *x, struct buf *b, const struct story_photos *ph)
{
	size_t shown = 0;
	for (size_t i = 0; i < ph->n; i++)
		shown += ph->rel[i] != NULL;
	put_key(b, 0, "photos");
	buf_adds(b, shown ? "\n" : " []\n");
	for (size_t i = 0; i < ph->n; i++) {
		const struct photo_row *p = &ph->rows[i];
		if (!ph->rel[i])
			continue;
		fm_put_key_str(b, 0, "  - file", ph->rel[i]);
		fm_put_key_str(b, 4, "id", p->id);
		fm_put_key_str(b, 4, "alt", p->alt);
		fm_put_key_str(b, 4, "caption", p->caption);
		fm_put_key_str(b, 4, "audience", p->audience);
		if (!strcmp(p->audience, "circle"))
			fm_put_key_str(b, 4, "circle", circle_name(x, p->circle_id));
		buf_addf(b, "    sensitive: %s\n", p->sensitive ? "true" : "false");
		fm_put_key_str(b, 4, "note", p->note);
		buf_addf(b, "    width: %lld\n    height: %lld\n", (long long)p->width,
			 (long long)p->height);
	}
}

static void story_responses(struct exporter *x, struct arena *a, const struct story_row *s)
{
	struct response_list rl;
	if (store_responses_for_story(x->st, a, s->id, s->author_id, true, &rl)) {
		fail(x, "the database did not answer (responses to \"%s\")", s->title);
		return;
	}
	for (size_t i = 0; i < rl.n; i++) {
		const struct response_row *r = &rl.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(r->id));
		json_object_set_new(o, "story", json_string(s->id));
		json_object_set_new(o, "story_slug", json_string(s->slug));
		json_object_set_new(o, "parent", r->parent_id[0] ? json_string(r->parent_id) : json_null());
		json_object_set_new(o, "author", json_pack("{s:s,s:s}", "handle", r->author_handle ?
							   r->author_handle : "", "name",
							   r->author_name ? r->author_name : ""));
		json_object_set_new(o, "body", json_string(r->body));
		json_object_set_new(o, "status", json_string(response_status_name(r->status)));
		json_object_set_new(o, "held_for", json_string(r->held_for ? r->held_for : ""));
		json_object_set_new(o, "author_blocked", json_boolean(r->author_blocked));
		json_object_set_new(o, "reports", json_integer(r->reports));
		json_object_set_new(o, "created_at", json_time(r->created_at));
		json_object_set_new(o, "edited_at", json_time(r->edited_at));
		json_array_append_new(x->responses, o);
		x->stats->responses++;
	}
}

/* Her pending draft of published story s, into _quire/pending/NAME. */
static const char *story_pending(struct exporter *x, struct arena *a, const struct story_row *s,
				 const char *name, struct story_photos *ph)
{
	struct story_draft_row d;
	enum store_err e = store_draft_get(x->st, a, s->id, &d);
	if (e == STORE_NOT_FOUND)
		return NULL;
	if (e) {
		fail(x, "the database did not answer (the draft of \"%s\")", s->title);
		return NULL;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "---\n");
	fm_put_key_str(&b, 0, "title", d.title);
	fm_put_key_str(&b, 0, "subtitle", d.subtitle);
	put_time(&b, "updated", d.updated_at);
	buf_adds(&b, "draft: true\n");
	fm_put_key_str(&b, 0, "audience", d.audience);
	if (!strcmp(d.audience, "circle"))
		fm_put_key_str(&b, 0, "circle", circle_name(x, d.circle_id));
	fm_put_key_str(&b, 0, "content_note", d.content_note);
	fm_put_key_str(&b, 0, "responses", d.responses);
	fm_put_key_str(&b, 0, "responders", d.responders);
	put_tags(&b, d.tags, d.ntags);
	fm_put_key_str(&b, 0, "pending_of", s->id);
	buf_adds(&b, "---\n");
	buf_adds(&b, body_of(x, a, d.body, ph));
	const char *file = arena_printf(a, "_quire/pending/%s", name);
	if (buf_failed(&b))
		fail(x, "the draft of \"%s\" is larger than an export may hold", s->title);
	add_bytes(x, a, file, buf_str(&b), b.len);
	buf_release(&b);
	x->stats->pending++;
	return arena_printf(a, "../../%s", file);
}

static void export_story(struct exporter *x, const struct story_row *s)
{
	struct arena a;
	arena_init(&a);
	const char **tags = NULL;
	size_t ntags = 0;
	int64_t publish_at = 0;
	if (store_tags_get(x->st, &a, s->id, &tags, &ntags) ||
	    (s->status == STATUS_DRAFT && store_schedule_get(x->st, s->id, &publish_at))) {
		fail(x, "the database did not answer (\"%s\")", s->title);
		arena_release(&a);
		return;
	}
	bool public_post = s->status == STATUS_PUBLISHED && s->audience == AUDIENCE_PUBLIC;
	int64_t date = s->published_at ? s->published_at : s->created_at;
	const char *name = arena_printf(&a, "%s-%s.md", day_of(&a, date), s->slug);
	struct story_photos ph;
	story_photos(x, &a, s, &ph);
	const char *pending = s->status == STATUS_PUBLISHED && !x->failed ?
			      story_pending(x, &a, s, name, &ph) : NULL;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "---\n");
	fm_put_key_str(&b, 0, "title", s->title);
	fm_put_key_str(&b, 0, "subtitle", s->subtitle);
	fm_put_key_str(&b, 0, "slug", s->slug);
	put_time(&b, "date", date);
	put_time(&b, "created", s->created_at);
	put_time(&b, "updated", s->updated_at);
	put_time(&b, "lastmod", s->updated_at);
	if (s->edited_at)
		put_time(&b, "edited", s->edited_at);
	fm_put_key_str(&b, 0, "status", publish_at ? "scheduled" : story_status_name(s->status));
	if (publish_at)
		put_time(&b, "publish_at", publish_at);
	buf_addf(&b, "draft: %s\n", public_post ? "false" : "true");
	fm_put_key_str(&b, 0, "audience", story_audience_name(s->audience));
	if (s->audience == AUDIENCE_CIRCLE)
		fm_put_key_str(&b, 0, "circle", circle_name(x, s->circle_id));
	fm_put_key_str(&b, 0, "content_note", s->content_note);
	fm_put_key_str(&b, 0, "canonical_url", s->canonical_url ? s->canonical_url : "");
	fm_put_key_str(&b, 0, "responses", s->responses);
	fm_put_key_str(&b, 0, "responders", s->responders);
	put_tags(&b, tags, ntags);
	put_photos(x, &b, &ph);
	if (pending)
		fm_put_key_str(&b, 0, "pending", pending);
	fm_put_key_str(&b, 0, "quire_id", s->id);
	buf_adds(&b, "---\n");
	buf_adds(&b, body_of(x, &a, s->body, &ph));
	if (buf_failed(&b))
		fail(x, "\"%s\" is larger than an export may hold", s->title);
	add_bytes(x, &a, arena_printf(&a, "content/%s/%s", public_post ? "_posts" : "_drafts", name),
		  buf_str(&b), b.len);
	buf_release(&b);
	if (!x->failed)
		story_responses(x, &a, s);
	x->stats->stories++;
	arena_release(&a);
}

static void export_stories(struct exporter *x)
{
	struct story_query q = {.viewer_id = x->u->id, .author_id = x->u->id, .limit = 100};
	for (;;) {
		struct arena a;
		arena_init(&a);
		struct story_list l;
		if (store_story_list(x->st, &a, &q, &l)) {
			fail(x, "the database did not answer (her stories)");
			arena_release(&a);
			return;
		}
		for (size_t i = 0; i < l.n && !x->failed; i++)
			export_story(x, &l.items[i]);
		bool more = l.more && l.n && !x->failed;
		if (more) {
			const struct story_row *last = &l.items[l.n - 1];
			q.before_at = last->published_at ? last->published_at : last->created_at;
			q.before_id = arena_strdup(x->a, last->id);
		}
		arena_release(&a);
		if (!more)
			return;
	}
}

/* ---- everything that is not a story ---- */

static json_t *people(const struct member_row *m, size_t n, const char *when)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "handle", m[i].handle, "name",
						     m[i].name, when, json_time(m[i].joined_at)));
	return arr;
}

static void export_circles(struct exporter *x, struct arena *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < x->ncircles && !x->failed; i++) {
		const struct circle_row *c = &x->circles[i];
		struct member_row *m, *inv;
		struct circle_invite_row *links;
		size_t nm, ni, nl;
		if (store_circle_members(x->st, a, c->id, &m, &nm) ||
		    store_circle_invitees(x->st, a, c->id, &inv, &ni) ||
		    store_circle_invites(x->st, a, c->id, &links, &nl)) {
			fail(x, "the database did not answer (circle \"%s\")", c->name);
			break;
		}
		json_t *ja = json_array();
		for (size_t k = 0; k < nl; k++)
			json_array_append_new(ja, json_pack(
				"{s:s,s:I,s:o,s:b,s:o}", "ends_with", links[k].token_tail ?
				links[k].token_tail : "", "uses_left", (json_int_t)links[k].uses_left,
				"expires_at", json_time(links[k].expires_at), "revoked", links[k].revoked,
				"created_at", json_time(links[k].created_at)));
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "id", c->id, "name",
						     c->name, "created_at", json_time(c->created_at),
						     "members", people(m, nm, "joined_at"), "invited",
						     people(inv, ni, "invited_at"), "invite_links", ja));
		x->stats->circles++;
	}
	add_json(x, a, "_quire/circles.json", json_pack("{s:o}", "circles", arr));
}

static void export_subscribers(struct exporter *x, struct arena *a)
{
	struct subscriber_row *rows;
	size_t n;
	if (store_subscribers_of(x->st, a, x->u->id, 10000000, &rows, &n)) {
		fail(x, "the database did not answer (subscribers)");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:o,s:o}", "email", rows[i].email,
						     "status", rows[i].status, "source",
						     rows[i].source ? rows[i].source : "",
						     "created_at", json_time(rows[i].created_at),
						     "confirmed_at", json_time(rows[i].confirmed_at)));
	x->stats->subscribers = n;
	add_json(x, a, "_quire/subscribers.json", json_pack("{s:o}", "subscribers", arr));
}

static void export_settings(struct exporter *x, struct arena *a)
{
	const char *email = "", *dr = "open", *dd = "signed_in";
	const char **muted;
	size_t nmuted;
	struct member_row *blocked, *following;
	size_t nb, nf;
	if (store_user_email_get(x->st, a, x->u->id, &email) ||
	    store_response_defaults(x->st, a, x->u->id, &dr, &dd) ||
	    store_muted_get(x->st, a, x->u->id, &muted, &nmuted) ||
	    store_block_list(x->st, a, x->u->id, &blocked, &nb) ||
	    store_following(x->st, a, x->u->id, &following, &nf)) {
		fail(x, "the database did not answer (settings)");
		return;
	}
	json_t *mw = json_array();
	for (size_t i = 0; i < nmuted; i++)
		json_array_append_new(mw, json_string(muted[i]));
	json_t *o = json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:o},s:{s:s,s:s},s:o,s:o,s:o}",
			      "profile", "handle", x->u->handle, "name", x->u->name, "bio",
			      x->u->bio ? x->u->bio : "", "time_zone",
			      x->u->time_zone ? x->u->time_zone : "", "email", email ? email : "",
			      "joined_at", json_time(x->u->created_at),
			      "responses", "default", dr, "responders", dd,
			      "muted_words", mw, "blocked", people(blocked, nb, "since"),
			      "following", people(following, nf, "since"));
	add_json(x, a, "_quire/settings.json", o);
}

/* A TOML basic string. */
static void toml_str(struct buf *b, const char *s)
{
	buf_addch(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(b, "\\u%04X", *p);
		else
			buf_addch(b, (char)*p);
	}
	buf_addch(b, '"');
}

static void export_site_files(struct exporter *x, struct arena *a)
{
	const char *title = arena_printf(a, "%s", x->u->name && x->u->name[0] ? x->u->name :
					 x->u->handle);
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b, "# @%s's stories, exported from Quire: `hugo` builds the published ones.\n"
		     "title = ", x->u->handle);
	toml_str(&b, title);
	buf_adds(&b, "\n");
	add_bytes(x, a, "hugo.toml", buf_str(&b), b.len);
	buf_reset(&b);
	buf_addf(&b, "# @%s's stories, exported from Quire: `jekyll build` builds the published "
		     "ones.\n", x->u->handle);
	fm_put_key_str(&b, 0, "title", title);
	buf_adds(&b, "exclude:\n  - \"quire.json\"\n  - \"hugo.toml\"\n");
	add_bytes(x, a, "_config.yml", buf_str(&b), b.len);
	buf_release(&b);
}

const char *export_file_name(struct arena *a, const struct user_row *u, int64_t now)
{
	return arena_printf(a, "quire-%s-%s.zip", u->handle, day_of(a, now));
}

bool export_user(struct store *st, const struct user_row *u, const char *path,
		 struct export_stats *stats, char *err, size_t errlen)
{
	memset(stats, 0, sizeof(*stats));
	struct arena a;
	arena_init(&a);
	struct exporter x = {.st = st, .u = u, .a = &a, .stats = stats, .err = err, .errlen = errlen,
			     .root = arena_printf(&a, "quire-%s/", u->handle)};
	x.z = zip_out_open(path, err, errlen);
	if (!x.z) {
		arena_release(&a);
		return false;
	}
	x.responses = json_array();
	if (store_circle_list(st, &a, u->id, &x.circles, &x.ncircles))
		fail(&x, "the database did not answer (circles)");
	if (!x.failed)
		export_stories(&x);
	if (!x.failed)
		add_json(&x, &a, "_quire/responses.json", json_pack("{s:O}", "responses", x.responses));
	if (!x.failed)
		export_circles(&x, &a);
	if (!x.failed)
		export_subscribers(&x, &a);
	if (!x.failed)
		export_settings(&x, &a);
	if (!x.failed)
		export_site_files(&x, &a);
	if (!x.failed) {
		int64_t now = (int64_t)time(NULL);
		add_json(&x, &a, "quire.json", json_pack(
			"{s:s,s:i,s:s,s:s,s:o,s:I,s:I,s:I}", "format", EXPORT_FORMAT, "version",
			EXPORT_VERSION, "generator", "Quire", "handle", u->handle, "exported_at",
			json_time(now), "stories", (json_int_t)stats->stories, "photos",
			(json_int_t)stats->photos, "missing_photos", (json_int_t)stats->missing_photos));
	}
	json_decref(x.responses);
	bool ok = !x.failed;
	if (ok) {
		ok = zip_out_close(x.z, err, errlen);
	} else {
		zip_out_discard(x.z);
	}
	arena_release(&a);
	return ok;
}
