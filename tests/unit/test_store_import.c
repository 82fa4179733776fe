/*
 * test_store_import.c - the store conformance suite, the part for imports
 * (issue 19): a post remembered by its source's id, and the photos an
 * import could not fetch (import_photos): put, update on a second put,
 * get, list per writer and for everyone in order and within max, delete,
 * a trashed story's kept; and the queue of imports started from the
 * settings page (import_jobs): add, get, list newest first, claim oldest
 * first and only once, progress, release and finish only by the holder,
 * a lease that ran out claimed again. Runs on every backend the build has.
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

static void job(struct import_job_row *j, const struct user_row *u, const char *kind)
{
	memset(j, 0, sizeof(*j));
	id_new(j->id);
	memcpy(j->user_id, u->id, sizeof(j->user_id));
	j->kind = kind;
	j->file = !strcmp(kind, "photos") ? "" : "imports/x.zip";
	j->name = "medium-export \"ann\".zip";
	j->responses = !strcmp(kind, "medium");
	j->status = "done"; /* ignored: a new job is queued */
	j->done = 5;
	j->created_at = NOW++;
}

static void jobs(const struct user_row *ann, const struct user_row *bob)
{
	struct import_job_row j1, j2, j3, got;
	job(&j1, ann, "medium");
	job(&j2, bob, "wordpress");
	job(&j3, ann, "photos");
	ok(store_import_job_add(st, &j1) == STORE_OK && store_import_job_add(st, &j2) == STORE_OK &&
		   store_import_job_add(st, &j3) == STORE_OK,
	   "three imports queued");
	ok(store_import_job_add(st, &j1) != STORE_OK, "the same id twice is refused");
	ok(store_import_job_get(st, &A, j1.id, &got) == STORE_OK && !strcmp(got.kind, "medium") &&
		   !strcmp(got.file, "imports/x.zip") && !strcmp(got.name, j1.name) && got.responses &&
		   !strcmp(got.status, "queued") && got.done == 0 && got.total == 0 &&
		   !strcmp(got.report, "") && !strcmp(got.claimed_by, "") &&
		   got.created_at == j1.created_at && got.started_at == 0 && got.finished_at == 0 &&
		   !strcmp(got.user_id, ann->id),
	   "read back queued, nothing done");
	struct import_job_row *rows;
	size_t n;
	ok(store_import_job_list(st, &A, ann->id, 10, &rows, &n) == STORE_OK && n == 2 &&
		   !strcmp(rows[0].id, j3.id) && !strcmp(rows[1].id, j1.id),
	   "hers, newest first (%zu)", n);
	ok(store_import_job_list(st, &A, ann->id, 1, &rows, &n) == STORE_OK && n == 1,
	   "at most max");
	ok(store_import_job_get(st, &A, "nosuchjob", &got) == STORE_NOT_FOUND, "an unknown id");

	int64_t t = NOW;
	struct import_job_row c1, c2, c3, c4;
	ok(store_import_job_claim(st, &A, "w1", t, t + 60, &c1) == STORE_OK && !strcmp(c1.id, j1.id) &&
		   !strcmp(c1.status, "running") && !strcmp(c1.claimed_by, "w1") &&
		   c1.started_at == t && c1.lease_until == t + 60,
	   "the oldest is claimed first, running");
	ok(store_import_job_claim(st, &A, "w2", t, t + 60, &c2) == STORE_OK && !strcmp(c2.id, j2.id),
	   "the next worker gets the next one");
	ok(store_import_job_claim(st, &A, "w3", t, t + 60, &c3) == STORE_OK && !strcmp(c3.id, j3.id),
	   "and the third");
	ok(store_import_job_claim(st, &A, "w4", t, t + 60, &c4) == STORE_NOT_FOUND,
	   "none left while the leases hold");
	ok(store_import_job_progress(st, j1.id, "w1", 3, 10, t + 120) == STORE_OK &&
		   store_import_job_get(st, &A, j1.id, &got) == STORE_OK && got.done == 3 &&
		   got.total == 10 && got.lease_until == t + 120,
	   "progress by its holder, lease extended");
	ok(store_import_job_progress(st, j1.id, "w2", 4, 10, t + 120) == STORE_NOT_FOUND,
	   "not by another worker");
	ok(store_import_job_release(st, j3.id, "w1") == STORE_NOT_FOUND &&
		   store_import_job_release(st, j3.id, "w3") == STORE_OK &&
		   store_import_job_get(st, &A, j3.id, &got) == STORE_OK &&
		   !strcmp(got.status, "queued") && !strcmp(got.claimed_by, "") &&
		   store_import_job_claim(st, &A, "w3", t + 1, t + 60, &c3) == STORE_OK &&
		   !strcmp(c3.id, j3.id) && c3.started_at == t,
	   "given back by its holder only, queued again and claimed again");
	ok(store_import_job_claim(st, &A, "w4", t + 61, t + 200, &c4) == STORE_OK &&
		   !strcmp(c4.id, j2.id) && c4.started_at == t && !strcmp(c4.claimed_by, "w4"),
	   "a lease that ran out is claimed again (started_at kept)");
	ok(store_import_job_finish(st, j2.id, "w2", "done", "late", t + 62) == STORE_NOT_FOUND,
	   "the worker that lost it cannot finish it");
	ok(store_import_job_finish(st, j2.id, "w4", "failed", "bad file", t + 63) == STORE_OK &&
		   store_import_job_get(st, &A, j2.id, &got) == STORE_OK &&
		   !strcmp(got.status, "failed") && !strcmp(got.report, "bad file") &&
		   got.finished_at == t + 63 && !strcmp(got.claimed_by, ""),
	   "finished by its holder: status, report, claim released");
	ok(store_import_job_finish(st, j1.id, "w1", "done", "3 imported\n", t + 64) == STORE_OK &&
		   store_import_job_claim(st, &A, "w5", t + 10000, t + 10060, &c4) == STORE_OK &&
		   !strcmp(c4.id, j3.id),
	   "a finished job is never claimed again; the running one past its lease is");
	ok(store_import_job_finish(st, j1.id, "w1", "done", "again", t + 65) == STORE_NOT_FOUND,
	   "nor finished twice");
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
	jobs(&ann, &bob);
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
