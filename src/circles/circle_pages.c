/*
 * circle_pages.c - circles in HTML: the writer's list, one circle (members,
 * invitations), and the invitation page a reader accepts. Only a circle's
 * owner sees or manages it; anyone else gets 404. Rules: circles.c.
 */
#include "circles/circles.h"
#include "circles/circles_web.h"
#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "core/text.h"
#include "mail/mail.h"
#include "mail/mail_web.h"
#include "mail/mime.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The viewer's own circle {id}, or answer 404/401 and return false. */
bool circle_own(struct http_req *req, struct http_res *res, struct circle_row *c, bool api)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		if (api)
			web_json_error(req, res, 401, "unauthorized", "Sign in first.");
		else
			http_res_redirect(req, res, 303,
					  arena_printf(&req->arena, "/login?return_to=%s", req->path));
		return false;
	}
	const char *id = http_req_param(req, "id");
	if (!id_valid(id) || store_circle_get(web_store(req), &req->arena, id, c) ||
	    !audience_may_manage_circle(v->user.id, c)) {
		if (api)
			web_json_error(req, res, 404, "not_found", "No such circle.");
		else
			web_error(req, res, 404, "No such circle.");
		return false;
	}
	return true;
}

/* ---- pages ---- */

static void render_circles(struct http_req *req, struct http_res *res, int status, const char *error)
{
	struct circle_row *cs;
	size_t n = 0;
	if (store_circle_list(web_store(req), &req->arena, web_viewer(req)->user.id, &cs, &n)) {
		web_error(req, res, 500, "Could not read your circles.");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "id", cs[i].id, "name", cs[i].name,
						     "member_count", (json_int_t)cs[i].member_count));
	/* Circles she is invited into, waiting for her answer. */
	struct circle_row *inv;
	size_t ninv = 0;
	json_t *invs = json_array();
	if (store_circle_invitations_for(web_store(req), &req->arena, web_viewer(req)->user.id, &inv,
					 &ninv) == STORE_OK)
		for (size_t i = 0; i < ninv; i++) {
			struct user_row ow;
			if (store_user_by_id(web_store(req), &req->arena, inv[i].owner_id, &ow))
				continue;
			json_array_append_new(invs, json_pack("{s:s,s:s,s:s,s:s}", "id", inv[i].id, "name",
							      inv[i].name, "owner_handle", ow.handle,
							      "owner_name", ow.name));
		}
	json_t *ctx = web_page_context(req, "Your circles");
	json_object_set_new(ctx, "has_invitations", json_boolean(json_array_size(invs) > 0));
	json_object_set_new(ctx, "invitations", invs);
	json_object_set_new(ctx, "circles", arr);
	json_object_set_new(ctx, "has_circles", json_boolean(n > 0));
	json_object_set_new(ctx, "name_max", json_integer(CIRCLE_NAME_MAX));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "noindex", json_true());
	web_page_render(req, res, status, "circles", ctx);
}

void page_circles(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/circles");
		return;
	}
	render_circles(req, res, 200, NULL);
}

void page_circles_post(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		web_error(req, res, 401, "Please sign in first.");
		return;
	}
	if (!web_csrf_ok(req)) {
		render_circles(req, res, 403, "This form expired. Please try again.");
		return;
	}
	const char *action = http_req_form(req, "action");
	const char *cid = http_req_form(req, "circle_id");
	if (action && (!strcmp(action, "accept") || !strcmp(action, "decline"))) {
		struct store *st = web_store(req);
		const char *me = web_viewer(req)->user.id;
		struct circle_row c;
		if (!id_valid(cid)) {
			web_error(req, res, 404, "There is no such invitation (any more).");
			return;
		}
		if (!strcmp(action, "decline")) {
			if (store_circle_invitee_remove(st, cid, me)) {
				web_error(req, res, 404, "There is no such invitation (any more).");
				return;
			}
			web_flash(req, res, WEB_FLASH_INVITE_DECLINED, NULL);
			http_res_redirect(req, res, 303, "/circles");
			return;
		}
		struct user_row ow;
		if (!circle_invitation_accept(st, &req->arena, cid, me, clock_now(), &c) ||
		    store_user_by_id(st, &req->arena, c.owner_id, &ow)) {
			web_error(req, res, 404, "There is no such invitation (any more).");
			return;
		}
		web_flash(req, res, WEB_FLASH_JOINED, ow.handle);
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/@%s", ow.handle));
		return;
	}
	const char *name = http_req_form(req, "name");
	if (!circle_name_ok(name)) {
		render_circles(req, res, 422, "A circle's name is 1 to 80 characters, on one line.");
		return;
	}
	struct circle_row c;
	if (circle_create(web_store(req), web_viewer(req)->user.id, name, clock_now(), &c)) {
		web_error(req, res, 500, "Could not create the circle.");
		return;
	}
	web_flash(req, res, WEB_FLASH_CIRCLE_CREATED, NULL);
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/circles/%s", c.id));
}

