/*
 * fed_send.c - the sender (fed_web.h): a small pool of threads, each
 * claiming one due delivery at a time from the store's queue (never more
 * than fed-domain-concurrency in flight to one inbox host, so that a
 * server that hangs never holds up the others), builds each activity as it stands
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
#include "core/wake.h"
#include "fed/fed_int.h"
#include "fed/sig.h"
#include "net/fetch.h"
#include "store/store_fed.h"
#include "stories/stories.h"
#include "web/web.h"

#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_SECONDS 300
#define MAX_BACKOFF (24 * 3600)
#define POST_TIMEOUT_MS 10000
/* Activity ids are remembered this long (a replay within the Date
 * window is refused by id; after it, by its Date). */
#define SEEN_KEEP (7 * 24 * 3600)

static struct fed_sender_config cfg;
/* The senders' bell; its lock also guards nthreads, released and down[]. */
static struct wake wake = WAKE_INIT;
static bool started;
/* /metrics (fed_stats): counted here and by the inboxes (fed_inbox.c). */
static _Atomic uint64_t n_sent, n_retried, n_failed;
static _Atomic int64_t depth_queued = -1, depth_failed = -1;
_Atomic uint64_t fed_inbox_accepted, fed_inbox_refused;

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
	/* A suspended writer's stories are taken back (Delete), nothing
	 * else goes out for her. */
	if (store_user_by_id(st, a, d->writer_id, &w) ||
	    (w.suspended_at && strcmp(d->kind, "delete") != 0)) {
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
	else if (oc == SENT)
		n_sent++;
	else if (oc == FAILED || now - d->created_at >= (int64_t)cfg.give_up)
		n_failed++;
	else
		n_retried++;
	if (oc != SENT)
		fprintf(stderr, "quire: fed: %s to %s: %s\n", d->kind, d->domain, err);
}

/* ---- servers that did not answer ----
 * A server that did not take a delivery is not tried again for a while
 * (retry_base seconds): its other deliveries are put off at once
 * instead of each holding a sender for its own time-out. */
#define DOWN_SLOTS 32
static struct {
	char domain[256];
	int64_t until;
} down[DOWN_SLOTS];

static bool domain_down(const char *domain, int64_t now)
{
	bool is = false;
	pthread_mutex_lock(&wake.mu);
	for (size_t i = 0; i < DOWN_SLOTS && !is; i++)
		is = down[i].until > now && !strcmp(down[i].domain, domain);
	pthread_mutex_unlock(&wake.mu);
	return is;
}

static void domain_mark_down(const char *domain, int64_t until)
{
	if (strlen(domain) >= sizeof(down[0].domain))
		return;
	pthread_mutex_lock(&wake.mu);
	size_t k = 0; /* the same domain's slot, else the one that ends first */
	for (size_t i = 0; i < DOWN_SLOTS; i++) {
		if (!strcmp(down[i].domain, domain)) {
			k = i;
			break;
		}
		if (down[i].until < down[k].until)
			k = i;
	}
	snprintf(down[k].domain, sizeof(down[k].domain), "%s", domain);
	down[k].until = until;
	pthread_mutex_unlock(&wake.mu);
}

static void deliver_one(void *ts, const struct fed_delivery_row *d)
{
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.arena);
	req.thread = ts;
	req.path = "/";
	char err[300] = "";
	enum outcome oc = RETRY;
	if (domain_down(d->domain, clock_now())) {
		snprintf(err, sizeof(err), "not tried: the server did not answer just before");
	} else {
		oc = post_one(&req, d, err, sizeof(err));
		if (oc == RETRY)
			domain_mark_down(d->domain, clock_now() + cfg.retry_base);
	}
	record(web_store(&req), d, oc, err);
	arena_release(&req.arena);
}

/* ---- the pool ----
 * cfg.senders threads, each claiming one delivery at a time, so that a
 * server that hangs holds only the senders delivering to it, and the
 * store's claim holds no more than cfg.domain_concurrency of one host at
 * once (across every app server): the others go on. Sender 0 first
 * releases what this node held before a restart; the rest wait for it. */
#define MAX_SENDERS 64
static pthread_t threads[MAX_SENDERS];
static unsigned nthreads;
static bool released;

static void *sender_main(void *arg);

/* Senders start as work comes: the first at start, the next each time one
 * takes a delivery, up to cfg.senders. A site with nothing to deliver
 * keeps one thread and one database connection, not four (850 KB each);
 * a busy one has them all within as many deliveries. */
static void more_senders(void)
{
	pthread_mutex_lock(&wake.mu);
	if (wake.running && nthreads < cfg.senders &&
	    pthread_create(&threads[nthreads], NULL, sender_main, (void *)(uintptr_t)nthreads) == 0)
		nthreads++;
	pthread_mutex_unlock(&wake.mu);
}

/* Sender 0 has given back what this node held: the others may claim. */
static void release_done(void)
{
	pthread_mutex_lock(&wake.mu);
	released = true;
	pthread_cond_broadcast(&wake.cv);
	pthread_mutex_unlock(&wake.mu);
}

