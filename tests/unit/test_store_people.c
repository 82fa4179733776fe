/*
 * test_store_people.c - the store conformance suite, the people part: the
 * contract of store.h for sign-in attempts, password changes and other
 * sessions, circles and their invitations, responses (what readers see,
 * the moderation queue, reports), blocks, muted words, response defaults
 * and rate events; and the SQL form of the response-visibility rule
 * against the C rule in responses/ on generated data.
 *
 * Runs on every backend the build has (store_backends.h), each time on a
 * new database, through store.h only. Where store.h is silent, the
 * answers are the SQLite backend's (the HTTP suite depends on them).
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "responses/responses_int.h"
#include "store/store.h"
#include "tap.h"
#include "store_backends.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct store *st;
static const char *db_url;
static struct arena A;
static int64_t NOW = 1790000000;

#define HASH(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define H1 HASH("1")
#define H2 HASH("2")
#define H3 HASH("3")
#define H4 HASH("4")

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

static bool new_story(struct story_row *s, const struct user_row *author, const char *slug,
		      const char *audience, const char *circle_id)
{
	memset(s, 0, sizeof(*s));
	id_new(s->id);
	memcpy(s->author_id, author->id, sizeof(s->author_id));
	s->slug = slug;
	s->title = arena_printf(&A, "Title %s", slug);
	s->subtitle = "";
	s->body = "body";
	s->body_html = "<p>body</p>";
	s->excerpt = "body";
	s->search_text = "body";
	s->word_count = 1;
	s->status = STATUS_PUBLISHED;
	s->published_at = NOW;
	s->created_at = s->updated_at = NOW++;
	if (!story_audience_parse(audience, &s->audience))
		s->audience = AUDIENCE_PRIVATE;
	if (circle_id)
		memcpy(s->circle_id, circle_id, sizeof(s->circle_id));
	s->content_note = "";
	s->responses = "open";
	s->responders = "signed_in";
	return store_story_insert(st, s) == STORE_OK;
}

static void new_response(struct response_row *r, const struct story_row *s,
			 const struct user_row *author, const char *parent_id, const char *status,
			 int64_t at)
{
	memset(r, 0, sizeof(*r));
	id_new(r->id);
	memcpy(r->story_id, s->id, sizeof(r->story_id));
	memcpy(r->author_id, author->id, sizeof(r->author_id));
	if (parent_id)
		snprintf(r->parent_id, sizeof(r->parent_id), "%s", parent_id);
	r->body = "words";
	r->body_html = "<p>words</p>";
	if (!response_status_parse(status, &r->status))
		r->status = RESPONSE_HIDDEN;
	r->held_for = strcmp(status, "pending") == 0 ? "approval" : "";
	r->created_at = at;
}

static bool has_id(const struct response_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].id, id))
			return true;
	return false;
}

/* ---- sign-in attempts, passwords, other sessions ---- */

static void test_signin(void)
{
	struct signin_counts c;
	memset(&c, 0x55, sizeof(c));
	ok(store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 0, &c) == STORE_OK && c.pair == 0 &&
	   c.pair_oldest == 0 && c.addr == 0 && c.addr_oldest == 0 && c.account == 0 &&
	   c.account_addrs == 0 && c.account_last == 0 && !c.known, "no attempts: all zero");

	/* As accounts.c runs it: counts and add in one transaction. */
	int64_t id1 = 0, id2 = 0, id3 = 0, id4 = 0, id5 = 0;
	ok(store_begin(st) == STORE_OK &&
	   store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 0, &c) == STORE_OK &&
	   store_signin_add(st, "ann", "10.0.0.1", 1000, &id1) == STORE_OK &&
	   store_commit(st) == STORE_OK, "an attempt added in a transaction");
	ok(store_signin_add(st, "ann", "10.0.0.1", 1010, &id2) == STORE_OK &&
	   store_signin_add(st, "ann", "10.0.0.2", 1020, &id3) == STORE_OK &&
	   store_signin_add(st, "bob", "10.0.0.1", 1030, &id4) == STORE_OK &&
	   store_signin_add(st, "ann", "10.0.0.3", 1040, &id5) == STORE_OK, "more attempts");
	ok(id1 > 0 && id2 > id1 && id3 > id2 && id4 > id3 && id5 > id4,
	   "each attempt gets a new, increasing id");

	ok(store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 0, &c) == STORE_OK && c.pair == 2 &&
	   c.pair_oldest == 1000 && c.addr == 3 && c.addr_oldest == 1000 && c.account == 4 &&
	   c.account_addrs == 3 && c.account_last == 1040 && !c.known,
	   "pending rows count as not ok");
	ok(store_signin_counts(st, "ann", "10.0.0.1", 1005, 1015, 0, &c) == STORE_OK && c.pair == 1 &&
	   c.pair_oldest == 1010 && c.addr == 2 && c.addr_oldest == 1010 && c.account == 2 &&
	   c.account_addrs == 2 && c.account_last == 1040, "since and slow_since bound the windows");

	ok(store_signin_finish(st, id1, "ok") == STORE_OK &&
	   store_signin_finish(st, id2, "failed") == STORE_OK, "finish: ok and failed");
	ok(store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 0, &c) == STORE_OK && c.pair == 1 &&
	   c.pair_oldest == 1010 && c.addr == 2 && c.account == 3 && c.known,
	   "an ok row is not counted, and makes the pair known");
	ok(store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 1001, &c) == STORE_OK && !c.known,
	   "known only from known_since on");
	ok(store_signin_counts(st, "ann", "10.0.0.2", 0, 0, 0, &c) == STORE_OK && !c.known &&
	   c.pair == 1, "known is per address");

	ok(store_signin_finish(st, id3, NULL) == STORE_OK &&
	   store_signin_counts(st, "ann", "10.0.0.2", 0, 0, 0, &c) == STORE_OK && c.pair == 0,
	   "finish with NULL deletes the attempt");
	ok(store_signin_finish(st, 999999999, "failed") == STORE_OK &&
	   store_signin_finish(st, 999999999, NULL) == STORE_OK,
	   "finishing an attempt that is gone is not an error");

	/* Prune: not-ok before failed_before, ok before ok_before. */
	ok(store_signin_prune(st, 1035, 900) == STORE_OK, "prune");
	ok(store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 0, &c) == STORE_OK && c.pair == 0 &&
	   c.known && c.account == 1 && c.account_last == 1040,
	   "prune drops old failures, keeps the newer ones and the ok row");
	ok(store_signin_counts(st, "bob", "10.0.0.1", 0, 0, 0, &c) == STORE_OK && c.pair == 0,
	   "bob's old pending row went too");
	ok(store_signin_prune(st, 0, 1001) == STORE_OK &&
	   store_signin_counts(st, "ann", "10.0.0.1", 0, 0, 0, &c) == STORE_OK && !c.known &&
	   c.account == 1, "ok rows go with ok_before");
}

