/*
 * fed_inbox.c - the inboxes (fed_web.h): POST /@{handle}/inbox and the
 * shared POST /inbox. An activity is taken in only when its HTTP
 * Signature checks out with the key of the actor it names, fetched
 * through the SSRF-guarded fetcher (https only unless allow-private-
 * fetch) and kept in the store; stale, unsigned, badly signed, digest-
 * less and replayed activities are refused before anything changes.
 * What it does is the rules' (fed.h): a Follow is accepted (the
 * follower kept, an Accept queued), an Undo of it removes her.
 */
#include "fed/fed_web.h"

#include "accounts/accounts.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "fed/fed_int.h"
#include "fed/sig.h"
#include "net/fetch.h"
#include "responses/responses.h"
#include "stories/stories.h"
#include "store/store_fed.h"
#include "web/web.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A cached key is trusted this long before it is fetched again (and at
 * once when a signature fails with it: keys rotate). */
#define KEY_FRESH (24 * 3600)
#define FETCH_TIMEOUT_MS 10000

/* Configuration read at start (fed_configure), read-only after. */
static bool allow_private;

void fed_configure(bool allow_private_fetch)
{
	allow_private = allow_private_fetch;
}

bool fed_allow_private(void)
{
	return allow_private;
}

static void refuse(struct http_req *req, struct http_res *res, int status, const char *why)
{
	fed_inbox_refused++;
	fed_error(req, res, status, why);
}

static const char *req_header(void *ctx, const char *name)
{
	return http_req_header(ctx, name);
}

/* GET url as ActivityPub JSON into r. */
static enum fetch_err fetch_ap(const char *url, struct fetch_result *r)
{
	static const char *const headers[] = {
		"Accept: application/activity+json, application/ld+json; "
		"profile=\"https://www.w3.org/ns/activitystreams\"",
		NULL};
	struct fetch_opts o = {.max_bytes = FED_DOC_MAX, .timeout_ms = FETCH_TIMEOUT_MS,
			       .max_redirects = 3, .allow_private = allow_private,
			       .headers = headers};
	if (!fed_url_allowed(url, allow_private)) {
		snprintf(r->error, sizeof(r->error), "only https addresses are fetched");
		return FETCH_SCHEME;
	}
	return fetch_get(url, &o, r);
}

/* Fetch the actor that holds key_id (its document, or the key's owner's)
 * into *out and the store. False with why set. */
static bool fetch_actor(struct http_req *req, const char *key_id, struct fed_actor_row *out,
			const char **why)
{
	struct arena *a = &req->arena;
	const char *url = fed_url_defrag(a, key_id);
	struct fed_remote_actor ra;
	enum fed_err pe = FED_BAD;
	for (int hop = 0; hop < 2; hop++) {
		struct fetch_result r;
		fetch_result_init(&r);
		enum fetch_err fe = fetch_ap(url, &r);
		if (fe) {
			*why = arena_printf(a, "the signer's key could not be fetched: %s", r.error);
			fetch_result_release(&r);
			return false;
		}
		pe = fed_actor_parse(a, buf_str(&r.body), r.body.len, key_id, &ra);
		fetch_result_release(&r);
		if (pe != FED_KEY_DOC)
			break;
		url = fed_url_defrag(a, ra.id);
	}
	if (pe) {
		*why = "the signer's actor does not hold that key";
		return false;
	}
	*out = (struct fed_actor_row){.id = ra.id, .key_id = ra.key_id, .public_pem = ra.public_pem,
				      .inbox = ra.inbox, .shared_inbox = ra.shared_inbox,
				      .handle = ra.handle, .name = ra.name, .fetched_at = clock_now()};
	if (store_fed_actor_put(web_store(req), out))
		fprintf(stderr, "quire: fed: could not cache the key of %s\n", ra.id);
	return true;
}

/* The writer whose actor URL is url, not suspended; false if none. */
static bool writer_by_actor(struct http_req *req, const char *url, struct user_row *u)
{
	const char *base = web_cfg->base_url;
	size_t bl = strlen(base);
	if (!url || strncmp(url, base, bl) != 0 || strncmp(url + bl, "/@", 2) != 0)
		return false;
	const char *h = handle_normalise(&req->arena, url + bl + 2);
	return h && !strcmp(h, url + bl + 2) &&
	       !store_user_by_handle(web_store(req), &req->arena, h, u) && !u->suspended_at;
}

/* The story a reply answers: url is her public story's Article id
 * (base_url/ap/stories/ID) or its address (base_url/@HANDLE/SLUG). */
