/*
 * mail_pages.c - the pages and API routes of email (mail_web.h). Every
 * page a mailed link opens shows a button; only the button's POST acts,
 * since mail scanners follow links. Without --smtp every route here
 * answers 404, as if email did not exist.
 */
#include "mail/mail_web.h"

#include "accounts/accounts.h"
#include "core/clock.h"
#include "mail/mail.h"
#include "mail/mime.h"
#include "store/store_mail.h"
#include "web/web.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static bool mail_on(struct http_req *req, struct http_res *res)
{
	if (mail_enabled())
		return true;
	web_error(req, res, 404, web_req(req)->api ? "No such API route." :
			   "There is nothing at this address.");
	return false;
}

/* One page of mail_page.mustache: heading, paragraphs (NULL-ended), a
 * form (action NULL: none) with its button and optional fields. */
struct mp {
	const char *heading;
	const char *paras[4];
	const char *error;
	const char *action;
	const char *button;
	bool email_field, password_field;
	const char *email;
	const char *back_url, *back;
};

static void render_mp(struct http_req *req, struct http_res *res, int status, const struct mp *m)
{
	session_need_pre(req, res);
	json_t *ctx = web_page_context(req, m->heading);
	json_object_set_new(ctx, "csrf", json_string(web_viewer(req)->csrf));
	json_t *o = json_object();
	json_object_set_new(o, "heading", json_string(m->heading));
	json_t *ps = json_array();
	for (size_t i = 0; i < 4 && m->paras[i]; i++)
		json_array_append_new(ps, json_string(m->paras[i]));
	json_object_set_new(o, "paras", ps);
	if (m->error)
		json_object_set_new(o, "error", json_string(m->error));
	if (m->action) {
		json_object_set_new(o, "action", json_string(m->action));
		json_object_set_new(o, "button", json_string(m->button));
		json_object_set_new(o, "email_field", json_boolean(m->email_field));
		json_object_set_new(o, "password_field", json_boolean(m->password_field));
		json_object_set_new(o, "email", json_string(m->email ? m->email : ""));
	}
	if (m->back_url) {
		json_object_set_new(o, "back_url", json_string(m->back_url));
		json_object_set_new(o, "back", json_string(m->back));
	}
	json_object_set_new(ctx, "mp", o);
	web_page_render(req, res, status, "mail_page", ctx);
	/* A page holding a token is the reader's alone. */
	http_res_header(req, res, "Cache-Control", "no-store");
	http_res_header(req, res, "Referrer-Policy", "no-referrer");
}

static void gone(struct http_req *req, struct http_res *res, const char *what)
{
	struct mp m = {.heading = "This link no longer works"};
	m.paras[0] = what;
	m.back_url = "/";
	m.back = "Go to the front page";
	render_mp(req, res, 404, &m);
}

static void store_trouble(struct http_req *req, struct http_res *res)
{
	web_error(req, res, 503, "Something went wrong on our side; please try again.");
}

/* A form posted from another site (a browser says so) is refused: the
 * subscribe form is on cached pages and carries no CSRF token. */
static bool same_site(struct http_req *req)
{
	const char *sfs = http_req_header(req, "Sec-Fetch-Site");
	if (sfs && strcmp(sfs, "same-origin") != 0 && strcmp(sfs, "none") != 0)
		return false;
	const char *origin = http_req_header(req, "Origin");
	if (origin && strcmp(origin, "null") != 0 && strcmp(origin, web_cfg->base_url) != 0)
		return false;
	return true;
}

/* The POST of a mailed link's page: only the page's own button, so that
 * another site cannot sign a reader in as someone else (login CSRF) or
 * act with a link it holds. False when it answered. */
static bool link_post_ok(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return false;
	if (!same_site(req)) {
		web_error(req, res, 403, "This form was sent from another site.");
		return false;
	}
	return true;
}

/* ---- subscribing ---- */

static bool writer_of(struct http_req *req, struct user_row *w)
{
	const char *h = http_req_param(req, "handle");
	return h && store_user_by_handle(web_store(req), &req->arena, h, w) == STORE_OK &&
	       !w->suspended_at;
}

