/*
 * test_store_admin.c - the store conformance suite, the part for running
 * the site (store_admin.h): accounts listed and searched, suspension and
 * the audience rule (C and SQL agree), hand-over with clashing slugs,
 * deletion, open invitations, storage, the audit log. Runs on every
 * backend the build has (store_backends.h), each time on a new database.
 */
#include "audience/audience.h"
#include "core/arena.h"
#include "core/crypto.h"
#include "store/store_admin.h"
#include "tap.h"
#include "store_backends.h"

#include <stdio.h>
#include <string.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;

#define HASH(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static bool new_user(struct user_row *u, const char *handle)
{
	memset(u, 0, sizeof(*u));
	id_new(u->id);
	u->handle = handle;
	u->name = arena_printf(&A, "Name of %s", handle);
	u->bio = "";
	u->password_hash = "x";
	u->created_at = NOW;
	u->time_zone = "";
	return store_user_insert(st, u) == STORE_OK;
}

static bool new_story(struct story_row *s, const struct user_row *author)
{
	memset(s, 0, sizeof(*s));
	id_new(s->id);
	memcpy(s->author_id, author->id, sizeof(s->author_id));
	s->slug = arena_printf(&A, "s-%s", s->id);
	s->title = "Title";
	s->subtitle = "";
	s->body = "body";
	s->body_html = "<p>body</p>";
	s->excerpt = "body";
	s->search_text = "body";
	s->word_count = 1;
	s->status = STATUS_PUBLISHED;
	s->published_at = NOW;
	s->created_at = s->updated_at = NOW++;
	s->audience = AUDIENCE_PUBLIC;
	s->content_note = "";
	s->responses = "open";
	s->responders = "signed_in";
	return store_story_insert(st, s) == STORE_OK;
}


static struct user_row ann, bea, cal, dee;

static bool listed(const char *viewer_id, const char *id)
{
	struct story_query q = {.viewer_id = viewer_id, .limit = 100};
	struct story_list l;
	if (store_story_list(st, &A, &q, &l))
		return false;
	for (size_t i = 0; i < l.n; i++)
		if (!strcmp(l.items[i].id, id))
			return true;
	return false;
}

static void test_users_and_search(void)
{
	struct user_row pct;
	ok(new_user(&pct, "pct_user"), "an account");
	ok(store_user_update_profile(st, pct.id, "Fifty 50% Off", "") == STORE_OK, "a name with %%");
	struct admin_user_row *rows;
	size_t n;
	ok(store_admin_users(st, &A, "", "", 100, &rows, &n) == STORE_OK && n == 5,
	   "all five accounts (%zu)", n);
	bool sorted = true;
	for (size_t i = 1; i < n; i++)
		sorted = sorted && strcmp(rows[i - 1].u.handle, rows[i].u.handle) < 0;
	ok(sorted, "by handle");
	ok(store_admin_users(st, &A, "", "bea", 2, &rows, &n) == STORE_OK && n == 2 &&
		   !strcmp(rows[0].u.handle, "bea") && !strcmp(rows[1].u.handle, "cal"),
	   "from a handle on, at most max");
	ok(store_admin_users(st, &A, "NAME OF A", "", 10, &rows, &n) == STORE_OK && n == 1 &&
		   !strcmp(rows[0].u.handle, "ann"),
	   "a name matches in either case");
	ok(store_admin_users(st, &A, "50%", "", 10, &rows, &n) == STORE_OK && n == 1 &&
		   !strcmp(rows[0].u.handle, "pct_user"),
	   "'%%' matches itself");
	ok(store_admin_users(st, &A, "a%n", "", 10, &rows, &n) == STORE_OK && n == 0,
	   "... and is no wildcard");
	ok(store_admin_users(st, &A, "50_ Off", "", 10, &rows, &n) == STORE_OK && n == 0,
	   "nor is '_'");
	struct story_row s;
	ok(new_story(&s, &ann), "a story");
	ok(store_admin_users(st, &A, "ann", "", 1, &rows, &n) == STORE_OK && n == 1 &&
		   rows[0].stories == 1 && rows[0].responses == 0 && rows[0].last_seen == 0,
	   "counts: stories, responses, last seen");
	int64_t admins = -1;
	ok(store_admin_count(st, &admins) == STORE_OK && admins == 0, "no admins yet");
}

