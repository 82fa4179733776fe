/*
 * account_pages.c - sign-in, sign-up, first-start setup, sign-out,
 * profile settings and the admin page; plus the token API. Handlers
 * validate, call accounts.c, render.
 */
#include "accounts/accounts.h"
#include "accounts/admin.h"
#include "accounts/admin_web.h"
#include "store/store_mail.h"
#include "circles/circles.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/tz.h"
#include "core/clock.h"
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A local path to go back to after signing in, never another site. */
static const char *safe_return(const char *r)
{
	const char *ok = web_local_path(r);
	return ok ? ok : "/";
}

static const char *signup_mode(struct http_req *req)
{
	char *mode = NULL;
	if (store_setting_get(web_store(req), &req->arena, "signup_mode", &mode) == STORE_OK &&
	    (strcmp(mode, "open") == 0 || strcmp(mode, "closed") == 0 ||
	     strcmp(mode, "invite") == 0))
		return mode;
	return "invite";
}

static void render_login(struct http_req *req, struct http_res *res, int status,
			 const char *error, const char *handle)
{
	session_need_pre(req, res);
	json_t *ctx = web_page_context(req, "Sign in");
	json_object_set_new(ctx, "csrf", json_string(web_viewer(req)->csrf));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_object_set_new(ctx, "handle", json_string(handle ? handle : ""));
	json_object_set_new(ctx, "return_to",
			    json_string(safe_return(http_req_query(req, "return_to") ?
						    http_req_query(req, "return_to") :
						    http_req_form(req, "return_to"))));
	json_object_set_new(ctx, "signup_open", json_boolean(strcmp(signup_mode(req), "open") == 0));
	json_object_set_new(ctx, "mail", json_boolean(web_cfg->mail));
	web_page_render(req, res, status, "login", ctx);
}

void page_login(struct http_req *req, struct http_res *res)
{
	if (web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, safe_return(http_req_query(req, "return_to")));
		return;
	}
	render_login(req, res, 200, NULL, NULL);
}

void page_login_post(struct http_req *req, struct http_res *res)
{
	if (!web_csrf_ok(req)) {
		render_login(req, res, 403,
			     "Your sign-in form expired. Please try again.", NULL);
		return;
	}
	const char *handle = http_req_form(req, "handle");
	const char *password = http_req_form(req, "password");
	struct user_row u;
	int64_t retry = 0;
	enum acct_err e = account_login(web_store(req), &req->arena, handle, password,
					web_client_key(req), &u, &retry);
	if (e == ACCT_RATE_LIMITED) {
		http_res_header(req, res, "Retry-After", arena_printf(&req->arena, "%lld", (long long)retry));
		render_login(req, res, 429, acct_strerror(e), handle);
		return;
	}
	if (e) {
		render_login(req, res, e == ACCT_BAD_PASSWORD ? 401 : e == ACCT_PASSWORD_LONG ? 422 :
				       e == ACCT_SUSPENDED ? 403 : 503,
			     acct_strerror(e), handle);
		return;
	}
	if (!session_start(req, res, &u)) {
		web_error(req, res, 500, "Could not start a session.");
		return;
	}
	web_flash(req, res, WEB_FLASH_SIGNIN, u.handle);
	http_res_redirect(req, res, 303, safe_return(http_req_form(req, "return_to")));
}