static void test_password_sessions(void)
{
	struct user_row u, v, got;
	if (!ok(new_user(&u, "pat") && new_user(&v, "quinn"), "users"))
		return;
	ok(store_user_set_password(st, u.id, "newhash") == STORE_OK &&
	   store_user_by_id(st, &A, u.id, &got) == STORE_OK && !strcmp(got.password_hash, "newhash"),
	   "set password");
	ok(store_user_set_password(st, "0000000000000000", "h") == STORE_NOT_FOUND,
	   "set password: NOT_FOUND for no such user");

	ok(store_session_insert(st, H1, u.id, "web", NOW, NOW + 1000) == STORE_OK &&
	   store_session_insert(st, H2, u.id, "api", NOW, NOW + 1000) == STORE_OK &&
	   store_session_insert(st, H3, u.id, "web", NOW, NOW + 1000) == STORE_OK &&
	   store_session_insert(st, H4, v.id, "web", NOW, NOW + 1000) == STORE_OK, "sessions");
	struct session_row sess;
	struct user_row su;
	ok(store_session_delete_others(st, u.id, H1) == STORE_OK, "delete others, keeping one");
	ok(store_session_user(st, &A, H1, &sess, &su) == STORE_OK, "the kept session stays");
	ok(store_session_user(st, &A, H2, &sess, &su) == STORE_NOT_FOUND &&
	   store_session_user(st, &A, H3, &sess, &su) == STORE_NOT_FOUND,
	   "the others (web and API) are gone");
	ok(store_session_user(st, &A, H4, &sess, &su) == STORE_OK, "another user's session stays");
	ok(store_session_delete_others(st, u.id, NULL) == STORE_OK &&
	   store_session_user(st, &A, H1, &sess, &su) == STORE_NOT_FOUND &&
	   store_session_user(st, &A, H4, &sess, &su) == STORE_OK, "keep NULL ends them all");
	ok(store_session_delete_others(st, "0000000000000000", NULL) == STORE_OK,
	   "no sessions to end is not an error");
}

/* ---- circles and invitations ---- */

