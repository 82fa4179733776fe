/*
 * test_store_desk.c - the store conformance suite for the writing desk:
 * revisions, the publication schedule (with its claims when several app
 * servers share the database), the trash and held edits, as store.h
 * documents them, on every backend the build has (store_backends.h).
 * Only the interface is used.
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "store/store.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;
static struct user_row ann, bob;

static bool add_story(struct story_row *s, const struct user_row *u, const char *slug,
		      const char *status)
{
	row_story(s, u, slug, status, "public", NOW++, NULL);
	return store_story_insert(st, s) == STORE_OK;
}

static void rev(struct revision_row *r, const char *story_id, const char *kind, const char *title,
		int64_t at)
{
	memset(r, 0, sizeof(*r));
	id_new(r->id);
	snprintf(r->story_id, sizeof(r->story_id), "%s", story_id);
	r->kind = kind;
	r->title = title;
	r->subtitle = "sub";
	r->body = arena_printf(&A, "body of %s", title);
	r->word_count = 3;
	r->created_at = at;
}

static void test_revisions(void)
{
	struct story_row s;
	ok(add_story(&s, &ann, "revised", "draft"), "a story to revise");
	struct revision_row cur, got, *list;
	size_t n = 0;
	ok(store_revision_current(st, &A, s.id, &cur) == STORE_NOT_FOUND, "no revision yet: NOT_FOUND");
	ok(store_revision_list(st, &A, s.id, &list, &n) == STORE_OK && n == 0, "an empty list");

	struct revision_row r1, r2, r3;
	rev(&r1, s.id, "create", "one", NOW);
	ok(store_revision_add(st, &r1) == STORE_OK, "revision add");
	ok(store_revision_get(st, &A, r1.id, &got) == STORE_OK && got.seq == 1 &&
	   !strcmp(got.kind, "create") && !strcmp(got.title, "one") && !strcmp(got.subtitle, "sub") &&
	   !strcmp(got.body, "body of one") && got.word_count == 3 && got.created_at == NOW &&
	   got.saved_at == NOW && got.restored_from[0] == '\0' && !strcmp(got.story_id, s.id),
	   "revision get: every field, seq 1, saved_at defaults to created_at");
	int64_t r2_at = NOW + 1;
	rev(&r2, s.id, "restore", "two", r2_at);
	memcpy(r2.restored_from, r1.id, sizeof(r2.restored_from));
	r2.saved_at = NOW + 5;
	ok(store_revision_add(st, &r2) == STORE_OK && store_revision_get(st, &A, r2.id, &got) ==
	   STORE_OK && got.seq == 2 && !strcmp(got.restored_from, r1.id) && got.saved_at == NOW + 5,
	   "seq counts up per story; restored_from and saved_at kept");
	rev(&r3, s.id, "conflict", "refused", NOW + 2);
	ok(store_revision_add(st, &r3) == STORE_OK, "a refused save is kept");
	ok(store_revision_current(st, &A, s.id, &cur) == STORE_OK && !strcmp(cur.id, r2.id) &&
	   !strcmp(cur.body, "body of two"), "current: the newest that is not a conflict, with body");
	ok(store_revision_get(st, &A, "0000000000000000", &got) == STORE_NOT_FOUND,
	   "unknown revision: NOT_FOUND");

	ok(store_revision_list(st, &A, s.id, &list, &n) == STORE_OK && n == 3 && list[0].seq == 3 &&
	   list[1].seq == 2 && list[2].seq == 1 && !strcmp(list[2].id, r1.id) &&
	   !strcmp(list[0].body, "") && !strcmp(list[1].title, "two"),
	   "list: newest first, bodies left empty");

	/* Another story's revisions count from 1 and stay apart. */
	struct story_row o;
	struct revision_row ro;
	ok(add_story(&o, &ann, "other-revised", "draft"), "another story");
	rev(&ro, o.id, "create", "other", NOW);
	ok(store_revision_add(st, &ro) == STORE_OK && store_revision_get(st, &A, ro.id, &got) ==
	   STORE_OK && got.seq == 1, "seq is per story");
	ok(store_revision_list(st, &A, s.id, &list, &n) == STORE_OK && n == 3, "lists stay apart");

	/* Coalescing an autosave: rewrite in place, under a new id. */
	struct revision_row w;
	rev(&w, s.id, "autosave", "two, typed on", NOW);
	w.saved_at = NOW + 9;
	char old[17];
	memcpy(old, r2.id, sizeof(old));
	ok(store_revision_rewrite(st, old, &w) == STORE_OK, "rewrite");
	ok(store_revision_get(st, &A, old, &got) == STORE_NOT_FOUND, "the old id is gone");
	ok(store_revision_get(st, &A, w.id, &got) == STORE_OK && got.seq == 2 &&
	   !strcmp(got.kind, "autosave") && !strcmp(got.title, "two, typed on") &&
	   !strcmp(got.body, "body of two, typed on") && got.saved_at == NOW + 9 &&
	   got.restored_from[0] == '\0' && got.created_at == r2_at,
	   "rewritten: new id, kind, text and saved_at; seq and created_at kept");
	ok(store_revision_rewrite(st, old, &w) == STORE_NOT_FOUND, "rewrite of a gone id: NOT_FOUND");
}

