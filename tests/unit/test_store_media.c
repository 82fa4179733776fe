/*
 * test_store_media.c - the store conformance suite for photos and their
 * variants (store_media.h), the share-card photo, follows, tags and
 * full-text search (store.h), on every backend the build has
 * (store_backends.h). Search is held to store.h's results contract:
 * words and phrases, stemming, only what the viewer may see, best match
 * first, snippets with STORE_MARK_OPEN/CLOSE around matches. Only the
 * interface is used.
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "store/store.h"
#include "store/store_media.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;
static struct user_row ann, bob, cat;

static bool add_story(struct story_row *s, const struct user_row *u, const char *slug,
		      const char *status, const char *audience, const char *text)
{
	row_story(s, u, slug, status, audience, NOW++, text);
	return store_story_insert(st, s) == STORE_OK;
}

/* ---- photos and variants ---- */

static void test_photos(void)
{
	struct story_row s, t;
	ok(add_story(&s, &ann, "photos", "published", "public", NULL) &&
	   add_story(&t, &ann, "photos-2", "draft", "public", NULL), "stories for photos");
	struct photo_row p1, p2, p3, g;
	row_photo(&p1, s.id, 100);
	p1.alt = "a pier";
	p1.caption = "at dawn";
	p1.sensitive = true;
	p1.note = "grief";
	p1.preview = "data:image/jpeg;base64,AAAA";
	p1.audience = "circle";
	memcpy(p1.circle_id, "cccccccccccccccc", 17);
	/* Inserted out of order: read back by format, then width. */
	row_variant(&p1, "webp", 1600, 'a');
	row_variant(&p1, "jpeg", 800, 'b');
	row_variant(&p1, "webp", 400, 'c');
	row_variant(&p1, "jpeg", 1600, 'd');
	ok(store_photo_insert(st, &p1) == STORE_OK, "photo insert with 4 variants");
	ok(store_photo_get(st, &A, p1.id, &g) == STORE_OK && !strcmp(g.id, p1.id) &&
	   !strcmp(g.story_id, s.id) && !strcmp(g.alt, "a pier") && !strcmp(g.caption, "at dawn") &&
	   g.sensitive && !strcmp(g.note, "grief") && g.width == 2400 && g.height == 1600 &&
	   !strcmp(g.preview, "data:image/jpeg;base64,AAAA") && !strcmp(g.audience, "circle") &&
	   !strcmp(g.circle_id, "cccccccccccccccc") && g.created_at == 100,
	   "photo get: every field");
	ok(g.nvariants == 4 && !strcmp(g.variants[0].format, "jpeg") && g.variants[0].width == 800 &&
	   g.variants[1].width == 1600 && !strcmp(g.variants[2].format, "webp") &&
	   g.variants[2].width == 400 && g.variants[3].width == 1600 &&
	   g.variants[0].height == 533 && g.variants[0].bytes == 8000 &&
	   g.variants[0].hash[0] == 'b' && strlen(g.variants[0].hash) == 64,
	   "variants ordered by format, then width, with their fields");
	ok(store_photo_get(st, &A, "0000000000000000", &g) == STORE_NOT_FOUND, "unknown photo");

	row_photo(&p2, s.id, 50); /* older: listed first */
	row_variant(&p2, "jpeg", 800, 'b'); /* shares a file with p1 */
	row_variant(&p2, "webp", 800, 'e');
	ok(store_photo_insert(st, &p2) == STORE_OK, "a second photo");
	row_photo(&p3, s.id, 200);
	ok(store_photo_insert(st, &p3) == STORE_OK, "a photo without variants yet");
	struct photo_row dup = p3;
	ok(store_photo_insert(st, &dup) != STORE_OK && store_photo_get(st, &A, p3.id, &g) == STORE_OK,
	   "the same id again fails, the first stays");
	ok(store_photo_get(st, &A, p3.id, &g) == STORE_OK && g.nvariants == 0 &&
	   !strcmp(g.audience, "story") && g.circle_id[0] == '\0' && !g.sensitive,
	   "no variants; audience story");

	struct photo_row list[8];
	size_t n = 0;
	ok(store_photo_list(st, &A, s.id, list, 8, &n) == STORE_OK && n == 3 &&
	   !strcmp(list[0].id, p2.id) && !strcmp(list[1].id, p1.id) && !strcmp(list[2].id, p3.id) &&
	   list[0].nvariants == 2 && list[1].nvariants == 4 && list[2].nvariants == 0 &&
	   !strcmp(list[1].variants[3].format, "webp"), "list: oldest first, each with its variants");
	ok(store_photo_list(st, &A, s.id, list, 2, &n) == STORE_OK && n == 2 &&
	   !strcmp(list[1].id, p1.id) && list[1].nvariants == 4, "list: at most max");
	ok(store_photo_list(st, &A, t.id, list, 8, &n) == STORE_OK && n == 0, "list of another story");
	int64_t c = -1;
	ok(store_photo_count(st, s.id, &c) == STORE_OK && c == 3, "count");
	ok(store_photo_count(st, t.id, &c) == STORE_OK && c == 0, "count: none");

	g = p1;
	g.alt = "the pier";
	g.caption = "";
	g.sensitive = false;
	g.note = "";
	g.audience = "private";
	g.circle_id[0] = '\0';
	g.created_at = 999;
	ok(store_photo_update(st, &g) == STORE_OK && store_photo_get(st, &A, p1.id, &g) == STORE_OK &&
	   !strcmp(g.alt, "the pier") && !g.sensitive && !strcmp(g.note, "") &&
	   !strcmp(g.audience, "private") && g.circle_id[0] == '\0' && g.created_at == 100 &&
	   g.nvariants == 4, "update: alt, caption, sensitive, note, audience, circle; nothing else");
	struct photo_row none;
	row_photo(&none, s.id, 1);
	ok(store_photo_update(st, &none) == STORE_NOT_FOUND, "update of an unknown photo: NOT_FOUND");

	/* Hashes and deleting. */
	char bb[65], aa[65], zz[65];
	memset(bb, 'b', 64);
	memset(aa, 'a', 64);
	memset(zz, 'z', 64);
	bb[64] = aa[64] = zz[64] = '\0';
	bool unused = true;
	ok(store_hash_unused(st, bb, &unused) == STORE_OK && !unused, "a hash in use");
	ok(store_hash_unused(st, zz, &unused) == STORE_OK && unused, "a hash nobody names");
	char hashes[8][65];
	ok(store_photo_delete(st, p1.id, hashes, 8, &n) == STORE_OK && n == 4, "delete: 4 hashes back");
	bool sawb = false, sawa = false;
	for (size_t i = 0; i < n; i++) {
		sawb = sawb || !strcmp(hashes[i], bb);
		sawa = sawa || !strcmp(hashes[i], aa);
	}
	ok(sawa && sawb, "the hashes its variants named");
	ok(store_photo_get(st, &A, p1.id, &g) == STORE_NOT_FOUND, "deleted");
	ok(store_hash_unused(st, bb, &unused) == STORE_OK && !unused,
	   "a file another photo shares stays in use");
	ok(store_hash_unused(st, aa, &unused) == STORE_OK && unused, "its own file is unused now");
	ok(store_photo_delete(st, p1.id, hashes, 8, &n) == STORE_NOT_FOUND && n == 0,
	   "deleting again: NOT_FOUND, no hashes");
	ok(store_photo_delete(st, p2.id, hashes, 1, &n) == STORE_OK && n == 1,
	   "delete: at most max hashes");
	ok(store_hash_unused(st, bb, &unused) == STORE_OK && unused, "now nobody names it");
	ok(store_photo_delete(st, p3.id, hashes, 8, &n) == STORE_OK && n == 0,
	   "a photo without variants: no hashes");

	/* Orphans: photos whose story is gone or being purged. */
	char id[17];
	ok(store_photo_orphan(st, id) == STORE_NOT_FOUND, "no orphan while the stories live");
	struct story_row gone;
	struct photo_row q;
	ok(add_story(&gone, &ann, "photos-gone", "draft", "public", NULL), "a story to purge");
	row_photo(&q, gone.id, 300);
	row_variant(&q, "jpeg", 800, 'q');
	ok(store_photo_insert(st, &q) == STORE_OK, "its photo");
	ok(store_story_delete(st, gone.id, 1000) == STORE_OK && store_photo_orphan(st, id) ==
	   STORE_NOT_FOUND, "a story in the trash keeps its photos");
	int64_t marked = 0;
	ok(store_trash_mark(st, 1000, NULL, gone.id, &marked) == STORE_OK && marked == 1 &&
	   store_photo_orphan(st, id) == STORE_OK && !strcmp(id, q.id),
	   "a story being purged: its photo is an orphan");
	ok(store_photo_delete(st, q.id, hashes, 8, &n) == STORE_OK && n == 1 &&
	   store_photo_orphan(st, id) == STORE_NOT_FOUND && store_trash_drop(st) == STORE_OK,
	   "collected, then the story dropped");
}