void api_subscribe(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	struct user_row w;
	if (!writer_of(req, &w)) {
		web_json_error(req, res, 404, "not_found", "No such writer.");
		return;
	}
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *je = json_object_get(body, "email");
	const char *email = json_is_string(je) ? json_string_value(je) : NULL;
	enum mail_err e = email ? mail_subscribe(web_store(req), &req->arena, &w, email, "form") :
				  MAIL_BAD_ADDRESS;
	json_decref(body);
	if (e == MAIL_BAD_ADDRESS) {
		web_json_error(req, res, 422, "invalid_email", "\"email\" must be an email address.");
		return;
	}
	if (e == MAIL_STORE) {
		web_json_error(req, res, 503, "unavailable", "Please try again.");
		return;
	}
	mail_sender_poke();
	web_json_reply(req, res, 202, json_pack("{s:s}", "status", "check_your_inbox"));
}

void page_subscribe_post(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	struct user_row w;
	if (!writer_of(req, &w)) {
		web_error(req, res, 404, "There is nothing at this address.");
		return;
	}
	if (!same_site(req)) {
		web_error(req, res, 403, "This form was sent from another site.");
		return;
	}
	enum mail_err e = mail_subscribe(web_store(req), &req->arena, &w,
					 http_req_form(req, "email"), "form");
	struct mp m = {.heading = "Check your inbox"};
	if (e == MAIL_BAD_ADDRESS) {
		m.heading = "That is not an email address";
		m.paras[0] = "Please go back and check the address.";
		m.back_url = arena_printf(&req->arena, "/@%s", w.handle);
		m.back = "Back";
		render_mp(req, res, 422, &m);
		return;
	}
	if (e == MAIL_STORE) {
		store_trouble(req, res);
		return;
	}
	mail_sender_poke();
	m.paras[0] = arena_printf(&req->arena, "If that address can receive mail, a message is on "
				  "its way to it. Press the button in it to start receiving %s's "
				  "stories; until then nothing is sent.", w.name);
	m.back_url = arena_printf(&req->arena, "/@%s", w.handle);
	m.back = arena_printf(&req->arena, "Back to %s", w.name);
	render_mp(req, res, 202, &m);
}

void page_subscribe_confirm(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	const char *tok = http_req_param(req, "token");
	struct subscriber_row r;
	enum mail_err e = mail_confirm_peek(web_store(req), &req->arena, tok, &r);
	struct user_row w;
	if (e == MAIL_OK && store_user_by_id(web_store(req), &req->arena, r.writer_id, &w))
		e = MAIL_NOT_FOUND;
	if (e) {
		gone(req, res, "The subscription was confirmed already, or the link is too old. "
			       "You can subscribe again on the writer's page.");
		return;
	}
	struct mp m = {.heading = arena_printf(&req->arena, "Receive %s's stories", w.name)};
	m.paras[0] = arena_printf(&req->arena, "New public stories by %s will be sent to %s. "
				  "Every message has a link to stop them.", w.name, r.email);
	m.action = req->path;
	m.button = "Confirm my subscription";
	render_mp(req, res, 200, &m);
}

void page_subscribe_confirm_post(struct http_req *req, struct http_res *res)
{
	if (!link_post_ok(req, res))
		return;
	struct subscriber_row r;
	enum mail_err e = mail_confirm(web_store(req), &req->arena, http_req_param(req, "token"),
				       &r);
	if (e == MAIL_STORE) {
		store_trouble(req, res);
		return;
	}
	if (e) {
		gone(req, res, "The subscription was confirmed already, or the link is too old.");
		return;
	}
	mail_sender_poke();
	struct user_row w;
	const char *name = store_user_by_id(web_store(req), &req->arena, r.writer_id, &w) ? "the "
											       "writer" :
										  w.name;
	struct mp m = {.heading = "You are subscribed"};
	m.paras[0] = arena_printf(&req->arena, "New stories by %s will come to %s.", name, r.email);
	m.back_url = arena_printf(&req->arena, "/@%s", w.handle);
	m.back = arena_printf(&req->arena, "Read %s's stories", name);
	render_mp(req, res, 200, &m);
}