/* ---- schedule ---- */

static void test_schedule(const char *kind, const char *url)
{
	struct story_row a, b, pub, gone;
	ok(add_story(&a, &ann, "sched-a", "draft") && add_story(&b, &bob, "sched-b", "draft") &&
	   add_story(&pub, &ann, "sched-pub", "published") && add_story(&gone, &ann, "sched-gone", "draft"),
	   "stories to schedule");
	int64_t at = -1;
	ok(store_schedule_next(st, &at) == STORE_OK && at == 0, "next: 0 when nothing is scheduled");
	ok(store_schedule_get(st, a.id, &at) == STORE_OK && at == 0, "get: 0 when not scheduled");
	ok(store_schedule_set(st, a.id, NOW + 100) == STORE_OK &&
	   store_schedule_set(st, b.id, NOW + 50) == STORE_OK &&
	   store_schedule_set(st, pub.id, NOW + 10) == STORE_OK &&
	   store_schedule_set(st, gone.id, NOW + 20) == STORE_OK, "schedule set");
	ok(store_story_delete(st, gone.id, NOW) == STORE_OK, "a scheduled story deleted");
	ok(store_schedule_get(st, a.id, &at) == STORE_OK && at == NOW + 100, "get");
	ok(store_schedule_set(st, a.id, NOW + 40) == STORE_OK &&
	   store_schedule_get(st, a.id, &at) == STORE_OK && at == NOW + 40, "set again moves it");
	ok(store_schedule_next(st, &at) == STORE_OK && at == NOW + 40,
	   "next: the earliest live draft (not a published or deleted story)");

	char due[8][17];
	size_t n = 99;
	ok(store_schedule_due(st, NOW + 39, due, 8, &n) == STORE_OK && n == 0, "nothing due yet");
	ok(store_schedule_due(st, NOW + 40, due, 8, &n) == STORE_OK && n == 1 &&
	   !strcmp(due[0], a.id), "due at its time exactly");
	ok(store_schedule_due(st, NOW + 60, due, 8, &n) == STORE_OK && n == 2 &&
	   !strcmp(due[0], a.id) && !strcmp(due[1], b.id),
	   "due: live drafts only, earliest first");
	ok(store_schedule_due(st, NOW + 60, due, 1, &n) == STORE_OK && n == 1 && !strcmp(due[0], a.id),
	   "at most max");

	ok(store_schedule_set(st, a.id, 0) == STORE_OK && store_schedule_get(st, a.id, &at) == STORE_OK &&
	   at == 0, "0 clears");
	ok(store_schedule_set(st, a.id, 0) == STORE_OK, "clearing twice is fine");
	ok(store_schedule_next(st, &at) == STORE_OK && at == NOW + 50, "next after clearing");

	/* Publishing (what the scheduler does) ends it being due. */
	struct story_row got;
	ok(store_story_get(st, &A, b.id, &got) == STORE_OK, "read b");
	got.status = STATUS_PUBLISHED;
	got.published_at = NOW + 50;
	ok(store_story_update(st, &got) == STORE_OK && store_schedule_due(st, NOW + 60, due, 8, &n) ==
	   STORE_OK && n == 0, "a published story is not due, even before its schedule is cleared");
	ok(store_schedule_set(st, b.id, 0) == STORE_OK && store_schedule_next(st, &at) == STORE_OK &&
	   at == 0, "nothing left");

	/* Claims: with PostgreSQL, several app servers share the database. */
	enum { N = 10 };
	struct story_row many[N];
	bool set = true;
	for (int i = 0; i < N; i++) {
		set = set && add_story(&many[i], &ann, arena_printf(&A, "claim-%d", i), "draft") &&
		      store_schedule_set(st, many[i].id, NOW + 200 + i) == STORE_OK;
	}
	ok(set, "%d stories scheduled", N);
	struct store *other = NULL;
	char err[256];
	ok(store_open(url, &other, err, sizeof(err)) == STORE_OK, "a second connection");
	if (!other)
		return;
	char mine[N][17], theirs[N][17];
	size_t nm = 0, nt = 0;
	ok(store_schedule_due(st, NOW + 300, mine, 4, &nm) == STORE_OK && nm == 4 &&
	   !strcmp(mine[0], many[0].id), "the first connection gets the earliest 4");
	ok(store_schedule_due(other, NOW + 300, theirs, N, &nt) == STORE_OK, "the second asks");
	bool overlap = false;
	for (size_t i = 0; i < nt; i++)
		for (size_t j = 0; j < nm; j++)
			overlap = overlap || !strcmp(theirs[i], mine[j]);
	if (strcmp(kind, "postgres") == 0) {
		ok(nt == N - 4 && !overlap && !strcmp(theirs[0], many[4].id),
		   "claimed: the second connection gets only the other %d", N - 4);
		ok(store_schedule_due(st, NOW + 300, mine, 4, &nm) == STORE_OK && nm == 4 &&
		   !strcmp(mine[0], many[0].id), "a connection's next call claims again what is still due");
		/* The first publishes one, then lets go: the second never gets it. */
		ok(store_story_get(st, &A, many[0].id, &got) == STORE_OK, "read the first");
		got.status = STATUS_PUBLISHED;
		ok(store_story_update(st, &got) == STORE_OK && store_schedule_set(st, got.id, 0) ==
		   STORE_OK, "the first connection publishes it");
		ok(store_schedule_due(st, NOW + 300, mine, 0, &nm) == STORE_OK && nm == 0,
		   "max 0 releases the claims");
		ok(store_schedule_due(other, NOW + 300, theirs, N, &nt) == STORE_OK && nt == N - 1,
		   "released: the second gets the rest, not the published one");
		ok(store_schedule_due(st, NOW + 300, mine, N, &nm) == STORE_OK && nm == 0,
		   "and now the first gets nothing");
		store_close(other);
		other = NULL;
		/* The server releases them when it has seen the connection end,
		 * a moment after the close returns: wait for that, within 10 s. */
		enum store_err e = STORE_OK;
		for (time_t until = time(NULL) + 10; time(NULL) < until;) {
			e = store_schedule_due(st, NOW + 300, mine, N, &nm);
			if (e || nm == N - 1)
				break;
		}
		ok(e == STORE_OK && nm == N - 1, "a closed connection's claims are released");
		ok(store_schedule_due(st, NOW + 300, mine, 0, &nm) == STORE_OK, "let go");
	} else {
		/* One server process, one scheduler: nothing to claim. */
		ok(nt == N, "sqlite: every due story, to the one scheduler");
		store_close(other);
		other = NULL;
	}
	for (int i = 0; i < N; i++)
		if (store_schedule_set(st, many[i].id, 0))
			ok(0, "unschedule");
}