void page_logout_post(struct http_req *req, struct http_res *res)
{
	if (web_viewer(req)->signed_in && !web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	session_end(req, res);
	http_res_redirect(req, res, 303, "/");
}

static void render_signup(struct http_req *req, struct http_res *res, int status,
			  const char *error, const char *invite)
{
	session_need_pre(req, res);
	json_t *ctx = web_page_context(req, "Create an account");
	json_object_set_new(ctx, "csrf", json_string(web_viewer(req)->csrf));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	const char *h = http_req_form(req, "handle"), *n = http_req_form(req, "name");
	json_object_set_new(ctx, "handle", json_string(h && utf8_valid(h, strlen(h)) ? h : ""));
	json_object_set_new(ctx, "name", json_string(n && utf8_valid(n, strlen(n)) ? n : ""));
	json_object_set_new(ctx, "invite", json_string(invite ? invite : ""));
	const char *circle = http_req_query(req, "circle");
	if (!circle)
		circle = http_req_form(req, "circle");
	json_object_set_new(ctx, "circle", json_string(circle && strlen(circle) == 32 ? circle : ""));
	json_object_set_new(ctx, "form_action", json_string("/signup"));
	json_object_set_new(ctx, "heading", json_string("Create an account"));
	web_page_render(req, res, status, "signup", ctx);
}

/* A live circle invitation also lets a reader sign up (unless sign-up is
 * closed): she was invited, by a writer rather than an admin. */
static bool circle_invited(struct http_req *req, const char *token)
{
	struct circle_row c;
	return token && circle_invite_live(web_store(req), &req->arena, token, clock_now(), &c);
}

void page_signup(struct http_req *req, struct http_res *res)
{
	const char *mode = signup_mode(req);
	const char *invite = http_req_query(req, "invite");
	if (strcmp(mode, "open") != 0) {
		bool ok = strcmp(mode, "invite") == 0 && circle_invited(req, http_req_query(req, "circle"));
		if (invite && strcmp(mode, "invite") == 0) {
			char hash[65];
			hash_token(invite, strlen(invite), hash);
			ok = store_invite_check(web_store(req), hash, clock_now()) == STORE_OK;
		}
		if (!ok) {
			web_error(req, res, 403,
				   strcmp(mode, "closed") == 0 ?
				   "Sign-up is closed on this site." :
				   "Sign-up on this site is by invitation. This link is missing, used or expired.");
			return;
		}
	}
	render_signup(req, res, 200, NULL, invite);
}

void page_signup_post(struct http_req *req, struct http_res *res)
{
	const char *invite = http_req_form(req, "invite");
	if (!web_csrf_ok(req)) {
		render_signup(req, res, 403, "This form expired. Please try again.", invite);
		return;
	}
	const char *mode = signup_mode(req);
	char hash[65] = "";
	const char *circle = http_req_form(req, "circle");
	bool by_circle = strcmp(mode, "invite") == 0 && circle_invited(req, circle);
	if (strcmp(mode, "open") != 0 && !by_circle) {
		bool ok = false;
		if (invite && *invite && strcmp(mode, "invite") == 0) {
			hash_token(invite, strlen(invite), hash);
			ok = store_invite_check(web_store(req), hash, clock_now()) == STORE_OK;
		}
		if (!ok) {
			web_error(req, res, 403, "Sign-up on this site needs a valid invitation.");
			return;
		}
	}
	const char *pw = http_req_form(req, "password");
	const char *pw2 = http_req_form(req, "password2");
	if (pw2 && pw && strcmp(pw, pw2) != 0) {
		render_signup(req, res, 422, "The two passwords differ.", invite);
		return;
	}
	struct store *st = web_store(req);
	struct user_row u;
	/* The invitation is spent in the transaction that makes the account
	 * (issue 14): parallel sign-ups with one link make one account. */
	char circle_hash[65] = "";
	if (by_circle)
		hash_token(circle, strlen(circle), circle_hash);
	struct acct_claim claim = {CLAIM_NONE, NULL};
	if (by_circle)
		claim = (struct acct_claim){CLAIM_CIRCLE, circle_hash};
	else if (hash[0])
		claim = (struct acct_claim){CLAIM_INVITE, hash};
	enum acct_err e = account_create_claimed(st, &req->arena, http_req_form(req, "handle"),
						 http_req_form(req, "name"), pw, false, &claim, &u);
	if (e == ACCT_INVITE_USED) {
		web_error(req, res, 403, "Sign-up on this site needs a valid invitation. "
					  "This one has been used, has expired or was revoked.");
		return;
	}
	if (e) {
		render_signup(req, res, e == ACCT_HANDLE_TAKEN ? 409 : e == ACCT_BUSY ? 503 : 422,
			      acct_strerror(e), invite);
		return;
	}
	/* With sign-up open, a circle link is only an invitation to join. */
	/* With sign-up open, a circle link is only an invitation to join
	 * (by_circle: the claim above made her a member). Either way she
	 * follows the circle's writer (circles.h). */
	struct circle_row joined;
	bool in_circle = false;
	if (by_circle)
		in_circle = circle_of_token(st, &req->arena, circle, &joined) &&
			    circle_follow_owner(st, &joined, u.id, clock_now());
	else if (circle && *circle)
		in_circle = circle_invite_accept(st, &req->arena, circle, u.id, clock_now(), &joined);
	if (circle && *circle && !in_circle)
		fprintf(stderr, "quire: new account could not join the circle\n");
	if (!session_start(req, res, &u)) {
		web_error(req, res, 500, "Your account was made, but signing in failed. Please sign in.");
		return;
	}
	const char *owner = NULL;
	struct user_row ow;
	if (in_circle && store_user_by_id(st, &req->arena, joined.owner_id, &ow) == STORE_OK)
		owner = ow.handle;
	web_flash(req, res, owner ? WEB_FLASH_SIGNUP_JOINED : WEB_FLASH_SIGNUP, owner);
	http_res_redirect(req, res, 303, owner ? arena_printf(&req->arena, "/@%s", owner) : "/write");
}

/* ---- first-start setup ---- */

static bool setup_token_ok(struct http_req *req, const char *token)
{
	struct store *st = web_store(req);
	int64_t n;
	if (!token || store_user_count(st, &n) || n > 0)
		return false;
	char *want = NULL, *exp = NULL;
	if (store_setting_get(st, &req->arena, "setup_token_hash", &want) ||
	    store_setting_get(st, &req->arena, "setup_token_expires", &exp))
		return false;
	char hash[65];
	hash_token(token, strlen(token), hash);
	return strlen(want) == 64 && ct_equal(hash, want, 64) &&
	       strtoll(exp, NULL, 10) > clock_now();
}

static void render_setup(struct http_req *req, struct http_res *res, int status, const char *error)
{
	session_need_pre(req, res);
	json_t *ctx = web_page_context(req, "Set up Quire");
	json_object_set_new(ctx, "csrf", json_string(web_viewer(req)->csrf));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	const char *h = http_req_form(req, "handle"), *n = http_req_form(req, "name");
	json_object_set_new(ctx, "handle", json_string(h && utf8_valid(h, strlen(h)) ? h : ""));
	json_object_set_new(ctx, "name", json_string(n && utf8_valid(n, strlen(n)) ? n : ""));
	json_object_set_new(ctx, "invite", json_string(""));
	json_object_set_new(ctx, "setup", json_true());
	json_object_set_new(ctx, "form_action",
			    json_string(arena_printf(&req->arena, "/setup/%s", http_req_param(req, "token"))));
	json_object_set_new(ctx, "heading", json_string("Create the first account"));
	web_page_render(req, res, status, "signup", ctx);
}

void page_setup(struct http_req *req, struct http_res *res)
{
	if (!setup_token_ok(req, http_req_param(req, "token"))) {
		web_error(req, res, 404, "This setup link is not valid (any more).");
		return;
	}
	render_setup(req, res, 200, NULL);
}

void page_setup_post(struct http_req *req, struct http_res *res)
{
	if (!setup_token_ok(req, http_req_param(req, "token"))) {
		web_error(req, res, 404, "This setup link is not valid (any more).");
		return;
	}
	if (!web_csrf_ok(req)) {
		render_setup(req, res, 403, "This form expired. Please try again.");
		return;
	}
	const char *pw = http_req_form(req, "password");
	const char *pw2 = http_req_form(req, "password2");
	if (pw2 && pw && strcmp(pw, pw2) != 0) {
		render_setup(req, res, 422, "The two passwords differ.");
		return;
	}
	struct store *st = web_store(req);
	struct user_row u;
	const char *token = http_req_param(req, "token");
	char hash[65];
	hash_token(token, strlen(token), hash);
	struct acct_claim claim = {CLAIM_SETUP, hash};
	enum acct_err e = account_create_claimed(st, &req->arena, http_req_form(req, "handle"),
						 http_req_form(req, "name"), pw, true, &claim, &u);
	if (e == ACCT_INVITE_USED) {
		web_error(req, res, 404, "This setup link is not valid (any more).");
		return;
	}
	if (e) {
		render_setup(req, res, e == ACCT_BUSY ? 503 : 422, acct_strerror(e));
		return;
	}
	if (!session_start(req, res, &u)) {
		web_error(req, res, 500, "The account was made, but signing in failed.");
		return;
	}
	web_flash(req, res, WEB_FLASH_SETUP, NULL);
	http_res_redirect(req, res, 303, "/admin");
}

/* ---- settings ---- */

/* zone trimmed, "" for none, or NULL if it names no zone on this system. */
static const char *time_zone_check(struct http_req *req, const char *zone)
{
	while (*zone == ' ')
		zone++;
	size_t n = strlen(zone);
	while (n && zone[n - 1] == ' ')
		n--;
	if (n == 0)
		return "";
	char *z = arena_strndup(&req->arena, zone, n);
	struct tz tz;
	return tz_load(&req->arena, z, &tz) ? z : NULL;
}

/* ---- profile links and avatar ---- */

#define LINKS_MAX 3
#define LINK_MAX_BYTES 200

/* The host of an http(s) address, for its label ("ann.example"). */
static const char *link_label(struct arena *a, const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	const char *host = arena_strndup(a, p, n);
	return strncmp(host, "www.", 4) == 0 ? host + 4 : host;
}

/* in (one address a line) as stored: at most LINKS_MAX http(s)
 * addresses, trimmed, blank lines dropped; NULL with *err when one is
 * not such an address. */
static const char *links_clean(struct arena *a, const char *in, const char **err)
{
	struct buf b;
	buf_init(&b, 4096);
	size_t n = 0;
	for (const char *p = in ? in : ""; *p;) {
		size_t l = strcspn(p, "\r\n");
		const char *s = p, *e = p + l;
		p = e;
		while (*p == '\r' || *p == '\n')
			p++;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (s == e)
			continue;
		size_t len = (size_t)(e - s);
		bool scheme = (len > 8 && !strncmp(s, "https://", 8)) || (len > 7 && !strncmp(s, "http://", 7));
		bool bad = !scheme || len > LINK_MAX_BYTES || !utf8_valid(s, len) ||
			   text_has_controls(s, len, false) || memchr(s, ' ', len) || memchr(s, '"', len) ||
			   memchr(s, '<', len) || memchr(s, '>', len);
		if (bad || ++n > LINKS_MAX) {
			*err = bad ? "Each link is one address starting with https:// (or http://), "
				     "at most 200 characters." :
				     "Up to three links.";
			buf_release(&b);
			return NULL;
		}
		if (b.len)
			buf_adds(&b, "\n");
		buf_add(&b, s, len);
	}
	const char *out = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_release(&b);
	return out;
}

json_t *profile_extras(struct http_req *req, const struct user_row *u)
{
	json_t *o = json_object();
	struct profile_row p;
	if (store_profile_get(web_store(req), &req->arena, u->id, &p) != STORE_OK)
		return o;
	const char *av = media_avatar_url(&req->arena, u->handle, p.avatar_hash);
	if (av)
		json_object_set_new(o, "avatar_url", json_string(av));
	json_t *links = json_array();
	for (const char *s = p.links; s && *s;) {
		size_t l = strcspn(s, "\n");
		const char *url = arena_strndup(&req->arena, s, l);
		json_array_append_new(links, json_pack("{s:s,s:s}", "url", url, "label",
						       link_label(&req->arena, url)));
		s += l;
		if (*s)
			s++;
	}
	json_object_set_new(o, "has_links", json_boolean(json_array_size(links) > 0));
	json_object_set_new(o, "links", links);
	json_object_set_new(o, "links_text", json_string(p.links ? p.links : ""));
	return o;
}

static void render_settings(struct http_req *req, struct http_res *res, int status,
			    const char *error, const char *notice)
{
	const struct viewer *v = web_viewer(req);
	json_t *ctx = web_page_context(req, "Settings");
	json_object_set_new(ctx, "name", json_string(v->user.name));
	json_object_set_new(ctx, "bio", json_string(v->user.bio));
	const char *tzf = http_req_form(req, "time_zone");
	json_object_set_new(ctx, "time_zone", json_string(tzf ? tzf : v->user.time_zone));
	const char *names[600];
	size_t nn = tz_names(&req->arena, names, sizeof(names) / sizeof(names[0]));
	json_t *zones = json_array();
	for (size_t i = 0; i < nn; i++)
		json_array_append_new(zones, json_string(names[i]));
	json_object_set_new(ctx, "zones", zones);
	json_object_set_new(ctx, "has_password", json_boolean(strcmp(v->user.password_hash, "!") != 0));
	json_t *extras = profile_extras(req, &v->user);
	const char *lf = http_req_form(req, "links");
	if (lf)
		json_object_set_new(extras, "links_text", json_string(lf));
	json_object_set_new(ctx, "profile", extras);
	int64_t feed_at = 0;
	if (store_feed_token_made(web_store(req), v->user.id, &feed_at) == STORE_OK && feed_at)
		json_object_set_new(ctx, "feed_made", json_string(web_fmt_date(&req->arena, feed_at)));
	bool book_share = false;
	if (store_user_book_share_get(web_store(req), v->user.id, &book_share) == STORE_OK)
		json_object_set_new(ctx, "book_share", json_boolean(book_share));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	web_page_render(req, res, status, "settings", ctx);
}

void page_settings(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/settings");
		return;
	}
	render_settings(req, res, 200, NULL, NULL);
}

