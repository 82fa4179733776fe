/*
 * admin_pages.c - the administrator's pages: accounts (list, search,
 * suspend, reset sign-in, delete or hand over), reported responses, the
 * audit log, and the overview parts of /admin (open invitations,
 * storage, the outbox). The rules are accounts/admin.c's; every action
 * is a POST with the CSRF token, and lands in the audit log.
 */
#include "accounts/admin_web.h"

#include "accounts/accounts.h"
#include "accounts/admin.h"
#include "audience/audience.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "mail/mail.h"
#include "mail/mail_web.h"
#include "media/media.h"
#include "store/store_admin.h"
#include "store/store_mail.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS_PER_PAGE 50
#define AUDIT_PER_PAGE 100
#define REPORTS_SHOWN 100

bool admin_page_allowed(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		http_res_redirect(req, res, 303,
				  arena_printf(&req->arena, "/login?return_to=%s", req->path));
		return false;
	}
	if (!v->user.is_admin) {
		web_error(req, res, 403, "Only site administrators can open this page.");
		return false;
	}
	return true;
}

/* A POST from the admin's own form: signed-in admin and CSRF token. */
static bool admin_post_ok(struct http_req *req, struct http_res *res)
{
	if (!admin_page_allowed(req, res))
		return false;
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return false;
	}
	return true;
}

