/*
 * response_pages.c - responses on the story page, the respond / edit /
 * moderate forms (all work without JavaScript), the writer's moderation
 * queue and her response settings (defaults, muted words, blocks).
 */
#include "responses/responses_int.h"
#include "responses/responses_web.h"
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "fed/fed.h"
#include "store/store_fed.h"
#include "core/text.h"
#include "responses/muted.h"
#include "web/web.h"
#include "stories/stories_web.h"

#include <stdio.h>
#include <string.h>

/* Where the author's name leads: her profile here, or a remote
 * author's actor (its page on its own server). */
static void author_link(struct http_req *req, json_t *o, const struct response_row *r)
{
	bool remote = r->remote_actor && *r->remote_actor;
	json_object_set_new(o, "r_author_url",
			    json_string(remote ? r->remote_actor :
					arena_printf(&req->arena, "/@%s", r->author_handle)));
	json_object_set_new(o, "r_remote", json_boolean(remote));
}

static json_t *response_view(struct http_req *req, const struct story_row *s,
			     const struct response_row *r)
{
	const struct viewer *v = web_viewer(req);
	const char *vid = v->signed_in ? v->user.id : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "rid", json_string(r->id));
	json_object_set_new(o, "r_author_name", json_string(r->author_name));
	json_object_set_new(o, "r_author_handle", json_string(r->author_handle));
	author_link(req, o, r);
	json_object_set_new(o, "r_date", json_string(web_fmt_date(&req->arena, r->created_at)));
	json_object_set_new(o, "r_date_iso", json_string(web_fmt_rfc3339(&req->arena, r->created_at)));
	json_object_set_new(o, "r_edited", json_boolean(r->edited_at != 0));
	json_object_set_new(o, "r_body_html", json_string(r->body_html));
	bool writer = response_is_writer(vid, s);
	bool own = vid && strcmp(vid, r->author_id) == 0;
	if (writer) {
		const char *label = NULL;
		if (r->status == RESPONSE_PENDING)
			label = strcmp(r->held_for, "muted") == 0 ? "Held: contains a muted word" :
				"Waiting for your approval";
		else if (r->status == RESPONSE_HIDDEN)
			label = "Hidden from readers";
		else if (r->author_blocked)
			label = "From a reader you blocked: hidden from readers";
		if (label)
			json_object_set_new(o, "r_status_label", json_string(label));
		json_object_set_new(o, "r_pending", json_boolean(r->status == RESPONSE_PENDING));
		json_object_set_new(o, "r_hidden", json_boolean(r->status == RESPONSE_HIDDEN));
		json_object_set_new(o, "r_visible", json_boolean(r->status == RESPONSE_VISIBLE));
		json_object_set_new(o, "r_moderate", json_true());
		json_object_set_new(o, "r_blockable",
				    json_boolean(!own && !r->author_blocked && r->author_id[0]));
	}
	if (own && !writer && r->status == RESPONSE_PENDING) {
		json_object_set_new(o, "r_status_label",
				    json_string("Waiting for the writer's approval: only you can see "
						"this response until then."));
		json_object_set_new(o, "r_waiting", json_true());
	}
	if (own)
		json_object_set_new(o, "r_own", json_true());
	if (vid && !own && !writer)
		json_object_set_new(o, "r_reportable", json_true());
	return o;
}

static bool listed(const struct response_list *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].id, id) == 0)
			return true;
	return false;
}

/* A reader's own responses that wait for the writer's approval, merged
 * into what readers see (*l, by the store's one visibility rule) in the
 * story's order, so that she, and only she, sees hers marked as waiting.
 * Nothing else of the full list is taken: not another reader's pending
 * response, not a hidden one, not one of a blocked author, not a reply
 * under a response she may not see. False on success. */