static void render_circle(struct http_req *req, struct http_res *res, int status,
			  const struct circle_row *c, const char *new_link, const char *notice,
			  const char *error)
{
	struct store *st = web_store(req);
	struct member_row *ms;
	struct circle_invite_row *is;
	size_t nm = 0, ni = 0;
	struct member_row *iv;
	size_t niv = 0;
	if (store_circle_members(st, &req->arena, c->id, &ms, &nm) ||
	    store_circle_invites(st, &req->arena, c->id, &is, &ni) ||
	    store_circle_invitees(st, &req->arena, c->id, &iv, &niv)) {
		web_error(req, res, 500, "Could not read the circle.");
		return;
	}
	json_t *members = json_array();
	for (size_t i = 0; i < nm; i++)
		json_array_append_new(members, json_pack("{s:s,s:s,s:s}", "handle", ms[i].handle, "name",
							 ms[i].name, "joined",
							 web_fmt_date(&req->arena, ms[i].joined_at)));
	json_t *invitees = json_array();
	for (size_t i = 0; i < niv; i++)
		json_array_append_new(invitees, json_pack("{s:s,s:s,s:s}", "handle", iv[i].handle,
							  "name", iv[i].name, "invited",
							  web_fmt_date(&req->arena, iv[i].joined_at)));
	json_t *invites = json_array();
	int64_t now = clock_now();
	for (size_t i = 0; i < ni; i++) {
		bool live = !is[i].revoked && is[i].expires_at > now && is[i].uses_left != 0;
		if (!live)
			continue;
		json_array_append_new(invites, json_pack(
			"{s:s,s:s,s:s,s:s}", "tail", is[i].token_tail, "hash", is[i].token_hash,
			"uses", is[i].uses_left < 0 ? "unlimited uses" :
				arena_printf(&req->arena, "%lld use%s left", (long long)is[i].uses_left,
					     is[i].uses_left == 1 ? "" : "s"),
			"expires", web_fmt_date(&req->arena, is[i].expires_at)));
	}
	json_t *ctx = web_page_context(req, c->name);
	json_object_set_new(ctx, "circle", json_pack("{s:s,s:s}", "id", c->id, "name", c->name));
	json_object_set_new(ctx, "members", members);
	json_object_set_new(ctx, "has_members", json_boolean(nm > 0));
	json_object_set_new(ctx, "invitees", invitees);
	json_object_set_new(ctx, "has_invitees", json_boolean(niv > 0));
	json_object_set_new(ctx, "member_count", json_integer((json_int_t)nm));
	json_object_set_new(ctx, "invitee_count", json_integer((json_int_t)niv));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	const char *typed = http_req_form(req, "handle");
	if (error && typed && utf8_valid(typed, strlen(typed)))
		json_object_set_new(ctx, "typed_handle", json_string(typed));
	json_object_set_new(ctx, "invites", invites);
	json_object_set_new(ctx, "has_invites", json_boolean(json_array_size(invites) > 0));
	if (new_link)
		json_object_set_new(ctx, "new_link", json_string(new_link));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	json_object_set_new(ctx, "noindex", json_true());
	json_object_set_new(ctx, "mail_on", json_boolean(mail_enabled()));
	web_page_render(req, res, status, "circle", ctx);
}

