/*
 * test_store.c - the store conformance suite: the contract of store.h
 * (and store_media.h), function by function, against a real backend, and
 * the SQL forms of rules (the audience rule, the share-card photo rule)
 * against their C predicates in audience/ on generated data.
 *
 * It runs on every backend the build has (store_backends.h: SQLite, and
 * PostgreSQL when QUIRE_TEST_PG names a test cluster), each time on a new
 * database. Only the interface is used: no SQL, no backend header. The
 * other test_store_*.c programs hold the rest of the contract the same way.
 */
#include "audience/audience.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "store/store.h"
#include "store/store_media.h"
#include "tap.h"
#include "store_backends.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;

static void new_user(struct user_row *u, const char *handle)
{
	memset(u, 0, sizeof(*u));
	id_new(u->id);
	u->handle = handle;
	u->name = handle;
	u->bio = "";
	u->password_hash = "x";
	u->created_at = NOW;
	u->time_zone = "";
}

static void new_story(struct story_row *s, const struct user_row *author, const char *slug,
		      const char *status, const char *audience, const char *circle_id)
{
	memset(s, 0, sizeof(*s));
	id_new(s->id);
	memcpy(s->author_id, author->id, sizeof(s->author_id));
	s->slug = slug;
	s->title = slug;
	s->subtitle = "";
	s->body = "body";
	s->body_html = "<p>body</p>";
	s->excerpt = "body";
	s->search_text = arena_printf(&A, "searchable zqs %s", slug);
	s->word_count = 1;
	if (!story_status_parse(status, &s->status) || !story_audience_parse(audience, &s->audience))
		ok(0, "names %s/%s parse", status, audience);
	s->published_at = strcmp(status, "published") == 0 ? NOW : 0;
	s->created_at = s->updated_at = NOW++;
	if (circle_id)
		memcpy(s->circle_id, circle_id, sizeof(s->circle_id));
	if (strcmp(audience, "unlisted") == 0)
		id_new(s->share_key);
	s->content_note = "";
	s->responses = "open";
	s->responders = "signed_in";
}

/* Token hashes are SHA-256 in hex, 64 characters (store.h). */
#define HASH1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HASH2 "2222222222222222222222222222222222222222222222222222222222222222"

static void test_users_settings_sessions(void)
{
	struct user_row u, got, dup;
	new_user(&u, "ann");
	ok(store_user_insert(st, &u) == STORE_OK, "user insert");
	new_user(&dup, "ann");
	ok(store_user_insert(st, &dup) == STORE_CONFLICT, "a taken handle is STORE_CONFLICT");
	ok(store_user_by_handle(st, &A, "ann", &got) == STORE_OK && !strcmp(got.id, u.id),
	   "user by handle");
	ok(store_user_by_id(st, &A, u.id, &got) == STORE_OK && !strcmp(got.handle, "ann"), "by id");
	ok(store_user_by_handle(st, &A, "nobody", &got) == STORE_NOT_FOUND, "unknown handle");
	int64_t n = 0;
	ok(store_user_count(st, &n) == STORE_OK && n == 1, "user count");
	ok(store_user_set_time_zone(st, u.id, "Europe/Paris") == STORE_OK &&
	   store_user_by_id(st, &A, u.id, &got) == STORE_OK && !strcmp(got.time_zone, "Europe/Paris"),
	   "time zone");
	ok(store_user_update_profile(st, u.id, "Ann B", "bio") == STORE_OK &&
	   store_user_by_id(st, &A, u.id, &got) == STORE_OK && !strcmp(got.name, "Ann B"), "profile");

	char *v = NULL;
	ok(store_setting_get(st, &A, "k", &v) == STORE_NOT_FOUND, "missing setting");
	ok(store_setting_set(st, "k", "1") == STORE_OK && store_setting_get(st, &A, "k", &v) == STORE_OK &&
	   !strcmp(v, "1"), "setting set/get");
	ok(store_setting_init(st, &A, "k", "2", &v) == STORE_OK && !strcmp(v, "1"),
	   "setting init keeps the first value");

	struct session_row sess;
	struct user_row su;
	ok(store_session_insert(st, HASH1, u.id, "web", NOW, NOW + 100) == STORE_OK, "session insert");
	ok(store_session_user(st, &A, HASH1, &sess, &su) == STORE_OK && !strcmp(su.id, u.id) &&
	   !strcmp(sess.kind, "web"), "session and its user in one read");
	ok(store_session_touch(st, HASH1, NOW + 5) == STORE_OK, "touch");
	ok(store_session_delete(st, HASH1) == STORE_OK &&
	   store_session_user(st, &A, HASH1, &sess, &su) == STORE_NOT_FOUND, "deleted session is gone");

	ok(store_invite_insert(st, HASH2, u.id, NOW, NOW + 100) == STORE_OK, "invite insert");
	ok(store_invite_check(st, HASH2, NOW) == STORE_OK, "invite live");
	ok(store_invite_check(st, HASH2, NOW + 200) == STORE_NOT_FOUND, "invite expired");
	ok(store_invite_use(st, HASH2, u.id, NOW) == STORE_OK, "invite used");
	ok(store_invite_use(st, HASH2, u.id, NOW) == STORE_NOT_FOUND, "a used invite is spent");
}