static bool own_pending_merge(struct http_req *req, const struct story_row *s, const char *vid,
			      struct response_list *l)
{
	struct response_list all;
	if (store_responses_for_story(web_store(req), &req->arena, s->id, s->author_id, true, &all))
		return true;
	struct response_list out = {arena_alloc(&req->arena, (all.n + 1) * sizeof(*out.items)), 0};
	bool any = false;
	for (size_t i = 0; i < all.n; i++) {
		const struct response_row *r = &all.items[i];
		bool mine = strcmp(r->author_id, vid) == 0 && r->status == RESPONSE_PENDING &&
			    !r->author_blocked && (!r->parent_id[0] || listed(l, r->parent_id));
		if (mine || listed(l, r->id))
			out.items[out.n++] = *r;
		any = any || mine;
	}
	if (any)
		*l = out;
	return false;
}

void responses_page_context(struct http_req *req, const struct story_row *s, json_t *ctx)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	const char *vid = v->signed_in ? v->user.id : NULL;
	bool writer = response_is_writer(vid, s);
	struct response_list l;
	if (store_responses_for_story(st, &req->arena, s->id, s->author_id, writer, &l))
		return;
	if (vid && !writer && own_pending_merge(req, s, vid, &l))
		return;
	json_t *sec = json_object();
	json_t *items = json_array();
	int64_t shown = 0;
	/* Once for the page, not once per response (it asks the store). */
	bool can_reply = v->signed_in && response_may_post(st, &v->user, s) == RESP_OK;
	for (size_t i = 0; i < l.n; i++) {
		const struct response_row *r = &l.items[i];
		if (r->parent_id[0])
			continue;
		json_t *o = response_view(req, s, r);
		json_t *replies = json_array();
		for (size_t k = 0; k < l.n; k++)
			if (strcmp(l.items[k].parent_id, r->id) == 0) {
				json_array_append_new(replies, response_view(req, s, &l.items[k]));
				shown++;
			}
		json_object_set_new(o, "r_replies", replies);
		json_object_set_new(o, "r_has_replies", json_boolean(json_array_size(replies) > 0));
		json_object_set_new(o, "r_can_reply", json_boolean(can_reply));
		json_array_append_new(items, o);
		shown++;
	}
	/* Her own waiting responses are not counted among the story's. */
	for (size_t i = 0; !writer && i < l.n; i++)
		if (l.items[i].status == RESPONSE_PENDING)
			shown--;
	int64_t count = writer ? responses_count(st, s) : shown;
	json_object_set_new(sec, "resp_items", items);
	json_object_set_new(sec, "resp_count", json_integer(count));
	json_object_set_new(sec, "resp_story_id", json_string(s->id));
	json_object_set_new(sec, "resp_return", json_string(req->path));
	enum resp_err may = response_may_post(st, v->signed_in ? &v->user : NULL, s);
	if (may == RESP_OK)
		json_object_set_new(sec, "resp_form", json_true());
	else if (strcmp(s->responses, "off") == 0)
		json_object_set_new(sec, "resp_closed", json_true());
	else if (may == RESP_SIGN_IN)
		json_object_set_new(sec, "resp_sign_in", json_true());
	else if (may == RESP_CLOSED)
		json_object_set_new(sec, "resp_closed", json_true());
	else if (may == RESP_NOT_ALLOWED)
		json_object_set_new(sec, "resp_not_allowed", json_true());
	if (strcmp(s->responses, "approval") == 0 && !writer)
		json_object_set_new(sec, "resp_held_note", json_true());
	json_object_set_new(ctx, "responses_section", sec);
}

static const char *back_to(struct http_req *req, const struct story_row *s)
{
	const char *r = web_local_path(http_req_form(req, "return_to"));
	return r ? r : story_path(&req->arena, s);
}

static int status_of(enum resp_err e)
{
	switch (e) {
	case RESP_NOT_FOUND: return 404;
	case RESP_SIGN_IN: return 401;
	case RESP_CLOSED: case RESP_NOT_ALLOWED: return 403;
	case RESP_RATE_LIMITED: return 429;
	case RESP_STORE: return 500;
	case RESP_TOO_LONG: return 413;
	default: return 422;
	}
}