static void test_suspension(void)
{
	struct story_row s, got;
	ok(new_story(&s, &bea), "bea's public story");
	ok(store_session_insert(st, HASH("b"), bea.id, "web", NOW, NOW + 3600) == STORE_OK,
	   "a session of hers");
	ok(listed(ann.id, s.id) && listed(NULL, s.id), "listed before");
	ok(store_user_set_suspended(st, bea.id, NOW) == STORE_OK, "suspend");
	ok(store_user_set_suspended(st, "0000000000000000", NOW) == STORE_NOT_FOUND,
	   "no such account: NOT_FOUND");
	struct user_row u;
	ok(store_user_by_id(st, &A, bea.id, &u) == STORE_OK && u.suspended_at == NOW,
	   "the account says so");
	struct session_row sess;
	ok(store_session_user(st, &A, HASH("b"), &sess, &u) == STORE_NOT_FOUND,
	   "her sessions ended");
	ok(store_story_get(st, &A, s.id, &got) == STORE_OK && got.author_suspended,
	   "the story row says its writer is suspended");
	ok(!audience_may_see_story(st, ann.id, &got) && !audience_may_see_story(st, NULL, &got),
	   "C rule: nobody else sees it");
	ok(audience_may_see_story(st, bea.id, &got), "C rule: the writer herself still would");
	ok(!audience_is_listed(&got), "C rule: not listed");
	ok(!listed(ann.id, s.id) && !listed(NULL, s.id), "SQL rule agrees: not listed");
	ok(listed(bea.id, s.id), "SQL rule agrees: her own list");
	ok(store_user_set_suspended(st, bea.id, 0) == STORE_OK && listed(NULL, s.id) &&
		   store_story_get(st, &A, s.id, &got) == STORE_OK && !got.author_suspended &&
		   audience_may_see_story(st, NULL, &got),
	   "unsuspended: all back as it was");
}

static void test_hand_over_and_delete(void)
{
	struct user_row from, to;
	ok(new_user(&from, "leaver") && new_user(&to, "heir"), "two writers");
	struct story_row a, b, c;
	ok(new_story(&a, &from) && new_story(&c, &from), "two stories of the leaver");
	ok(new_story(&b, &to), "one of the heir");
	/* The heir's story takes the slug of the leaver's first. */
	struct story_row b2;
	ok(store_story_get(st, &A, b.id, &b2) == STORE_OK, "read the heir's");
	b2.slug = a.slug;
	ok(store_story_update(st, &b2) == STORE_OK, "the heir uses the same slug");
	struct circle_row circ = {0};
	id_new(circ.id);
	memcpy(circ.owner_id, from.id, sizeof(circ.owner_id));
	circ.name = "family";
	circ.created_at = NOW;
	ok(store_circle_insert(st, &circ) == STORE_OK, "a circle of the leaver");
	ok(store_block_add(st, from.id, dee.id, NOW) == STORE_OK, "a block of the leaver");
	ok(store_begin(st) == STORE_OK && store_user_hand_over(st, from.id, to.id) == STORE_OK &&
		   store_user_delete(st, from.id) == STORE_OK && store_commit(st) == STORE_OK,
	   "hand over, then delete");
	struct story_row ga, gc;
	ok(store_story_get(st, &A, a.id, &ga) == STORE_OK && !strcmp(ga.author_id, to.id) &&
		   !strcmp(ga.author_handle, "heir"),
	   "the story is the heir's");
	ok(!strcmp(ga.slug, arena_printf(&A, "%s-%.6s", a.slug, a.id)), "a clashing slug gets a suffix (%s)",
	   ga.slug);
	ok(store_story_get(st, &A, c.id, &gc) == STORE_OK && !strcmp(gc.slug, c.slug),
	   "another keeps its slug");
	struct circle_row gcirc;
	ok(store_circle_get(st, &A, circ.id, &gcirc) == STORE_OK && !strcmp(gcirc.owner_id, to.id),
	   "the circle is the heir's");
	bool blocked = false;
	ok(store_block_check(st, to.id, dee.id, &blocked) == STORE_OK && blocked,
	   "the block is the heir's");
	struct user_row u;
	ok(store_user_by_id(st, &A, from.id, &u) == STORE_NOT_FOUND, "the leaver is gone");
	ok(store_user_delete(st, from.id) == STORE_NOT_FOUND, "deleting again: NOT_FOUND");

	struct user_row g;
	struct story_row gs;
	ok(new_user(&g, "goner") && new_story(&gs, &g), "a writer with a story");
	int64_t n = 0;
	ok(store_user_stories_purge(st, g.id, &n) == STORE_OK && n == 1, "her stories marked");
	struct story_row x;
	ok(store_story_get(st, &A, gs.id, &x) == STORE_NOT_FOUND, "marked stories are not returned");
	ok(store_trash_drop(st) == STORE_OK && store_user_delete(st, g.id) == STORE_OK, "dropped, deleted");
}