void page_circle(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (circle_own(req, res, &c, false))
		render_circle(req, res, 200, &c, NULL, NULL, NULL);
}

void page_circle_post(struct http_req *req, struct http_res *res)
{
	struct circle_row c;
	if (!circle_own(req, res, &c, false))
		return;
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	struct store *st = web_store(req);
	const char *action = http_req_form(req, "action");
	if (!action)
		action = "";
	if (strcmp(action, "invite") == 0) {
		const char *uses = http_req_form(req, "uses");
		const char *days = http_req_form(req, "days");
		long d = days ? strtol(days, NULL, 10) : 7;
		if (d < 1 || d > CIRCLE_INVITE_MAX_DAYS)
			d = 7;
		int64_t u = uses && strcmp(uses, "many") == 0 ? -1 : 1;
		const char *token;
		if (circle_invite_create(st, &req->arena, c.id, u, (int64_t)d * 86400, clock_now(), &token)) {
			web_error(req, res, 500, "Could not create the invitation.");
			return;
		}
		render_circle(req, res, 200, &c,
			      web_url(req, arena_printf(&req->arena, "/c/%s", token)), NULL, NULL);
		return;
	}
	if (strcmp(action, "invite_email") == 0 && mail_enabled()) {
		const char *list = http_req_form(req, "emails");
		const char *p = list ? list : "";
		int sent = 0, bad = 0;
		const char *first_bad = NULL;
		while (*p && sent + bad < 50) {
			size_t skip = strspn(p, " \t\r\n,;");
			p += skip;
			size_t n = strcspn(p, " \t\r\n,;");
			if (!n)
				break;
			const char *norm = mail_addr_normalise(&req->arena, p, n);
			if (!norm) {
				if (!first_bad)
					first_bad = arena_strndup(&req->arena, p, n > 80 ? 80 : n);
				bad++;
			} else if (circle_invite_by_mail(st, &req->arena, &c, norm)) {
				web_error(req, res, 503, "Could not send the invitations. Please try again.");
				return;
			} else {
				sent++;
			}
			p += n;
		}
		if (!sent && !bad) {
			render_circle(req, res, 422, &c, NULL, NULL, "Give one address or more, one per line.");
			return;
		}
		mail_sender_poke();
		const char *said = arena_printf(&req->arena, "%d invitation%s sent by email.", sent,
						sent == 1 ? "" : "s");
		if (bad)
			said = arena_printf(&req->arena, "%s %d %s not an address (\"%s\"): nothing was sent "
					    "there.", said, bad, bad == 1 ? "was" : "were", first_bad);
		render_circle(req, res, bad && !sent ? 422 : 200, &c, NULL, said, NULL);
		return;
	}
	if (strcmp(action, "invite_handle") == 0) {
		const char *h = handle_normalise(&req->arena, http_req_form(req, "handle"));
		struct user_row who;
		switch (circle_invite_handle(st, &req->arena, &c, h, clock_now(), &who)) {
		case CIRCLE_INVITED:
			web_flash(req, res, WEB_FLASH_CIRCLE_INVITED, who.handle);
			http_res_redirect(req, res, 303, arena_printf(&req->arena, "/circles/%s", c.id));
			return;
		case CIRCLE_NO_SUCH_READER:
			render_circle(req, res, 422, &c, NULL, NULL,
				      "There is no reader with that handle here. Check the spelling, or "
				      "send them an invitation link instead.");
			return;
		case CIRCLE_IS_OWNER:
			render_circle(req, res, 422, &c, NULL, NULL, "That is you: the circle is yours.");
			return;
		case CIRCLE_IS_MEMBER:
			render_circle(req, res, 422, &c, NULL, NULL,
				      arena_printf(&req->arena, "@%s is already in this circle.", who.handle));
			return;
		case CIRCLE_INVITE_FAILED:
			break;
		}
		web_error(req, res, 500, "Could not save the invitation.");
		return;
	}
	if (strcmp(action, "withdraw") == 0) {
		struct user_row u;
		const char *h = handle_normalise(&req->arena, http_req_form(req, "handle"));
		if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
		    store_circle_invitee_remove(st, c.id, u.id)) {
			web_error(req, res, 404, "That reader has no invitation to this circle.");
			return;
		}
		web_flash(req, res, WEB_FLASH_INVITATION_WITHDRAWN, u.handle);
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/circles/%s", c.id));
		return;
	}
	if (strcmp(action, "revoke") == 0) {
		const char *hash = http_req_form(req, "invite");
		if (!hash || store_circle_invite_revoke(st, c.id, hash)) {
			web_error(req, res, 404, "No such invitation.");
			return;
		}
		web_flash(req, res, WEB_FLASH_INVITE_REVOKED, NULL);
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/circles/%s", c.id));
		return;
	}
	if (strcmp(action, "remove") == 0) {
		struct user_row u;
		const char *h = handle_normalise(&req->arena, http_req_form(req, "handle"));
		if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
		    store_circle_member_remove(st, c.id, u.id)) {
			web_error(req, res, 404, "That reader is not in this circle.");
			return;
		}
		web_flash(req, res, WEB_FLASH_MEMBER_REMOVED, h);
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/circles/%s", c.id));
		return;
	}
	if (strcmp(action, "delete") == 0) {
		const char *path = arena_printf(&req->arena, "/circles/%s", c.id);
		if (!web_confirmed(req)) {
			const char *fields[] = {"action", "delete"};
			web_confirm_render(req, res,
					   arena_printf(&req->arena, "Delete the circle “%s”?", c.name),
					   "Its members lose access at once, its invitations stop working, and "
					   "its stories become private (only you can read them).",
					   path, fields, 1, "Delete the circle", path);
			return;
		}
		if (store_circle_delete(st, c.id)) {
			web_error(req, res, 500, "Could not delete the circle.");
			return;
		}
		web_flash(req, res, WEB_FLASH_CIRCLE_DELETED, NULL);
		http_res_redirect(req, res, 303, "/circles");
		return;
	}
	web_error(req, res, 400, "Unknown action.");
}