/* ---- the share-card photo ---- */

static void test_share_photo(void)
{
	struct story_row s, e;
	ok(add_story(&s, &ann, "share", "published", "public", NULL) &&
	   add_story(&e, &ann, "share-none", "published", "public", NULL), "stories to share");
	char id[17];
	int64_t w = 0;
	ok(store_story_share_photo(st, e.id, 1600, id, &w) == STORE_NOT_FOUND, "no photo: NOT_FOUND");
	/* Oldest first: sensitive, circle, private, webp only, then two for all. */
	struct photo_row p[6];
	const char *aud[6] = {"story", "circle", "private", "story", "story", "story"};
	for (int i = 0; i < 6; i++) {
		row_photo(&p[i], s.id, 10 + i);
		p[i].audience = aud[i];
		if (i == 1)
			memcpy(p[i].circle_id, "cccccccccccccccc", 17);
		p[i].sensitive = i == 0;
		if (i == 3) {
			row_variant(&p[i], "webp", 800, 'w');
		} else {
			row_variant(&p[i], "jpeg", 400, 'j');
			row_variant(&p[i], "jpeg", 1600, 'k');
			row_variant(&p[i], "jpeg", 2400, 'l');
			row_variant(&p[i], "webp", 1600, 'm');
		}
	}
	for (int i = 0; i < 6; i++)
		if (store_photo_insert(st, &p[i]))
			ok(0, "photo %d", i);
	ok(store_story_share_photo(st, s.id, 1600, id, &w) == STORE_OK && !strcmp(id, p[4].id) && w == 1600,
	   "the first photo for everyone, not sensitive, with a JPEG; its widest JPEG up to 1600");
	ok(store_story_share_photo(st, s.id, 480, id, &w) == STORE_OK && !strcmp(id, p[4].id) && w == 400,
	   "and up to 480 (a thumbnail): its widest JPEG that narrow");
	ok(store_story_share_photo(st, s.id, 300, id, &w) == STORE_NOT_FOUND,
	   "none when no JPEG is that narrow");
	size_t n;
	char h[8][65];
	ok(store_photo_delete(st, p[4].id, h, 8, &n) == STORE_OK &&
	   store_story_share_photo(st, s.id, 1600, id, &w) == STORE_OK && !strcmp(id, p[5].id),
	   "then the next one");
}