static void test_invites(void)
{
	ok(store_invite_insert(st, HASH("1"), ann.id, NOW, NOW + 100) == STORE_OK &&
		   store_invite_keep_link(st, HASH("1"), "tok1") == STORE_OK,
	   "an invitation with its link kept");
	ok(store_invite_insert(st, HASH("2"), ann.id, NOW + 1, NOW + 100) == STORE_OK, "one without");
	ok(store_invite_insert(st, HASH("3"), ann.id, NOW, NOW + 1) == STORE_OK, "one that expires");
	struct invite_row *rows;
	size_t n;
	ok(store_invites_open(st, &A, NOW + 50, &rows, &n) == STORE_OK && n == 2, "two open (%zu)", n);
	ok(n == 2 && !strcmp(rows[0].token_hash, HASH("2")) && !rows[0].link[0] &&
		   !strcmp(rows[1].link, "tok1") && !strcmp(rows[1].created_by, "ann"),
	   "newest first, with links and makers");
	ok(store_invite_revoke(st, HASH("1")) == STORE_OK, "revoke");
	ok(store_invite_revoke(st, HASH("1")) == STORE_NOT_FOUND, "twice: NOT_FOUND");
	ok(store_invite_check(st, HASH("1"), NOW + 50) == STORE_NOT_FOUND, "a revoked one is no use");
	ok(store_invite_use(st, HASH("2"), bea.id, NOW + 2) == STORE_OK &&
		   store_invite_revoke(st, HASH("2")) == STORE_NOT_FOUND,
	   "a used one cannot be revoked");
}

static void test_audit_and_storage(void)
{
	for (int i = 0; i < 5; i++) {
		struct audit_row r = {.at = NOW + i, .actor_id = ann.id, .actor_handle = "ann",
				      .action = "suspend", .target = "bea",
				      .detail = arena_printf(&A, "entry %d", i)};
		ok(store_audit_add(st, &r) == STORE_OK, "log entry %d", i);
	}
	struct audit_row *rows;
	size_t n;
	ok(store_audit_list(st, &A, 0, 3, &rows, &n) == STORE_OK && n == 3 &&
		   !strcmp(rows[0].detail, "entry 4") && !strcmp(rows[2].detail, "entry 2"),
	   "newest first, at most max");
	ok(n == 3 && store_audit_list(st, &A, rows[2].id, 10, &rows, &n) == STORE_OK && n == 2 &&
		   !strcmp(rows[0].detail, "entry 1") && !strcmp(rows[1].actor_handle, "ann") &&
		   rows[1].at == NOW,
	   "the next page");
	struct storage_row sr;
	ok(store_storage(st, &sr) == STORE_OK && sr.photos == 0 && sr.photo_bytes == 0 &&
		   sr.database_bytes > 0,
	   "storage: no photos, a database of some size");
}

static void suite(const char *kind, const char *url)
{
	(void)kind;
	char err[256];
	if (!ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "open %s", url)) {
		printf("# %s\n", err);
		return;
	}
	if (!ok(new_user(&ann, "ann") && new_user(&bea, "bea") && new_user(&cal, "cal") &&
			new_user(&dee, "dee"),
		"four accounts"))
		return;
	test_users_and_search();
	test_suspension();
	test_hand_over_and_delete();
	test_invites();
	test_audit_and_storage();
	store_close(st);
	st = NULL;
}

int main(void)
{
	arena_init(&A);
	store_for_each_backend(suite);
	arena_release(&A);
	return tap_done();
}