void page_unsubscribe(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	char id[17];
	bool member;
	if (!mail_unsub_parse(http_req_param(req, "token"), id, &member)) {
		gone(req, res, "This unsubscribe link is not one of ours.");
		return;
	}
	struct mp m = {.heading = member ? "Stop circle stories by email" : "Unsubscribe"};
	m.paras[0] = member ? "You will no longer receive circle stories by email. You can "
			      "still read them on the site, and turn them on again in your "
			      "email settings." :
			      "You will no longer receive these stories by email.";
	m.action = req->path;
	m.button = "Unsubscribe";
	render_mp(req, res, 200, &m);
}

/* Also the one-click unsubscribe of RFC 8058: a POST with the body
 * "List-Unsubscribe=One-Click" and no cookie; the token is the proof. */
void page_unsubscribe_post(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	const char *who = "";
	enum mail_err e = mail_unsubscribe(web_store(req), &req->arena,
					   http_req_param(req, "token"), &who);
	if (e == MAIL_STORE) {
		store_trouble(req, res);
		return;
	}
	if (e) {
		gone(req, res, "This unsubscribe link is not one of ours.");
		return;
	}
	struct mp m = {.heading = "You are unsubscribed"};
	m.paras[0] = arena_printf(&req->arena, "Nothing more will be sent to %s.", who);
	m.back_url = "/";
	m.back = "Go to the front page";
	render_mp(req, res, 200, &m);
}

/* ---- sign-in links and password resets ---- */

void api_login_links(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	json_t *je = json_object_get(body, "email");
	const char *email = json_is_string(je) ? json_string_value(je) : NULL;
	enum mail_err e = email ? mail_link_request(web_store(req), &req->arena, MAIL_KIND_SIGNIN,
						    email) :
				  MAIL_BAD_ADDRESS;
	json_decref(body);
	if (e == MAIL_BAD_ADDRESS) {
		web_json_error(req, res, 422, "invalid_email", "\"email\" must be an email address.");
		return;
	}
	if (e == MAIL_STORE) {
		web_json_error(req, res, 503, "unavailable", "Please try again.");
		return;
	}
	mail_sender_poke();
	web_json_reply(req, res, 202, json_pack("{s:s}", "status", "check_your_inbox"));
}

static void link_request_form(struct http_req *req, struct http_res *res, bool reset,
			      const char *error, int status)
{
	struct mp m = {.heading = reset ? "Forgot your password?" : "Sign in with a link"};
	m.paras[0] = reset ? "Give the address of your account, and we will send a link to "
			     "choose a new password." :
			     "Give the address of your account, and we will send a link that "
			     "signs you in, with no password.";
	m.error = error;
	m.action = reset ? "/login/reset" : "/login/link";
	m.button = reset ? "Send the link" : "Email me a sign-in link";
	m.email_field = true;
	m.back_url = "/login";
	m.back = "Sign in with a password";
	render_mp(req, res, status, &m);
}

static void link_request_post(struct http_req *req, struct http_res *res, bool reset)
{
	if (!web_csrf_ok(req)) {
		link_request_form(req, res, reset, "This form expired. Please try again.", 403);
		return;
	}
	enum mail_err e = mail_link_request(web_store(req), &req->arena,
					    reset ? MAIL_KIND_RESET : MAIL_KIND_SIGNIN,
					    http_req_form(req, "email"));
	if (e == MAIL_BAD_ADDRESS) {
		link_request_form(req, res, reset, "That is not an email address.", 422);
		return;
	}
	if (e == MAIL_STORE) {
		store_trouble(req, res);
		return;
	}
	mail_sender_poke();
	struct mp m = {.heading = "Check your inbox"};
	m.paras[0] = "If an account has that address, a link is on its way to it. It works "
		     "once, for 15 minutes.";
	m.back_url = "/login";
	m.back = "Back to sign in";
	render_mp(req, res, 202, &m);
}

void page_login_link_request(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	if (req->method & HTTP_POST)
		link_request_post(req, res, false);
	else
		link_request_form(req, res, false, NULL, 200);
}

