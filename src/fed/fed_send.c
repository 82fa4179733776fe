/*
 * fed_send.c - the sender (fed_web.h): one thread that claims due
 * deliveries from the store's queue, builds each activity as it stands
 * now (a story that is no longer public is not sent: a Delete was queued
 * for it), signs it as its writer (HTTP Signatures, fed/sig.h) and POSTs
 * it to the inbox through the SSRF-guarded fetcher, then records the
 * answer. Modelled on the mail sender (mail/mail_send.c): leased claims,
 * so several app servers may each run one and no delivery has two
 * senders; a restart releases what this node held.
 */
#include "fed/fed_web.h"

#include "core/clock.h"
#include "core/mem.h"
#include "fed/fed_int.h"
#include "fed/sig.h"
#include "net/fetch.h"
#include "store/store_fed.h"
#include "stories/stories.h"
#include "web/web.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLAIM_BATCH 8
#define LEASE_SECONDS 300
#define MAX_BACKOFF (24 * 3600)
#define POST_TIMEOUT_MS 10000
/* Activity ids are remembered this long (a replay within the Date
 * window is refused by id; after it, by its Date). */
#define SEEN_KEEP (7 * 24 * 3600)

static struct fed_sender_config cfg;
static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool running, poked, started;

/* The activity a delivery carries, as JSON text (malloc'd), or NULL
 * with *why saying why it is not sent. */
static char *activity_of(struct http_req *req, const struct fed_delivery_row *d,
			 const struct user_row *w, const char **why)
{
	struct arena *a = &req->arena;
	const char *actor = fed_actor_url(req, w->handle);
	json_t *o = NULL;
	if (!strcmp(d->kind, "accept") || !strcmp(d->kind, "reject")) {
		const char *type = !strcmp(d->kind, "accept") ? "Accept" : "Reject";
		json_t *p = json_loads(d->payload, 0, NULL);
		const char *follower = json_string_value(json_object_get(p, "actor"));
		const char *follow = json_string_value(json_object_get(p, "follow"));
		if (follower && follow)
			o = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s}}", "@context",
				      FED_AS_CONTEXT, "id",
				      arena_printf(a, "%s#%ss/%s", actor, d->kind, d->id), "type",
				      type, "actor", actor, "object", "id", follow, "type",
				      "Follow", "actor", follower, "object", actor);
		json_decref(p);
		if (!o)
			*why = "not sent: the Follow it accepts is unreadable";
	} else if (!strcmp(d->kind, "create") || !strcmp(d->kind, "update")) {
		struct story_row s;
		if (store_story_get(web_store(req), a, d->story_id, &s) || !fed_story_is_public(req, &s)) {
			*why = "not sent: the story is no longer public";
			return NULL;
		}
		if (!strcmp(d->kind, "create")) {
			o = fed_create_json(req, &s);
		} else {
			json_t *art = fed_article_json(req, &s, false);
			o = json_pack("{s:[s,{s:s,s:s}],s:s,s:s,s:s,s:O,s:O,s:o}", "@context",
				      FED_AS_CONTEXT, "sensitive", "as:sensitive", "Hashtag",
				      "as:Hashtag", "id",
				      arena_printf(a, "%s#update-%s", fed_article_url(req, s.id), d->id),
				      "type", "Update", "actor", actor, "to",
				      json_object_get(art, "to"), "cc", json_object_get(art, "cc"),
				      "object", art);
		}
	} else if (!strcmp(d->kind, "delete")) {
		const char *obj = fed_article_url(req, d->story_id);
		o = json_pack("{s:s,s:s,s:s,s:s,s:[s],s:[s],s:{s:s,s:s}}", "@context", FED_AS_CONTEXT,
			      "id", arena_printf(a, "%s#delete-%s", obj, d->id), "type", "Delete",
			      "actor", actor, "to", FED_PUBLIC, "cc",
			      fed_collection_url(req, w->handle, "followers"), "object", "id", obj,
			      "type", "Tombstone");
	} else {
		*why = "not sent: an unknown kind of delivery";
	}
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (o && !text)
		*why = "not sent: the activity could not be written";
	return text;
}