static void test_stories(void)
{
	struct user_row u;
	ok(store_user_by_handle(st, &A, "ann", &u) == STORE_OK, "writer");
	struct story_row s, got;
	new_story(&s, &u, "first", "draft", "public", NULL);
	ok(store_story_insert(st, &s) == STORE_OK, "story insert");
	ok(store_story_get(st, &A, s.id, &got) == STORE_OK && !strcmp(got.slug, "first") &&
	   !strcmp(got.author_handle, "ann") && got.search_text == NULL,
	   "story get (joined author; search text never read back)");
	struct story_row clash;
	new_story(&clash, &u, "first", "draft", "public", NULL);
	ok(store_story_insert(st, &clash) == STORE_CONFLICT, "a taken slug is STORE_CONFLICT");
	got.title = "First, renamed";
	got.slug = "first-renamed";
	got.status = STATUS_PUBLISHED;
	got.published_at = NOW;
	ok(store_story_update(st, &got) == STORE_OK, "story update");
	ok(store_story_slug_remember(st, u.id, "first", s.id) == STORE_OK, "old slug kept");
	char id[17];
	ok(store_story_old_slug(st, u.id, "first", id) == STORE_OK && !strcmp(id, s.id), "old slug");
	bool taken = false;
	ok(store_story_slug_taken(st, u.id, "first", "0000000000000000", &taken) == STORE_OK && taken,
	   "a former slug stays taken");
	ok(store_story_by_slug(st, &A, u.id, "first-renamed", &got) == STORE_OK &&
	   !strcmp(got.title, "First, renamed"), "by slug");

	const char *tags[] = {"grief", "spring"};
	const char **t;
	size_t nt = 0;
	ok(store_tags_set(st, s.id, tags, 2) == STORE_OK && store_tags_get(st, &A, s.id, &t, &nt) ==
	   STORE_OK && nt == 2, "tags");

	/* Held edits. */
	struct story_draft_row d = {0}, dg;
	memcpy(d.story_id, s.id, sizeof(d.story_id));
	d.title = "Draft title";
	d.body = "draft body";
	d.audience = "circle";
	d.responses = "open";
	d.responders = "signed_in";
	d.tags = tags;
	d.ntags = 2;
	d.updated_at = NOW;
	ok(store_draft_get(st, &A, s.id, &dg) == STORE_NOT_FOUND, "no draft yet");
	ok(store_draft_put(st, &d) == STORE_OK && store_draft_get(st, &A, s.id, &dg) == STORE_OK &&
	   !strcmp(dg.title, "Draft title") && dg.ntags == 2 && !strcmp(dg.tags[1], "spring"),
	   "draft put/get, tags kept in order");
	d.title = "Again";
	ok(store_draft_put(st, &d) == STORE_OK && store_draft_get(st, &A, s.id, &dg) == STORE_OK &&
	   !strcmp(dg.title, "Again"), "draft put replaces");
	ok(store_story_get(st, &A, s.id, &got) == STORE_OK && !strcmp(got.title, "First, renamed"),
	   "a draft never touches the live row");
	ok(store_draft_delete(st, s.id) == STORE_OK && store_draft_delete(st, s.id) == STORE_OK &&
	   store_draft_get(st, &A, s.id, &dg) == STORE_NOT_FOUND, "draft delete (idempotent)");

	/* Revisions. */
	struct revision_row r = {0}, cur;
	id_new(r.id);
	memcpy(r.story_id, s.id, sizeof(r.story_id));
	r.kind = "create";
	r.title = "t";
	r.body = "b";
	r.created_at = NOW;
	ok(store_revision_add(st, &r) == STORE_OK, "revision add");
	struct revision_row r2 = r;
	id_new(r2.id);
	r2.kind = "conflict";
	ok(store_revision_add(st, &r2) == STORE_OK && store_revision_current(st, &A, s.id, &cur) ==
	   STORE_OK && !strcmp(cur.id, r.id), "a conflict revision never becomes current");
	struct revision_row *revs;
	size_t nr = 0;
	ok(store_revision_list(st, &A, s.id, &revs, &nr) == STORE_OK && nr == 2 && revs[0].seq == 2,
	   "revision list, newest first");

	/* Schedule, trash. */
	struct story_row sch;
	new_story(&sch, &u, "later", "draft", "public", NULL);
	ok(store_story_insert(st, &sch) == STORE_OK && store_schedule_set(st, sch.id, NOW + 50) == STORE_OK,
	   "schedule set");
	int64_t at = 0;
	ok(store_schedule_get(st, sch.id, &at) == STORE_OK && at == NOW + 50, "schedule get");
	ok(store_schedule_next(st, &at) == STORE_OK && at == NOW + 50, "next due");
	char due[4][17];
	size_t ndue = 0;
	ok(store_schedule_due(st, NOW + 60, due, 4, &ndue) == STORE_OK && ndue == 1, "due");
	ok(store_story_delete(st, sch.id, NOW) == STORE_OK &&
	   store_story_get(st, &A, sch.id, &got) == STORE_NOT_FOUND, "a deleted story is gone");
	struct trash_row *tr;
	size_t ntr = 0;
	ok(store_trash_list(st, &A, u.id, &tr, &ntr) == STORE_OK && ntr == 1, "in the trash");
	ok(store_trash_restore(st, sch.id, u.id) == STORE_OK &&
	   store_story_get(st, &A, sch.id, &got) == STORE_OK, "restored");

	/* Search reads the search text, never the body. */
	struct story_list l;
	const char **snips;
	ok(store_search(st, &A, NULL, "\"zqs\"", 10, &l, &snips) == STORE_OK && l.n == 1 &&
	   !strcmp(l.items[0].id, s.id) && strstr(snips[0], "\x02zqs\x03"),
	   "search finds published search text, marks the match");
	ok(store_search(st, &A, NULL, "\"body\"", 10, &l, &snips) == STORE_OK && l.n == 0,
	   "the Markdown body is not what search reads");
}