/* Two schedulers race on one database: each story is published once. */
#define RACE_N 24
struct racer {
	const char *url;
	atomic_int *published; /* per story: how many times */
	char (*ids)[17];
	bool failed;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store *s;
	char err[256];
	if (store_open(r->url, &s, err, sizeof(err))) {
		r->failed = true;
		return NULL;
	}
	for (;;) {
		char due[3][17];
		size_t n = 0;
		if (store_schedule_due(s, NOW + 1000, due, 3, &n)) {
			r->failed = true;
			break;
		}
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++) {
			struct arena a;
			arena_init(&a);
			struct story_row got;
			if (store_story_get(s, &a, due[i], &got) == STORE_OK) {
				got.status = STATUS_PUBLISHED;
				if (store_story_update(s, &got) || store_schedule_set(s, got.id, 0))
					r->failed = true;
				for (int k = 0; k < RACE_N; k++)
					if (!strcmp(r->ids[k], due[i]))
						atomic_fetch_add(&r->published[k], 1);
			}
			arena_release(&a);
		}
	}
	store_close(s);
	return NULL;
}

static void test_schedule_race(const char *url)
{
	static char ids[RACE_N][17];
	static atomic_int published[RACE_N];
	bool set = true;
	for (int i = 0; i < RACE_N; i++) {
		struct story_row s;
		set = set && add_story(&s, &bob, arena_printf(&A, "race-%d", i), "draft") &&
		      store_schedule_set(st, s.id, NOW + 500) == STORE_OK;
		memcpy(ids[i], s.id, 17);
		atomic_store(&published[i], 0);
	}
	ok(set, "%d stories due at once", RACE_N);
	struct racer r[2] = {{url, published, ids, false}, {url, published, ids, false}};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, race, &r[i]))
			r[i].failed = true;
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	int once = 0, twice = 0;
	for (int i = 0; i < RACE_N; i++) {
		int k = atomic_load(&published[i]);
		once += k == 1;
		twice += k > 1;
	}
	ok(!r[0].failed && !r[1].failed, "both schedulers ran");
	ok(once == RACE_N && twice == 0,
	   "two schedulers racing: each story published exactly once (%d once, %d more)", once,
	   twice);
}

