/*
 * test_store_book.c - the store conformance suite, the part for books
 * (issue 19): whether a writer lets readers download a public story as a
 * book: off for a new writer, on and off again, per writer, NOT_FOUND
 * for no such user. Runs on every backend the build has.
 */
#include "core/arena.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"

#include <stdio.h>
#include <string.h>

static struct store *st;
static int64_t NOW = 1790000000;

static void suite(const char *kind, const char *url)
{
	(void)kind;
	char err[256];
	if (!ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "open %s", url)) {
		printf("# %s\n", err);
		return;
	}
	struct user_row ann, bob;
	row_user(&ann, "ann", NOW);
	row_user(&bob, "bob", NOW);
	if (!ok(store_user_insert(st, &ann) == STORE_OK && store_user_insert(st, &bob) == STORE_OK,
		"two writers"))
		return;
	bool on = true;
	ok(store_user_book_share_get(st, ann.id, &on) == STORE_OK && !on, "off for a new writer");
	ok(store_user_book_share_set(st, ann.id, true) == STORE_OK &&
		   store_user_book_share_get(st, ann.id, &on) == STORE_OK && on,
	   "turned on");
	ok(store_user_book_share_get(st, bob.id, &on) == STORE_OK && !on, "per writer");
	ok(store_user_book_share_set(st, ann.id, true) == STORE_OK &&
		   store_user_book_share_get(st, ann.id, &on) == STORE_OK && on,
	   "on again changes nothing");
	ok(store_user_book_share_set(st, ann.id, false) == STORE_OK &&
		   store_user_book_share_get(st, ann.id, &on) == STORE_OK && !on,
	   "turned off");
	on = true;
	ok(store_user_book_share_get(st, "0000000000000000", &on) == STORE_NOT_FOUND && !on,
	   "no such user: NOT_FOUND, off");
	ok(store_user_book_share_set(st, "0000000000000000", true) == STORE_NOT_FOUND,
	   "setting it for no such user: NOT_FOUND");
	store_close(st);
	st = NULL;
}

int main(void)
{
	store_for_each_backend(suite);
	return tap_done();
}