/* ---- the audience rule: SQL (listings) against C (single stories) ---- */

#define NU 6
#define NS 40

static void test_audience_rule_agrees(void)
{
	struct user_row users[NU];
	static const char *const handles[NU] = {"w1", "w2", "r1", "r2", "r3", "r4"};
	for (int i = 0; i < NU; i++) {
		new_user(&users[i], handles[i]);
		if (store_user_insert(st, &users[i]))
			return;
	}
	/* Each writer has two circles; readers are members of some, blocked by some. */
	struct circle_row circles[4];
	for (int i = 0; i < 4; i++) {
		memset(&circles[i], 0, sizeof(circles[i]));
		id_new(circles[i].id);
		memcpy(circles[i].owner_id, users[i / 2].id, sizeof(circles[i].owner_id));
		circles[i].name = "c";
		circles[i].created_at = NOW;
		ok(store_circle_insert(st, &circles[i]) == STORE_OK, "circle %d", i);
	}
	unsigned seed = 12345;
	for (int c = 0; c < 4; c++)
		for (int r = 2; r < NU; r++)
			if ((seed = seed * 1103515245 + 12345) >> 16 & 1)
				ok(store_circle_member_add(st, circles[c].id, users[r].id, NOW) == STORE_OK,
				   "member");
	ok(store_block_add(st, users[0].id, users[3].id, NOW) == STORE_OK, "block");
	ok(store_block_add(st, users[1].id, users[4].id, NOW) == STORE_OK, "block");
	static const char *const auds[] = {"public", "unlisted", "circle", "private"};
	struct story_row stories[NS];
	for (int i = 0; i < NS; i++) {
		seed = seed * 1103515245 + 12345;
		int w = (seed >> 16) & 1, aud = (seed >> 17) & 3, circ = (seed >> 19) & 1;
		const char *status = (seed >> 20) % 3 == 0 ? "draft" : "published";
		new_story(&stories[i], &users[w], arena_printf(&A, "gen-%d", i), status, auds[aud],
			  aud == 2 ? circles[w * 2 + circ].id : NULL);
		ok(store_story_insert(st, &stories[i]) == STORE_OK, "generated story %d", i);
	}
	int disagreements = 0, checked = 0;
	for (int v = -1; v < NU; v++) {
		const char *vid = v < 0 ? NULL : users[v].id;
		struct story_query q = {.viewer_id = vid, .limit = 100};
		struct story_list l;
		if (store_story_list(st, &A, &q, &l))
			return;
		for (int i = 0; i < NS; i++) {
			struct story_row got;
			if (store_story_get(st, &A, stories[i].id, &got))
				return;
			bool listed = false;
			for (size_t k = 0; k < l.n; k++)
				listed = listed || !strcmp(l.items[k].id, stories[i].id);
			/* Unlisted stories are never listed for others: the C rule
			 * without the key says no to them too. */
			bool c = audience_may_see_story(st, vid, &got);
			checked++;
			if (listed != c) {
				disagreements++;
				printf("# viewer %d story %d (%s %s): SQL %d, C %d\n", v, i, story_status_name(got.status),
				       story_audience_name(got.audience), listed, c);
			}
		}
	}
	ok(disagreements == 0 && checked == (NU + 1) * NS,
	   "AUDIENCE_SQL and audience_may_see_story agree on %d cases", checked);
}