static bool story_by_reply_target(struct http_req *req, const char *url, struct story_row *s)
{
	struct arena *a = &req->arena;
	struct store *st = web_store(req);
	const char *base = web_cfg->base_url;
	size_t bl = strlen(base);
	if (!url || strncmp(url, base, bl) != 0)
		return false;
	const char *p = url + bl;
	if (!strncmp(p, "/ap/stories/", 12))
		return id_valid(p + 12) && !store_story_get(st, a, p + 12, s);
	if (strncmp(p, "/@", 2) != 0)
		return false;
	const char *slash = strchr(p + 2, '/');
	if (!slash || strchr(slash + 1, '/') || strchr(slash + 1, '?') || !slash[1])
		return false;
	const char *h = handle_normalise(a, arena_strndup(a, p + 2, (size_t)(slash - p - 2)));
	struct user_row u;
	return h && !store_user_by_handle(st, a, h, &u) && !u.suspended_at &&
	       !store_story_by_slug(st, a, u.id, slash + 1, s);
}

static void accepted(struct http_req *req, struct http_res *res)
{
	fed_inbox_accepted++;
	res->status = 202;
	res->content_type = "text/plain; charset=utf-8";
	web_security_headers(req, res);
	http_res_header(req, res, "Cache-Control", "no-store");
	buf_adds(&res->body, "Accepted\n");
}

/* A Create(Note) answering one of her public stories becomes a response
 * on it by the responses' rules (responses.h); any other Note is only
 * remembered. */