static void test_circles(void)
{
	struct user_row w, x, m1, m2;
	if (!ok(new_user(&w, "cw") && new_user(&x, "cx") && new_user(&m2, "zed") &&
		new_user(&m1, "amy"), "users"))
		return;
	struct circle_row c1 = {0}, c2 = {0}, cx = {0}, got;
	id_new(c1.id);
	memcpy(c1.owner_id, w.id, 17);
	c1.name = "Family";
	c1.created_at = NOW + 5;
	c2 = c1;
	id_new(c2.id);
	c2.name = "Friends";
	c2.created_at = NOW + 1;
	cx = c1;
	id_new(cx.id);
	memcpy(cx.owner_id, x.id, 17);
	ok(store_circle_insert(st, &c1) == STORE_OK && store_circle_insert(st, &c2) == STORE_OK &&
	   store_circle_insert(st, &cx) == STORE_OK, "circles");
	ok(store_circle_insert(st, &c1) == STORE_CONFLICT, "a circle id twice is CONFLICT");
	ok(store_circle_get(st, &A, c1.id, &got) == STORE_OK && !strcmp(got.name, "Family") &&
	   !strcmp(got.owner_id, w.id) && got.created_at == NOW + 5 && got.member_count == 0,
	   "circle get");
	ok(store_circle_get(st, &A, "0000000000000000", &got) == STORE_NOT_FOUND, "no such circle");
	struct circle_row *cl;
	size_t n = 9;
	ok(store_circle_list(st, &A, w.id, &cl, &n) == STORE_OK && n == 2 &&
	   !strcmp(cl[0].id, c2.id) && !strcmp(cl[1].id, c1.id), "the owner's circles, oldest first");
	ok(store_circle_list(st, &A, m1.id, &cl, &n) == STORE_OK && n == 0, "none for a reader");

	ok(store_circle_member_add(st, c1.id, m2.id, NOW + 10) == STORE_OK &&
	   store_circle_member_add(st, c1.id, m1.id, NOW + 11) == STORE_OK &&
	   store_circle_member_add(st, c1.id, m1.id, NOW + 12) == STORE_OK,
	   "members (adding twice is fine)");
	struct member_row *mr;
	ok(store_circle_members(st, &A, c1.id, &mr, &n) == STORE_OK && n == 2 &&
	   !strcmp(mr[0].user_id, m1.id) && !strcmp(mr[0].handle, "amy") &&
	   !strcmp(mr[0].name, "Name of amy") && mr[0].joined_at == NOW + 11 &&
	   !strcmp(mr[1].handle, "zed"), "members by handle, first join kept");
	ok(store_circle_get(st, &A, c1.id, &got) == STORE_OK && got.member_count == 2,
	   "member count");
	ok(store_circle_list(st, &A, w.id, &cl, &n) == STORE_OK && n == 2 && cl[1].member_count == 2 &&
	   cl[0].member_count == 0, "member counts in the list");
	bool is = false;
	ok(store_circle_is_member(st, c1.id, m1.id, &is) == STORE_OK && is, "is member");
	ok(store_circle_is_member(st, c2.id, m1.id, &is) == STORE_OK && !is, "not of another");
	ok(store_circle_member_remove(st, c1.id, m2.id) == STORE_OK &&
	   store_circle_is_member(st, c1.id, m2.id, &is) == STORE_OK && !is, "member removed");
	ok(store_circle_member_remove(st, c1.id, m2.id) == STORE_NOT_FOUND,
	   "removing a non-member is NOT_FOUND");

	/* Invitations. */
	struct circle_invite_row i1 = {0}, i2 = {0}, i3 = {0}, ig;
	i1.token_hash = H1;
	memcpy(i1.circle_id, c1.id, 17);
	i1.token_tail = "aaaaaa";
	i1.uses_left = -1;
	i1.expires_at = NOW + 1000;
	i1.created_at = NOW;
	i2 = i1;
	i2.token_hash = H2;
	i2.token_tail = "bbbbbb";
	i2.uses_left = 2;
	i2.created_at = NOW + 1;
	i3 = i1;
	i3.token_hash = H3;
	i3.token_tail = "cccccc";
	i3.uses_left = 5;
	i3.expires_at = NOW + 10;
	i3.created_at = NOW + 2;
	ok(store_circle_invite_insert(st, &i1) == STORE_OK &&
	   store_circle_invite_insert(st, &i2) == STORE_OK &&
	   store_circle_invite_insert(st, &i3) == STORE_OK, "invitations");
	ok(store_circle_invite_insert(st, &i1) == STORE_CONFLICT, "a token twice is CONFLICT");
	ok(store_circle_invite_get(st, &A, H1, &ig) == STORE_OK && !strcmp(ig.token_hash, H1) &&
	   !strcmp(ig.circle_id, c1.id) && !strcmp(ig.token_tail, "aaaaaa") && ig.uses_left == -1 &&
	   ig.expires_at == NOW + 1000 && !ig.revoked && ig.created_at == NOW,
	   "invitation get, unlimited reads -1");
	ok(store_circle_invite_get(st, &A, H4, &ig) == STORE_NOT_FOUND, "no such invitation");
	ok(store_circle_invite_use(st, H1, NOW) == STORE_OK &&
	   store_circle_invite_use(st, H1, NOW) == STORE_OK &&
	   store_circle_invite_get(st, &A, H1, &ig) == STORE_OK && ig.uses_left == -1,
	   "an unlimited invitation stays unlimited");
	ok(store_circle_invite_use(st, H2, NOW) == STORE_OK &&
	   store_circle_invite_get(st, &A, H2, &ig) == STORE_OK && ig.uses_left == 1,
	   "a use is counted");
	ok(store_circle_invite_use(st, H2, NOW) == STORE_OK &&
	   store_circle_invite_use(st, H2, NOW) == STORE_NOT_FOUND &&
	   store_circle_invite_get(st, &A, H2, &ig) == STORE_OK && ig.uses_left == 0,
	   "a spent invitation is NOT_FOUND");
	ok(store_circle_invite_use(st, H3, NOW + 10) == STORE_NOT_FOUND &&
	   store_circle_invite_use(st, H3, NOW + 9) == STORE_OK, "expiry is exclusive");
	ok(store_circle_invite_use(st, H4, NOW) == STORE_NOT_FOUND, "using no invitation");
	ok(store_circle_invite_revoke(st, c2.id, H3) == STORE_NOT_FOUND,
	   "revoking through another circle is NOT_FOUND");
	ok(store_circle_invite_revoke(st, c1.id, H3) == STORE_OK &&
	   store_circle_invite_get(st, &A, H3, &ig) == STORE_OK && ig.revoked &&
	   store_circle_invite_use(st, H3, NOW) == STORE_NOT_FOUND, "a revoked invitation is dead");
	struct circle_invite_row *il;
	ok(store_circle_invites(st, &A, c1.id, &il, &n) == STORE_OK && n == 3 &&
	   !strcmp(il[0].token_hash, H3) && !strcmp(il[2].token_hash, H1) && il[0].revoked &&
	   il[1].uses_left == 0 && il[2].uses_left == -1, "invitations, newest first");
	ok(store_circle_invites(st, &A, c2.id, &il, &n) == STORE_OK && n == 0, "none in c2");

	/* Deleting a circle: its stories become private, the rest goes. */
	struct story_row s1, s2, sg;
	if (!ok(new_story(&s1, &w, "for-family", "circle", c1.id) &&
		new_story(&s2, &w, "for-friends", "circle", c2.id), "circle stories"))
		return;
	ok(store_circle_delete(st, c1.id) == STORE_OK, "circle delete");
	ok(store_story_get(st, &A, s1.id, &sg) == STORE_OK && sg.audience == AUDIENCE_PRIVATE &&
	   sg.circle_id[0] == '\0', "its story became private");
	ok(store_story_get(st, &A, s2.id, &sg) == STORE_OK && sg.audience == AUDIENCE_CIRCLE &&
	   !strcmp(sg.circle_id, c2.id), "another circle's story is untouched");
	ok(store_circle_get(st, &A, c1.id, &got) == STORE_NOT_FOUND, "the circle is gone");
	ok(store_circle_is_member(st, c1.id, m1.id, &is) == STORE_OK && !is &&
	   store_circle_members(st, &A, c1.id, &mr, &n) == STORE_OK && n == 0, "and its members");
	ok(store_circle_invite_get(st, &A, H1, &ig) == STORE_NOT_FOUND &&
	   store_circle_invites(st, &A, c1.id, &il, &n) == STORE_OK && n == 0,
	   "and its invitations");
	ok(store_circle_delete(st, c1.id) == STORE_NOT_FOUND, "deleting it again is NOT_FOUND");
	ok(store_circle_list(st, &A, w.id, &cl, &n) == STORE_OK && n == 1 && !strcmp(cl[0].id, c2.id),
	   "the other circle stays");
}

/* ---- responses, moderation, reports ---- */