/* ---- trash ---- */

static void test_trash(void)
{
	struct story_row a1, a2, a3, b1, got;
	ok(add_story(&a1, &ann, "trash-1", "draft") && add_story(&a2, &ann, "trash-2", "published") &&
	   add_story(&a3, &ann, "trash-3", "draft") && add_story(&b1, &bob, "trash-b", "draft"),
	   "stories to throw away");
	int64_t at = -1;
	ok(store_trash_oldest(st, &at) == STORE_OK && at == 0, "oldest: 0 when the trash is empty");
	struct trash_row *rows;
	size_t n = 9;
	ok(store_trash_list(st, &A, ann.id, &rows, &n) == STORE_OK && n == 0, "an empty trash");
	ok(store_story_delete(st, a1.id, 1000) == STORE_OK && store_story_delete(st, a2.id, 3000) ==
	   STORE_OK && store_story_delete(st, a3.id, 2000) == STORE_OK &&
	   store_story_delete(st, b1.id, 500) == STORE_OK, "deleted");
	ok(store_story_delete(st, a1.id, 4000) == STORE_NOT_FOUND, "deleting twice: NOT_FOUND");
	ok(store_trash_list(st, &A, ann.id, &rows, &n) == STORE_OK && n == 3 &&
	   !strcmp(rows[0].id, a2.id) && !strcmp(rows[1].id, a3.id) && !strcmp(rows[2].id, a1.id) &&
	   rows[0].deleted_at == 3000 && !strcmp(rows[0].status, "published") &&
	   !strcmp(rows[0].title, "trash-2") && rows[0].word_count == 2,
	   "list: her stories only, most recently deleted first, with their fields");
	ok(store_trash_oldest(st, &at) == STORE_OK && at == 500, "oldest: anyone's");

	ok(store_trash_restore(st, a1.id, bob.id) == STORE_NOT_FOUND, "restore: not hers, NOT_FOUND");
	ok(store_trash_restore(st, "0000000000000000", ann.id) == STORE_NOT_FOUND,
	   "restore: unknown, NOT_FOUND");
	ok(store_trash_restore(st, a1.id, ann.id) == STORE_OK &&
	   store_story_get(st, &A, a1.id, &got) == STORE_OK, "restored, readable again");
	ok(store_trash_restore(st, a1.id, ann.id) == STORE_NOT_FOUND,
	   "restore: a live story is not in the trash");

	/* Purging: mark, then drop. */
	int64_t marked = -1;
	ok(store_trash_mark(st, 400, NULL, NULL, &marked) == STORE_OK && marked == 0,
	   "mark: nothing deleted that early");
	ok(store_trash_mark(st, 5000, ann.id, a2.id, &marked) == STORE_OK && marked == 1,
	   "mark one story of hers");
	ok(store_trash_list(st, &A, ann.id, &rows, &n) == STORE_OK && n == 1 &&
	   !strcmp(rows[0].id, a3.id), "a marked story has left the trash list");
	ok(store_trash_oldest(st, &at) == STORE_OK && at == 500, "and the oldest (marks are not times)");
	ok(store_trash_mark(st, 5000, ann.id, NULL, &marked) == STORE_OK && marked == 1,
	   "mark all of hers: one more");
	ok(store_trash_oldest(st, &at) == STORE_OK && at == 500, "bob's stays");
	ok(store_trash_mark(st, 5000, ann.id, NULL, &marked) == STORE_OK && marked == 0,
	   "marking again marks nothing");
	ok(store_trash_drop(st) == STORE_OK, "drop");
	ok(store_trash_restore(st, a2.id, ann.id) == STORE_NOT_FOUND &&
	   store_trash_restore(st, a3.id, ann.id) == STORE_NOT_FOUND, "dropped stories are gone");
	ok(store_trash_list(st, &A, bob.id, &rows, &n) == STORE_OK && n == 1 &&
	   !strcmp(rows[0].id, b1.id), "the unmarked one stays in its trash");
	ok(store_trash_mark(st, 500, NULL, NULL, &marked) == STORE_OK && marked == 1 &&
	   store_trash_drop(st) == STORE_OK && store_trash_oldest(st, &at) == STORE_OK && at == 0,
	   "mark by cutoff alone (at or before), drop: empty");
	ok(store_story_get(st, &A, a1.id, &got) == STORE_OK, "a restored story is untouched");
	bool taken = true;
	ok(store_story_slug_taken(st, ann.id, "trash-2", "0000000000000000", &taken) == STORE_OK && !taken,
	   "a dropped story's slug is free again");
}