void page_response_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_error(req, res, 401, "Please sign in to respond.");
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back, reload and try again.");
		return;
	}
	struct store *st = web_store(req);
	const char *sid = http_req_form(req, "story_id");
	struct story_row s;
	if (!id_valid(sid) || store_story_get(st, &req->arena, sid, &s) ||
	    !audience_may_see_story(st, v->user.id, &s)) {
		web_error(req, res, 404, "This story does not exist, or it is not shared with you.");
		return;
	}
	struct response_row r;
	int64_t retry = 0;
	enum resp_err e = response_create(st, &req->arena, &v->user, &s, http_req_form(req, "body"),
					  http_req_form(req, "parent_id"), web_client_key(req), &r, &retry);
	if (e == RESP_RATE_LIMITED)
		http_res_header(req, res, "Retry-After", arena_printf(&req->arena, "%lld", (long long)retry));
	if (e) {
		web_error(req, res, status_of(e), resp_strerror(e));
		return;
	}
	const char *to = back_to(req, &s);
	bool held = r.status == RESPONSE_PENDING;
	web_flash(req, res, held ? WEB_FLASH_RESPONSE_HELD : WEB_FLASH_RESPONSE_SENT, NULL);
	/* Held or not, her response is on the page for her (marked waiting
	 * when held): take her to it. */
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "%s#r-%s", to, r.id));
}

void page_response_edit(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	struct response_row r;
	struct story_row s;
	if (!v->signed_in || response_load(req, http_req_param(req, "id"), &r, &s) ||
	    strcmp(r.author_id, v->user.id) != 0) {
		web_error(req, res, 404, "No such response.");
		return;
	}
	json_t *ctx = web_page_context(req, "Edit your response");
	json_object_set_new(ctx, "rid", json_string(r.id));
	json_object_set_new(ctx, "r_body", json_string(r.body));
	json_object_set_new(ctx, "story_title", json_string(s.title));
	json_object_set_new(ctx, "story_url", json_string(story_path(&req->arena, &s)));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "response_edit", ctx);
}

void page_response_action(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_error(req, res, 401, "Please sign in first.");
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back, reload and try again.");
		return;
	}
	struct store *st = web_store(req);
	struct response_row r;
	struct story_row s;
	if (response_load(req, http_req_param(req, "id"), &r, &s)) {
		web_error(req, res, 404, "No such response.");
		return;
	}
	const char *action = http_req_form(req, "action");
	if (!action)
		action = "";
	bool own = strcmp(r.author_id, v->user.id) == 0;
	bool mod = response_may_moderate(&v->user, &s);
	enum store_err se = STORE_OK;
	const char *to = back_to(req, &s);
	enum web_flash done = WEB_FLASH_NONE;
	const char *who = NULL;
	if (strcmp(action, "edit") == 0 && own) {
		enum resp_err e = response_edit(st, &req->arena, &s, &r, http_req_form(req, "body"));
		if (e) {
			web_error(req, res, status_of(e), resp_strerror(e));
			return;
		}
		to = story_path(&req->arena, &s);
		done = WEB_FLASH_RESPONSE_SAVED;
	} else if (strcmp(action, "delete") == 0 && (own || mod)) {
		se = store_response_delete(st, r.id);
		done = WEB_FLASH_RESPONSE_DELETED;
	} else if (strcmp(action, "approve") == 0 && mod) {
		se = store_response_set_status(st, r.id, RESPONSE_VISIBLE);
		done = WEB_FLASH_RESPONSE_APPROVED;
	} else if (strcmp(action, "hide") == 0 && mod) {
		se = store_response_set_status(st, r.id, RESPONSE_HIDDEN);
		done = WEB_FLASH_RESPONSE_HIDDEN;
	} else if (strcmp(action, "unhide") == 0 && mod) {
		se = store_response_set_status(st, r.id, RESPONSE_VISIBLE);
		done = WEB_FLASH_RESPONSE_UNHIDDEN;
	} else if (strcmp(action, "report") == 0 && !own) {
		se = store_response_report(st, r.id, v->user.id, clock_now());
		done = WEB_FLASH_REPORTED;
	} else if (strcmp(action, "block") == 0 && response_is_writer(v->user.id, &s) && !own &&
		   r.author_id[0]) {
		if (!web_confirmed(req)) {
			const char *fields[] = {"action", "block", "return_to", to};
			web_confirm_render(req, res,
					   arena_printf(&req->arena, "Block @%s?", r.author_handle),
					   "They will no longer be able to respond to your stories or "
					   "read your circle stories, and their responses are hidden from "
					   "everyone. They are not told. You can unblock them in your "
					   "response settings.",
					   arena_printf(&req->arena, "/responses/%s", r.id), fields, 2,
					   arena_printf(&req->arena, "Block @%s", r.author_handle), to);
			return;
		}
		se = store_block_add(st, s.author_id, r.author_id, clock_now());
		done = WEB_FLASH_BLOCKED;
		who = r.author_handle;
	} else {
		web_error(req, res, 403, "You cannot do that to this response.");
		return;
	}
	if (se) {
		web_error(req, res, 500, "Could not save that. Please try again.");
		return;
	}
	web_flash(req, res, done, who);
	http_res_redirect(req, res, 303, to);
}