static void test_responses(void)
{
	struct user_row w, r1, r2, r3, other;
	if (!ok(new_user(&w, "rw") && new_user(&r1, "rr1") && new_user(&r2, "rr2") &&
		new_user(&r3, "rr3") && new_user(&other, "rwo"), "users"))
		return;
	struct story_row s, s2, so;
	if (!ok(new_story(&s, &w, "responded", "public", NULL) &&
		new_story(&s2, &w, "second", "public", NULL) &&
		new_story(&so, &other, "elsewhere", "public", NULL), "stories"))
		return;
	int64_t t = 5000;
	struct response_row a, b, c, d, e, f, g, got;
	new_response(&a, &s, &r1, NULL, "visible", t++);   /* visible */
	new_response(&b, &s, &r2, NULL, "pending", t++);   /* pending */
	new_response(&c, &s, &r3, NULL, "visible", t++);   /* author will be blocked */
	new_response(&d, &s, &r2, a.id, "visible", t++);   /* reply to a visible one */
	new_response(&e, &s, &r1, c.id, "visible", t++);   /* reply under a blocked author */
	new_response(&f, &s, &r1, NULL, "hidden", t++);    /* hidden */
	new_response(&g, &s, &r2, f.id, "visible", t++);   /* reply to a hidden one */
	struct response_row *all[] = {&a, &b, &c, &d, &e, &f, &g};
	bool inserted = true;
	for (size_t i = 0; i < 7; i++)
		inserted = inserted && store_response_insert(st, all[i]) == STORE_OK;
	ok(inserted, "responses inserted");
	ok(store_response_insert(st, &a) == STORE_CONFLICT, "a response id twice is CONFLICT");

	ok(store_response_get(st, &A, a.id, &got) == STORE_OK && !strcmp(got.story_id, s.id) &&
	   !strcmp(got.author_id, r1.id) && got.parent_id[0] == '\0' && !strcmp(got.body, "words") &&
	   !strcmp(got.body_html, "<p>words</p>") && got.status == RESPONSE_VISIBLE &&
	   !strcmp(got.held_for, "") && got.created_at == 5000 && got.edited_at == 0 &&
	   got.reports == 0 && !strcmp(got.author_handle, "rr1") &&
	   !strcmp(got.author_name, "Name of rr1") && !got.author_blocked &&
	   !strcmp(got.story_title, "Title responded"), "response get, with what is joined");
	ok(store_response_get(st, &A, d.id, &got) == STORE_OK && !strcmp(got.parent_id, a.id),
	   "a reply names its parent");
	ok(store_response_get(st, &A, b.id, &got) == STORE_OK && !strcmp(got.held_for, "approval"),
	   "held_for kept");
	ok(store_response_get(st, &A, "0000000000000000", &got) == STORE_NOT_FOUND, "no such one");

	/* What readers see, and the writer. */
	struct response_list l;
	ok(store_responses_for_story(st, &A, s.id, w.id, false, &l) == STORE_OK && l.n == 4 &&
	   !strcmp(l.items[0].id, a.id) && !strcmp(l.items[1].id, c.id) &&
	   !strcmp(l.items[2].id, d.id) && !strcmp(l.items[3].id, e.id),
	   "readers: visible ones with visible parents, oldest first");
	int64_t cnt = -1;
	ok(store_response_count_visible(st, s.id, w.id, &cnt) == STORE_OK && cnt == 4, "count 4");
	ok(store_block_add(st, w.id, r3.id, NOW) == STORE_OK, "the writer blocks rr3");
	ok(store_responses_for_story(st, &A, s.id, w.id, false, &l) == STORE_OK && l.n == 2 &&
	   !strcmp(l.items[0].id, a.id) && !strcmp(l.items[1].id, d.id),
	   "a blocked author's response and the replies under it are gone for readers");
	ok(store_response_count_visible(st, s.id, w.id, &cnt) == STORE_OK && cnt == 2,
	   "the count follows");
	ok(store_responses_for_story(st, &A, s.id, w.id, true, &l) == STORE_OK && l.n == 7 &&
	   !strcmp(l.items[0].id, a.id) && !strcmp(l.items[6].id, g.id),
	   "the writer gets everything, oldest first");
	bool flagged = false;
	for (size_t i = 0; i < l.n; i++)
		if (!strcmp(l.items[i].id, c.id))
			flagged = l.items[i].author_blocked;
	ok(flagged && store_response_get(st, &A, c.id, &got) == STORE_OK && got.author_blocked,
	   "author_blocked marks the blocked author");
	ok(store_responses_for_story(st, &A, s.id, NULL, true, &l) == STORE_OK && l.n == 0,
	   "everything without a writer is nothing");
	ok(store_responses_for_story(st, &A, s2.id, w.id, true, &l) == STORE_OK && l.n == 0 &&
	   store_response_count_visible(st, s2.id, w.id, &cnt) == STORE_OK && cnt == 0,
	   "a story without responses");

	/* Edit and status. */
	ok(store_response_edit(st, a.id, "new words", "<p>new words</p>", RESPONSE_PENDING, "muted",
			       NOW + 50) == STORE_OK &&
	   store_response_get(st, &A, a.id, &got) == STORE_OK && !strcmp(got.body, "new words") &&
	   !strcmp(got.body_html, "<p>new words</p>") && got.status == RESPONSE_PENDING &&
	   !strcmp(got.held_for, "muted") && got.edited_at == NOW + 50, "edit");
	ok(store_response_edit(st, "0000000000000000", "x", "x", RESPONSE_VISIBLE, NULL, NOW) ==
	   STORE_NOT_FOUND, "edit: NOT_FOUND");
	ok(store_response_edit(st, b.id, "x", "<p>x</p>", RESPONSE_VISIBLE, NULL, NOW) == STORE_OK &&
	   store_response_get(st, &A, b.id, &got) == STORE_OK && !strcmp(got.held_for, ""),
	   "edit with held_for NULL stores ''");
	ok(store_response_set_status(st, a.id, RESPONSE_PENDING) == STORE_OK &&
	   store_response_get(st, &A, a.id, &got) == STORE_OK && !strcmp(got.held_for, "muted"),
	   "status pending keeps the reason");
	ok(store_response_set_status(st, a.id, RESPONSE_VISIBLE) == STORE_OK &&
	   store_response_get(st, &A, a.id, &got) == STORE_OK && got.status == RESPONSE_VISIBLE &&
	   !strcmp(got.held_for, ""), "any other status clears it");
	ok(store_response_set_status(st, "0000000000000000", RESPONSE_HIDDEN) == STORE_NOT_FOUND,
	   "status: NOT_FOUND");

	/* Reports and the moderation queue. */
	struct response_row h, oth;
	new_response(&h, &s2, &r1, NULL, "visible", t++);
	new_response(&oth, &so, &r1, NULL, "pending", t++);
	ok(store_response_insert(st, &h) == STORE_OK && store_response_insert(st, &oth) == STORE_OK,
	   "more responses");
	ok(store_response_report(st, h.id, r2.id, NOW) == STORE_OK &&
	   store_response_report(st, h.id, r2.id, NOW + 1) == STORE_OK &&
	   store_response_get(st, &A, h.id, &got) == STORE_OK && got.reports == 1,
	   "one report per reader");
	ok(store_response_report(st, h.id, r3.id, NOW) == STORE_OK &&
	   store_response_get(st, &A, h.id, &got) == STORE_OK && got.reports == 2,
	   "two readers, two reports");
	ok(store_moderation_queue(st, &A, w.id, &l) == STORE_OK && l.n == 2 &&
	   !strcmp(l.items[0].id, h.id) && l.items[0].reports == 2 &&
	   !strcmp(l.items[1].id, f.id) && !has_id(&l, oth.id),
	   "queue: the reported and the hidden one on her stories, newest first");
	ok(store_response_set_status(st, b.id, RESPONSE_PENDING) == STORE_OK &&
	   store_moderation_queue(st, &A, w.id, &l) == STORE_OK && l.n == 3 &&
	   !strcmp(l.items[2].id, b.id), "a pending response joins the queue");
	ok(store_moderation_queue(st, &A, other.id, &l) == STORE_OK && l.n == 1 &&
	   !strcmp(l.items[0].id, oth.id) && !strcmp(l.items[0].story_title, "Title elsewhere"),
	   "another writer's queue");
	ok(store_story_delete(st, so.id, NOW) == STORE_OK &&
	   store_moderation_queue(st, &A, other.id, &l) == STORE_OK && l.n == 0,
	   "a deleted story's responses leave the queue");

	/* Delete takes the replies along. */
	ok(store_response_delete(st, a.id) == STORE_OK &&
	   store_response_get(st, &A, a.id, &got) == STORE_NOT_FOUND &&
	   store_response_get(st, &A, d.id, &got) == STORE_NOT_FOUND, "delete takes its replies");
	ok(store_response_delete(st, a.id) == STORE_NOT_FOUND, "delete again: NOT_FOUND");
}