/* ---- follows ---- */

static void test_follows(void)
{
	bool f = true;
	ok(store_follow_check(st, bob.id, ann.id, &f) == STORE_OK && !f, "not following");
	ok(store_follow_add(st, bob.id, ann.id, 100) == STORE_OK &&
	   store_follow_add(st, cat.id, ann.id, 200) == STORE_OK &&
	   store_follow_add(st, bob.id, cat.id, 300) == STORE_OK, "follow");
	ok(store_follow_add(st, bob.id, ann.id, 900) == STORE_OK, "following twice is fine");
	ok(store_follow_check(st, bob.id, ann.id, &f) == STORE_OK && f, "following");
	ok(store_follow_check(st, ann.id, bob.id, &f) == STORE_OK && !f, "it goes one way");
	struct member_row *rows;
	size_t n = 0;
	ok(store_followers(st, &A, ann.id, &rows, &n) == STORE_OK && n == 2 &&
	   !strcmp(rows[0].handle, "bob") && !strcmp(rows[1].handle, "cat") &&
	   !strcmp(rows[0].user_id, bob.id) && !strcmp(rows[0].name, "bob") &&
	   rows[0].joined_at == 100, "followers by handle, since the first follow");
	ok(store_following(st, &A, bob.id, &rows, &n) == STORE_OK && n == 2 &&
	   !strcmp(rows[0].handle, "ann") && !strcmp(rows[1].handle, "cat") && rows[1].joined_at == 300,
	   "following by handle");
	ok(store_following(st, &A, ann.id, &rows, &n) == STORE_OK && n == 0, "following nobody");
	ok(store_follow_remove(st, bob.id, ann.id) == STORE_OK &&
	   store_follow_check(st, bob.id, ann.id, &f) == STORE_OK && !f, "unfollow");
	ok(store_follow_remove(st, bob.id, ann.id) == STORE_NOT_FOUND, "unfollow again: NOT_FOUND");
}

