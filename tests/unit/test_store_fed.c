/*
 * test_store_fed.c - the store conformance suite, the part for federation
 * (issue 20): a writer's key pair, kept by the first writer of it (a
 * second pair proposed later, or by another connection, is not kept),
 * refused for no account, gone with the account, in the dump; and the
 * rule on top, fed_key_for(): made lazily, once, however many requests
 * ask at the same moment on their own connections. Runs on every backend
 * the build has.
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
	ok(store_user_delete(st, cat.id) == STORE_OK &&
		   store_fed_key_get(st, &A, cat.id, &pub, &priv) == STORE_NOT_FOUND,
	   "gone with her account");
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