void page_moderation(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/moderation");
		return;
	}
	struct response_list l;
	if (store_moderation_queue(web_store(req), &req->arena, v->user.id, &l)) {
		web_error(req, res, 500, "Could not read responses.");
		return;
	}
	json_t *items = json_array();
	for (size_t i = 0; i < l.n; i++) {
		const struct response_row *r = &l.items[i];
		json_t *o = json_object();
		json_object_set_new(o, "rid", json_string(r->id));
		json_object_set_new(o, "r_author_name", json_string(r->author_name));
		json_object_set_new(o, "r_author_handle", json_string(r->author_handle));
		author_link(req, o, r);
		json_object_set_new(o, "r_date", json_string(web_fmt_date(&req->arena, r->created_at)));
		json_object_set_new(o, "r_body_html", json_string(r->body_html));
		json_object_set_new(o, "r_story_title", json_string(r->story_title));
		json_object_set_new(o, "r_pending", json_boolean(r->status == RESPONSE_PENDING));
		json_object_set_new(o, "r_hidden", json_boolean(r->status == RESPONSE_HIDDEN));
		json_object_set_new(o, "r_visible", json_boolean(r->status == RESPONSE_VISIBLE));
		json_object_set_new(o, "r_muted", json_boolean(strcmp(r->held_for, "muted") == 0));
		json_object_set_new(o, "r_reports", json_integer(r->reports));
		json_object_set_new(o, "r_blockable", json_boolean(!r->author_blocked && r->author_id[0] &&
								    strcmp(r->author_id, v->user.id)));
		json_array_append_new(items, o);
	}
	json_t *ctx = web_page_context(req, "Responses to moderate");
	json_object_set_new(ctx, "queue", items);
	json_object_set_new(ctx, "has_queue", json_boolean(l.n > 0));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, 200, "moderation", ctx);
}