/* ---- the response-visibility rule: SQL against C ---- */

#define NR 60

static void test_visibility_rule_agrees(void)
{
	static const char *const handles[] = {"vw", "va", "vb", "vc", "vd"};
	struct user_row users[5];
	for (int i = 0; i < 5; i++)
		if (!new_user(&users[i], handles[i]))
			return;
	struct story_row s;
	if (!new_story(&s, &users[0], "generated", "public", NULL))
		return;
	/* The writer blocks two of the four readers. */
	if (store_block_add(st, users[0].id, users[2].id, NOW) ||
	    store_block_add(st, users[0].id, users[4].id, NOW))
		return;
	static const char *const statuses[] = {"visible", "visible", "pending", "hidden"};
	char ids[NR][17];
	unsigned seed = 4242;
	int tops = 0;
	char top_ids[NR][17];
	for (int i = 0; i < NR; i++) {
		seed = seed * 1103515245 + 12345;
		/* The writer responds too, sometimes. */
		int author = (seed >> 16) % 5;
		const char *status = statuses[(seed >> 19) & 3];
		bool reply = tops > 0 && ((seed >> 21) & 1);
		const char *parent = reply ? top_ids[(seed >> 22) % (unsigned)tops] : NULL;
		struct response_row r;
		new_response(&r, &s, &users[author], parent, status, 9000 + i);
		if (!ok(store_response_insert(st, &r) == STORE_OK, "generated response %d", i))
			return;
		memcpy(ids[i], r.id, 17);
		if (!reply)
			memcpy(top_ids[tops++], r.id, 17);
	}
	struct response_list readers, everything;
	int64_t count = -1;
	if (store_responses_for_story(st, &A, s.id, s.author_id, false, &readers) ||
	    store_responses_for_story(st, &A, s.id, s.author_id, true, &everything) ||
	    store_response_count_visible(st, s.id, s.author_id, &count))
		return;
	int disagreements = 0, checked = 0, shown = 0;
	for (int v = -1; v < 5; v++) {
		const char *vid = v < 0 ? NULL : users[v].id;
		bool writer = v == 0;
		for (int i = 0; i < NR; i++) {
			struct response_row r, p;
			if (store_response_get(st, &A, ids[i], &r))
				return;
			bool blocked = false;
			if (store_block_check(st, s.author_id, r.author_id, &blocked))
				return;
			if (blocked != r.author_blocked) {
				disagreements++;
				printf("# response %d: author_blocked %d, block_check %d\n", i,
				       r.author_blocked, blocked);
			}
			/* The C rule, as responses/ applies it to one response:
			 * the response, then (for anyone but the writer) its
			 * parent. */
			bool c = response_visible_to(vid, &s, &r);
			if (c && r.parent_id[0] && !response_is_writer(vid, &s)) {
				if (store_response_get(st, &A, r.parent_id, &p))
					return;
				c = response_visible_to(vid, &s, &p);
			}
			bool sql = has_id(writer ? &everything : &readers, ids[i]);
			checked++;
			shown += sql && v == 1;
			if (sql != c) {
				disagreements++;
				printf("# viewer %d response %d (%s, parent %s): SQL %d, C %d\n", v, i,
				       response_status_name(r.status), r.parent_id[0] ? "yes" : "no", sql, c);
			}
		}
	}
	ok(disagreements == 0 && checked == 6 * NR,
	   "PG_RESPONSE_VISIBLE_SQL / READER_VISIBLE and response_visible_to agree on %d cases",
	   checked);
	ok(shown > 0 && shown < NR, "the generated cases show some responses and hide others (%d)",
	   shown);
	ok(count == (int64_t)readers.n, "the visible count is the readers' list length");
}

/* ---- what ties a reader to a writer (store_reader_ties) ---- */