void page_login_link(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	struct user_row u;
	if (mail_link_peek(web_store(req), &req->arena, MAIL_KIND_SIGNIN,
			   http_req_param(req, "token"), &u)) {
		gone(req, res, "Sign-in links work once, for 15 minutes. Ask for a new one on the "
			       "sign-in page.");
		return;
	}
	struct mp m = {.heading = arena_printf(&req->arena, "Sign in as @%s", u.handle)};
	m.paras[0] = "Press the button to sign in on this device.";
	m.action = req->path;
	m.button = "Sign in";
	render_mp(req, res, 200, &m);
}

void page_login_link_post(struct http_req *req, struct http_res *res)
{
	if (!link_post_ok(req, res))
		return;
	struct user_row u;
	enum mail_err e = mail_link_use(web_store(req), &req->arena, MAIL_KIND_SIGNIN,
					http_req_param(req, "token"), &u);
	if (e == MAIL_STORE) {
		store_trouble(req, res);
		return;
	}
	if (e) {
		gone(req, res, "Sign-in links work once, for 15 minutes. Ask for a new one on the "
			       "sign-in page.");
		return;
	}
	if (u.suspended_at) {
		web_error(req, res, 403, acct_strerror(ACCT_SUSPENDED));
		return;
	}
	if (!session_start(req, res, &u)) {
		store_trouble(req, res);
		return;
	}
	web_flash(req, res, WEB_FLASH_SIGNIN, u.handle);
	http_res_redirect(req, res, 303, "/");
}

void page_reset_request(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	link_request_form(req, res, true, NULL, 200);
}

void page_reset_request_post(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	link_request_post(req, res, true);
}

static void reset_form(struct http_req *req, struct http_res *res, const struct user_row *u,
		       const char *error, int status)
{
	struct mp m = {.heading = arena_printf(&req->arena, "A new password for @%s", u->handle)};
	m.paras[0] = "Choosing it signs you out on every other device.";
	m.error = error;
	m.action = req->path;
	m.button = "Save the new password";
	m.password_field = true;
	render_mp(req, res, status, &m);
}

/* A password link works with mail off too: an administrator may have
 * made it (/admin, "Reset sign-in") and passed it on. */
void page_reset(struct http_req *req, struct http_res *res)
{
	struct user_row u;
	if (mail_link_peek(web_store(req), &req->arena, MAIL_KIND_RESET,
			   http_req_param(req, "token"), &u)) {
		gone(req, res, "Password links work once, for a limited time. Ask for a new one.");
		return;
	}
	reset_form(req, res, &u, NULL, 200);
}

void page_reset_post(struct http_req *req, struct http_res *res)
{
	if (!same_site(req)) {
		web_error(req, res, 403, "This form was sent from another site.");
		return;
	}
	struct store *st = web_store(req);
	const char *tok = http_req_param(req, "token");
	struct user_row u;
	if (mail_link_peek(st, &req->arena, MAIL_KIND_RESET, tok, &u)) {
		gone(req, res, "Password links work once, for 15 minutes. Ask for a new one.");
		return;
	}
	if (u.suspended_at) {
		web_error(req, res, 403, acct_strerror(ACCT_SUSPENDED));
		return;
	}
	const char *pw = http_req_form(req, "password");
	enum acct_err pe = password_check(pw ? pw : "");
	if (pe) {
		reset_form(req, res, &u, acct_strerror(pe), 422);
		return;
	}
	/* Spend the link first: of two racing posts only one sets it. */
	enum mail_err e = mail_link_use(st, &req->arena, MAIL_KIND_RESET, tok, &u);
	if (e) {
		if (e == MAIL_STORE)
			store_trouble(req, res);
		else
			gone(req, res, "Password links work once, for 15 minutes.");
		return;
	}
	if (account_set_password(st, &u, pw, NULL) || !session_start(req, res, &u)) {
		store_trouble(req, res);
		return;
	}
	web_flash(req, res, WEB_FLASH_PASSWORD_CHANGED, NULL);
	http_res_redirect(req, res, 303, "/");
}

/* ---- the reader's and writer's email settings ---- */

static bool signed_in_page(struct http_req *req, struct http_res *res)
{
	if (web_viewer(req)->signed_in)
		return true;
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/login?return_to=%s",
						      req->path));
	return false;
}