static void render_settings(struct http_req *req, struct http_res *res, int status,
			    const char *error, const char *notice)
{
	const struct viewer *v = web_viewer(req);
	struct store *st = web_store(req);
	const char *dr = "open", *dd = "signed_in";
	const char **phrases;
	size_t np = 0, nb = 0, ns = 0, na = 0;
	struct member_row *blocks;
	const char **servers = NULL, **actors = NULL;
	if (store_response_defaults(st, &req->arena, v->user.id, &dr, &dd) ||
	    store_muted_get(st, &req->arena, v->user.id, &phrases, &np) ||
	    store_block_list(st, &req->arena, v->user.id, &blocks, &nb) ||
	    store_fed_domain_blocks(st, &req->arena, v->user.id, &servers, &ns) ||
	    store_fed_actor_blocks(st, &req->arena, v->user.id, &actors, &na)) {
		web_error(req, res, 500, "Could not read your settings.");
		return;
	}
	struct buf words;
	buf_init(&words, 0);
	for (size_t i = 0; i < np; i++) {
		buf_adds(&words, phrases[i]);
		buf_addch(&words, '\n');
	}
	json_t *bl = json_array();
	for (size_t i = 0; i < nb; i++)
		json_array_append_new(bl, json_pack("{s:s,s:s}", "b_handle", blocks[i].handle, "b_name",
						    blocks[i].name));
	json_t *ctx = web_page_context(req, "Response settings");
	json_object_set_new(ctx, "muted_text", json_string(buf_str(&words)));
	buf_release(&words);
	json_object_set_new(ctx, "def_open", json_boolean(!strcmp(dr, "open")));
	json_object_set_new(ctx, "def_approval", json_boolean(!strcmp(dr, "approval")));
	json_object_set_new(ctx, "def_off", json_boolean(!strcmp(dr, "off")));
	json_object_set_new(ctx, "def_circle", json_boolean(!strcmp(dd, "circle")));
	json_object_set_new(ctx, "blocks", bl);
	json_object_set_new(ctx, "has_blocks", json_boolean(nb > 0));
	json_t *sl = json_array();
	for (size_t i = 0; i < ns; i++)
		json_array_append_new(sl, json_pack("{s:s}", "server", servers[i]));
	json_object_set_new(ctx, "servers", sl);
	json_object_set_new(ctx, "has_servers", json_boolean(ns > 0));
	json_t *al = json_array();
	for (size_t i = 0; i < na; i++)
		json_array_append_new(al, json_pack("{s:s}", "actor", actors[i]));
	json_object_set_new(ctx, "actors", al);
	json_object_set_new(ctx, "has_actors", json_boolean(na > 0));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	web_page_render(req, res, status, "response_settings", ctx);
}

void page_response_settings(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/settings/responses");
		return;
	}
	render_settings(req, res, 200, NULL, NULL);
}

/* Split text into trimmed, non-empty lines (phrases). */
static size_t split_lines(struct arena *a, const char *text, const char ***out)
{
	size_t cap = 16, n = 0;
	const char **list = arena_alloc(a, cap * sizeof(*list));
	const char *p = text;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *b = p;
		size_t l = len;
		while (l && (*b == ' ' || *b == '\t' || *b == '\r')) {
			b++;
			l--;
		}
		while (l && (b[l - 1] == ' ' || b[l - 1] == '\t' || b[l - 1] == '\r'))
			l--;
		if (l) {
			if (n == cap) {
				const char **nl = arena_alloc(a, 2 * cap * sizeof(*nl));
				memcpy(nl, list, cap * sizeof(*nl));
				list = nl;
				cap *= 2;
			}
			list[n++] = arena_strndup(a, b, l);
		}
		p += len + (e ? 1 : 0);
	}
	*out = list;
	return n;
}

bool muted_list_ok(const char *const *phrases, size_t n)
{
	if (n > MUTED_MAX_PHRASES)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(phrases[i]);
		if (!utf8_valid(phrases[i], l) || utf8_count(phrases[i], l) > MUTED_MAX_PHRASE_CHARS ||
		    text_has_controls(phrases[i], l, false))
			return false;
	}
	return true;
}