/* ---- held edits ---- */

static void test_drafts(void)
{
	struct story_row s, got;
	ok(add_story(&s, &ann, "held", "published"), "a published story");
	struct story_draft_row d = {0}, g;
	ok(store_draft_get(st, &A, s.id, &g) == STORE_NOT_FOUND, "no draft: NOT_FOUND");
	ok(store_draft_delete(st, s.id) == STORE_OK, "deleting no draft is OK");
	static const char *const tags[] = {"zebra", "apple", "mango"};
	memcpy(d.story_id, s.id, sizeof(d.story_id));
	d.title = "Held title";
	d.subtitle = "Held sub";
	d.body = "held body\nsecond line";
	d.audience = "circle";
	memcpy(d.circle_id, "cccccccccccccccc", 17);
	d.content_note = "a note";
	d.responses = "approval";
	d.responders = "circle";
	d.tags = tags;
	d.ntags = 3;
	memcpy(d.revision_id, "rrrrrrrrrrrrrrrr", 17);
	d.updated_at = NOW;
	ok(store_draft_put(st, &d) == STORE_OK, "draft put");
	ok(store_draft_get(st, &A, s.id, &g) == STORE_OK && !strcmp(g.story_id, s.id) &&
	   !strcmp(g.title, "Held title") && !strcmp(g.subtitle, "Held sub") &&
	   !strcmp(g.body, "held body\nsecond line") && !strcmp(g.audience, "circle") &&
	   !strcmp(g.circle_id, "cccccccccccccccc") && !strcmp(g.content_note, "a note") &&
	   !strcmp(g.responses, "approval") && !strcmp(g.responders, "circle") && g.ntags == 3 &&
	   !strcmp(g.tags[0], "zebra") && !strcmp(g.tags[1], "apple") && !strcmp(g.tags[2], "mango") &&
	   !strcmp(g.revision_id, "rrrrrrrrrrrrrrrr") && g.updated_at == NOW,
	   "draft get: every field, tags in the order given");
	d.title = "Again";
	d.subtitle = NULL;
	d.content_note = NULL;
	d.audience = "public";
	d.circle_id[0] = '\0';
	d.ntags = 0;
	d.updated_at = NOW + 1;
	ok(store_draft_put(st, &d) == STORE_OK && store_draft_get(st, &A, s.id, &g) == STORE_OK &&
	   !strcmp(g.title, "Again") && !strcmp(g.subtitle, "") && !strcmp(g.content_note, "") &&
	   g.circle_id[0] == '\0' && g.ntags == 0 && g.updated_at == NOW + 1,
	   "put replaces the whole draft (NULL subtitle and note read as \"\", no tags)");
	ok(store_story_get(st, &A, s.id, &got) == STORE_OK && !strcmp(got.title, "held"),
	   "the live story is untouched");
	struct story_row o;
	ok(add_story(&o, &ann, "held-other", "published"), "another story");
	ok(store_draft_get(st, &A, o.id, &g) == STORE_NOT_FOUND, "drafts are per story");
	ok(store_draft_delete(st, s.id) == STORE_OK && store_draft_get(st, &A, s.id, &g) ==
	   STORE_NOT_FOUND, "draft delete");
}

static void suite(const char *kind, const char *url)
{
	char err[256];
	ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "%s: store opens: %s", kind,
	   st ? "" : err);
	if (!st)
		return;
	row_user(&ann, "ann", NOW);
	row_user(&bob, "bob", NOW);
	ok(store_user_insert(st, &ann) == STORE_OK && store_user_insert(st, &bob) == STORE_OK,
	   "writers");
	test_revisions();
	test_trash();
	test_schedule(kind, url);
	if (strcmp(kind, "postgres") == 0)
		test_schedule_race(url);
	test_drafts();
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