/* A settings form post from a signed-in writer with a live form; false
 * when answered (401, or the form again with 403). */
static bool settings_post_ok(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		web_error(req, res, 401, "Please sign in first.");
		return false;
	}
	if (!web_csrf_ok(req)) {
		render_settings(req, res, 403, "This form expired. Please try again.", NULL);
		return false;
	}
	return true;
}

void page_settings_post(struct http_req *req, struct http_res *res)
{
	struct viewer *v = &web_req(req)->viewer;
	if (!settings_post_ok(req, res))
		return;
	const char *name = http_req_form(req, "name");
	const char *bio = http_req_form(req, "bio");
	if (!name || !*name || text_has_controls(name, strlen(name), false) ||
	    utf8_count(name, strlen(name)) > NAME_MAX_CHARS) {
		render_settings(req, res, 422, acct_strerror(ACCT_BAD_NAME), NULL);
		return;
	}
	if (!bio)
		bio = "";
	if (text_has_controls(bio, strlen(bio), true) || utf8_count(bio, strlen(bio)) > BIO_MAX_CHARS) {
		render_settings(req, res, 422, "A bio is at most 500 characters.", NULL);
		return;
	}
	const char *zone = http_req_form(req, "time_zone");
	if (!zone)
		zone = v->user.time_zone;
	if ((zone = time_zone_check(req, zone)) == NULL) {
		render_settings(req, res, 422, "Choose a time zone from the list, such as "
					       "Europe/Paris or America/New_York, or leave it empty.", NULL);
		return;
	}
	const char *lerr = NULL;
	const char *lf = http_req_form(req, "links");
	const char *links = lf ? links_clean(&req->arena, lf, &lerr) : NULL;
	if (lerr) {
		render_settings(req, res, 422, lerr, NULL);
		return;
	}
	if (store_begin(web_store(req)) ||
	    store_user_update_profile(web_store(req), v->user.id, name, bio) ||
	    (links && store_profile_links_set(web_store(req), v->user.id, links, clock_now())) ||
	    store_user_set_time_zone(web_store(req), v->user.id, zone) ||
	    store_commit(web_store(req))) {
		store_rollback(web_store(req));
		web_error(req, res, 500, "Could not save your settings.");
		return;
	}
	web_flash(req, res, WEB_FLASH_SETTINGS_SAVED, NULL);
	http_res_redirect(req, res, 303, "/settings");
}

