/*
 * fed_web.h - the web side of federation (issue 20): discovery
 * (WebFinger, NodeInfo), the actor of each writer, her outbox and
 * collections, the Article of each public story. Included by the route
 * table in main.c only; the rules are in fed.h.
 *
 * Identifiers (chosen once; servers keep them):
 *  - a writer's actor is her profile's address, BASE/@HANDLE: the URL a
 *    reader pastes into Mastodon's search is the actor itself, with no
 *    redirect and no second address to keep in step (handles never
 *    change in Quire). Her key is BASE/@HANDLE#main-key.
 *  - her inbox is BASE/@HANDLE/inbox (POST only, so no story address is
 *    shadowed); the shared inbox BASE/inbox; her outbox and collections
 *    BASE/ap/users/HANDLE/{outbox,followers,following}, apart from the
 *    pages so that no slug can shadow them.
 *  - a story's Article is BASE/ap/stories/ID: a story's slug follows its
 *    title, and an Update must name the object its Create made; the
 *    Article's url is the story page.
 * Every object is for an anonymous reader whoever asks: a signed-in
 * browser asking for JSON gets what a stranger's server gets.
 */
#ifndef QUIRE_FED_FED_WEB_H
#define QUIRE_FED_FED_WEB_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"
#include "store/store.h"

/* Whether the request asks for ActivityPub JSON (fed_accept_wants_ap()
 * of its Accept header): the route table then answers a profile or story
 * address with fed_actor() or fed_story_object() instead of the page,
 * never from or into the page cache. */
bool fed_wants_ap(struct http_req *req);

/* GET /@{handle} as JSON: the writer's Person. 404 for no such writer or
 * a suspended one. Makes her key pair the first time (fed_key_for). */
void fed_actor(struct http_req *req, struct http_res *res);
/* GET /@{handle}/{slug} as JSON: the story's Article, for a published
 * public story only; 404 for anything else, as for a stranger. */
void fed_story_object(struct http_req *req, struct http_res *res);
/* GET /ap/stories/{id}: the same Article by its id. */
void fed_article(struct http_req *req, struct http_res *res);
/* GET /ap/users/{handle}/outbox: an OrderedCollection of Create(Article)
 * for her public published stories, newest first, in pages (?page=1,
 * then ?page=1&cursor=AT-ID). */
void fed_outbox(struct http_req *req, struct http_res *res);
/* GET /ap/users/{handle}/followers and .../following: collections with
 * their size; her followers' actors (the newest FOLLOWERS_SHOWN) as
 * orderedItems only when she shows who follows her. */
#define FOLLOWERS_SHOWN 1000
void fed_followers(struct http_req *req, struct http_res *res);
void fed_following(struct http_req *req, struct http_res *res);

/* GET /.well-known/webfinger?resource=acct:HANDLE@HOST (or the actor's
 * URL): her JRD (application/jrd+json); 404 for no such writer or a
 * suspended one, 400 without a resource. */
void fed_webfinger(struct http_req *req, struct http_res *res);
/* GET /.well-known/nodeinfo (the link) and /nodeinfo/2.1: software
 * quire and its version, protocols activitypub, usage: accounts and
 * PUBLIC stories only. */
void fed_nodeinfo_links(struct http_req *req, struct http_res *res);
void fed_nodeinfo(struct http_req *req, struct http_res *res);

/* ---- taking activities in, sending them out ---- */

/* At start: whether remote actors on private and loopback addresses (and
 * over http) may be fetched and delivered to (allow-private-fetch; for
 * tests). */
/* GET and POST /settings/followers (signed in): her followers from the
 * fediverse (beside how many follow her here and by email), the choice
 * to approve them first, and the Follows waiting for her: Approve sends
 * an Accept, Reject a Reject. */
void fed_followers_settings(struct http_req *req, struct http_res *res);
/* Her followers from the fediverse (the newest FOLLOWERS_SHOWN), as
 * {f_actor, f_name, f_handle} for her followers page
 * (follow_set_remote_followers); [] when the store fails. */
json_t *fed_remote_followers_json(struct http_req *req, const char *writer_id);
void fed_followers_settings_post(struct http_req *req, struct http_res *res);

void fed_configure(bool allow_private_fetch);

/* POST /@{handle}/inbox and the shared POST /inbox: a signed activity
 * (application/activity+json, at most FED_DOC_MAX bytes). 202 when taken
 * in; 401 unsigned, badly signed, stale (Date more than 12 hours away),
 * bad Digest, or a key that cannot be fetched (a private address without
 * allow-private-fetch); 409 an activity id received before; 400 not an
 * activity; 404 a Follow of no writer here; 413, 415. */
void fed_inbox_post(struct http_req *req, struct http_res *res);
void fed_shared_inbox_post(struct http_req *req, struct http_res *res);

/* The sender: a pool of threads (senders) that claim due deliveries from
 * the store's queue one at a time (several app servers may each run one:
 * claims are leased), never more than domain_concurrency held for one
 * inbox host at once by all of them, so that a server that hangs holds
 * up only its own; each is signed as its writer and POSTed; retried with
 * back-off (from retry_base seconds, doubling, up to a day apart) until
 * give_up seconds after it was queued, or refused for good by the inbox
 * (a 4xx). A server that did not take one is not tried for retry_base
 * seconds: its other deliveries are put off without a try. */
struct fed_sender_config {
	const char *node;      /* names this sender's claims (host and data directory) */
	unsigned retry_base;   /* 0: 60 s */
	unsigned give_up;      /* 0: 7 days */
	unsigned senders;      /* 0: 4 threads (at most 64) */
	unsigned domain_concurrency; /* 0: 2 */
};
/* For /metrics: deliveries this process sent, put off for a retry, and
 * gave up on; activities its inboxes took in and refused (any 4xx or
 * 5xx answer); the queue's deliveries waiting and failed as last counted
 * by the sender (-1 before the first count, or with no sender). */
struct fed_stats {
	uint64_t sent, retried, failed, inbox_accepted, inbox_refused;
	int64_t queued_now, failed_now;
};
void fed_stats(struct fed_stats *out);
bool fed_sender_start(const struct fed_sender_config *c);
void fed_sender_stop(void);
/* Look at the queue now (after a commit that queued something). */
void fed_sender_poke(void);

/* The save and delete hooks for stories.c (story_set_save_hook,
 * story_set_delete_hook; main.c chains the first with mail's):
 * fed_on_story_save / fed_on_story_delete, and a poke of the sender
 * (which looks once a second too, since the commit comes after). */
int fed_story_hook(struct store *st, struct arena *a, const struct story_row *before,
		   const struct story_row *after, int email);
int fed_story_delete_hook(struct store *st, struct arena *a, const struct story_row *s);
/* The same for story_set_restore_hook, story_set_retag_hook and
 * admin_set_suspend_hook (fed_on_story_restore, fed_on_story_retag,
 * fed_on_writer_suspend). */
int fed_story_restore_hook(struct store *st, struct arena *a, const struct story_row *s);
int fed_story_retag_hook(struct store *st, struct arena *a, const struct story_row *before,
			 const struct story_row *after);
int fed_writer_suspend_hook(struct store *st, struct arena *a, const struct user_row *u, bool on);

#endif
