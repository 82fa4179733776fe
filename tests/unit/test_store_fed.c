/*
 * test_store_fed.c - the store conformance suite, the part for federation
 * (issue 20): a writer's key pair, kept by the first writer of it (a
 * second pair proposed later, or by another connection, is not kept),
 * refused for no account, gone with the account, in the dump; and the
 * rule on top, fed_key_for(): made lazily, once, however many requests
 * ask at the same moment on their own connections. The follow side:
 * remote actors by URL and by key (a key moving to another actor), a
 * writer's followers elsewhere (replaced on a second Follow, removed by
 * actor and Follow id, gone with her account), activity ids seen once,
 * and the delivery queue: add, fan-out once per (shared) inbox with the
 * inbox's host, claim oldest first and only once (also by two senders
 * at the same moment), lease, retry, sent, failed, release, counts.
 * What remote actors made: their replies (responses with a remote
 * author), deleted by Note or by actor, and their follows by actor.
 * Servers a writer blocked, matched with subdomains and ports.
 * Runs on every backend the build has.
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "fed/fed.h"
#include "fed/keys.h"
#include "store/store_admin.h"
#include "store/store_fed.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;

#define RACERS 6

struct racer {
	const char *url;
	const char *user_id;
	pthread_barrier_t *go;
	bool direct; /* store_fed_key_init with a pair of its own, else fed_key_for */
	char pub[4096];
	bool ok;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store *s = NULL;
	char err[256];
	struct arena a;
	arena_init(&a);
	bool opened = store_open(r->url, &s, err, sizeof(err)) == STORE_OK;
	const char *own = NULL;
	if (r->direct) {
		/* Distinct made-up pairs: which one is kept shows who won. */
		own = arena_printf(&a, "public-of-racer-%p", (void *)r);
	}
	pthread_barrier_wait(r->go);
	const char *pub = NULL, *priv = NULL;
	if (opened) {
		if (r->direct)
			r->ok = store_fed_key_init(s, &a, r->user_id, own, "private", NOW, &pub,
						   &priv) == STORE_OK;
		else
			r->ok = fed_key_for(s, &a, r->user_id, &pub, &priv) == FED_OK;
	}
	if (r->ok)
		snprintf(r->pub, sizeof(r->pub), "%s", pub);
	if (s)
		store_close(s);
	arena_release(&a);
	return NULL;
}

/* RACERS threads, each on its own connection, ask at the same moment;
 * true when all got the same public key (into agreed). */
static bool racing(const char *url, const char *user_id, bool direct, char *agreed, size_t n)
{
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, RACERS);
	static struct racer r[RACERS];
	pthread_t t[RACERS];
	for (int i = 0; i < RACERS; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i] = (struct racer){.url = url, .user_id = user_id, .go = &go, .direct = direct};
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	bool same = true;
	for (int i = 0; i < RACERS; i++)
		same = same && r[i].ok && strcmp(r[i].pub, r[0].pub) == 0;
	snprintf(agreed, n, "%s", r[0].pub);
	return same;
}

/* What NodeInfo and an outbox count: public published stories only, of
 * writers not suspended; accounts not suspended. */
static void counts(const struct user_row *ann, const struct user_row *bob,
		   const struct user_row *dan)
{
	static const char *const kinds[][2] = {
		{"published", "public"}, {"published", "public"}, {"published", "unlisted"},
		{"published", "circle"}, {"published", "private"}, {"draft", "public"},
	};
	struct story_row rows[6], gone, bobs;
	for (size_t i = 0; i < 6; i++) {
		row_story(&rows[i], ann, arena_printf(&A, "s%zu", i), kinds[i][0], kinds[i][1], NOW++,
			  NULL);
		if (rows[i].audience == AUDIENCE_CIRCLE) {
			struct circle_row c = {0};
			id_new(c.id);
			memcpy(c.owner_id, ann->id, sizeof(c.owner_id));
			c.name = "c";
			c.created_at = NOW;
			if (store_circle_insert(st, &c))
				printf("# circle not made\n");
			memcpy(rows[i].circle_id, c.id, sizeof(c.id));
		}
		if (store_story_insert(st, &rows[i]))
			printf("# story %zu not made\n", i);
	}
	row_story(&gone, ann, "gone", "published", "public", NOW++, NULL);
	row_story(&bobs, bob, "bobs", "published", "public", NOW++, NULL);
	bool made = !store_story_insert(st, &gone) && !store_story_insert(st, &bobs) &&
		    !store_story_delete(st, gone.id, NOW);
	int64_t users = -1, stories = -1, hers = -1;
	ok(made && store_fed_counts(st, NULL, &users, &stories) == STORE_OK && users == 4 &&
		   stories == 3 && store_fed_counts(st, ann->id, NULL, &hers) == STORE_OK && hers == 2,
	   "public published stories, not deleted: on the site and hers; accounts");
	ok(store_user_set_suspended(st, bob->id, NOW) == STORE_OK &&
		   store_fed_counts(st, NULL, &users, &stories) == STORE_OK && users == 3 && stories == 2,
	   "a suspended writer and her stories are not counted");
	ok(store_user_set_suspended(st, bob->id, 0) == STORE_OK &&
		   store_fed_counts(st, dan->id, &users, &hers) == STORE_OK && users == 4 && hers == 0,
	   "counted again when it ends; a writer with none has none");
}

static void actors(void)
{
	struct fed_actor_row a1 = {.id = "https://m.example/users/x", .key_id = "https://m.example/users/x#main-key",
				   .public_pem = "PEM1", .inbox = "https://m.example/users/x/inbox",
				   .shared_inbox = "https://m.example/inbox", .handle = "x", .name = "X é",
				   .fetched_at = NOW};
	struct fed_actor_row got;
	ok(store_fed_actor_get(st, &A, a1.id, &got) == STORE_NOT_FOUND, "no actor cached yet");
	ok(store_fed_actor_put(st, &a1) == STORE_OK && store_fed_actor_get(st, &A, a1.id, &got) == STORE_OK &&
		   !strcmp(got.key_id, a1.key_id) && !strcmp(got.public_pem, "PEM1") &&
		   !strcmp(got.inbox, a1.inbox) && !strcmp(got.shared_inbox, a1.shared_inbox) &&
		   !strcmp(got.handle, "x") && !strcmp(got.name, "X é") && got.fetched_at == NOW,
	   "an actor cached and read back");
	ok(store_fed_actor_by_key(st, &A, a1.key_id, &got) == STORE_OK && !strcmp(got.id, a1.id),
	   "and found by its key");
	a1.public_pem = "PEM2";
	a1.shared_inbox = "";
	a1.fetched_at = NOW + 5;
	ok(store_fed_actor_put(st, &a1) == STORE_OK && store_fed_actor_get(st, &A, a1.id, &got) == STORE_OK &&
		   !strcmp(got.public_pem, "PEM2") && !strcmp(got.shared_inbox, "") && got.fetched_at == NOW + 5,
	   "fetched again: replaced");
	struct fed_actor_row a2 = a1;
	a2.id = "https://m.example/users/y";
	ok(store_fed_actor_put(st, &a2) == STORE_OK &&
		   store_fed_actor_by_key(st, &A, a1.key_id, &got) == STORE_OK && !strcmp(got.id, a2.id) &&
		   store_fed_actor_get(st, &A, a1.id, &got) == STORE_NOT_FOUND,
	   "a key is one actor's: the one that had it is forgotten");
}