enum outcome { SENT, RETRY, FAILED };

/* Build, sign and POST one delivery; *err says what went wrong. */
static enum outcome post_one(struct http_req *req, const struct fed_delivery_row *d, char *err,
			     size_t errlen)
{
	struct store *st = web_store(req);
	struct arena *a = &req->arena;
	struct user_row w;
	if (store_user_by_id(st, a, d->writer_id, &w) || w.suspended_at) {
		snprintf(err, errlen, "not sent: the writer is gone");
		return FAILED;
	}
	if (fed_blocked(st, a, w.id, d->inbox)) {
		snprintf(err, errlen, "not sent: a server she blocked");
		return FAILED;
	}
	if (!fed_url_allowed(d->inbox, fed_allow_private())) {
		snprintf(err, errlen, "not sent: only https inboxes are delivered to");
		return FAILED;
	}
	const char *pub, *priv;
	if (fed_key_for(st, a, w.id, &pub, &priv)) {
		snprintf(err, errlen, "the writer's key could not be read");
		return RETRY;
	}
	const char *why = NULL;
	char *body = activity_of(req, d, &w, &why);
	if (!body) {
		snprintf(err, errlen, "%s", why ? why : "not sent");
		return FAILED;
	}
	struct sig_out so;
	enum outcome oc = RETRY;
	if (!sig_sign(a, fed_key_id(req, w.handle), priv, "POST", d->inbox, body, strlen(body),
		      clock_now(), &so)) {
		snprintf(err, errlen, "not sent: the inbox address cannot be signed for");
		free(body);
		return FAILED;
	}
	const char *headers[] = {
		arena_printf(a, "Host: %s", so.host),
		arena_printf(a, "Date: %s", so.date),
		arena_printf(a, "Digest: %s", so.digest),
		arena_printf(a, "Signature: %s", so.signature),
		"Content-Type: application/activity+json",
		"Accept: application/activity+json",
		NULL,
	};
	struct fetch_opts fo = {.max_bytes = 64 << 10, .timeout_ms = POST_TIMEOUT_MS,
				.allow_private = fed_allow_private(), .headers = headers};
	struct fetch_result r;
	fetch_result_init(&r);
	enum fetch_err fe = fetch_post(d->inbox, &fo, body, strlen(body), &r);
	free(body);
	if (fe == FETCH_OK) {
		oc = SENT;
	} else {
		snprintf(err, errlen, "%s", r.error[0] ? r.error : fetch_strerror(fe));
		/* Refused for good: a 4xx other than "later" (408, 429), or an
		 * address we may never reach. */
		bool permanent = (fe == FETCH_HTTP_STATUS && r.status >= 400 && r.status < 500 &&
				  r.status != 408 && r.status != 429) ||
				 fe == FETCH_BLOCKED || fe == FETCH_SCHEME || fe == FETCH_BAD_URL;
		oc = permanent ? FAILED : RETRY;
	}
	fetch_result_release(&r);
	return oc;
}

static void record(struct store *st, const struct fed_delivery_row *d, enum outcome oc,
		   const char *err)
{
	int64_t now = clock_now();
	enum store_err e;
	if (oc == SENT) {
		e = store_fed_delivery_sent(st, d->id, now);
	} else if (oc == FAILED || now - d->created_at >= (int64_t)cfg.give_up) {
		e = store_fed_delivery_fail(st, d->id, now, err);
	} else {
		int64_t delay = cfg.retry_base;
		for (int64_t i = 0; i < d->attempts && delay < MAX_BACKOFF; i++)
			delay *= 2;
		if (delay > MAX_BACKOFF)
			delay = MAX_BACKOFF;
		e = store_fed_delivery_retry(st, d->id, now + delay, err);
	}
	if (e && e != STORE_NOT_FOUND)
		fprintf(stderr, "quire: fed: could not record delivery %s\n", d->id);
	if (oc != SENT)
		fprintf(stderr, "quire: fed: %s to %s: %s\n", d->kind, d->domain, err);
}