static void *sender_main(void *arg)
{
	unsigned index = (unsigned)(uintptr_t)arg;
	void *ts = web_thread_init();
	if (!ts) {
		fprintf(stderr, "quire: fed: a sender cannot start: no database\n");
		if (index == 0)
			release_done();
		return NULL;
	}
	if (index == 0) {
		struct http_req req;
		memset(&req, 0, sizeof(req));
		req.thread = ts;
		if (store_fed_delivery_release(web_store(&req), cfg.node))
			fprintf(stderr, "quire: fed: could not release earlier claims\n");
		release_done();
	} else {
		pthread_mutex_lock(&wake.mu);
		while (wake.running && !released)
			pthread_cond_wait(&wake.cv, &wake.mu);
		pthread_mutex_unlock(&wake.mu);
	}
	int64_t pruned_at = 0, counted_at = 0;
	uint64_t seen;
	while (wake_running(&wake, &seen)) {
		struct http_req req;
		memset(&req, 0, sizeof(req));
		arena_init(&req.arena);
		req.thread = ts;
		int64_t now = clock_now();
		if (index == 0 && now - pruned_at >= 3600) {
			pruned_at = now;
			if (store_fed_seen_prune(web_store(&req), now - SEEN_KEEP))
				fprintf(stderr, "quire: fed: could not forget old activity ids\n");
		}
		struct fed_delivery_row *rows = NULL;
		size_t n = 0;
		if (store_fed_delivery_claim(web_store(&req), &req.arena, cfg.node, now,
					     now + LEASE_SECONDS, 1, cfg.domain_concurrency, &rows,
					     &n))
			n = 0;
		if (n) {
			more_senders();
			deliver_one(ts, &rows[0]);
		}
		/* The queue's depth, for /metrics: by sender 0 when it has
		 * nothing to send, at most once a second. */
		if (!n && index == 0 && now != counted_at) {
			int64_t q, f;
			counted_at = now;
			if (!store_fed_delivery_counts(web_store(&req), &q, NULL, &f)) {
				depth_queued = q;
				depth_failed = f;
			}
		}
		arena_release(&req.arena);
		if (n)
			continue;
		/* Nothing this sender may take: sleep until poked, or a second
		 * (another app server may have queued, a retry come due, or a
		 * host's deliveries in flight ended). */
		wake_sleep(&wake, seen, 1);
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
	if (!cfg.senders)
		cfg.senders = 4;
	if (cfg.senders > MAX_SENDERS)
		cfg.senders = MAX_SENDERS;
	if (!cfg.domain_concurrency)
		cfg.domain_concurrency = 2;
	released = false;
	nthreads = 0;
	wake_start(&wake);
	pthread_mutex_lock(&wake.mu);
	if (pthread_create(&threads[0], NULL, sender_main, (void *)(uintptr_t)0) == 0)
		nthreads = 1;
	pthread_mutex_unlock(&wake.mu);
	started = nthreads > 0;
	if (!started) {
		fprintf(stderr, "quire: cannot start the fediverse sender\n");
		wake_stop(&wake);
		free((char *)cfg.node);
		cfg.node = NULL;
		return false;
	}
	return true;
}

void fed_sender_stop(void)
{
	if (!started)
		return;
	wake_stop(&wake);
	pthread_mutex_lock(&wake.mu);
	unsigned n = nthreads; /* no more start once not running */
	pthread_mutex_unlock(&wake.mu);
	for (unsigned i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
	free((char *)cfg.node);
	cfg.node = NULL;
	started = false;
}

void fed_stats(struct fed_stats *out)
{
	out->sent = n_sent;
	out->retried = n_retried;
	out->failed = n_failed;
	out->inbox_accepted = fed_inbox_accepted;
	out->inbox_refused = fed_inbox_refused;
	out->queued_now = depth_queued;
	out->failed_now = depth_failed;
}

void fed_sender_poke(void)
{
	wake_poke(&wake);
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

int fed_story_restore_hook(struct store *st, struct arena *a, const struct story_row *s)
{
	(void)a;
	int64_t n = 0;
	if (fed_on_story_restore(st, s, clock_now(), &n))
		return -1;
	if (n)
		fed_sender_poke();
	return 0;
}

int fed_story_retag_hook(struct store *st, struct arena *a, const struct story_row *before,
			 const struct story_row *after)
{
	(void)a;
	int64_t n = 0;
	if (fed_on_story_retag(st, before, after, clock_now(), &n))
		return -1;
	if (n)
		fed_sender_poke();
	return 0;
}

int fed_writer_suspend_hook(struct store *st, struct arena *a, const struct user_row *u, bool on)
{
	int64_t n = 0;
	if (fed_on_writer_suspend(st, a, u->id, on, clock_now(), &n))
		return -1;
	if (n)
		fed_sender_poke();
	return 0;
}