static void take_reply(struct http_req *req, struct http_res *res, const struct fed_activity *act,
		       const struct fed_remote_actor *ra)
{
	struct arena *a = &req->arena;
	struct store *st = web_store(req);
	if (*act->object_attributed_to && strcmp(act->object_attributed_to, act->actor) != 0) {
		refuse(req, res, 400, "A Note is created by its own author.");
		return;
	}
	struct story_row s;
	bool ours = act->object_public && *act->object_id &&
		    fed_same_origin(act->object_id, act->actor) &&
		    story_by_reply_target(req, act->object_in_reply_to, &s);
	enum fed_err fe = fed_take_seen(st, act, clock_now());
	if (fe == FED_REPLAY) {
		refuse(req, res, 409, "That activity was received before.");
		return;
	}
	if (fe) {
		refuse(req, res, 500, "Could not take the activity in.");
		return;
	}
	if (!ours) {
		accepted(req, res);
		return;
	}
	char *domain = arena_strdup(a, fed_url_host(a, ra->id));
	for (char *p = domain; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *user = ra->handle && *ra->handle ? ra->handle : "unknown";
	struct response_remote_author who = {
		.actor = ra->id, .handle = arena_printf(a, "%s@%s", user, domain),
		.name = ra->name && *ra->name ? ra->name : user, .domain = domain,
		.note_id = act->object_id};
	struct response_row r;
	enum resp_err e = response_create_remote(st, a, &who, &s, act->object_content, &r);
	switch (e) {
	case RESP_OK: accepted(req, res); return;
	case RESP_NOT_FOUND:
	case RESP_SIGN_IN: refuse(req, res, 404, "There is nothing at this address."); return;
	case RESP_CLOSED:
	case RESP_NOT_ALLOWED: refuse(req, res, 403, resp_strerror(e)); return;
	case RESP_RATE_LIMITED: refuse(req, res, 429, resp_strerror(e)); return;
	case RESP_STORE: refuse(req, res, 500, resp_strerror(e)); return;
	default: refuse(req, res, 422, resp_strerror(e)); return;
	}
}

static void take_in(struct http_req *req, struct http_res *res, const struct user_row *route_writer)
{
	struct arena *a = &req->arena;
	struct store *st = web_store(req);
	int64_t now = clock_now();
	const char *ct = http_req_header(req, "Content-Type");
	if (!ct || (strncasecmp(ct, "application/activity+json", 25) != 0 &&
		    strncasecmp(ct, "application/ld+json", 19) != 0 &&
		    strncasecmp(ct, "application/json", 16) != 0)) {
		refuse(req, res, 415, "Send an activity as application/activity+json.");
		return;
	}
	if (req->body_len > FED_DOC_MAX) {
		refuse(req, res, 413, "That activity is too large.");
		return;
	}
	struct sig_header h;
	if (sig_parse(a, http_req_header(req, "Signature"), &h)) {
		refuse(req, res, 401, "Activities must carry an HTTP Signature.");
		return;
	}
	struct sig_request sr = {.method = req->method_name, .target = req->path,
				 .header = req_header, .ctx = req, .body = req->body ? req->body : "",
				 .body_len = req->body_len, .now = now};
	enum sig_err se = sig_precheck(&h, &sr);
	if (se) {
		refuse(req, res, 401, sig_strerror(se));
		return;
	}
	struct fed_activity act;
	if (fed_activity_parse(a, req->body, req->body_len, &act)) {
		refuse(req, res, 400, "That is not an activity Quire can read.");
		return;
	}
	/* Only the actor's own key speaks for it. */
	if (!fed_same_origin(h.key_id, act.actor) || !fed_same_origin(act.id, act.actor)) {
		refuse(req, res, 401, "The activity is not signed by its actor's server.");
		return;
	}
	/* A server she blocked is not listened to (nor its key fetched). */
	if (route_writer && fed_blocked(st, a, route_writer->id, act.actor)) {
		refuse(req, res, 403, "The writer does not take activities from that server.");
		return;
	}
	struct fed_actor_row actor;
	const char *why = NULL;
	bool fresh = false;
	if (store_fed_actor_by_key(st, a, h.key_id, &actor) || actor.fetched_at < now - KEY_FRESH) {
		if (!fetch_actor(req, h.key_id, &actor, &why)) {
			refuse(req, res, 401, why);
			return;
		}
		fresh = true;
	}
	se = sig_verify(a, &h, &sr, actor.public_pem);
	if (se == SIG_BAD && !fresh) {
		if (!fetch_actor(req, h.key_id, &actor, &why)) {
			refuse(req, res, 401, why);
			return;
		}
		se = sig_verify(a, &h, &sr, actor.public_pem);
	}
	if (se) {
		refuse(req, res, 401, sig_strerror(se));
		return;
	}
	if (strcmp(actor.id, act.actor) != 0) {
		refuse(req, res, 401, "The activity is signed by another actor.");
		return;
	}
	struct fed_remote_actor ra = {actor.id, actor.key_id, actor.public_pem, actor.inbox,
				      actor.shared_inbox, actor.handle, actor.name};
	struct user_row w;
	enum fed_err fe;
	if (!strcmp(act.type, "Follow")) {
		if (!writer_by_actor(req, act.object_id, &w) ||
		    (route_writer && strcmp(w.id, route_writer->id) != 0)) {
			refuse(req, res, 404, "There is no writer by that name here.");
			return;
		}
		if (fed_blocked(st, a, w.id, act.actor)) {
			refuse(req, res, 403, "The writer does not take activities from that server.");
			return;
		}
		fe = fed_take_follow(st, a, w.id, &act, &ra, now, NULL);
		if (!fe)
			fed_sender_poke();
	} else if (!strcmp(act.type, "Undo") && !strcmp(act.object_type, "Follow")) {
		if (strcmp(act.object_actor, act.actor) != 0) {
			refuse(req, res, 400, "One may only undo one's own Follow.");
			return;
		}
		if (!writer_by_actor(req, act.object_object, &w) ||
		    (route_writer && strcmp(w.id, route_writer->id) != 0)) {
			refuse(req, res, 404, "There is no writer by that name here.");
			return;
		}
		fe = fed_take_undo_follow(st, w.id, &act, NULL, now);
	} else if (!strcmp(act.type, "Create") && !strcmp(act.object_type, "Note") &&
		   *act.object_in_reply_to) {
		take_reply(req, res, &act, &ra);
		return;
	} else if (!strcmp(act.type, "Delete")) {
		fe = fed_take_delete(st, &act, now, NULL);
	} else if (!strcmp(act.type, "Like") || !strcmp(act.type, "Announce")) {
		struct story_row s;
		if (story_by_reply_target(req, act.object_id, &s) && fed_story_out(&s) &&
		    !s.author_suspended) {
			if (fed_blocked(st, a, s.author_id, act.actor)) {
				refuse(req, res, 403, "The writer does not take activities from that server.");
				return;
			}
			fe = fed_take_reaction(st, &act, s.id, !strcmp(act.type, "Like") ? "like" : "announce",
					       now);
		} else {
			fe = fed_take_other(st, &act, now);
		}
	} else if (!strcmp(act.type, "Undo")) {
		if (*act.object_actor && strcmp(act.object_actor, act.actor) != 0) {
			refuse(req, res, 400, "One may only undo one's own activity.");
			return;
		}
		fe = fed_take_undo_reaction(st, &act, now);
	} else {
		fe = fed_take_other(st, &act, now);
	}
	if (fe == FED_REPLAY) {
		refuse(req, res, 409, "That activity was received before.");
		return;
	}
	if (fe) {
		refuse(req, res, 500, "Could not take the activity in.");
		return;
	}
	accepted(req, res);
}

void fed_inbox_post(struct http_req *req, struct http_res *res)
{
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	struct user_row u;
	if (!h || store_user_by_handle(web_store(req), &req->arena, h, &u) || u.suspended_at) {
		refuse(req, res, 404, "There is no writer by that name here.");
		return;
	}
	take_in(req, res, &u);
}

void fed_shared_inbox_post(struct http_req *req, struct http_res *res)
{
	take_in(req, res, NULL);
}