static void followers(const struct user_row *ann, const struct user_row *bob)
{
	struct fed_follower_row f1 = {.actor_id = "https://m.example/users/x", .follow_id = "https://m.example/f/1",
				      .inbox = "https://m.example/users/x/inbox",
				      .shared_inbox = "https://m.example/inbox", .created_at = NOW};
	memcpy(f1.writer_id, ann->id, 17);
	struct fed_follower_row f2 = f1, f3 = f1, f4 = f1;
	f2.actor_id = "https://m.example/users/y";
	f2.follow_id = "https://m.example/f/2";
	f2.inbox = "https://m.example/users/y/inbox";
	f2.created_at = NOW + 1;
	f3.actor_id = "http://127.0.0.1:9999/users/z";
	f3.follow_id = "http://127.0.0.1:9999/f/3";
	f3.inbox = "http://127.0.0.1:9999/users/z/inbox";
	f3.shared_inbox = "";
	f3.created_at = NOW + 2;
	memcpy(f4.writer_id, bob->id, 17);
	int64_t n = -1;
	ok(store_fed_follower_add(st, &f1) == STORE_OK && store_fed_follower_add(st, &f2) == STORE_OK &&
		   store_fed_follower_add(st, &f3) == STORE_OK && store_fed_follower_add(st, &f4) == STORE_OK &&
		   store_fed_follower_count(st, ann->id, &n) == STORE_OK && n == 3,
	   "three followers of hers, one of his");
	f1.follow_id = "https://m.example/f/1b";
	f1.created_at = NOW + 50;
	struct fed_follower_row *rows;
	size_t k;
	ok(store_fed_follower_add(st, &f1) == STORE_OK && store_fed_follower_count(st, ann->id, &n) == STORE_OK &&
		   n == 3 && store_fed_followers(st, &A, ann->id, 10, &rows, &k) == STORE_OK && k == 3 &&
		   !strcmp(rows[2].actor_id, f1.actor_id) && !strcmp(rows[2].follow_id, "https://m.example/f/1b") &&
		   rows[2].created_at == NOW && !strcmp(rows[0].actor_id, f3.actor_id),
	   "a second Follow replaces its id, keeps when she came; newest first");
	ok(store_fed_followers(st, &A, ann->id, 1, &rows, &k) == STORE_OK && k == 1, "at most max");
	ok(store_fed_follower_remove(st, ann->id, f2.actor_id, "https://m.example/f/other") == STORE_NOT_FOUND,
	   "an Undo of another Follow removes nothing");
	ok(store_fed_follower_remove(st, ann->id, f2.actor_id, f2.follow_id) == STORE_OK &&
		   store_fed_follower_remove(st, ann->id, f2.actor_id, NULL) == STORE_NOT_FOUND &&
		   store_fed_follower_count(st, ann->id, &n) == STORE_OK && n == 2,
	   "removed by its Follow, once");
	ok(store_fed_follower_add(st, &f2) == STORE_OK, "and back");
	f4.actor_id = "https://m.example/users/nobody";
	memcpy(f4.writer_id, "nosuchuser000000", 17);
	ok(store_fed_follower_add(st, &f4) == STORE_CONFLICT, "no follower of no writer");

	ok(store_fed_seen_add(st, "https://m.example/a/1", NOW) == STORE_OK &&
		   store_fed_seen_add(st, "https://m.example/a/1", NOW + 1) == STORE_CONFLICT &&
		   store_fed_seen_add(st, "https://m.example/a/2", NOW + 10) == STORE_OK,
	   "an activity id is taken in once");
	ok(store_fed_seen_prune(st, NOW + 5) == STORE_OK &&
		   store_fed_seen_add(st, "https://m.example/a/1", NOW + 20) == STORE_OK &&
		   store_fed_seen_add(st, "https://m.example/a/2", NOW + 20) == STORE_CONFLICT,
	   "pruned by age");
}

static struct response_row response_of(const struct story_row *s, const struct user_row *by,
				       const char *actor, const char *note, const char *parent)
{
	struct response_row r = {0};
	id_new(r.id);
	memcpy(r.story_id, s->id, 17);
	if (by)
		memcpy(r.author_id, by->id, 17);
	snprintf(r.parent_id, sizeof(r.parent_id), "%s", parent ? parent : "");
	r.body = "words";
	r.body_html = "<p>words</p>\n";
	r.status = RESPONSE_VISIBLE;
	r.held_for = "";
	r.created_at = NOW++;
	r.author_handle = by ? by->handle : "x@m.example";
	r.author_name = by ? by->name : "X é";
	r.remote_actor = actor ? actor : "";
	r.remote_note = note ? note : "";
	return r;
}

/* Replies from the fediverse: responses by a remote actor, read back
 * with it, shown to readers like any; deleted by the actor's Note or all
 * of the actor's at once (with their replies); the actor's follows of
 * every writer removed. */