static bool ties_are(const struct user_row *r, const struct user_row *w, bool member, bool blocked,
		     bool responded)
{
	struct reader_ties t = {!member, !blocked, !responded};
	return store_reader_ties(st, r->id, w->id, &t) == STORE_OK && t.member == member &&
	       t.blocked == blocked && t.responded == responded;
}

static void test_reader_ties(void)
{
	struct user_row w, x, r;
	if (!ok(new_user(&w, "tw") && new_user(&x, "tx") && new_user(&r, "tr"), "users"))
		return;
	ok(ties_are(&r, &w, false, false, false), "a stranger: no ties");
	struct circle_row cx = {0}, cw = {0};
	id_new(cx.id);
	memcpy(cx.owner_id, x.id, 17);
	cx.name = "X's";
	cx.created_at = NOW;
	cw = cx;
	id_new(cw.id);
	memcpy(cw.owner_id, w.id, 17);
	ok(store_circle_insert(st, &cx) == STORE_OK && store_circle_insert(st, &cw) == STORE_OK &&
	   store_circle_member_add(st, cx.id, r.id, NOW) == STORE_OK, "in another writer's circle");
	ok(ties_are(&r, &w, false, false, false), "another writer's circle is no tie to this one");
	ok(ties_are(&r, &x, true, false, false), "her circle is");
	ok(ties_are(&w, &r, false, false, false), "ties are one way");
	ok(store_circle_member_add(st, cw.id, r.id, NOW) == STORE_OK &&
	   ties_are(&r, &w, true, false, false), "member of the writer's circle");
	ok(store_circle_member_remove(st, cw.id, r.id) == STORE_OK &&
	   ties_are(&r, &w, false, false, false), "and not once she leaves it");
	ok(store_block_add(st, w.id, r.id, NOW) == STORE_OK && ties_are(&r, &w, false, true, false) &&
	   ties_are(&r, &x, true, false, false), "blocked by this writer only");
	ok(store_block_remove(st, w.id, r.id) == STORE_OK, "unblocked");
	struct story_row sx, sw;
	if (!ok(new_story(&sx, &x, "ties-x", "public", NULL) &&
		new_story(&sw, &w, "ties-w", "public", NULL), "stories"))
		return;
	struct response_row a, b;
	new_response(&a, &sx, &r, NULL, "visible", NOW);
	ok(store_response_insert(st, &a) == STORE_OK && ties_are(&r, &w, false, false, false) &&
	   ties_are(&r, &x, true, false, true), "a response ties her to that story's writer only");
	new_response(&b, &sw, &r, NULL, "pending", NOW + 1);
	ok(store_response_insert(st, &b) == STORE_OK && ties_are(&r, &w, false, false, true),
	   "a response waiting for approval is a tie too");
	ok(store_response_delete(st, b.id) == STORE_OK && ties_are(&r, &w, false, false, false),
	   "and not once it is deleted");
}

/* ---- blocks, muted words, defaults, rate events ---- */

