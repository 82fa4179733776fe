/*
 * test_store_import.c - the store conformance suite, the part for imports
 * (issue 19): a post remembered by its source's id, and the photos an
 * import could not fetch (import_photos): put, update on a second put,
 * get, list per writer and for everyone in order and within max, delete,
 * a trashed story's kept. Runs on every backend the build has.
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"

#include <stdio.h>
#include <string.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;

static void missing(struct import_photo_row *m, const struct story_row *s, const char *url)
{
	memset(m, 0, sizeof(*m));
	id_new(m->id);
	memcpy(m->story_id, s->id, sizeof(m->story_id));
	memcpy(m->user_id, s->author_id, sizeof(m->user_id));
	m->url = url;
	m->alt = "an alt with \"quotes\" and é";
	m->caption = "";
	m->error = "HTTP status 404";
	m->tries = 1;
	m->created_at = NOW++;
}

static void suite(const char *kind, const char *url)
{
	(void)kind;
	char err[256];
	if (!ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "open %s", url)) {
		printf("# %s\n", err);
		return;
	}
	struct user_row ann, bob;
	struct story_row s1, s2, s3;
	row_user(&ann, "ann", NOW);
	row_user(&bob, "bob", NOW);
	row_story(&s1, &ann, "one", "published", "public", NOW++, NULL);
	row_story(&s2, &ann, "two", "draft", "public", NOW++, NULL);
	row_story(&s3, &bob, "three", "published", "circle", NOW++, NULL);
	if (!ok(store_user_insert(st, &ann) == STORE_OK && store_user_insert(st, &bob) == STORE_OK &&
			store_story_insert(st, &s1) == STORE_OK && store_story_insert(st, &s2) == STORE_OK &&
			store_story_insert(st, &s3) == STORE_OK,
		"two writers, three stories"))
		return;

	char have[17];
	ok(store_import_source_get(st, ann.id, "medium", "abc", have) == STORE_NOT_FOUND, "no post yet");
	ok(store_import_source_add(st, ann.id, "medium", "abc", s1.id, NOW) == STORE_OK &&
		   store_import_source_get(st, ann.id, "medium", "abc", have) == STORE_OK &&
		   !strcmp(have, s1.id),
	   "a post remembered by its id");
	ok(store_import_source_get(st, bob.id, "medium", "abc", have) == STORE_NOT_FOUND &&
		   store_import_source_get(st, ann.id, "substack", "abc", have) == STORE_NOT_FOUND,
	   "per writer and per source");
	ok(store_import_source_add(st, ann.id, "medium", "abc", s2.id, NOW) != STORE_OK,
	   "the same post twice is refused");

	struct import_photo_row a1, a2, b1, got;
	missing(&a1, &s1, "https://example.com/a1.jpg");
	missing(&a2, &s2, "https://example.com/a2.jpg");
	missing(&b1, &s3, "https://example.com/b1.jpg");
	ok(store_import_photo_put(st, &a1) == STORE_OK && store_import_photo_put(st, &a2) == STORE_OK &&
		   store_import_photo_put(st, &b1) == STORE_OK,
	   "three missing photos");
	ok(store_import_photo_get(st, &A, a1.id, &got) == STORE_OK && !strcmp(got.url, a1.url) &&
		   !strcmp(got.alt, a1.alt) && !strcmp(got.story_id, s1.id) &&
		   !strcmp(got.user_id, ann.id) && got.tries == 1 && got.created_at == a1.created_at &&
		   !strcmp(got.error, "HTTP status 404") && !strcmp(got.caption, ""),
	   "read back as written");
	a1.tries = 2;
	a1.error = "timed out";
	a1.url = "https://changed.example/x.jpg"; /* only error and tries change */
	ok(store_import_photo_put(st, &a1) == STORE_OK &&
		   store_import_photo_get(st, &A, a1.id, &got) == STORE_OK && got.tries == 2 &&
		   !strcmp(got.error, "timed out") && !strcmp(got.url, "https://example.com/a1.jpg"),
	   "a second put updates its error and tries");
	struct import_photo_row *rows;
	size_t n;
	ok(store_import_photo_list(st, &A, ann.id, 10, &rows, &n) == STORE_OK && n == 2 &&
		   !strcmp(rows[0].id, a1.id) && !strcmp(rows[1].id, a2.id),
	   "hers, oldest first (%zu)", n);
	ok(store_import_photo_list(st, &A, ann.id, 1, &rows, &n) == STORE_OK && n == 1 &&
		   !strcmp(rows[0].id, a1.id),
	   "at most max");
	ok(store_import_photo_list(st, &A, NULL, 10, &rows, &n) == STORE_OK && n == 3,
	   "everyone's (%zu)", n);
	ok(store_import_photo_delete(st, a1.id) == STORE_OK &&
		   store_import_photo_get(st, &A, a1.id, &got) == STORE_NOT_FOUND,
	   "deleted once fetched");
	ok(store_story_delete(st, s2.id, NOW) == STORE_OK &&
		   store_import_photo_get(st, &A, a2.id, &got) == STORE_OK,
	   "kept while its story is in the trash (it may come back)");
	ok(store_import_photo_delete(st, a2.id) == STORE_OK &&
		   store_import_photo_delete(st, a2.id) == STORE_OK,
	   "deleting one that is gone is no error");
	ok(store_import_photo_list(st, &A, ann.id, 10, &rows, &n) == STORE_OK && n == 0, "none left");
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