/* ---- the share-card photo rule: SQL against C ---- */

static void test_share_photo_rule(void)
{
	struct user_row u;
	new_user(&u, "pw");
	if (store_user_insert(st, &u))
		return;
	struct circle_row c = {0};
	id_new(c.id);
	memcpy(c.owner_id, u.id, sizeof(c.owner_id));
	c.name = "c";
	if (store_circle_insert(st, &c))
		return;
	struct story_row s;
	new_story(&s, &u, "with-photos", "published", "public", NULL);
	if (store_story_insert(st, &s))
		return;
	/* In order: sensitive, circle, private, then one for everyone. */
	const char *auds[] = {"story", "circle", "private", "story"};
	bool sens[] = {true, false, false, false};
	char ids[4][17];
	for (int i = 0; i < 4; i++) {
		struct photo_row p;
		memset(&p, 0, sizeof(p));
		id_new(p.id);
		memcpy(ids[i], p.id, 17);
		memcpy(p.story_id, s.id, sizeof(p.story_id));
		p.alt = "a";
		p.caption = "";
		p.note = "";
		p.preview = "";
		p.sensitive = sens[i];
		p.audience = auds[i];
		if (i == 1)
			memcpy(p.circle_id, c.id, sizeof(p.circle_id));
		p.width = 800;
		p.height = 600;
		p.created_at = NOW + i;
		p.nvariants = 1;
		p.variants[0].format = "jpeg";
		p.variants[0].width = 800;
		p.variants[0].height = 600;
		snprintf(p.variants[0].hash, sizeof(p.variants[0].hash), "%064d", i);
		p.variants[0].bytes = 10;
		ok(store_photo_insert(st, &p) == STORE_OK, "photo %d", i);
		struct photo_row g;
		ok(store_photo_get(st, &A, p.id, &g) == STORE_OK && !strcmp(g.audience, auds[i]) &&
		   !strcmp(g.circle_id, p.circle_id), "photo %d audience kept", i);
	}
	/* The C rule: the first photo an anonymous reader may see that is
	 * not sensitive. */
	int want = -1;
	for (int i = 0; i < 4 && want < 0; i++) {
		struct photo_row g;
		if (store_photo_get(st, &A, ids[i], &g) == STORE_OK && !g.sensitive &&
		    audience_may_see_photo(st, NULL, &s, g.audience, g.circle_id))
			want = i;
	}
	char got[17];
	int64_t w = 0;
	ok(want == 3 && store_story_share_photo(st, s.id, 1600, got, &w) == STORE_OK && !strcmp(got, ids[3]) &&
	   w == 800, "share card photo: SQL picks what the C rule picks");
}