void page_response_settings_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_error(req, res, 401, "Please sign in first.");
		return;
	}
	if (!web_csrf_ok(req)) {
		render_settings(req, res, 403, "This form expired. Please try again.", NULL);
		return;
	}
	struct store *st = web_store(req);
	const char *action = http_req_form(req, "action");
	if (action && strcmp(action, "unblock") == 0) {
		struct user_row u;
		const char *h = handle_normalise(&req->arena, http_req_form(req, "handle"));
		if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
		    store_block_remove(st, v->user.id, u.id)) {
			render_settings(req, res, 404, "That reader is not blocked.", NULL);
			return;
		}
		web_flash(req, res, WEB_FLASH_UNBLOCKED, h);
		http_res_redirect(req, res, 303, "/settings/responses");
		return;
	}
	if (action && (!strcmp(action, "block_server") || !strcmp(action, "unblock_server"))) {
		const char *d = fed_domain_normalise(&req->arena, http_req_form(req, "domain"));
		if (!d) {
			render_settings(req, res, 422, "Give a server's name, such as mastodon.social.", NULL);
			return;
		}
		bool block = !strcmp(action, "block_server");
		if (block && fed_block_domain(st, &req->arena, v->user.id, d, clock_now(), NULL)) {
			web_error(req, res, 500, "Could not save that. Please try again.");
			return;
		}
		if (!block && store_fed_domain_block_remove(st, v->user.id, d)) {
			render_settings(req, res, 404, "That server is not blocked.", NULL);
			return;
		}
		web_flash(req, res, block ? WEB_FLASH_SERVER_BLOCKED : WEB_FLASH_SERVER_UNBLOCKED, NULL);
		http_res_redirect(req, res, 303, "/settings/responses");
		return;
	}
	if (action && (!strcmp(action, "block_actor") || !strcmp(action, "unblock_actor"))) {
		const char *u = fed_actor_normalise(&req->arena, http_req_form(req, "actor"));
		if (!u) {
			render_settings(req, res, 422,
					"Give the account's address, such as "
					"https://mastodon.example/users/name.", NULL);
			return;
		}
		bool block = !strcmp(action, "block_actor");
		if (block && fed_block_actor(st, v->user.id, u, clock_now(), NULL)) {
			web_error(req, res, 500, "Could not save that. Please try again.");
			return;
		}
		if (!block && store_fed_actor_block_remove(st, v->user.id, u)) {
			render_settings(req, res, 404, "That account is not blocked.", NULL);
			return;
		}
		web_flash(req, res, block ? WEB_FLASH_ACTOR_BLOCKED : WEB_FLASH_ACTOR_UNBLOCKED, NULL);
		http_res_redirect(req, res, 303, "/settings/responses");
		return;
	}
	const char *dr = http_req_form(req, "default_responses");
	const char *dd = http_req_form(req, "default_responders");
	if (!dr || !dd || !responses_policy_valid(dr, dd)) {
		render_settings(req, res, 422, "Choose a response policy.", NULL);
		return;
	}
	const char **phrases;
	const char *text = http_req_form(req, "muted");
	size_t n = split_lines(&req->arena, text ? text : "", &phrases);
	if (!muted_list_ok(phrases, n)) {
		render_settings(req, res, 422, "At most 500 muted words or phrases, 100 characters each.", NULL);
		return;
	}
	if (store_response_defaults_set(st, v->user.id, dr, dd) ||
	    store_muted_set(st, v->user.id, phrases, n)) {
		web_error(req, res, 500, "Could not save your settings.");
		return;
	}
	web_flash(req, res, WEB_FLASH_SETTINGS_SAVED, NULL);
	http_res_redirect(req, res, 303, "/settings/responses");
}

/* Load response {id} and its story, both visible to the request's viewer. */
enum resp_err response_load(struct http_req *req, const char *id, struct response_row *r,
			    struct story_row *s)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	const char *vid = v->signed_in ? v->user.id : NULL;
	if (!id_valid(id) || store_response_get(st, &req->arena, id, r) ||
	    store_story_get(st, &req->arena, r->story_id, s))
		return RESP_NOT_FOUND;
	bool admin = v->signed_in && v->user.is_admin;
	if (!admin && (!audience_may_see_story(st, vid, s) || !response_visible_to(vid, s, r)))
		return RESP_NOT_FOUND;
	if (r->parent_id[0] && !response_is_writer(vid, s)) {
		struct response_row p;
		if (store_response_get(st, &req->arena, r->parent_id, &p) ||
		    (!admin && !response_visible_to(vid, s, &p)))
			return RESP_NOT_FOUND;
	}
	return RESP_OK;
}