static void test_blocks_muted_defaults_rates(void)
{
	struct user_row w, x, b1, b2;
	if (!ok(new_user(&w, "bw") && new_user(&x, "bx") && new_user(&b2, "zz-blocked") &&
		new_user(&b1, "aa-blocked"), "users"))
		return;
	bool bl = true;
	ok(store_block_check(st, w.id, b1.id, &bl) == STORE_OK && !bl, "not blocked yet");
	ok(store_block_add(st, w.id, b2.id, NOW + 1) == STORE_OK &&
	   store_block_add(st, w.id, b1.id, NOW + 2) == STORE_OK &&
	   store_block_add(st, w.id, b1.id, NOW + 3) == STORE_OK, "block (twice is fine)");
	ok(store_block_check(st, w.id, b1.id, &bl) == STORE_OK && bl, "blocked");
	ok(store_block_check(st, x.id, b1.id, &bl) == STORE_OK && !bl, "blocks are per writer");
	ok(store_block_check(st, b1.id, w.id, &bl) == STORE_OK && !bl, "and one way");
	struct member_row *mr;
	size_t n = 9;
	ok(store_block_list(st, &A, w.id, &mr, &n) == STORE_OK && n == 2 &&
	   !strcmp(mr[0].user_id, b1.id) && !strcmp(mr[0].handle, "aa-blocked") &&
	   !strcmp(mr[0].name, "Name of aa-blocked") && mr[0].joined_at == NOW + 2 &&
	   !strcmp(mr[1].handle, "zz-blocked"), "block list by handle, with the time of the block");
	ok(store_block_list(st, &A, x.id, &mr, &n) == STORE_OK && n == 0, "an empty block list");
	ok(store_block_remove(st, w.id, b2.id) == STORE_OK &&
	   store_block_check(st, w.id, b2.id, &bl) == STORE_OK && !bl, "unblock");
	ok(store_block_remove(st, w.id, b2.id) == STORE_NOT_FOUND, "unblock again: NOT_FOUND");

	/* Muted words: sorted byte by byte, duplicates once, replaced whole. */
	const char **ph;
	ok(store_muted_get(st, &A, w.id, &ph, &n) == STORE_OK && n == 0, "no muted words");
	const char *words[] = {"\xc3\xa9" "clair", "apple pie", "Zebra", "apple pie", "b"};
	ok(store_muted_set(st, w.id, words, 5) == STORE_OK, "muted set");
	ok(store_muted_get(st, &A, w.id, &ph, &n) == STORE_OK && n == 4 &&
	   !strcmp(ph[0], "Zebra") && !strcmp(ph[1], "apple pie") && !strcmp(ph[2], "b") &&
	   !strcmp(ph[3], "\xc3\xa9" "clair"), "muted get: as typed, in byte order, once each");
	const char *xw[] = {"other"};
	ok(store_muted_set(st, x.id, xw, 1) == STORE_OK, "another writer's list");
	const char *fresh[] = {"only this"};
	ok(store_muted_set(st, w.id, fresh, 1) == STORE_OK &&
	   store_muted_get(st, &A, w.id, &ph, &n) == STORE_OK && n == 1 &&
	   !strcmp(ph[0], "only this"), "muted set replaces the list");
	const char *broken[] = {"first", NULL};
	ok(store_muted_set(st, w.id, broken, 2) != STORE_OK &&
	   store_muted_get(st, &A, w.id, &ph, &n) == STORE_OK && n == 1 &&
	   !strcmp(ph[0], "only this"), "a failed replace leaves the old list (one transaction)");
	ok(store_muted_set(st, w.id, NULL, 0) == STORE_OK &&
	   store_muted_get(st, &A, w.id, &ph, &n) == STORE_OK && n == 0, "an empty list clears");
	ok(store_muted_get(st, &A, x.id, &ph, &n) == STORE_OK && n == 1 && !strcmp(ph[0], "other"),
	   "the other writer's list stays");

	/* Response defaults. */
	const char *resp = NULL, *who = NULL;
	ok(store_response_defaults(st, &A, w.id, &resp, &who) == STORE_OK &&
	   !strcmp(resp, "open") && !strcmp(who, "signed_in"), "defaults for a new writer");
	ok(store_response_defaults_set(st, w.id, "approval", "circle") == STORE_OK &&
	   store_response_defaults(st, &A, w.id, &resp, &who) == STORE_OK &&
	   !strcmp(resp, "approval") && !strcmp(who, "circle"), "defaults set");
	ok(store_response_defaults(st, &A, x.id, &resp, &who) == STORE_OK && !strcmp(resp, "open"),
	   "per writer");
	ok(store_response_defaults(st, &A, "0000000000000000", &resp, &who) == STORE_NOT_FOUND,
	   "defaults: NOT_FOUND for no such user");

	/* Rate events: a count and the oldest since a time, per scope. */
	int64_t cnt = -1, oldest = -1;
	ok(store_rate_count(st, "resp:user:1", 0, &cnt, &oldest) == STORE_OK && cnt == 0 &&
	   oldest == 0, "no events");
	/* Times chosen so that no add is a multiple of 97 (which prunes). */
	int64_t base = 97 * 20000000 + 10;
	ok(store_rate_add(st, "resp:user:1", base) == STORE_OK &&
	   store_rate_add(st, "resp:user:1", base + 5) == STORE_OK &&
	   store_rate_add(st, "resp:user:1", base + 5) == STORE_OK &&
	   store_rate_add(st, "resp:addr:x", base + 6) == STORE_OK, "rate add");
	ok(store_rate_count(st, "resp:user:1", 0, &cnt, &oldest) == STORE_OK && cnt == 3 &&
	   oldest == base, "count and oldest");
	ok(store_rate_count(st, "resp:user:1", base + 1, &cnt, &oldest) == STORE_OK && cnt == 2 &&
	   oldest == base + 5, "since is inclusive");
	ok(store_rate_count(st, "resp:user:1", base + 6, &cnt, &oldest) == STORE_OK && cnt == 0 &&
	   oldest == 0, "nothing since");
	ok(store_rate_count(st, "resp:addr:x", 0, &cnt, &oldest) == STORE_OK && cnt == 1,
	   "scopes are apart");
	/* An add at a multiple of 97 drops events older than a day. */
	int64_t later = 97 * 20001000;
	ok(later - 86400 > base + 6 && store_rate_add(st, "resp:addr:y", later) == STORE_OK &&
	   store_rate_count(st, "resp:user:1", 0, &cnt, &oldest) == STORE_OK && cnt == 0 &&
	   store_rate_count(st, "resp:addr:y", 0, &cnt, &oldest) == STORE_OK && cnt == 1 &&
	   oldest == later, "old events are pruned now and then");
}

/* ---- transactions: what one decides, no other slips into ----
 *
 * Connection A opens a transaction and does the first steps of a
 * check-then-write; connection B, in a thread, runs the same steps. B's
 * check must see A's write: B waits for A's commit (SQLite's writer lock,
 * PostgreSQL's locks in the backend). A commits when B has checked or
 * when a deadline passes, whichever is first: a backend that lets B
 * check before A commits is caught, one that makes B wait costs the
 * deadline. */

#define RACE_DEADLINE_MS 1000

struct race {
	struct store *b;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool checked;
	int step; /* which race: 0 sign-in counts, 1 circle join */
	const char *circle_id, *user_id, *token_hash;
	/* what B saw */
	enum store_err e;
	int64_t pair;
	bool member;
};