static const char *const PREFS[][2] = {
	{"circle_mail", "Circle stories by email"},
	{"notify_pending", "A response waits for my approval"},
	{"notify_response", "A new response to one of my stories"},
	{"notify_subscriber", "A new email subscriber"},
	{"notify_joined", "Someone joined one of my circles"},
	{"notify_digest", "Send these notices once a day, in one message (at 8 in the morning)"},
	{"mail_excerpt", "Send subscribers an excerpt and a link, not the whole story"},
};
#define NPREFS (sizeof(PREFS) / sizeof(PREFS[0]))

static void render_settings(struct http_req *req, struct http_res *res, int status,
			    const char *error, const char *notice)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	json_t *ctx = web_page_context(req, "Email");
	const char *email = "";
	if (store_user_email_get(st, &req->arena, v->user.id, &email))
		email = "";
	json_object_set_new(ctx, "email", json_string(email));
	json_object_set_new(ctx, "has_email", json_boolean(email[0] != '\0'));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	if (notice)
		json_object_set_new(ctx, "notice", json_string(notice));
	json_t *ps = json_array();
	for (size_t i = 0; i < NPREFS; i++) {
		const char *val = "1";
		const char *def = strcmp(PREFS[i][0], "mail_excerpt") == 0 ||
					  strcmp(PREFS[i][0], "notify_digest") == 0 ? "0" : "1";
		if (store_mail_pref_get(st, &req->arena, v->user.id, PREFS[i][0], def, &val))
			val = def;
		json_array_append_new(ps, json_pack("{s:s,s:s,s:b}", "name", PREFS[i][0], "label",
						    PREFS[i][1], "on", !strcmp(val, "1")));
	}
	json_object_set_new(ctx, "prefs", ps);
	int64_t n = 0;
	if (store_subscriber_count(st, v->user.id, "confirmed", &n))
		n = 0;
	json_object_set_new(ctx, "subscriber_count", json_integer(n));
	web_page_render(req, res, status, "mail_settings", ctx);
}

void page_mail_settings(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res) || !signed_in_page(req, res))
		return;
	render_settings(req, res, 200, NULL, NULL);
}

void page_mail_settings_post(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res) || !signed_in_page(req, res))
		return;
	if (!web_csrf_ok(req)) {
		render_settings(req, res, 403, "This form expired. Please try again.", NULL);
		return;
	}
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	const char *action = http_req_form(req, "action");
	if (action && !strcmp(action, "email")) {
		enum mail_err e = mail_verify_request(st, &req->arena, &v->user,
						      http_req_form(req, "email"));
		if (e == MAIL_BAD_ADDRESS || e == MAIL_TAKEN) {
			render_settings(req, res, 422, e == MAIL_TAKEN ?
				"Another account uses that address." : "That is not an email address.",
				NULL);
			return;
		}
		if (e) {
			store_trouble(req, res);
			return;
		}
		mail_sender_poke();
		render_settings(req, res, 200, NULL, "A link to confirm the address is on its way to "
				"it. The address is yours once you press its button.");
		return;
	}
	for (size_t i = 0; i < NPREFS; i++) {
		if (store_mail_pref_set(st, v->user.id, PREFS[i][0],
					http_req_form(req, PREFS[i][0]) ? "1" : "0")) {
			store_trouble(req, res);
			return;
		}
	}
	web_flash(req, res, WEB_FLASH_SETTINGS_SAVED, NULL);
	http_res_redirect(req, res, 303, "/settings/email");
}

void page_email_verify(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res))
		return;
	struct mp m = {.heading = "Use this address for your account"};
	m.paras[0] = "Press the button to confirm the address.";
	m.action = req->path;
	m.button = "Confirm this address";
	render_mp(req, res, 200, &m);
}

void page_email_verify_post(struct http_req *req, struct http_res *res)
{
	if (!link_post_ok(req, res))
		return;
	struct user_row u;
	enum mail_err e = mail_verify(web_store(req), &req->arena, http_req_param(req, "token"), &u);
	if (e == MAIL_STORE) {
		store_trouble(req, res);
		return;
	}
	if (e) {
		gone(req, res, e == MAIL_TAKEN ? "Another account took this address meanwhile." :
			       "Address links work once, for a day. Ask for a new one in your "
			       "email settings.");
		return;
	}
	struct mp m = {.heading = "Your address is confirmed"};
	m.paras[0] = arena_printf(&req->arena, "@%s can now sign in with a link, and receive "
				  "circle stories and notices by email.", u.handle);
	m.back_url = "/settings/email";
	m.back = "Email settings";
	render_mp(req, res, 200, &m);
}