static void remote_made(const struct user_row *ann, const struct user_row *bob)
{
	const char *x = "https://m.example/users/x", *y = "https://m.example/users/y";
	struct story_row s;
	row_story(&s, ann, "replied", "published", "public", NOW++, NULL);
	if (store_story_insert(st, &s))
		printf("# story not made\n");
	struct response_row local = response_of(&s, bob, NULL, NULL, NULL),
			    x1 = response_of(&s, NULL, x, "https://m.example/notes/1", NULL),
			    x2 = response_of(&s, NULL, x, "https://m.example/notes/2", NULL),
			    y1 = response_of(&s, NULL, y, "https://m.example/notes/1", NULL),
			    reply = response_of(&s, bob, NULL, NULL, x1.id),
			    neither = response_of(&s, NULL, NULL, NULL, NULL),
			    both = response_of(&s, bob, x, "https://m.example/notes/9", NULL);
	ok(store_response_insert(st, &local) == STORE_OK && store_response_insert(st, &x1) == STORE_OK &&
		   store_response_insert(st, &x2) == STORE_OK && store_response_insert(st, &y1) == STORE_OK &&
		   store_response_insert(st, &reply) == STORE_OK,
	   "responses by remote actors, and a reader's reply to one");
	ok(store_response_insert(st, &neither) != STORE_OK && store_response_insert(st, &both) != STORE_OK,
	   "a response has one author: an account or a remote actor");
	struct response_row got;
	ok(store_response_get(st, &A, x1.id, &got) == STORE_OK && got.author_id[0] == 0 &&
		   !strcmp(got.author_handle, "x@m.example") && !strcmp(got.author_name, "X é") &&
		   !strcmp(got.remote_actor, x) && !strcmp(got.remote_note, "https://m.example/notes/1") &&
		   !got.author_blocked && !got.author_suspended,
	   "read back with its actor, handle@domain, name and Note");
	ok(store_response_get(st, &A, local.id, &got) == STORE_OK && !strcmp(got.author_id, bob->id) &&
		   !strcmp(got.author_handle, bob->handle) && !strcmp(got.remote_actor, "") &&
		   !strcmp(got.remote_note, ""),
	   "a reader's response has no remote actor");
	struct response_list l;
	int64_t n = -1;
	ok(store_responses_for_story(st, &A, s.id, ann->id, false, &l) == STORE_OK && l.n == 5 &&
		   store_response_count_visible(st, s.id, ann->id, &n) == STORE_OK && n == 5,
	   "readers see them like any response");
	ok(store_fed_responses_delete(st, y, "https://m.example/notes/2", &n) == STORE_OK && n == 0,
	   "another actor's Note is not its to delete");
	ok(store_fed_responses_delete(st, x, "https://m.example/notes/1", &n) == STORE_OK && n == 1 &&
		   store_response_get(st, &A, x1.id, &got) == STORE_NOT_FOUND &&
		   store_response_get(st, &A, reply.id, &got) == STORE_NOT_FOUND &&
		   store_response_get(st, &A, y1.id, &got) == STORE_OK,
	   "deleted by its actor's Note, with its replies; the same Note id of another actor stays");
	ok(store_fed_responses_delete(st, x, NULL, &n) == STORE_OK && n == 1 &&
		   store_response_get(st, &A, x2.id, &got) == STORE_NOT_FOUND &&
		   store_response_get(st, &A, local.id, &got) == STORE_OK &&
		   store_fed_responses_delete(st, x, NULL, NULL) == STORE_OK,
	   "everything of an actor at once; a reader's response stays");
	ok(store_fed_responses_delete(st, "", NULL, &n) == STORE_OK && n == 0 &&
		   store_response_get(st, &A, local.id, &got) == STORE_OK,
	   "no actor named: nothing deleted");

	/* Reported, a remote actor's response is listed for the site's
	 * administrators like a reader's. */
	struct report_row *rep;
	size_t nrep = 0;
	bool reported = store_response_report(st, y1.id, ann->id, NOW) == STORE_OK &&
			store_response_report(st, y1.id, bob->id, NOW + 1) == STORE_OK &&
			store_response_report(st, local.id, ann->id, NOW) == STORE_OK &&
			store_reports_open(st, &A, 50, &rep, &nrep) == STORE_OK;
	ok(reported && nrep == 2 &&
		   !strcmp(rep[0].r.id, y1.id) && rep[0].r.reports == 2 &&
		   rep[0].r.author_id[0] == 0 && !strcmp(rep[0].r.author_handle, "x@m.example") &&
		   !strcmp(rep[0].r.remote_actor, y) &&
		   !strcmp(rep[0].r.remote_note, "https://m.example/notes/1") &&
		   !rep[0].r.author_suspended && rep[0].last_report == NOW + 1 &&
		   !strcmp(rep[0].story_author, ann->handle) && !strcmp(rep[1].r.id, local.id) &&
		   !strcmp(rep[1].r.author_handle, bob->handle) && !strcmp(rep[1].r.remote_actor, ""),
	   "reports: a remote actor's response listed like a reader's, most reported first (%zu)",
	   nrep);
	ok(store_response_set_status(st, y1.id, RESPONSE_HIDDEN) == STORE_OK &&
		   store_response_set_status(st, local.id, RESPONSE_HIDDEN) == STORE_OK &&
		   store_reports_open(st, &A, 50, &rep, &nrep) == STORE_OK && nrep == 0 &&
		   store_response_set_status(st, y1.id, RESPONSE_VISIBLE) == STORE_OK &&
		   store_response_set_status(st, local.id, RESPONSE_VISIBLE) == STORE_OK,
	   "hidden: no longer listed");

	const char *w = "https://m.example/users/w";
	struct fed_follower_row f = {.actor_id = w, .follow_id = "https://m.example/f/w",
				     .inbox = "https://m.example/users/y/inbox", .shared_inbox = "",
				     .created_at = NOW};
	memcpy(f.writer_id, ann->id, 17);
	int64_t before_ann = 0, before_bob = 0, after_ann = 0, after_bob = 0;
	bool made = store_fed_follower_count(st, ann->id, &before_ann) == STORE_OK &&
		    store_fed_follower_count(st, bob->id, &before_bob) == STORE_OK &&
		    store_fed_follower_add(st, &f) == STORE_OK;
	memcpy(f.writer_id, bob->id, 17);
	made = made && store_fed_follower_add(st, &f) == STORE_OK;
	struct fed_follower_row rq = f;
	memcpy(rq.writer_id, ann->id, 17);
	struct fed_follower_row *rqs;
	size_t nrq = 9;
	made = made && store_fed_request_add(st, &rq) == STORE_OK;
	ok(made && store_fed_follows_remove_actor(st, w, &n) == STORE_OK && n == 2 &&
		   store_fed_requests(st, &A, ann->id, 10, &rqs, &nrq) == STORE_OK && nrq == 0 &&
		   store_fed_follower_count(st, ann->id, &after_ann) == STORE_OK &&
		   store_fed_follower_count(st, bob->id, &after_bob) == STORE_OK &&
		   after_ann == before_ann && after_bob == before_bob &&
		   store_fed_follows_remove_actor(st, w, &n) == STORE_OK && n == 0,
	   "an actor's follows of every writer removed, and no one else's");
}

/* Servers a writer blocked: kept once, listed, matched with and without
 * a port and for subdomains (not for look-alikes), removed, per writer. */