/* The reader's private feed: make (or make anew, so that the old address
 * stops working) or revoke it. The address is shown once, like a token. */
void page_settings_feed_post(struct http_req *req, struct http_res *res)
{
	if (!settings_post_ok(req, res))
		return;
	const struct viewer *v = web_viewer(req);
	struct store *st = web_store(req);
	const char *action = http_req_form(req, "action");
	if (action && !strcmp(action, "revoke")) {
		enum store_err e = store_feed_token_delete(st, v->user.id);
		if (e && e != STORE_NOT_FOUND) {
			render_settings(req, res, 503, "Could not turn the feed off. Please try again.", NULL);
			return;
		}
		render_settings(req, res, 200, NULL, "Your private feed is off: its address no longer works.");
		return;
	}
	if (!action || strcmp(action, "issue") != 0) {
		web_error(req, res, 400, "Unknown action.");
		return;
	}
	char token[33], hash[65];
	random_hex(token, 16);
	hash_token(token, 32, hash);
	if (store_feed_token_set(st, v->user.id, hash, clock_now())) {
		render_settings(req, res, 503, "Could not make the feed. Please try again.", NULL);
		return;
	}
	render_settings(req, res, 200, NULL,
			arena_printf(&req->arena, "Your private feed: %s (shown this once: add it to "
				     "your feed reader now; anyone with it reads what you may)",
				     web_url(req, arena_printf(&req->arena, "/feed/%s.atom", token))));
}