static void render_invite(struct http_req *req, struct http_res *res, int status,
			  const char *error)
{
	struct store *st = web_store(req);
	const char *token = http_req_param(req, "token");
	struct circle_row c;
	if (!circle_invite_live(st, &req->arena, token, clock_now(), &c)) {
		web_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	struct user_row owner;
	if (store_user_by_id(st, &req->arena, c.owner_id, &owner) || owner.suspended_at) {
		web_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	/* A link mailed to an address: whoever has it may join with a name. */
	bool by_mail = !web_viewer(req)->signed_in && mail_invite_address(st, &req->arena, token);
	if (by_mail)
		session_need_pre(req, res); /* before the context takes the CSRF token */
	json_t *ctx = web_page_context(req, "An invitation");
	if (by_mail) {
		json_object_set_new(ctx, "by_mail", json_true());
		const char *fn = http_req_form(req, "name"), *fh = http_req_form(req, "handle");
		json_object_set_new(ctx, "f_name", json_string(fn && utf8_valid(fn, strlen(fn)) ? fn : ""));
		json_object_set_new(ctx, "f_handle",
				    json_string(fh && utf8_valid(fh, strlen(fh)) ? fh : ""));
	}
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "circle_name", json_string(c.name));
	json_object_set_new(ctx, "owner_name", json_string(owner.name));
	json_object_set_new(ctx, "owner_handle", json_string(owner.handle));
	json_object_set_new(ctx, "token", json_string(token));
	json_object_set_new(ctx, "noindex", json_true());
	json_object_set_new(ctx, "cache_private", json_true());
	web_page_render(req, res, status, "invite", ctx);
}

void page_invite(struct http_req *req, struct http_res *res)
{
	render_invite(req, res, 200, NULL);
}

/* A handle from a name: its ASCII letters and digits, lowercased, other
 * runs as one '_', at most 20; "reader" when too little is left. */
static const char *handle_from(struct arena *a, const char *name)
{
	char h[21];
	size_t n = 0;
	for (const char *p = name; *p && n < 20; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			h[n++] = ch;
		else if (n && h[n - 1] != '_')
			h[n++] = '_';
	}
	while (n && h[n - 1] == '_')
		n--;
	h[n] = '\0';
	return n >= 2 ? arena_strdup(a, h) : "reader";
}

/* Join from a mailed invitation: a new account with a name (and a handle,
 * chosen or made from the name), no password, a member at once. */
static void invite_join(struct http_req *req, struct http_res *res, const char *token)
{
	struct store *st = web_store(req);
	if (!web_csrf_ok(req)) {
		render_invite(req, res, 403, "This form expired. Please try again.");
		return;
	}
	char *mode = NULL;
	if (store_setting_get(st, &req->arena, "signup_mode", &mode) == STORE_OK &&
	    !strcmp(mode, "closed")) {
		render_invite(req, res, 403, "This site takes no new accounts at the moment.");
		return;
	}
	const char *name = http_req_form(req, "name");
	const char *want = http_req_form(req, "handle");
	while (name && (*name == ' ' || *name == '\t'))
		name++;
	if (!name || !*name) {
		render_invite(req, res, 422, "Give your name: it is how the writer will know you.");
		return;
	}
	bool chosen = want && *want;
	const char *handle = chosen ? want : handle_from(&req->arena, name);
	char hash[65];
	hash_token(token, strlen(token), hash);
	struct acct_claim claim = {CLAIM_CIRCLE_MAIL, hash};
	struct user_row u;
	enum acct_err e = ACCT_HANDLE_TAKEN;
	/* A handle made from the name gets a suffix when it is taken. */
	for (int i = 0; i < 6 && e == ACCT_HANDLE_TAKEN; i++) {
		const char *h = handle;
		if (i > 0) {
			char sfx[5];
			random_hex(sfx, 2);
			h = arena_printf(&req->arena, "%.*s_%s", 15, handle, sfx);
		}
		e = account_create_claimed(st, &req->arena, h, name, NULL, false, &claim, &u);
		if (chosen)
			break;
	}
	if (e) {
		int status = e == ACCT_INVITE_USED ? 404 : e == ACCT_STORE || e == ACCT_BUSY ? 503 : 422;
		if (e == ACCT_INVITE_USED)
			web_error(req, res, 404, "This invitation link is not valid (any more).");
		else
			render_invite(req, res, status, acct_strerror(e));
		return;
	}
	if (!session_start(req, res, &u)) {
		web_error(req, res, 503, "Your account is made, but you could not be signed in. "
					 "Ask for a sign-in link on the sign-in page.");
		return;
	}
	struct circle_row c;
	struct user_row owner;
	const char *to = "/";
	if (circle_of_token(st, &req->arena, token, &c) &&
	    store_user_by_id(st, &req->arena, c.owner_id, &owner) == STORE_OK) {
		to = arena_printf(&req->arena, "/@%s", owner.handle);
		web_flash(req, res, WEB_FLASH_JOINED, owner.handle);
	}
	http_res_redirect(req, res, 303, to);
}

void page_invite_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	const char *token = http_req_param(req, "token");
	if (!circle_token_ok(token)) {
		/* The decoded token would go into Location: only ever hex. */
		web_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	if (!v->signed_in) {
		const char *action = http_req_form(req, "action");
		if (action && !strcmp(action, "join")) {
			invite_join(req, res, token);
			return;
		}
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/login?return_to=/c/%s", token));
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	struct circle_row c;
	if (!circle_invite_accept(web_store(req), &req->arena, token, v->user.id, clock_now(), &c)) {
		web_error(req, res, 404, "This invitation link is not valid (any more).");
		return;
	}
	struct user_row owner;
	const char *to = "/";
	if (store_user_by_id(web_store(req), &req->arena, c.owner_id, &owner) == STORE_OK) {
		to = arena_printf(&req->arena, "/@%s", owner.handle);
		if (strcmp(owner.id, v->user.id) != 0)
			web_flash(req, res, WEB_FLASH_JOINED, owner.handle);
	}
	http_res_redirect(req, res, 303, to);
}

/* ---- JSON API ---- */