static void blocked_servers(const struct user_row *ann, const struct user_row *bob)
{
	const char **ds;
	size_t n = 9;
	bool b = true;
	ok(store_fed_domain_blocks(st, &A, ann->id, &ds, &n) == STORE_OK && n == 0 &&
		   store_fed_domain_blocked(st, ann->id, "m.example", &b) == STORE_OK && !b,
	   "no server blocked yet");
	ok(store_fed_domain_block_add(st, ann->id, "m.example", NOW) == STORE_OK &&
		   store_fed_domain_block_add(st, ann->id, "m.example", NOW + 1) == STORE_OK &&
		   store_fed_domain_block_add(st, ann->id, "127.0.0.1:9999", NOW) == STORE_OK &&
		   store_fed_domain_blocks(st, &A, ann->id, &ds, &n) == STORE_OK && n == 2 &&
		   !strcmp(ds[0], "127.0.0.1:9999") && !strcmp(ds[1], "m.example"),
	   "blocked, once each, listed in byte order");
	static const struct {
		const char *host;
		bool blocked;
	} cases[] = {
		{"m.example", true}, {"m.example:443", true}, {"social.m.example", true},
		{"a.b.m.example:8443", true}, {"xm.example", false}, {"example", false},
		{"m.example.org", false}, {"127.0.0.1:9999", true}, {"127.0.0.1:9998", false},
		{"127.0.0.1", false}, {"", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(store_fed_domain_blocked(st, ann->id, cases[i].host, &b) == STORE_OK &&
			   b == cases[i].blocked,
		   "%s is %sblocked", cases[i].host, cases[i].blocked ? "" : "not ");
	ok(store_fed_domain_blocked(st, bob->id, "m.example", &b) == STORE_OK && !b, "per writer");
	ok(store_fed_domain_block_remove(st, ann->id, "m.example") == STORE_OK &&
		   store_fed_domain_block_remove(st, ann->id, "m.example") == STORE_NOT_FOUND &&
		   store_fed_domain_blocked(st, ann->id, "social.m.example", &b) == STORE_OK && !b,
	   "unblocked, once");
	ok(store_fed_domain_block_add(st, "nosuchuser000000", "x.example", NOW) == STORE_CONFLICT,
	   "no block for no account");
	ok(store_fed_domain_block_add(st, ann->id, "gone.example", NOW) == STORE_OK, "one more, to go with her");
}

/* Single actors she blocked: by the actor's URL, or its own inbox. */
static void blocked_actors(const struct user_row *ann, const struct user_row *bob)
{
	struct fed_actor_row q = {.id = "https://q.example/users/q", .key_id = "https://q.example/users/q#k",
				  .public_pem = "PEM", .inbox = "https://q.example/users/q/inbox",
				  .shared_inbox = "https://q.example/inbox", .handle = "q", .name = "Q",
				  .fetched_at = NOW};
	const char **list;
	size_t n = 9;
	bool b = true;
	ok(store_fed_actor_put(st, &q) == STORE_OK &&
		   store_fed_actor_blocks(st, &A, ann->id, &list, &n) == STORE_OK && n == 0 &&
		   store_fed_actor_blocked(st, ann->id, q.id, &b) == STORE_OK && !b,
	   "no actor blocked yet");
	ok(store_fed_actor_block_add(st, ann->id, q.id, NOW) == STORE_OK &&
		   store_fed_actor_block_add(st, ann->id, q.id, NOW + 1) == STORE_OK &&
		   store_fed_actor_block_add(st, ann->id, "https://a.example/users/z", NOW) == STORE_OK &&
		   store_fed_actor_blocks(st, &A, ann->id, &list, &n) == STORE_OK && n == 2 &&
		   !strcmp(list[0], "https://a.example/users/z") && !strcmp(list[1], q.id),
	   "blocked (twice is once), listed in byte order");
	bool by_id = false, by_inbox = false, shared = true, other = true, bobs = true;
	ok(store_fed_actor_blocked(st, ann->id, q.id, &by_id) == STORE_OK && by_id &&
		   store_fed_actor_blocked(st, ann->id, q.inbox, &by_inbox) == STORE_OK && by_inbox &&
		   store_fed_actor_blocked(st, ann->id, q.shared_inbox, &shared) == STORE_OK && !shared &&
		   store_fed_actor_blocked(st, ann->id, "https://q.example/users/r", &other) == STORE_OK &&
		   !other && store_fed_actor_blocked(st, bob->id, q.id, &bobs) == STORE_OK && !bobs,
	   "blocked by its URL and its own inbox; not its server's shared inbox, another actor there, "
	   "nor for another writer");
	ok(store_fed_actor_block_remove(st, ann->id, "https://a.example/users/z") == STORE_OK &&
		   store_fed_actor_block_remove(st, ann->id, "https://a.example/users/z") == STORE_NOT_FOUND &&
		   store_fed_actor_blocks(st, &A, ann->id, &list, &n) == STORE_OK && n == 1,
	   "unblocked; NOT_FOUND when it was not");
	ok(store_fed_actor_block_add(st, "nosuchuser000000", q.id, NOW) == STORE_CONFLICT,
	   "no block for no account");

	/* The rules on top: fed_blocked() sees it as the sender and the
	 * inbox ask; fed_block_actor() ends its follow and its request. */
	ok(fed_blocked(st, &A, ann->id, q.id) && fed_blocked(st, &A, ann->id, q.inbox) &&
		   !fed_blocked(st, &A, ann->id, q.shared_inbox) && !fed_blocked(st, &A, bob->id, q.inbox),
	   "fed_blocked: the actor and its own inbox, for her only");
	const char *p = "https://q.example/users/p";
	struct fed_follower_row f = {.actor_id = p, .follow_id = "https://q.example/f/p",
				     .inbox = "https://q.example/users/p/inbox", .shared_inbox = "",
				     .created_at = NOW};
	memcpy(f.writer_id, bob->id, 17);
	struct fed_follower_row r = f;
	r.follow_id = "https://q.example/f/p2";
	int64_t before = 0, after = 0, removed = -1;
	struct fed_follower_row got;
	ok(store_fed_follower_add(st, &f) == STORE_OK && store_fed_request_add(st, &r) == STORE_OK &&
		   store_fed_follower_count(st, bob->id, &before) == STORE_OK &&
		   fed_block_actor(st, bob->id, p, NOW, &removed) == FED_OK && removed == 1 &&
		   store_fed_follower_count(st, bob->id, &after) == STORE_OK && after == before - 1 &&
		   store_fed_request_get(st, &A, bob->id, p, &got) == STORE_NOT_FOUND &&
		   fed_blocked(st, &A, bob->id, p) && !fed_blocked(st, &A, ann->id, p),
	   "fed_block_actor: blocked, its follow and its request gone");
	ok(fed_block_actor(st, bob->id, p, NOW, &removed) == FED_OK && removed == 0 &&
		   fed_block_actor(st, "nosuchuser000000", p, NOW, NULL) == FED_BAD &&
		   store_fed_actor_block_remove(st, bob->id, p) == STORE_OK,
	   "again: nothing more to remove; FED_BAD for no account");
}

/* Follows waiting for her approval, and the choice itself. */
static void requests(const struct user_row *ann, const struct user_row *bob)
{
	bool on = true;
	ok(store_fed_approve_get(st, ann->id, &on) == STORE_OK && !on &&
		   store_fed_approve_set(st, ann->id, true) == STORE_OK &&
		   store_fed_approve_get(st, ann->id, &on) == STORE_OK && on &&
		   store_fed_approve_get(st, bob->id, &on) == STORE_OK && !on &&
		   store_fed_approve_set(st, ann->id, false) == STORE_OK &&
		   store_fed_approve_get(st, ann->id, &on) == STORE_OK && !on &&
		   store_fed_approve_set(st, ann->id, true) == STORE_OK,
	   "approving followers: off until set, per writer, on and off");
	ok(store_fed_approve_set(st, "nosuchuser000000", true) == STORE_CONFLICT, "not for no account");
	ok(store_fed_show_followers_get(st, ann->id, &on) == STORE_OK && !on &&
		   store_fed_show_followers_set(st, ann->id, true) == STORE_OK &&
		   store_fed_show_followers_get(st, ann->id, &on) == STORE_OK && on &&
		   store_fed_approve_get(st, ann->id, &on) == STORE_OK && on &&
		   store_fed_show_followers_get(st, bob->id, &on) == STORE_OK && !on,
	   "showing her followers: off until set, per writer, her approval choice kept");
	ok(store_fed_approve_set(st, ann->id, false) == STORE_OK &&
		   store_fed_show_followers_get(st, ann->id, &on) == STORE_OK && on &&
		   store_fed_show_followers_set(st, ann->id, false) == STORE_OK &&
		   store_fed_show_followers_get(st, ann->id, &on) == STORE_OK && !on &&
		   store_fed_approve_set(st, ann->id, true) == STORE_OK &&
		   store_fed_show_followers_set(st, bob->id, true) == STORE_OK &&
		   store_fed_show_followers_get(st, bob->id, &on) == STORE_OK && on,
	   "each choice set apart from the other; a first choice of showing them");
	ok(store_fed_show_followers_set(st, "nosuchuser000000", true) == STORE_CONFLICT,
	   "not for no account");
	struct fed_follower_row r1 = {.actor_id = "https://r.example/u/1", .follow_id = "https://r.example/f/1",
				      .inbox = "https://r.example/u/1/inbox", .shared_inbox = "",
				      .created_at = NOW + 10};
	memcpy(r1.writer_id, ann->id, 17);
	struct fed_follower_row r2 = r1;
	r2.actor_id = "https://r.example/u/2";
	r2.follow_id = "https://r.example/f/2";
	r2.created_at = NOW + 5;
	struct fed_follower_row got, *rows;
	size_t n = 9;
	ok(store_fed_request_get(st, &A, ann->id, r1.actor_id, &got) == STORE_NOT_FOUND &&
		   store_fed_request_add(st, &r1) == STORE_OK && store_fed_request_add(st, &r2) == STORE_OK &&
		   store_fed_requests(st, &A, ann->id, 10, &rows, &n) == STORE_OK && n == 2 &&
		   !strcmp(rows[0].actor_id, r2.actor_id) && !strcmp(rows[1].actor_id, r1.actor_id),
	   "two requests, oldest first");
	r1.follow_id = "https://r.example/f/1b";
	r1.created_at = NOW + 99;
	ok(store_fed_request_add(st, &r1) == STORE_OK &&
		   store_fed_request_get(st, &A, ann->id, r1.actor_id, &got) == STORE_OK &&
		   !strcmp(got.follow_id, "https://r.example/f/1b") && got.created_at == NOW + 10 &&
		   !strcmp(got.inbox, r1.inbox) && !strcmp(got.writer_id, ann->id),
	   "asked again: its Follow replaced, when it came kept");
	ok(store_fed_requests(st, &A, ann->id, 1, &rows, &n) == STORE_OK && n == 1 &&
		   store_fed_requests(st, &A, bob->id, 10, &rows, &n) == STORE_OK && n == 0,
	   "at most max; per writer");
	ok(store_fed_request_remove(st, ann->id, r2.actor_id, "https://r.example/f/other") == STORE_NOT_FOUND &&
		   store_fed_request_remove(st, ann->id, r2.actor_id, r2.follow_id) == STORE_OK &&
		   store_fed_request_remove(st, ann->id, r2.actor_id, NULL) == STORE_NOT_FOUND,
	   "removed by its Follow, once");
	memcpy(r2.writer_id, "nosuchuser000000", 17);
	ok(store_fed_request_add(st, &r2) == STORE_CONFLICT, "no request to follow no writer");
}

/* Likes and boosts of a story: once per actor and kind, counted,
 * removed by their activity or all of an actor's. */
static void reactions(const struct user_row *ann)
{
	struct story_row s, other;
	row_story(&s, ann, "liked", "published", "public", NOW++, NULL);
	row_story(&other, ann, "other", "published", "public", NOW++, NULL);
	if (store_story_insert(st, &s) || store_story_insert(st, &other))
		printf("# stories not made\n");
	const char *x = "https://m.example/users/x", *y = "https://m.example/users/y";
	int64_t likes = -1, boosts = -1, n = -1;
	ok(store_fed_reaction_counts(st, s.id, &likes, &boosts) == STORE_OK && likes == 0 && boosts == 0,
	   "no reactions yet");
	ok(store_fed_reaction_add(st, s.id, x, "like", "https://m.example/l/1", NOW) == STORE_OK &&
		   store_fed_reaction_add(st, s.id, x, "like", "https://m.example/l/2", NOW) == STORE_OK &&
		   store_fed_reaction_add(st, s.id, y, "like", "https://m.example/l/3", NOW) == STORE_OK &&
		   store_fed_reaction_add(st, s.id, x, "announce", "https://m.example/b/1", NOW) == STORE_OK &&
		   store_fed_reaction_add(st, other.id, x, "like", "https://m.example/l/4", NOW) == STORE_OK &&
		   store_fed_reaction_counts(st, s.id, &likes, &boosts) == STORE_OK && likes == 2 &&
		   boosts == 1,
	   "two likes (one per actor, again is once) and a boost");
	ok(store_fed_reaction_counts(st, s.id, NULL, &boosts) == STORE_OK && boosts == 1 &&
		   store_fed_reaction_counts(st, s.id, &likes, NULL) == STORE_OK && likes == 2,
	   "either count alone");
	ok(store_fed_reaction_add(st, "nosuchstory00000", x, "like", "https://m.example/l/9", NOW) ==
			   STORE_CONFLICT &&
		   store_fed_reaction_add(st, s.id, x, "frown", "https://m.example/l/9", NOW) != STORE_OK,
	   "not of no story, not of another kind");
	ok(store_fed_reaction_remove(st, x, "https://m.example/l/1", &n) == STORE_OK && n == 0 &&
		   store_fed_reaction_remove(st, y, "https://m.example/l/2", &n) == STORE_OK && n == 0 &&
		   store_fed_reaction_remove(st, x, "https://m.example/l/2", &n) == STORE_OK && n == 1 &&
		   store_fed_reaction_counts(st, s.id, &likes, &boosts) == STORE_OK && likes == 1 &&
		   boosts == 1,
	   "undone by the activity that made it (the latest), by its own actor only");
	ok(store_fed_reaction_remove(st, x, NULL, &n) == STORE_OK && n == 2 &&
		   store_fed_reaction_counts(st, other.id, &likes, &boosts) == STORE_OK && likes == 0 &&
		   store_fed_reaction_counts(st, s.id, &likes, &boosts) == STORE_OK && likes == 1 && boosts == 0,
	   "all of an actor's at once");
	ok(store_story_delete(st, s.id, NOW) == STORE_OK, "the story deleted");
}

struct claimer {
	const char *url, *who;
	int64_t now;
	size_t per_domain;
	pthread_barrier_t *go;
	char ids[32][17];
	size_t n;
};

static void *claim_race(void *arg)
{
	struct claimer *c = arg;
	struct store *s = NULL;
	char err[256];
	struct arena a;
	arena_init(&a);
	bool opened = store_open(c->url, &s, err, sizeof(err)) == STORE_OK;
	pthread_barrier_wait(c->go);
	for (int round = 0; opened && round < 20; round++) {
		struct fed_delivery_row *rows;
		size_t n;
		if (store_fed_delivery_claim(s, &a, c->who, c->now, c->now + 300, 2, c->per_domain, &rows, &n) || !n)
			break;
		for (size_t i = 0; i < n && c->n < 32; i++)
			memcpy(c->ids[c->n++], rows[i].id, 17);
	}
	if (s)
		store_close(s);
	arena_release(&a);
	return NULL;
}

static void deliveries(const char *url, const struct user_row *ann, const struct user_row *bob)
{
	int64_t n = -1;
	ok(store_fed_delivery_fanout(st, ann->id, "create", "story00000000001", NULL, NOW, &n) == STORE_OK && n == 2,
	   "fan-out: one per inbox, the shared one where offered (%lld)", (long long)n);
	struct fed_delivery_row d = {.kind = "accept", .inbox = "https://m.example/users/x/inbox",
				     .domain = "m.example", .payload = "{\"id\":\"f\"}", .status = "sent",
				     .attempts = 9, .next_at = NOW - 10, .created_at = NOW - 10};
	id_new(d.id);
	memcpy(d.writer_id, bob->id, 17);
	ok(store_fed_delivery_add(st, &d) == STORE_OK, "one delivery added");
	struct fed_delivery_row *rows;
	size_t k;
	ok(store_fed_deliveries(st, &A, ann->id, 10, &rows, &k) == STORE_OK && k == 2 &&
		   !strcmp(rows[0].kind, "create") && !strcmp(rows[0].story_id, "story00000000001") &&
		   !strcmp(rows[0].status, "queued") && rows[0].attempts == 0 && rows[0].next_at == NOW,
	   "hers: queued, due now");
	bool shared = false, own = false;
	for (size_t i = 0; i < k; i++) {
		shared |= !strcmp(rows[i].inbox, "https://m.example/inbox") && !strcmp(rows[i].domain, "m.example");
		own |= !strcmp(rows[i].inbox, "http://127.0.0.1:9999/users/z/inbox") &&
		       !strcmp(rows[i].domain, "127.0.0.1:9999");
	}
	ok(shared && own, "the shared inbox once, the other follower's own; each with its host");
	ok(store_fed_delivery_fanout(st, ann->id, "delete", "story00000000001", "{}", NOW, &n) == STORE_OK && n == 2,
	   "a second fan-out");

	int64_t q = -1, sent = -1, failed = -1;
	ok(store_fed_delivery_counts(st, &q, &sent, &failed) == STORE_OK && q == 5 && sent == 0 && failed == 0,
	   "five queued");
	ok(store_fed_delivery_claim(st, &A, "s1", NOW, NOW + 300, 2, 0, &rows, &k) == STORE_OK && k == 2 &&
		   !strcmp(rows[0].id, d.id) && !strcmp(rows[0].payload, "{\"id\":\"f\"}"),
	   "claimed oldest first, at most max");
	char first[17], second[17];
	memcpy(first, rows[0].id, 17);
	memcpy(second, rows[1].id, 17);
	ok(store_fed_delivery_claim(st, &A, "s2", NOW, NOW + 300, 10, 0, &rows, &k) == STORE_OK && k == 3,
	   "another sender gets the rest");
	char rest[3][17];
	for (size_t i = 0; i < 3 && i < k; i++)
		memcpy(rest[i], rows[i].id, 17);
	ok(store_fed_delivery_claim(st, &A, "s3", NOW + 10, NOW + 300, 10, 0, &rows, &k) == STORE_OK && k == 0,
	   "nothing while the leases hold");
	ok(store_fed_delivery_sent(st, first, NOW + 1) == STORE_OK &&
		   store_fed_delivery_retry(st, second, NOW + 60, "HTTP 503") == STORE_OK,
	   "one sent, one to retry");
	ok(store_fed_delivery_claim(st, &A, "s3", NOW + 59, NOW + 300, 10, 0, &rows, &k) == STORE_OK && k == 0 &&
		   store_fed_delivery_claim(st, &A, "s3", NOW + 60, NOW + 300, 10, 0, &rows, &k) == STORE_OK && k == 1 &&
		   !strcmp(rows[0].id, second) && rows[0].attempts == 1 && !strcmp(rows[0].last_error, "HTTP 503"),
	   "the retry is due at its time, attempts counted");
	ok(store_fed_delivery_fail(st, second, NOW + 61, "HTTP 410") == STORE_OK &&
		   store_fed_delivery_retry(st, second, NOW + 99, "late") == STORE_NOT_FOUND,
	   "failed for good: no retry after");
	ok(store_fed_delivery_release(st, "s2") == STORE_OK &&
		   store_fed_delivery_claim(st, &A, "s4", NOW + 61, NOW + 300, 10, 0, &rows, &k) == STORE_OK && k == 3,
	   "a sender starting again releases what it held");
	ok(store_fed_delivery_claim(st, &A, "s5", NOW + 301, NOW + 600, 10, 0, &rows, &k) == STORE_OK && k == 3,
	   "a lease that ran out is claimed again");
	for (size_t i = 0; i < 3; i++)
		if (store_fed_delivery_sent(st, rest[i], NOW + 302))
			printf("# not sent\n");
	ok(store_fed_delivery_counts(st, &q, &sent, &failed) == STORE_OK && q == 0 && sent == 4 && failed == 1,
	   "counted: four sent, one failed");
	ok(store_fed_deliveries(st, &A, bob->id, 10, &rows, &k) == STORE_OK && k == 1 &&
		   !strcmp(rows[0].status, "sent") && !strcmp(rows[0].payload, "") && rows[0].sent_at == NOW + 1,
	   "sent: payload cleared, time kept");
	ok(store_fed_delivery_sent(st, "nosuchdelivery00", NOW) == STORE_NOT_FOUND, "no such delivery");

	/* Two senders on their own connections at the same moment: every
	 * row is claimed by exactly one. */
	for (int i = 0; i < 6; i++)
		if (store_fed_delivery_fanout(st, ann->id, "update", "story00000000002", NULL, NOW + 100, &n))
			printf("# fanout failed\n");
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 2);
	static struct claimer c[2];
	memset(c, 0, sizeof(c));
	c[0] = (struct claimer){.url = url, .who = "r1", .now = NOW + 100, .go = &go};
	c[1] = (struct claimer){.url = url, .who = "r2", .now = NOW + 100, .go = &go};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, claim_race, &c[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	bool twice = false;
	for (size_t i = 0; i < c[0].n; i++)
		for (size_t j = 0; j < c[1].n; j++)
			twice |= !strcmp(c[0].ids[i], c[1].ids[j]);
	ok(c[0].n + c[1].n == 12 && !twice, "two senders racing: %zu + %zu rows, none twice", c[0].n, c[1].n);
}

static void dlv_at(const struct user_row *w, const char *domain, int64_t t)
{
	struct fed_delivery_row d = {.kind = "create", .payload = "", .next_at = t, .created_at = t};
	id_new(d.id);
	memcpy(d.writer_id, w->id, 17);
	d.inbox = arena_printf(&A, "https://%s/inbox", domain);
	d.domain = domain;
	if (store_fed_delivery_add(st, &d))
		printf("# delivery not added\n");
}

static size_t of_domain(const struct fed_delivery_row *rows, size_t n, const char *domain)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += !strcmp(rows[i].domain, domain);
	return k;
}

/* At most per_domain deliveries of one inbox host held at once, by any
 * sender, however many ask. */
static void per_domain_claims(const char *url, const struct user_row *ann)
{
	const int64_t T = NOW + 10000;
	struct fed_delivery_row *rows;
	size_t k;
	/* What the earlier checks left queued goes first. */
	for (int i = 0; i < 10; i++) {
		if (store_fed_delivery_claim(st, &A, "clear", T, T + 1, 100, 0, &rows, &k) || !k)
			break;
		for (size_t j = 0; j < k; j++)
			if (store_fed_delivery_sent(st, rows[j].id, T))
				printf("# not sent\n");
	}
	for (int i = 0; i < 4; i++)
		dlv_at(ann, "slow.example", T + i);
	dlv_at(ann, "fast.example", T + 9);
	dlv_at(ann, "fast.example", T + 10);
	ok(store_fed_delivery_claim(st, &A, "p1", T + 20, T + 300, 10, 2, &rows, &k) == STORE_OK &&
		   k == 4 && of_domain(rows, k, "slow.example") == 2 &&
		   of_domain(rows, k, "fast.example") == 2 && rows[0].next_at == T &&
		   rows[1].next_at == T + 1,
	   "per host at most 2 claimed, the oldest of each (%zu)", k);
	char slow0[17];
	memcpy(slow0, rows[0].id, 17);
	dlv_at(ann, "fast.example", T + 11);
	ok(store_fed_delivery_claim(st, &A, "p2", T + 20, T + 300, 10, 2, &rows, &k) == STORE_OK &&
		   k == 0,
	   "another sender gets none of a host whose 2 are held");
	ok(store_fed_delivery_claim(st, &A, "p2", T + 20, T + 300, 10, 3, &rows, &k) == STORE_OK &&
		   k == 2 && of_domain(rows, k, "slow.example") == 1 &&
		   of_domain(rows, k, "fast.example") == 1,
	   "with 3 a host: one more of each");
	ok(store_fed_delivery_sent(st, slow0, T + 21) == STORE_OK &&
		   store_fed_delivery_claim(st, &A, "p3", T + 21, T + 300, 10, 3, &rows, &k) == STORE_OK &&
		   k == 1 && !strcmp(rows[0].domain, "slow.example") && rows[0].next_at == T + 3,
	   "one sent: the host's next is claimed");
	ok(store_fed_delivery_retry(st, rows[0].id, T + 30, "timed out") == STORE_OK &&
		   store_fed_delivery_claim(st, &A, "p3", T + 30, T + 300, 10, 3, &rows, &k) == STORE_OK &&
		   k == 1 && rows[0].next_at == T + 30,
	   "released for a retry, it no longer counts as held");
	ok(store_fed_delivery_claim(st, &A, "p4", T + 301, T + 600, 10, 2, &rows, &k) == STORE_OK &&
		   k == 4 && of_domain(rows, k, "slow.example") == 2 &&
		   of_domain(rows, k, "fast.example") == 2,
	   "leases run out: held no more, the limit counts afresh");
	ok(store_fed_delivery_claim(st, &A, "p5", T + 301, T + 600, 10, 0, &rows, &k) == STORE_OK &&
		   k == 2,
	   "0: no limit");
	for (int i = 0; i < 10; i++) {
		if (store_fed_delivery_claim(st, &A, "clear", T + 601, T + 602, 100, 0, &rows, &k) || !k)
			break;
		for (size_t j = 0; j < k; j++)
			if (store_fed_delivery_sent(st, rows[j].id, T + 601))
				printf("# not sent\n");
	}

	/* Two senders racing on their own connections: together no more
	 * than 2 of a host. */
	const int64_t U = T + 1000;
	for (int i = 0; i < 6; i++) {
		dlv_at(ann, "slow.example", U);
		dlv_at(ann, "fast.example", U);
	}
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 2);
	static struct claimer c[2];
	memset(c, 0, sizeof(c));
	c[0] = (struct claimer){.url = url, .who = "q1", .now = U, .per_domain = 2, .go = &go};
	c[1] = (struct claimer){.url = url, .who = "q2", .now = U, .per_domain = 2, .go = &go};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, claim_race, &c[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	bool twice = false;
	for (size_t i = 0; i < c[0].n; i++)
		for (size_t j = 0; j < c[1].n; j++)
			twice |= !strcmp(c[0].ids[i], c[1].ids[j]);
	ok(c[0].n + c[1].n == 4 && !twice,
	   "two senders racing, 2 a host: %zu + %zu rows in all, none twice", c[0].n, c[1].n);
	for (int i = 0; i < 10; i++) {
		if (store_fed_delivery_claim(st, &A, "clear", U + 301, U + 302, 100, 0, &rows, &k) || !k)
			break;
		for (size_t j = 0; j < k; j++)
			if (store_fed_delivery_sent(st, rows[j].id, U + 301))
				printf("# not sent\n");
	}
}

static void suite(const char *kind, const char *url)
{
	(void)kind;
	char err[256];
	if (!ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "open %s", url)) {
		printf("# %s\n", err);
		return;
	}
	struct user_row ann, bob, cat, dan;
	row_user(&ann, "ann", NOW);
	row_user(&bob, "bob", NOW);
	row_user(&cat, "cat", NOW);
	row_user(&dan, "dan", NOW);
	if (!ok(store_user_insert(st, &ann) == STORE_OK && store_user_insert(st, &bob) == STORE_OK &&
			store_user_insert(st, &cat) == STORE_OK && store_user_insert(st, &dan) == STORE_OK,
		"four writers"))
		return;

	const char *pub, *priv;
	ok(store_fed_key_get(st, &A, ann.id, &pub, &priv) == STORE_NOT_FOUND, "no key yet");
	ok(store_fed_key_init(st, &A, ann.id, "PUB-A", "PRIV-A", NOW, &pub, &priv) == STORE_OK &&
		   !strcmp(pub, "PUB-A") && !strcmp(priv, "PRIV-A"),
	   "the first pair is kept and read back");
	ok(store_fed_key_init(st, &A, ann.id, "PUB-B", "PRIV-B", NOW + 1, &pub, &priv) == STORE_OK &&
		   !strcmp(pub, "PUB-A") && !strcmp(priv, "PRIV-A"),
	   "a second pair is not: the first is read back");
	ok(store_fed_key_get(st, &A, ann.id, &pub, &priv) == STORE_OK && !strcmp(pub, "PUB-A") &&
		   !strcmp(priv, "PRIV-A"),
	   "get reads it");
	ok(store_fed_key_get(st, &A, bob.id, &pub, &priv) == STORE_NOT_FOUND, "per writer");
	struct store *other;
	if (ok(store_open(url, &other, err, sizeof(err)) == STORE_OK, "a second connection")) {
		ok(store_fed_key_init(other, &A, ann.id, "PUB-C", "PRIV-C", NOW, &pub, &priv) ==
				   STORE_OK && !strcmp(pub, "PUB-A"),
		   "another connection's pair is not kept either");
		store_close(other);
	}
	ok(store_fed_key_init(st, &A, "nosuchuser000000", "P", "Q", NOW, &pub, &priv) ==
		   STORE_CONFLICT,
	   "no key for no account");

	int64_t rows = 0;
	ok(store_table_count(st, "fed_keys", &rows) == STORE_OK && rows == 1, "in the dump's tables");

	char agreed[4096];
	ok(racing(url, bob.id, true, agreed, sizeof(agreed)), "racing inits on %d connections: "
	   "each reads back the same pair", RACERS);
	ok(store_fed_key_get(st, &A, bob.id, &pub, &priv) == STORE_OK && !strcmp(pub, agreed) &&
		   !strncmp(pub, "public-of-racer-", 16),
	   "and it is one of theirs");

	ok(racing(url, cat.id, false, agreed, sizeof(agreed)),
	   "fed_key_for racing on %d connections: one key for all", RACERS);
	ok(store_fed_key_get(st, &A, cat.id, &pub, &priv) == STORE_OK && !strcmp(pub, agreed) &&
		   strstr(pub, "-----BEGIN PUBLIC KEY-----") && fed_key_public_ok(pub) &&
		   strstr(priv, "-----BEGIN PRIVATE KEY-----"),
	   "an RSA key pair in PEM, the one they all got");
	unsigned char sig[FED_SIG_MAX];
	size_t siglen = 0;
	ok(fed_key_sign(priv, "hello", 5, sig, &siglen) && siglen == 256 &&
		   fed_key_verify(pub, "hello", 5, sig, siglen) &&
		   !fed_key_verify(pub, "hellO", 5, sig, siglen),
	   "it signs (2048 bits) and its public half verifies");
	const char *pub2, *priv2;
	ok(fed_key_for(st, &A, cat.id, &pub2, &priv2) == FED_OK && !strcmp(pub2, pub),
	   "asked again: the same key, not a new one");
	ok(fed_key_for(st, &A, dan.id, &pub2, &priv2) == FED_OK && strcmp(pub2, pub) != 0,
	   "another writer gets her own");

	counts(&ann, &bob, &dan);
	actors();
	followers(&ann, &bob);
	remote_made(&ann, &bob);
	blocked_servers(&ann, &bob);
	blocked_actors(&ann, &bob);
	requests(&ann, &bob);
	reactions(&ann);
	deliveries(url, &ann, &bob);
	per_domain_claims(url, &ann);
	ok(store_user_delete(st, cat.id) == STORE_OK &&
		   store_fed_key_get(st, &A, cat.id, &pub, &priv) == STORE_NOT_FOUND,
	   "gone with her account");
	int64_t nf = -1;
	struct fed_delivery_row *dl;
	size_t ndl;
	ok(store_user_delete(st, ann.id) == STORE_OK &&
		   store_fed_follower_count(st, ann.id, &nf) == STORE_OK && nf == 0 &&
		   store_fed_deliveries(st, &A, ann.id, 10, &dl, &ndl) == STORE_OK && ndl == 0,
	   "her followers and deliveries go with her account");
	const char **gone_ds;
	size_t ngone = 9;
	bool gone_on = true;
	struct fed_follower_row *gone_rq;
	ok(store_fed_domain_blocks(st, &A, ann.id, &gone_ds, &ngone) == STORE_OK && ngone == 0 &&
		   store_fed_approve_get(st, ann.id, &gone_on) == STORE_OK && !gone_on &&
		   store_fed_requests(st, &A, ann.id, 10, &gone_rq, &ngone) == STORE_OK && ngone == 0 &&
		   store_fed_actor_blocks(st, &A, ann.id, &gone_ds, &ngone) == STORE_OK && ngone == 0,
	   "and her blocked servers and actors, her choices and the requests to follow her");
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