/* A signed-in writer changes her password: the current one first (counted
 * like a sign-in, so a stolen session cannot guess it), then the new one
 * twice. Every other session and API token of hers ends. */
void page_password_post(struct http_req *req, struct http_res *res)
{
	struct viewer *v = &web_req(req)->viewer;
	if (!settings_post_ok(req, res))
		return;
	const char *cur = http_req_form(req, "current");
	const char *pw = http_req_form(req, "password");
	const char *pw2 = http_req_form(req, "password2");
	if (pw && pw2 && strcmp(pw, pw2) != 0) {
		render_settings(req, res, 422, "The two new passwords differ.", NULL);
		return;
	}
	enum acct_err e = password_check(pw);
	if (e) {
		render_settings(req, res, 422, acct_strerror(e), NULL);
		return;
	}
	struct user_row u = v->user;
	int64_t retry = 0;
	/* An account that joined from a mailed invitation has no password
	 * yet ("!"): its first one needs none. */
	if (strcmp(v->user.password_hash, "!") != 0)
		e = account_login(web_store(req), &req->arena, v->user.handle, cur ? cur : "",
				  web_client_key(req), &u, &retry);
	if (e == ACCT_RATE_LIMITED)
		http_res_header(req, res, "Retry-After", arena_printf(&req->arena, "%lld", (long long)retry));
	if (e) {
		render_settings(req, res, e == ACCT_BAD_PASSWORD ? 403 : e == ACCT_RATE_LIMITED ? 429 :
				e == ACCT_PASSWORD_LONG ? 422 : 503,
				e == ACCT_BAD_PASSWORD ? "Your current password is not that one." :
				acct_strerror(e), NULL);
		return;
	}
	e = account_set_password(web_store(req), &u, pw, v->via_token ? NULL : v->session_hash);
	if (e) {
		render_settings(req, res, e == ACCT_BUSY ? 503 : 500, acct_strerror(e), NULL);
		return;
	}
	web_flash(req, res, WEB_FLASH_PASSWORD_CHANGED, NULL);
	http_res_redirect(req, res, 303, "/settings");
}