/* ---- a writer's subscribers ---- */

void page_subscribers(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res) || !signed_in_page(req, res))
		return;
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	struct subscriber_row *rows;
	size_t n;
	if (store_subscribers_of(st, &req->arena, v->user.id, 10000, &rows, &n)) {
		store_trouble(req, res);
		return;
	}
	if (http_req_query(req, "format") && !strcmp(http_req_query(req, "format"), "csv")) {
		res->status = 200;
		res->content_type = "text/csv; charset=utf-8";
		http_res_header(req, res, "Content-Disposition",
				"attachment; filename=\"subscribers.csv\"");
		http_res_header(req, res, "Cache-Control", "no-store");
		buf_adds(&res->body, "email,status,since\r\n");
		/* An address may open with = + - or @: a spreadsheet would run
		 * it as a formula, so such a cell starts with a quote. */
		for (size_t i = 0; i < n; i++)
			buf_addf(&res->body, "%s%s,%s,%s\r\n",
				 strchr("=+-@", rows[i].email[0]) ? "'" : "", rows[i].email,
				 rows[i].status, web_fmt_rfc3339(&req->arena, rows[i].created_at));
		return;
	}
	json_t *ctx = web_page_context(req, "Your subscribers");
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}", "id", rows[i].id, "email",
						      rows[i].email, "status", rows[i].status, "since",
						      web_fmt_date(&req->arena, rows[i].created_at)));
	json_object_set_new(ctx, "subscribers", list);
	json_object_set_new(ctx, "count", json_integer((json_int_t)n));
	struct outbox_row *failed;
	size_t nf;
	json_t *fl = json_array();
	if (!store_outbox_of(st, &req->arena, v->user.id, "failed", 50, &failed, &nf))
		for (size_t i = 0; i < nf; i++)
			json_array_append_new(fl, json_pack("{s:s,s:s,s:s}", "to", failed[i].to_addr,
							    "error", failed[i].last_error, "when",
							    web_fmt_date(&req->arena, failed[i].sent_at)));
	json_object_set_new(ctx, "failed", fl);
	json_object_set_new(ctx, "has_failed", json_boolean(json_array_size(fl) > 0));
	web_page_render(req, res, 200, "subscribers", ctx);
}

void page_subscribers_post(struct http_req *req, struct http_res *res)
{
	if (!mail_on(req, res) || !signed_in_page(req, res))
		return;
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please try again.");
		return;
	}
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	const char *action = http_req_form(req, "action");
	if (action && !strcmp(action, "remove")) {
		struct subscriber_row r;
		const char *id = http_req_form(req, "id");
		if (!id || store_subscriber_by_id(st, &req->arena, id, &r) ||
		    strcmp(r.writer_id, v->user.id) != 0) {
			web_error(req, res, 404, "No such subscriber.");
			return;
		}
		if (store_subscriber_delete(st, id)) {
			store_trouble(req, res);
			return;
		}
	} else if (action && !strcmp(action, "import")) {
		/* One address per line (or a CSV whose first column is the
		 * address); each still confirms by mail. */
		const char *text = http_req_form(req, "addresses");
		const char *p = text ? text : "";
		size_t lines = 0;
		while (*p && lines < 5000) {
			size_t n = strcspn(p, "\r\n");
			size_t c = strcspn(p, ",;\t");
			if (c > n)
				c = n;
			const char *addr = mail_addr_normalise(&req->arena, p, c);
			if (addr && mail_subscribe(st, &req->arena, &v->user, addr, "import") ==
					    MAIL_STORE) {
				store_trouble(req, res);
				return;
			}
			p += n;
			while (*p == '\r' || *p == '\n')
				p++;
			lines++;
		}
		mail_sender_poke();
	}
	web_flash(req, res, WEB_FLASH_SETTINGS_SAVED, NULL);
	http_res_redirect(req, res, 303, "/settings/subscribers");
}