/* ---- tags ---- */

static void test_tags(void)
{
	struct story_row s;
	ok(add_story(&s, &ann, "tagged", "published", "public", NULL), "a story to tag");
	const char **t;
	size_t n = 9;
	ok(store_tags_get(st, &A, s.id, &t, &n) == STORE_OK && n == 0, "no tags");
	const char *tags[] = {"spring", "grief", "zqtagone"};
	ok(store_tags_set(st, s.id, tags, 3) == STORE_OK && store_tags_get(st, &A, s.id, &t, &n) ==
	   STORE_OK && n == 3 && !strcmp(t[0], "grief") && !strcmp(t[1], "spring") &&
	   !strcmp(t[2], "zqtagone"), "tags set; get in order");
	struct story_list l;
	const char **sn;
	ok(store_search(st, &A, NULL, "zqtagone", 10, &l, &sn) == STORE_OK && l.n == 1 &&
	   !strcmp(l.items[0].id, s.id), "search finds a story by its tag");
	const char *other[] = {"zqtagtwo"};
	ok(store_tags_set(st, s.id, other, 1) == STORE_OK && store_tags_get(st, &A, s.id, &t, &n) ==
	   STORE_OK && n == 1 && !strcmp(t[0], "zqtagtwo"), "set replaces");
	ok(store_search(st, &A, NULL, "zqtagone", 10, &l, &sn) == STORE_OK && l.n == 0 &&
	   store_search(st, &A, NULL, "zqtagtwo", 10, &l, &sn) == STORE_OK && l.n == 1,
	   "and search follows the new tags");
	/* Inside a caller's transaction, rolled back with it. */
	ok(store_begin(st) == STORE_OK && store_tags_set(st, s.id, tags, 3) == STORE_OK, "in a transaction");
	store_rollback(st);
	ok(store_tags_get(st, &A, s.id, &t, &n) == STORE_OK && n == 1 && !strcmp(t[0], "zqtagtwo"),
	   "a rolled back transaction leaves the tags");
	ok(store_tags_set(st, s.id, NULL, 0) == STORE_OK && store_tags_get(st, &A, s.id, &t, &n) ==
	   STORE_OK && n == 0, "no tags at all");
}

/* ---- search ---- */

static int count_char(const char *s, char c)
{
	int n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

static bool found(const struct story_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].id, id))
			return true;
	return false;
}