/* ---- admin ---- */

/* s without leading and trailing spaces, tabs and line ends (arena), or
 * NULL for NULL. */
static const char *trimmed(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

static void render_admin(struct http_req *req, struct http_res *res, int status,
			 const char *invite_url, const char *error)
{
	json_t *ctx = web_page_context(req, "Site administration");
	const struct web_site *site = web_site(req);
	const char *fn = http_req_form(req, "site_name"), *fd = http_req_form(req, "site_description"),
		   *fa = http_req_form(req, "site_about");
	bool typed = error && fn && fd && fa && utf8_valid(fn, strlen(fn)) &&
		     utf8_valid(fd, strlen(fd)) && utf8_valid(fa, strlen(fa));
	json_object_set_new(ctx, "f_site_name", json_string(typed ? fn : site->name));
	json_object_set_new(ctx, "f_site_description", json_string(typed ? fd : site->description));
	json_object_set_new(ctx, "f_site_about", json_string(typed ? fa : site->about));
	json_object_set_new(ctx, "name_max", json_integer(WEB_SITE_NAME_MAX));
	json_object_set_new(ctx, "description_max", json_integer(WEB_SITE_DESCRIPTION_MAX));
	json_object_set_new(ctx, "about_max", json_integer(WEB_SITE_ABOUT_MAX));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	const char *mode = signup_mode(req);
	json_object_set_new(ctx, "mode_open", json_boolean(strcmp(mode, "open") == 0));
	json_object_set_new(ctx, "mode_invite", json_boolean(strcmp(mode, "invite") == 0));
	json_object_set_new(ctx, "mode_closed", json_boolean(strcmp(mode, "closed") == 0));
	if (invite_url)
		json_object_set_new(ctx, "invite_url", json_string(invite_url));
	admin_overview_context(req, ctx);
	web_page_render(req, res, status, "admin", ctx);
}

void page_admin(struct http_req *req, struct http_res *res)
{
	if (admin_page_allowed(req, res))
		render_admin(req, res, 200, NULL, NULL);
}

void page_admin_post(struct http_req *req, struct http_res *res)
{
	if (!admin_page_allowed(req, res))
		return;
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	const char *action = http_req_form(req, "action");
	struct store *st = web_store(req);
	if (action && strcmp(action, "signup_mode") == 0) {
		const char *mode = http_req_form(req, "mode");
		if (!mode || (strcmp(mode, "open") && strcmp(mode, "invite") && strcmp(mode, "closed"))) {
			web_error(req, res, 422, "Sign-up mode is open, invite or closed.");
			return;
		}
		if (store_begin(st) || store_setting_set(st, "signup_mode", mode) ||
		    admin_log(st, &web_viewer(req)->user, "signup_mode", "", mode) || store_commit(st)) {
			store_rollback(st);
			web_error(req, res, 500, "Could not save the setting.");
			return;
		}
		web_flash(req, res, WEB_FLASH_SETTINGS_SAVED, NULL);
		http_res_redirect(req, res, 303, "/admin");
		return;
	}
	if (action && strcmp(action, "site") == 0) {
		const char *name = trimmed(&req->arena, http_req_form(req, "site_name"));
		const char *desc = trimmed(&req->arena, http_req_form(req, "site_description"));
		const char *about = http_req_form(req, "site_about");
		if (!about)
			about = "";
		if (!name || !*name || !utf8_valid(name, strlen(name)) ||
		    text_has_controls(name, strlen(name), false) ||
		    utf8_count(name, strlen(name)) > WEB_SITE_NAME_MAX) {
			render_admin(req, res, 422, NULL, "The site's name is 1 to 80 characters, on one line.");
			return;
		}
		if (!desc || !utf8_valid(desc, strlen(desc)) || text_has_controls(desc, strlen(desc), false) ||
		    utf8_count(desc, strlen(desc)) > WEB_SITE_DESCRIPTION_MAX) {
			render_admin(req, res, 422, NULL, "The description is at most 200 characters, on one line.");
			return;
		}
		if (!utf8_valid(about, strlen(about)) || text_has_controls(about, strlen(about), true) ||
		    utf8_count(about, strlen(about)) > WEB_SITE_ABOUT_MAX) {
			render_admin(req, res, 422, NULL, "The about page is at most 5000 characters.");
			return;
		}
		if (store_begin(st) || store_setting_set(st, "site_name", name) ||
		    store_setting_set(st, "site_description", desc) ||
		    store_setting_set(st, "site_about", about) ||
		    admin_log(st, &web_viewer(req)->user, "site", "", name) || store_commit(st)) {
			store_rollback(st);
			web_error(req, res, 500, "Could not save the site's identity.");
			return;
		}
		web_flash(req, res, WEB_FLASH_SITE_SAVED, NULL);
		http_res_redirect(req, res, 303, "/admin");
		return;
	}
	if (action && strcmp(action, "invite") == 0) {
		char token[33];
		if (admin_invite(st, &web_viewer(req)->user, token)) {
			web_error(req, res, 500, "Could not create the invitation.");
			return;
		}
		render_admin(req, res, 200,
			     web_url(req, arena_printf(&req->arena, "/signup?invite=%s", token)), NULL);
		return;
	}
	if (action && strcmp(action, "revoke_invite") == 0) {
		enum admin_err e = admin_invite_revoke(st, &req->arena, &web_viewer(req)->user,
						       http_req_form(req, "id"));
		if (e) {
			web_error(req, res, e == ADMIN_NO_SUCH_INVITE ? 404 : 503, admin_strerror(e));
			return;
		}
		web_flash(req, res, WEB_FLASH_INVITE_REVOKED, NULL);
		http_res_redirect(req, res, 303, "/admin");
		return;
	}
	web_error(req, res, 400, "Unknown action.");
}

/* The site's short about page (set on /admin): its paragraphs, as text. */
void page_about(struct http_req *req, struct http_res *res)
{
	const struct web_site *site = web_site(req);
	if (!site->about[0]) {
		web_error(req, res, 404, "This site has no about page yet.");
		return;
	}
	/* Paragraphs end at a blank line; the lines of one are joined. */
	json_t *paras = json_array();
	struct buf para;
	buf_init(&para, WEB_SITE_ABOUT_MAX * 4 + 16);
	for (const char *p = site->about;; p++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *line = trimmed(&req->arena, arena_strndup(&req->arena, p, n));
		if (*line) {
			if (para.len)
				buf_addch(&para, ' ');
			buf_adds(&para, line);
		}
		if ((!*line || !nl) && para.len) {
			json_array_append_new(paras, json_pack("{s:s}", "text", buf_str(&para)));
			buf_reset(&para);
		}
		if (!nl)
			break;
		p = nl;
	}
	buf_release(&para);
	json_t *ctx = web_page_context(req, arena_printf(&req->arena, "About %s", site->name));
	json_object_set_new(ctx, "paragraphs", paras);
	json_object_set_new(ctx, "cacheable", json_true());
	web_page_render(req, res, 200, "about", ctx);
}

/* ---- token API ---- */

void api_token_create(struct http_req *req, struct http_res *res)
{
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *jh = json_object_get(body, "handle"), *jp = json_object_get(body, "password");
	if (!json_is_string(jh) || !json_is_string(jp)) {
		json_decref(body);
		web_json_error(req, res, 422, "invalid", "Send \"handle\" and \"password\" as strings.");
		return;
	}
	struct store *st = web_store(req);
	struct user_row u;
	int64_t retry = 0;
	enum acct_err e = account_login(st, &req->arena, json_string_value(jh),
					json_string_value(jp), web_client_key(req), &u, &retry);
	json_decref(body);
	if (e == ACCT_RATE_LIMITED) {
		http_res_header(req, res, "Retry-After", arena_printf(&req->arena, "%lld", (long long)retry));
		web_json_error(req, res, 429, "rate_limited", acct_strerror(e));
		return;
	}
	if (e) {
		web_json_error(req, res, e == ACCT_BAD_PASSWORD ? 401 : e == ACCT_PASSWORD_LONG ? 422 :
					 e == ACCT_SUSPENDED ? 403 : 503,
			   e == ACCT_BAD_PASSWORD ? "bad_credentials" :
			   e == ACCT_PASSWORD_LONG ? "invalid" :
			   e == ACCT_SUSPENDED ? "suspended" : "unavailable", acct_strerror(e));
		return;
	}
	char token[65], hash[65];
	random_hex(token, 32);
	hash_token(token, 64, hash);
	int64_t now = clock_now();
	if (store_session_insert(st, hash, u.id, "api", now, now + web_cfg->token_absolute)) {
		web_json_error(req, res, 500, "internal", "Could not create the token.");
		return;
	}
	web_json_reply(req, res, 201, json_pack("{s:s,s:s}", "token", token, "expires_at",
					     web_fmt_rfc3339(&req->arena, now + web_cfg->token_absolute)));
}

void api_token_delete(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in || !v->via_token) {
		web_json_error(req, res, 401, "unauthorized", "Send the token to revoke as Authorization: Bearer.");
		return;
	}
	if (store_session_delete(web_store(req), v->session_hash)) {
		web_json_error(req, res, 500, "internal", "Could not revoke the token.");
		return;
	}
	res->status = 204;
	web_security_headers(req, res);
	res->content_type = NULL;
}

void api_me(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_json_error(req, res, 401, "unauthorized", "Sign in or send a bearer token.");
		return;
	}
	web_json_reply(req, res, 200, json_pack("{s:s,s:s,s:b,s:s}", "handle", v->user.handle, "name",
					     v->user.name, "is_admin", v->user.is_admin, "time_zone",
					     v->user.time_zone));
}

void api_me_patch(struct http_req *req, struct http_res *res)
{
	if (!web_api_require_viewer(req, res))
		return;
	struct viewer *v = &web_req(req)->viewer;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *tz = json_object_get(body, "time_zone");
	const char *zone = NULL;
	if (tz && (!json_is_string(tz) || !(zone = time_zone_check(req, json_string_value(tz))))) {
		json_decref(body);
		web_json_error(req, res, 422, "invalid",
			   "\"time_zone\" is an IANA time zone name such as \"Europe/Paris\", or \"\".");
		return;
	}
	json_decref(body);
	if (zone && store_user_set_time_zone(web_store(req), v->user.id, zone)) {
		web_json_error(req, res, 500, "internal", "Could not save.");
		return;
	}
	if (zone)
		v->user.time_zone = zone;
	api_me(req, res);
}