static const char *human_bytes(struct arena *a, int64_t n)
{
	if (n < 1024)
		return arena_printf(a, "%lld bytes", (long long)n);
	static const char *const units[] = {"KB", "MB", "GB", "TB"};
	double v = (double)n / 1024;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	return arena_printf(a, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void admin_error(struct http_req *req, struct http_res *res, enum admin_err e)
{
	int status = e == ADMIN_NO_SUCH_USER || e == ADMIN_NO_SUCH_INVITE ? 404 :
		     e == ADMIN_STORE ? 503 : 422;
	web_error(req, res, status, admin_strerror(e));
}

/* A page context with the admin pages' stylesheet. */
static json_t *admin_context(struct http_req *req, const char *title)
{
	json_t *ctx = web_page_context(req, title);
	json_object_set_new(ctx, "admin_css_url", json_string(web_static_url("admin.css")));
	return ctx;
}

/* ---- the overview (/admin) ---- */

void admin_overview_context(struct http_req *req, json_t *ctx)
{
	json_object_set_new(ctx, "admin_css_url", json_string(web_static_url("admin.css")));
	struct store *st = web_store(req);
	struct invite_row *inv = NULL;
	size_t ni = 0;
	json_t *ja = json_array();
	if (store_invites_open(st, &req->arena, clock_now(), &inv, &ni) == STORE_OK)
		for (size_t i = 0; i < ni; i++)
			json_array_append_new(
				ja, json_pack("{s:s,s:s,s:s,s:s,s:s}", "id",
					      arena_strndup(&req->arena, inv[i].token_hash, 16), "by",
					      inv[i].created_by, "created",
					      web_fmt_date(&req->arena, inv[i].created_at), "expires",
					      web_fmt_date(&req->arena, inv[i].expires_at), "url",
					      inv[i].link[0] ?
						      web_url(req, arena_printf(&req->arena, "/signup?invite=%s",
										inv[i].link)) :
						      ""));
	json_object_set_new(ctx, "has_invites", json_boolean(json_array_size(ja) > 0));
	json_object_set_new(ctx, "invites", ja);
	struct storage_row sr;
	if (store_storage(st, &sr) == STORE_OK) {
		json_object_set_new(ctx, "storage", json_pack("{s:I,s:s,s:s}", "photos",
							      (json_int_t)sr.photos, "photo_bytes",
							      human_bytes(&req->arena, sr.photo_bytes),
							      "database_bytes",
							      human_bytes(&req->arena, sr.database_bytes)));
	}
	int64_t users = 0;
	if (store_user_count(st, &users) == STORE_OK)
		json_object_set_new(ctx, "user_count", json_integer(users));
	if (mail_enabled()) {
		int64_t q = 0, s = 0, f = 0;
		if (store_outbox_counts(st, &q, &s, &f) == STORE_OK)
			json_object_set_new(ctx, "outbox", json_pack("{s:I,s:I,s:I}", "queued",
								     (json_int_t)q, "sent", (json_int_t)s,
								     "failed", (json_int_t)f));
	}
}

/* ---- accounts ---- */

static json_t *user_json(struct http_req *req, const struct admin_user_row *r)
{
	return json_pack("{s:s,s:s,s:b,s:b,s:s,s:I,s:I,s:s,s:s}", "handle", r->u.handle, "name",
			 r->u.name, "is_admin", r->u.is_admin, "suspended", r->u.suspended_at != 0,
			 "suspended_on",
			 r->u.suspended_at ? web_fmt_date(&req->arena, r->u.suspended_at) : "",
			 "stories", (json_int_t)r->stories, "responses", (json_int_t)r->responses,
			 "joined", web_fmt_date(&req->arena, r->u.created_at), "last_seen",
			 r->last_seen ? web_fmt_date(&req->arena, r->last_seen) : "never");
}

void page_admin_users(struct http_req *req, struct http_res *res)
{
	if (!admin_page_allowed(req, res))
		return;
	const char *q = http_req_query(req, "q");
	const char *from = http_req_query(req, "from");
	if (!q || !utf8_valid(q, strlen(q)) || strlen(q) > 80)
		q = "";
	if (!from || !utf8_valid(from, strlen(from)) || strlen(from) > 64)
		from = "";
	struct admin_user_row *rows;
	size_t n;
	if (store_admin_users(web_store(req), &req->arena, q, from, USERS_PER_PAGE + 1, &rows, &n)) {
		web_error(req, res, 503, "The accounts could not be read. Please try again.");
		return;
	}
	json_t *ctx = admin_context(req, "Accounts");
	json_t *ja = json_array();
	for (size_t i = 0; i < n && i < USERS_PER_PAGE; i++)
		json_array_append_new(ja, user_json(req, &rows[i]));
	json_object_set_new(ctx, "users", ja);
	json_object_set_new(ctx, "q", json_string(q));
	json_object_set_new(ctx, "none", json_boolean(n == 0));
	if (n > USERS_PER_PAGE)
		json_object_set_new(ctx, "next_from", json_string(rows[USERS_PER_PAGE].u.handle));
	web_page_render(req, res, 200, "admin_users", ctx);
}

/* The account named in the path, as the list shows it. */
static bool account_of(struct http_req *req, struct http_res *res, struct admin_user_row *out)
{
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	struct admin_user_row *rows;
	size_t n = 0;
	/* The list from h on: its first row is h, if h exists. */
	if (h && store_admin_users(web_store(req), &req->arena, "", h, 1, &rows, &n)) {
		web_error(req, res, 503, "The account could not be read. Please try again.");
		return false;
	}
	if (n == 1 && strcmp(rows[0].u.handle, h) == 0) {
		*out = rows[0];
		return true;
	}
	web_error(req, res, 404, admin_strerror(ADMIN_NO_SUCH_USER));
	return false;
}

static void render_user(struct http_req *req, struct http_res *res, int status,
			const struct admin_user_row *r, const char *reset_url, bool mailed)
{
	json_t *ctx = admin_context(req, arena_printf(&req->arena, "@%s", r->u.handle));
	json_object_set_new(ctx, "user", user_json(req, r));
	bool self = strcmp(r->u.id, web_viewer(req)->user.id) == 0;
	json_object_set_new(ctx, "self", json_boolean(self));
	if (reset_url) {
		json_object_set_new(ctx, "reset_url", json_string(reset_url));
		json_object_set_new(ctx, "reset_mailed", json_boolean(mailed));
	}
	web_page_render(req, res, status, "admin_user", ctx);
}

void page_admin_user(struct http_req *req, struct http_res *res)
{
	struct admin_user_row r;
	if (admin_page_allowed(req, res) && account_of(req, res, &r))
		render_user(req, res, 200, &r, NULL, false);
}

void page_admin_user_post(struct http_req *req, struct http_res *res)
{
	if (!admin_post_ok(req, res))
		return;
	struct admin_user_row r;
	if (!account_of(req, res, &r))
		return;
	struct store *st = web_store(req);
	const struct user_row *me = &web_viewer(req)->user;
	const char *action = http_req_form(req, "action");
	const char *reason = http_req_form(req, "reason");
	if (reason && (!utf8_valid(reason, strlen(reason)) || strlen(reason) > 500)) {
		web_error(req, res, 422, "A reason is at most 500 bytes of text.");
		return;
	}
	enum admin_err e;
	if (action && (!strcmp(action, "suspend") || !strcmp(action, "unsuspend"))) {
		bool on = !strcmp(action, "suspend");
		if ((e = admin_suspend(st, &req->arena, me, r.u.handle, on, reason ? reason : ""))) {
			admin_error(req, res, e);
			return;
		}
		web_flash(req, res, on ? WEB_FLASH_SUSPENDED : WEB_FLASH_UNSUSPENDED, r.u.handle);
		http_res_redirect(req, res, 303,
				  arena_printf(&req->arena, "/admin/users/%s", r.u.handle));
		return;
	}
	if (action && !strcmp(action, "reset")) {
		char tok[33];
		bool mailed = false;
		if ((e = admin_reset_signin(st, &req->arena, me, r.u.handle, tok, &mailed))) {
			admin_error(req, res, e);
			return;
		}
		if (mailed)
			mail_sender_poke();
		render_user(req, res, 200, &r,
			    web_url(req, arena_printf(&req->arena, "/login/reset/%s", tok)), mailed);
		return;
	}
	if (action && !strcmp(action, "delete")) {
		/* The handle typed again: no account goes by a stray click. */
		const char *confirm = http_req_form(req, "confirm");
		if (!confirm || strcmp(confirm, r.u.handle) != 0) {
			web_error(req, res, 422, "To delete the account, type its handle in the box.");
			return;
		}
		const char *what = http_req_form(req, "content");
		const char *heir = NULL;
		if (what && !strcmp(what, "hand_over")) {
			heir = handle_normalise(&req->arena, http_req_form(req, "heir"));
			if (!heir) {
				admin_error(req, res, ADMIN_BAD_HEIR);
				return;
			}
		} else if (!what || strcmp(what, "delete") != 0) {
			web_error(req, res, 422, "Choose what becomes of the account's stories.");
			return;
		}
		if ((e = admin_delete(st, &req->arena, me, r.u.handle, heir, media_collect))) {
			admin_error(req, res, e);
			return;
		}
		web_flash(req, res, WEB_FLASH_ACCOUNT_DELETED, r.u.handle);
		http_res_redirect(req, res, 303, "/admin/users");
		return;
	}
	web_error(req, res, 400, "Unknown action.");
}

/* ---- reported responses ---- */

/* Whether the administrator may read story id, as any reader. */
static bool may_read(struct http_req *req, const char *id)
{
	struct story_row s;
	return store_story_get(web_store(req), &req->arena, id, &s) == STORE_OK &&
	       audience_may_see_story(web_store(req), web_viewer(req)->user.id, &s);
}

void page_admin_reports(struct http_req *req, struct http_res *res)
{
	if (!admin_page_allowed(req, res))
		return;
	struct report_row *rows;
	size_t n;
	if (store_reports_open(web_store(req), &req->arena, REPORTS_SHOWN, &rows, &n)) {
		web_error(req, res, 503, "The reports could not be read. Please try again.");
		return;
	}
	json_t *ctx = admin_context(req, "Reported responses");
	json_t *ja = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct report_row *o = &rows[i];
		/* Admins get no exception to a story's audience: of a report on
		 * a story she may not read, only who wrote the response. */
		bool seen = may_read(req, o->r.story_id);
		json_array_append_new(
			ja, json_pack("{s:s,s:s,s:s,s:b,s:b,s:s,s:s,s:s,s:I,s:s,s:s}", "id", o->r.id,
				      "author", o->r.author_handle, "author_name", o->r.author_name,
				      "author_suspended", o->r.author_suspended, "seen", seen,
				      "body_html", seen ? o->r.body_html : "", "story_title",
				      seen ? o->r.story_title : "", "story_url",
				      seen ? arena_printf(&req->arena, "/@%s/%s", o->story_author,
							  o->story_slug) : "",
				      "reports", (json_int_t)o->r.reports, "last_report",
				      web_fmt_date(&req->arena, o->last_report), "status",
				      response_status_name(o->r.status)));
		/* A reply from the fediverse: its author is an actor there, not
		 * an account of this site. */
		if (o->r.remote_actor && o->r.remote_actor[0]) {
			json_t *last = json_array_get(ja, json_array_size(ja) - 1);
			json_object_set_new(last, "remote", json_true());
			json_object_set_new(last, "remote_actor", json_string(o->r.remote_actor));
		}
	}
	json_object_set_new(ctx, "reports", ja);
	json_object_set_new(ctx, "none", json_boolean(n == 0));
	web_page_render(req, res, 200, "admin_reports", ctx);
}

void page_admin_reports_post(struct http_req *req, struct http_res *res)
{
	if (!admin_post_ok(req, res))
		return;
	const char *action = http_req_form(req, "action");
	const char *id = http_req_form(req, "id");
	if (!action || strcmp(action, "hide") != 0 || !id || !id_valid(id)) {
		web_error(req, res, 400, "Unknown action.");
		return;
	}
	struct store *st = web_store(req);
	struct response_row r;
	enum store_err e = store_response_get(st, &req->arena, id, &r);
	if (e == STORE_NOT_FOUND || (!e && !may_read(req, r.story_id))) {
		web_error(req, res, 404, "There is no such response.");
		return;
	}
	if (!e && !store_begin(st)) {
		e = store_response_set_status(st, id, RESPONSE_HIDDEN);
		if (!e)
			e = admin_log(st, &web_viewer(req)->user, "hide_response", r.author_handle,
				      arena_printf(&req->arena, "response %s on \"%.80s\"", id,
						   r.story_title));
		if (e || store_commit(st)) {
			store_rollback(st);
			e = STORE_ERROR;
		}
	} else {
		e = STORE_ERROR;
	}
	if (e) {
		web_error(req, res, 503, "The response could not be hidden. Please try again.");
		return;
	}
	web_flash(req, res, WEB_FLASH_RESPONSE_HIDDEN, NULL);
	http_res_redirect(req, res, 303, "/admin/reports");
}

/* ---- the audit log ---- */

void page_admin_audit(struct http_req *req, struct http_res *res)
{
	if (!admin_page_allowed(req, res))
		return;
	const char *b = http_req_query(req, "before");
	char *end = NULL;
	long long before = b ? strtoll(b, &end, 10) : 0;
	if (!b || !*b || *end || before < 0)
		before = 0;
	struct audit_row *rows;
	size_t n;
	if (store_audit_list(web_store(req), &req->arena, before, AUDIT_PER_PAGE + 1, &rows, &n)) {
		web_error(req, res, 503, "The audit log could not be read. Please try again.");
		return;
	}
	json_t *ctx = admin_context(req, "Audit log");
	json_t *ja = json_array();
	for (size_t i = 0; i < n && i < AUDIT_PER_PAGE; i++)
		json_array_append_new(
			ja, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "when",
				      web_fmt_rfc3339(&req->arena, rows[i].at), "date",
				      web_fmt_date(&req->arena, rows[i].at), "actor",
				      rows[i].actor_handle, "action", rows[i].action, "target",
				      rows[i].target, "detail", rows[i].detail));
	json_object_set_new(ctx, "entries", ja);
	json_object_set_new(ctx, "none", json_boolean(n == 0));
	if (n > AUDIT_PER_PAGE)
		json_object_set_new(ctx, "next_before", json_integer(rows[AUDIT_PER_PAGE - 1].id));
	web_page_render(req, res, 200, "admin_audit", ctx);
}