static void race_checked(struct race *r)
{
	pthread_mutex_lock(&r->mu);
	r->checked = true;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void *race_b(void *arg)
{
	struct race *r = arg;
	r->e = store_begin(r->b);
	if (r->e) {
		race_checked(r);
		return NULL;
	}
	if (r->step == 0) {
		struct signin_counts c;
		r->e = store_signin_counts(r->b, "racer", "10.9.9.9", 0, 0, 0, &c);
		r->pair = c.pair;
		race_checked(r);
		int64_t id;
		if (!r->e)
			r->e = store_signin_add(r->b, "racer", "10.9.9.9", NOW, &id);
	} else {
		/* As circles.c joins: already a member, or spend a use and join. */
		r->e = store_circle_is_member(r->b, r->circle_id, r->user_id, &r->member);
		race_checked(r);
		if (!r->e && !r->member) {
			r->e = store_circle_invite_use(r->b, r->token_hash, NOW);
			if (!r->e)
				r->e = store_circle_member_add(r->b, r->circle_id, r->user_id, NOW);
		}
	}
	if (r->e) {
		store_rollback(r->b);
		return NULL;
	}
	r->e = store_commit(r->b);
	return NULL;
}

/* Start B, wait until it checked or the deadline passed, commit A, join. */
static bool race_run(struct race *r)
{
	pthread_t th;
	if (pthread_create(&th, NULL, race_b, r) != 0)
		return false;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += RACE_DEADLINE_MS / 1000;
	until.tv_nsec += (long)(RACE_DEADLINE_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&r->mu);
	int rc = 0;
	while (!r->checked && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&r->cv, &r->mu, &until);
	pthread_mutex_unlock(&r->mu);
	bool committed = store_commit(st) == STORE_OK;
	pthread_join(th, NULL);
	return committed;
}

static void test_transactions_serialise(void)
{
	char err[256];
	struct race r = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	if (!ok(store_open(db_url, &r.b, err, sizeof(err)) == STORE_OK, "a second connection: %s",
		r.b ? "" : err))
		return;

	/* Sign-in: counts and add in one transaction (accounts.c). */
	struct signin_counts c;
	int64_t id;
	ok(store_begin(st) == STORE_OK &&
	   store_signin_counts(st, "racer", "10.9.9.9", 0, 0, 0, &c) == STORE_OK && c.pair == 0 &&
	   store_signin_add(st, "racer", "10.9.9.9", NOW, &id) == STORE_OK, "A counts and adds");
	ok(race_run(&r) && r.e == STORE_OK, "A and B commit");
	ok(r.pair == 1, "B's count saw A's attempt (%lld): no attempt slips in between",
	   (long long)r.pair);

	/* Circle join: the same reader twice at once spends one use. */
	struct user_row w, u;
	struct circle_row circ = {0};
	struct circle_invite_row inv = {0}, got;
	if (!ok(new_user(&w, "race-w") && new_user(&u, "race-u"), "users"))
		goto out;
	id_new(circ.id);
	memcpy(circ.owner_id, w.id, 17);
	circ.name = "race";
	circ.created_at = NOW;
	inv.token_hash = H4;
	memcpy(inv.circle_id, circ.id, 17);
	inv.token_tail = "dddddd";
	inv.uses_left = 5;
	inv.expires_at = NOW + 1000;
	inv.created_at = NOW;
	if (!ok(store_circle_insert(st, &circ) == STORE_OK &&
		store_circle_invite_insert(st, &inv) == STORE_OK, "a circle and a 5-use link"))
		goto out;
	bool member = true;
	ok(store_begin(st) == STORE_OK &&
	   store_circle_is_member(st, circ.id, u.id, &member) == STORE_OK && !member &&
	   store_circle_invite_use(st, H4, NOW) == STORE_OK &&
	   store_circle_member_add(st, circ.id, u.id, NOW) == STORE_OK, "A joins");
	r.step = 1;
	r.checked = false;
	r.circle_id = circ.id;
	r.user_id = u.id;
	r.token_hash = H4;
	ok(race_run(&r) && r.e == STORE_OK, "A and B commit");
	ok(r.member, "B saw A's join");
	got.uses_left = -2;
	if (store_circle_invite_get(st, &A, H4, &got))
		got.uses_left = -2;
	ok(got.uses_left == 4, "one use spent for one join (%lld left)", (long long)got.uses_left);
out:
	store_close(r.b);
}

/* Many connections at once, each one call: reports of one response by
 * different readers all count, and replacing one writer's muted words
 * leaves one of the lists, never a mix. */

#define NPAR 8

struct par {
	struct store *s;
	pthread_barrier_t *go;
	const char *response_id, *reporter_id, *writer_id;
	const char *words[2];
	enum store_err report, muted;
};

static void *par_run(void *arg)
{
	struct par *p = arg;
	pthread_barrier_wait(p->go);
	p->report = store_response_report(p->s, p->response_id, p->reporter_id, NOW);
	p->muted = store_muted_set(p->s, p->writer_id, p->words, 2);
	return NULL;
}

static void test_parallel_writes(void)
{
	struct user_row w, readers[NPAR];
	struct story_row s;
	struct response_row r;
	if (!ok(new_user(&w, "par-w") && new_story(&s, &w, "parallel", "public", NULL), "a story"))
		return;
	bool made = true;
	for (int i = 0; i < NPAR; i++)
		made = made && new_user(&readers[i], arena_printf(&A, "par-r%d", i));
	new_response(&r, &s, &readers[0], NULL, "visible", NOW);
	if (!ok(made && store_response_insert(st, &r) == STORE_OK, "readers, a response"))
		return;
	struct par ps[NPAR];
	pthread_t th[NPAR];
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, NPAR);
	char err[256];
	int opened = 0;
	for (int i = 0; i < NPAR; i++) {
		memset(&ps[i], 0, sizeof(ps[i]));
		if (store_open(db_url, &ps[i].s, err, sizeof(err)))
			break;
		opened++;
		ps[i].go = &go;
		ps[i].response_id = r.id;
		ps[i].reporter_id = readers[i].id;
		ps[i].writer_id = w.id;
		ps[i].words[0] = arena_printf(&A, "list %d a", i);
		ps[i].words[1] = arena_printf(&A, "list %d b", i);
	}
	if (!ok(opened == NPAR, "%d connections", NPAR)) {
		for (int i = 0; i < opened; i++)
			store_close(ps[i].s);
		pthread_barrier_destroy(&go);
		return;
	}
	for (int i = 0; i < NPAR; i++)
		pthread_create(&th[i], NULL, par_run, &ps[i]);
	bool all_ok = true;
	for (int i = 0; i < NPAR; i++) {
		pthread_join(th[i], NULL);
		all_ok = all_ok && ps[i].report == STORE_OK && ps[i].muted == STORE_OK;
		store_close(ps[i].s);
	}
	pthread_barrier_destroy(&go);
	ok(all_ok, "every parallel call succeeded");
	struct response_row got;
	got.reports = -1;
	if (store_response_get(st, &A, r.id, &got))
		got.reports = -1;
	ok(got.reports == NPAR, "%d reports at once, %lld counted", NPAR, (long long)got.reports);
	const char **ph = NULL;
	size_t n = 0;
	if (store_muted_get(st, &A, w.id, &ph, &n))
		n = 0;
	bool one_list = n == 2 && strlen(ph[0]) > 6 && !strncmp(ph[0], ph[1], 6) &&
			!strcmp(ph[0] + strlen(ph[0]) - 2, " a") && !strcmp(ph[1] + strlen(ph[1]) - 2, " b");
	ok(one_list, "%d replacements of a muted list at once leave one list (%zu phrases)", NPAR, n);
}

static void suite(const char *kind, const char *url)
{
	char err[256];
	ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "%s: store opens: %s", kind,
	   st ? "" : err);
	if (!st)
		return;
	test_signin();
	test_password_sessions();
	test_circles();
	test_responses();
	test_visibility_rule_agrees();
	test_blocks_muted_defaults_rates();
	test_reader_ties();
	db_url = url;
	test_transactions_serialise();
	test_parallel_writes();
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