/* Invitations by handle: pending until accepted, never a membership. */
static void test_circle_invitations(void)
{
	struct user_row w, r1, r2;
	new_user(&w, "inv_w");
	new_user(&r1, "inv_r1");
	new_user(&r2, "inv_r2");
	if (store_user_insert(st, &w) || store_user_insert(st, &r1) || store_user_insert(st, &r2))
		return;
	struct circle_row c = {0}, c2 = {0};
	id_new(c.id);
	memcpy(c.owner_id, w.id, sizeof(c.owner_id));
	c.name = "kin";
	c.created_at = NOW;
	c2 = c;
	id_new(c2.id);
	c2.name = "friends";
	ok(!store_circle_insert(st, &c) && !store_circle_insert(st, &c2), "circles");
	ok(store_circle_invitee_add(st, c.id, r2.id, NOW) == STORE_OK, "invite r2");
	ok(store_circle_invitee_add(st, c.id, r1.id, NOW + 1) == STORE_OK, "invite r1");
	ok(store_circle_invitee_add(st, c.id, r1.id, NOW + 9) == STORE_OK, "inviting again is OK");
	ok(store_circle_invitee_add(st, c2.id, r1.id, NOW + 2) == STORE_OK, "invite r1 to c2");
	struct member_row *m;
	size_t n = 0;
	ok(store_circle_invitees(st, &A, c.id, &m, &n) == STORE_OK && n == 2 &&
	   !strcmp(m[0].handle, "inv_r1") && !strcmp(m[1].handle, "inv_r2") &&
	   m[0].joined_at == NOW + 1 && !strcmp(m[0].user_id, r1.id),
	   "invitees by handle, first time kept");
	bool member = true;
	ok(store_circle_is_member(st, c.id, r1.id, &member) == STORE_OK && !member,
	   "an invitee is not a member");
	struct circle_row *cs;
	ok(store_circle_invitations_for(st, &A, r1.id, &cs, &n) == STORE_OK && n == 2 &&
	   !strcmp(cs[0].id, c2.id) && !strcmp(cs[1].id, c.id) && !strcmp(cs[1].name, "kin") &&
	   !strcmp(cs[1].owner_id, w.id), "her invitations, newest first");
	ok(store_circle_invitee_remove(st, c.id, r1.id) == STORE_OK, "remove");
	ok(store_circle_invitee_remove(st, c.id, r1.id) == STORE_NOT_FOUND, "remove twice: not found");
	ok(store_circle_invitations_for(st, &A, r1.id, &cs, &n) == STORE_OK && n == 1, "one left");
	ok(store_circle_delete(st, c2.id) == STORE_OK &&
	   store_circle_invitations_for(st, &A, r1.id, &cs, &n) == STORE_OK && n == 0,
	   "a deleted circle's invitations go with it");
}

static void suite(const char *kind, const char *url)
{
	char err[256];
	ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "%s: store opens: %s", kind,
	   st ? "" : err);
	if (!st)
		return;
	ok(store_schema_version(st) >= 1 && store_ping(st) == STORE_OK, "migrated, answers");
	test_users_settings_sessions();
	test_stories();
	test_audience_rule_agrees();
	test_share_photo_rule();
	test_circle_invitations();
	store_close(st);
	/* A second open finds everything migrated already. */
	ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "%s: reopens", kind);
	if (st)
		store_close(st);
	st = NULL;
}

/* The names of the enums, the one place C meets the strings of SQL and JSON. */
static void test_names(void)
{
	enum story_status st_;
	enum story_audience au;
	bool all = true;
	for (int i = STATUS_DRAFT; i <= STATUS_PUBLISHED; i++)
		all = all && story_status_parse(story_status_name((enum story_status)i), &st_) &&
		      (int)st_ == i;
	for (int i = AUDIENCE_PUBLIC; i <= AUDIENCE_PRIVATE; i++)
		all = all && story_audience_parse(story_audience_name((enum story_audience)i), &au) &&
		      (int)au == i;
	ok(all, "status and audience names round-trip");
	ok(!story_status_parse("scheduled", &st_) && !story_status_parse(NULL, &st_) &&
	   !story_audience_parse("Public", &au) && !story_audience_parse("", &au),
	   "other names do not parse");
	ok(!strcmp(story_audience_name(AUDIENCE_UNLISTED), "unlisted") &&
	   !strcmp(story_status_name(STATUS_PUBLISHED), "published"), "names as stored");
}

int main(void)
{
	arena_init(&A);
	test_names();
	store_for_each_backend(suite);
	arena_release(&A);
	return tap_done();
}