static void deliver_batch(void *ts, const struct fed_delivery_row *rows, size_t n)
{
	/* A server that did not answer is not tried again in this batch: its
	 * other deliveries wait their turn, and the rest go on. */
	const char *down[CLAIM_BATCH];
	size_t ndown = 0;
	for (size_t i = 0; i < n; i++) {
		struct http_req req;
		memset(&req, 0, sizeof(req));
		arena_init(&req.arena);
		req.thread = ts;
		req.path = "/";
		char err[300] = "";
		enum outcome oc = RETRY;
		bool skip = false;
		for (size_t k = 0; k < ndown; k++)
			skip = skip || !strcmp(down[k], rows[i].domain);
		if (skip)
			snprintf(err, sizeof(err), "not tried: the server did not answer just before");
		else
			oc = post_one(&req, &rows[i], err, sizeof(err));
		if (oc == RETRY && !skip && ndown < CLAIM_BATCH)
			down[ndown++] = rows[i].domain;
		record(web_store(&req), &rows[i], oc, err);
		arena_release(&req.arena);
	}
}

static void *sender_main(void *arg)
{
	(void)arg;
	void *ts = web_thread_init();
	if (!ts) {
		fprintf(stderr, "quire: fed: the sender cannot start: no database\n");
		return NULL;
	}
	{
		struct http_req req;
		memset(&req, 0, sizeof(req));
		req.thread = ts;
		if (store_fed_delivery_release(web_store(&req), cfg.node))
			fprintf(stderr, "quire: fed: could not release earlier claims\n");
	}
	int64_t pruned_at = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		bool go = running;
		poked = false;
		pthread_mutex_unlock(&mu);
		if (!go)
			break;
		struct http_req req;
		memset(&req, 0, sizeof(req));
		arena_init(&req.arena);
		req.thread = ts;
		int64_t now = clock_now();
		if (now - pruned_at >= 3600) {
			pruned_at = now;
			if (store_fed_seen_prune(web_store(&req), now - SEEN_KEEP))
				fprintf(stderr, "quire: fed: could not forget old activity ids\n");
		}
		struct fed_delivery_row *rows = NULL;
		size_t n = 0;
		if (store_fed_delivery_claim(web_store(&req), &req.arena, cfg.node, now,
					     now + LEASE_SECONDS, CLAIM_BATCH, &rows, &n))
			n = 0;
		deliver_batch(ts, rows, n);
		arena_release(&req.arena);
		if (n == CLAIM_BATCH)
			continue;
		/* Nothing more due: sleep until poked, or a second (another app
		 * server may have queued, or a retry come due). */
		pthread_mutex_lock(&mu);
		if (running && !poked) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&cv, &mu, &until);
		}
		pthread_mutex_unlock(&mu);
	}
	web_thread_done(ts);
	return NULL;
}

bool fed_sender_start(const struct fed_sender_config *c)
{
	cfg = *c;
	cfg.node = xstrdup(c->node ? c->node : "");
	if (!cfg.retry_base)
		cfg.retry_base = 60;
	if (!cfg.give_up)
		cfg.give_up = 7 * 24 * 3600;
	running = true;
	if (pthread_create(&thread, NULL, sender_main, NULL) != 0) {
		fprintf(stderr, "quire: cannot start the fediverse sender\n");
		running = false;
		return false;
	}
	started = true;
	return true;
}

void fed_sender_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&mu);
	running = false;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	free((char *)cfg.node);
	cfg.node = NULL;
	started = false;
}

void fed_sender_poke(void)
{
	pthread_mutex_lock(&mu);
	poked = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

int fed_story_hook(struct store *st, struct arena *a, const struct story_row *before,
		   const struct story_row *after, int email)
{
	(void)a;
	(void)email;
	int64_t n = 0;
	if (fed_on_story_save(st, before, after, clock_now(), &n))
		return -1;
	if (n)
		fed_sender_poke();
	return 0;
}

int fed_story_delete_hook(struct store *st, struct arena *a, const struct story_row *s)
{
	(void)a;
	int64_t n = 0;
	if (fed_on_story_delete(st, s, clock_now(), &n))
		return -1;
	if (n)
		fed_sender_poke();
	return 0;
}