static void test_search(void)
{
	struct story_row walk, secret, unl, draft, gone, bobs;
	ok(add_story(&walk, &ann, "corridors", "published", "public",
		     "We were walking through the long hospital corridors at night."),
	   "a public story");
	ok(add_story(&secret, &ann, "secret-walks", "published", "private", "Walking alone, privately.") &&
	   add_story(&unl, &ann, "unlisted-walks", "published", "unlisted", "Walking, unlisted.") &&
	   add_story(&draft, &ann, "draft-walks", "draft", "public", "Walking, not yet.") &&
	   add_story(&gone, &ann, "gone-walks", "published", "public", "Walking, deleted.") &&
	   add_story(&bobs, &bob, "bobs-walks", "published", "private", "Walking, bob's own."),
	   "stories not everyone may see");
	ok(store_story_delete(st, gone.id, NOW) == STORE_OK, "one deleted");
	struct story_list l;
	const char **sn = NULL;

	ok(store_search(st, &A, NULL, "walk corridor", 10, &l, &sn) == STORE_OK && l.n == 1 &&
	   !strcmp(l.items[0].id, walk.id) && !strcmp(l.items[0].author_handle, "ann") &&
	   !strcmp(l.items[0].title, "corridors"), "stemming: walk and corridor find walking corridors");
	ok(l.n == 1 && strstr(sn[0], "\x02walking\x03") && strstr(sn[0], "\x02" "corridors\x03") &&
	   count_char(sn[0], STORE_MARK_OPEN) == 2 && count_char(sn[0], STORE_MARK_CLOSE) == 2,
	   "the snippet marks each match: %s", l.n ? sn[0] : "");
	ok(store_search(st, &A, NULL, "\"hospital corridors\"", 10, &l, &sn) == STORE_OK && l.n == 1,
	   "a phrase in order");
	ok(store_search(st, &A, NULL, "\"corridors hospital\"", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "a phrase out of order: nothing");
	ok(store_search(st, &A, NULL, "corridors hospital", 10, &l, &sn) == STORE_OK && l.n == 1,
	   "words in any order");
	ok(store_search(st, &A, NULL, "corridors zqnowhere", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "every word must match");
	ok(store_search(st, &A, NULL, "markdown", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "the Markdown body is not what search reads");

	/* Only published stories the viewer may see. */
	ok(store_search(st, &A, NULL, "walking", 10, &l, &sn) == STORE_OK && l.n == 1 &&
	   found(&l, walk.id), "anonymous: the public one only (not private, unlisted, draft, deleted)");
	ok(store_search(st, &A, cat.id, "walking", 10, &l, &sn) == STORE_OK && l.n == 1,
	   "another reader: the same");
	ok(store_search(st, &A, ann.id, "walking", 10, &l, &sn) == STORE_OK && l.n == 3 &&
	   found(&l, walk.id) && found(&l, secret.id) && found(&l, unl.id) && !found(&l, draft.id) &&
	   !found(&l, gone.id) && !found(&l, bobs.id),
	   "the writer: her published stories of any audience, not her drafts, not others' private");

	/* Queries are only words: nothing a reader types is an error. */
	const char *hostile[] = {"\"", "NEAR(a b)", "title:secret", "a OR b*", "\\", "-x", "''", "(",
				 "*", "corridors\"", "AND", "\"\"", "walking:*", "!", "&|", "^"};
	bool all_ok = true;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		if (store_search(st, &A, NULL, hostile[i], 10, &l, &sn) != STORE_OK) {
			all_ok = false;
			printf("# %s: an error\n", hostile[i]);
		}
	ok(all_ok, "hostile queries are no error");
	ok(store_search(st, &A, NULL, "", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "an empty query finds nothing");
	ok(store_search(st, &A, NULL, "\"", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "nothing searchable finds nothing");
	ok(store_search(st, &A, NULL, "title:corridors", 10, &l, &sn) == STORE_OK,
	   "no column filters from readers");

	/* Ranking: title above subtitle and tags above body; ties newest first. */
	struct story_row rb, rs, rt, rg, rt2;
	ok(add_story(&rb, &bob, "rank-body", "published", "public",
		     "some words then zqrank appears in the body text only"), "body match");
	ok(add_story(&rt, &bob, "zqrank", "published", "public", "nothing here"), "title match");
	row_story(&rs, &bob, "rank-sub", "published", "public", NOW++, "other words");
	rs.subtitle = "about zqrank";
	ok(store_story_insert(st, &rs) == STORE_OK, "subtitle match");
	ok(add_story(&rg, &bob, "rank-tag", "published", "public", "more words"), "tag match");
	const char *tg[] = {"zqrank"};
	ok(store_tags_set(st, rg.id, tg, 1) == STORE_OK, "its tag");
	ok(add_story(&rt2, &bob, "zqrank-2", "published", "public", "nothing here"),
	   "a second title match, newer");
	struct story_row got;
	ok(store_story_get(st, &A, rt2.id, &got) == STORE_OK, "read it");
	got.title = "zqrank";
	ok(store_story_update(st, &got) == STORE_OK, "same title as the first");
	ok(store_search(st, &A, NULL, "zqrank", 10, &l, &sn) == STORE_OK && l.n == 5, "five matches");
	if (l.n == 5) {
		ok(!strcmp(l.items[0].id, rt2.id) && !strcmp(l.items[1].id, rt.id),
		   "titles first, the newer of two equal ones first");
		ok((!strcmp(l.items[2].id, rs.id) || !strcmp(l.items[2].id, rg.id)) &&
		   (!strcmp(l.items[3].id, rs.id) || !strcmp(l.items[3].id, rg.id)),
		   "then subtitle and tags");
		ok(!strcmp(l.items[4].id, rb.id), "the body last");
		ok(strstr(sn[0], "\x02zqrank\x03") != NULL, "a title match is marked in the snippet: %s",
		   sn[0]);
		ok(strstr(sn[4], "\x02zqrank\x03") != NULL, "and a body match: %s", sn[4]);
	}
	ok(store_search(st, &A, NULL, "zqrank", 2, &l, &sn) == STORE_OK && l.n == 2 &&
	   !strcmp(l.items[0].id, rt2.id), "at most limit, the best");

	/* Snippets: a short extract with '…' where it cuts; markers only
	 * around matches, even if the text holds the marker bytes. */
	struct buf_s {
		char b[2048];
	} *long_text = arena_alloc(&A, sizeof(*long_text));
	size_t o = 0;
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(long_text->b + o, sizeof(long_text->b) - o, "filler%d ", i);
	o += (size_t)snprintf(long_text->b + o, sizeof(long_text->b) - o, "zqmiddle ");
	for (int i = 40; i < 80; i++)
		o += (size_t)snprintf(long_text->b + o, sizeof(long_text->b) - o, "filler%d ", i);
	struct story_row lg, mk;
	ok(add_story(&lg, &cat, "long", "published", "public", long_text->b), "a long story");
	ok(store_search(st, &A, NULL, "zqmiddle", 10, &l, &sn) == STORE_OK && l.n == 1 &&
	   strstr(sn[0], "\x02zqmiddle\x03") && strlen(sn[0]) < 400 &&
	   strlen(sn[0]) > 2 * strlen("…") && !strncmp(sn[0], "…", strlen("…")) &&
	   !strcmp(sn[0] + strlen(sn[0]) - strlen("…"), "…"),
	   "a short extract around the match, '…' on both sides");
	printf("# %s\n", l.n ? sn[0] : "");
	ok(add_story(&mk, &cat, "marks", "published", "public", "odd \x02 bytes zqmarks \x03 here"),
	   "text holding the marker bytes");
	ok(store_search(st, &A, NULL, "zqmarks", 10, &l, &sn) == STORE_OK && l.n == 1 &&
	   count_char(sn[0], STORE_MARK_OPEN) == 1 && count_char(sn[0], STORE_MARK_CLOSE) == 1 &&
	   strstr(sn[0], "\x02zqmarks\x03"), "markers only around the match");
	ok(store_search(st, &A, NULL, "walking", 100, &l, &sn) == STORE_OK && l.n == 1 &&
	   !strncmp(sn[0], "We were", 7), "an extract from the start of its text has no '…' there");
	printf("# %s\n", l.n ? sn[0] : "");

	/* The search text is re-read on update, and a deleted story leaves. */
	got = walk;
	ok(store_story_get(st, &A, walk.id, &got) == STORE_OK, "read the public story");
	got.search_text = "a zqrewritten text";
	ok(store_story_update(st, &got) == STORE_OK &&
	   store_search(st, &A, NULL, "zqrewritten", 10, &l, &sn) == STORE_OK && l.n == 1 &&
	   store_search(st, &A, NULL, "hospital", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "an update re-indexes");
	ok(store_story_text_set(st, walk.id, "zqbackfilled words") == STORE_OK &&
	   store_search(st, &A, NULL, "zqbackfilled", 10, &l, &sn) == STORE_OK && l.n == 1,
	   "story_text_set re-indexes");
	ok(store_story_delete(st, walk.id, NOW) == STORE_OK &&
	   store_search(st, &A, ann.id, "zqbackfilled", 10, &l, &sn) == STORE_OK && l.n == 0,
	   "a deleted story is not found, even by its writer");
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
	row_user(&cat, "cat", NOW);
	ok(store_user_insert(st, &ann) == STORE_OK && store_user_insert(st, &bob) == STORE_OK &&
	   store_user_insert(st, &cat) == STORE_OK, "people");
	test_photos();
	test_share_photo();
	test_follows();
	test_tags();
	test_search();
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
