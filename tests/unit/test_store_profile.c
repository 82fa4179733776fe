/*
 * test_store_profile.c - the store conformance suite, the part for
 * profiles (issue 17): a writer's avatar set, replaced (the old hash
 * handed back) and removed; links set without touching the avatar and the
 * other way round; an avatar's hash counts as used (its file is kept) and
 * is among the files a backup or a move carries. Runs on every backend
 * the build has.
 */
#include "core/arena.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"
#include "store/store_media.h"

#include <stdio.h>
#include <string.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;

static bool has_hash(void *ctx, const char *hash, const char *format)
{
	const char **want = ctx;
	if (!strcmp(hash, want[0]) && !strcmp(format, "jpeg"))
		want[1] = "found";
	return true;
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
	row_user(&ann, "ann", NOW);
	row_user(&bob, "bob", NOW);
	if (!ok(store_user_insert(st, &ann) == STORE_OK && store_user_insert(st, &bob) == STORE_OK,
		"two writers"))
		return;
	struct profile_row p;
	ok(store_profile_get(st, &A, ann.id, &p) == STORE_NOT_FOUND, "no profile yet");
	const char *h1 = "1111111111111111111111111111111111111111111111111111111111111111";
	const char *h2 = "2222222222222222222222222222222222222222222222222222222222222222";
	char old[65];
	ok(store_profile_avatar_set(st, ann.id, h1, 480, 320, NOW, old) == STORE_OK && old[0] == '\0',
	   "an avatar, nothing replaced");
	ok(store_profile_get(st, &A, ann.id, &p) == STORE_OK && !strcmp(p.avatar_hash, h1) &&
		   p.avatar_width == 480 && p.avatar_height == 320 && !strcmp(p.links, "") &&
		   p.updated_at == NOW && !strcmp(p.user_id, ann.id),
	   "read back");
	ok(store_profile_links_set(st, ann.id, "https://ann.example\nhttps://x.example/ann", NOW + 1) ==
		   STORE_OK && store_profile_get(st, &A, ann.id, &p) == STORE_OK &&
		   !strcmp(p.links, "https://ann.example\nhttps://x.example/ann") &&
		   !strcmp(p.avatar_hash, h1) && p.updated_at == NOW + 1,
	   "links set, the avatar kept");
	bool unused = true;
	ok(store_hash_unused(st, h1, &unused) == STORE_OK && !unused, "her avatar's file is in use");
	const char *want[2] = {h1, NULL};
	ok(store_variant_hashes(st, has_hash, want) == STORE_OK && want[1], "and goes with backups");
	ok(store_profile_avatar_set(st, ann.id, h2, 96, 96, NOW + 2, old) == STORE_OK && !strcmp(old, h1),
	   "replaced: the old hash handed back");
	ok(store_profile_get(st, &A, ann.id, &p) == STORE_OK && !strcmp(p.avatar_hash, h2) &&
		   !strcmp(p.links, "https://ann.example\nhttps://x.example/ann"),
	   "the new one, links kept");
	ok(store_hash_unused(st, h1, &unused) == STORE_OK && unused, "the old file is free to go");
	ok(store_profile_avatar_set(st, ann.id, "", 0, 0, NOW + 3, old) == STORE_OK && !strcmp(old, h2) &&
		   store_profile_get(st, &A, ann.id, &p) == STORE_OK && p.avatar_hash[0] == '\0',
	   "removed");
	ok(store_profile_links_set(st, bob.id, "https://bob.example", NOW) == STORE_OK &&
		   store_profile_get(st, &A, bob.id, &p) == STORE_OK && p.avatar_hash[0] == '\0' &&
		   !strcmp(p.links, "https://bob.example"),
	   "links alone make a profile");
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
