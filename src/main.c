/*
 * main.c - the quire command: serve, user add, --help, --version; and the
 * route table that ties URLs to the domain handlers.
 */
#include "accounts/accounts.h"
#include "accounts/admin_web.h"
#include "accounts/admin.h"
#include "circles/circles_web.h"
#include "responses/responses_web.h"
#include "accounts/follows.h"
#include "feeds/feeds.h"
#include "fed/fed_web.h"
#include "core/conf.h"
#include "core/embed.h"
#include "core/metrics.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/notify.h"
#include "http/http.h"
#include "media/media.h"
#include "web/page_cache.h"
#include "web/slot_page.h"
#include "web/web.h"
#include "stories/markdown.h"
#include "stories/stories_web.h"
#include "stories/stories.h"
#include "porting/export.h"
#include "porting/import_cmd.h"
#include "porting/book.h"
#include "porting/porting_web.h"
#include "store/store.h"
#include "mail/mail.h"
#include "mail/mail_web.h"
#include "mail/mime.h"
#include "net/smtp.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0.0.0"
#endif


/* Threads when the setting is not given: one per core, 1 to 64. */
static unsigned default_threads(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores < 1 ? 2 : cores > 64 ? 64 : (unsigned)cores;
}

static void page_healthz(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	bool ok = st && store_ping(st) == STORE_OK;
	res->status = ok ? 200 : 503;
	res->content_type = "text/plain; charset=utf-8";
	http_res_header(req, res, "Cache-Control", "no-store");
	buf_adds(&res->body, ok ? "ok\n" : "database unavailable\n");
}

/* The schema version this binary's migrations reach on the backend of
 * the configured database; set before the server starts. */
static int schema_latest;

static int schema_latest_for(const char *db_url)
{
	bool pg = !strncmp(db_url, "postgres://", 11) || !strncmp(db_url, "postgresql://", 13);
	const struct embedded_file *m = pg ? embedded_pg_migrations : embedded_migrations;
	unsigned long n = pg ? embedded_pg_migrations_count : embedded_migrations_count;
	int want = 1;
	for (bool found = true; found; want += found) {
		found = false;
		for (unsigned long i = 0; i < n && m[i].name; i++) {
			char *end;
			long v = strtol(m[i].name, &end, 10);
			found = found || (end != m[i].name && *end == '_' && v == want);
		}
	}
	return want - 1;
}

/* Ready to serve: the database answers and its schema is this binary's.
 * Unlike /healthz, also reached when this thread has no connection. */
static void page_readyz(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	const char *why = NULL;
	if (!st)
		why = "not ready: cannot connect to the database";
	else if (store_ping(st) != STORE_OK)
		why = "not ready: the database does not answer";
	else if (store_schema_version(st) < schema_latest)
		why = arena_printf(&req->arena, "not ready: schema version %d, this version needs %d",
				   store_schema_version(st), schema_latest);
	res->status = why ? 503 : 200;
	res->content_type = "text/plain; charset=utf-8";
	http_res_header(req, res, "Cache-Control", "no-store");
	buf_adds(&res->body, why ? why : "ready");
	buf_addch(&res->body, '\n');
}

static void page_static(struct http_req *req, struct http_res *res)
{
	if (!web_static_serve(req, res, http_req_param(req, "file")))
		web_error(req, res, 404, "No such file.");
}

static const struct http_route routes[] = {
	{HTTP_GET, "/", page_home},
	{HTTP_GET, "/healthz", page_healthz},
	{HTTP_GET, "/feed/{file}", feed_private},
	{HTTP_GET, "/readyz", page_readyz},
	{HTTP_GET, "/static/{file}", page_static},
	{HTTP_GET, "/login", page_login},
	{HTTP_POST, "/login", page_login_post},
	{HTTP_POST, "/logout", page_logout_post},
	{HTTP_GET, "/signup", page_signup},
	{HTTP_POST, "/signup", page_signup_post},
	{HTTP_GET, "/setup/{token}", page_setup},
	{HTTP_POST, "/setup/{token}", page_setup_post},
	{HTTP_GET, "/settings", page_settings},
	{HTTP_POST, "/settings", page_settings_post},
	{HTTP_POST, "/settings/password", page_password_post},
	{HTTP_POST, "/settings/feed", page_settings_feed_post},
	{HTTP_POST, "/settings/export", page_settings_export_post},
	{HTTP_GET, "/admin", page_admin},
	{HTTP_POST, "/admin", page_admin_post},
	{HTTP_GET, "/admin/users", page_admin_users},
	{HTTP_GET, "/admin/users/{handle}", page_admin_user},
	{HTTP_POST, "/admin/users/{handle}", page_admin_user_post},
	{HTTP_GET, "/admin/reports", page_admin_reports},
	{HTTP_POST, "/admin/reports", page_admin_reports_post},
	{HTTP_GET, "/admin/audit", page_admin_audit},
	{HTTP_GET, "/about", page_about},
	{HTTP_GET, "/write", page_write},
	{HTTP_POST, "/write", page_write_post},
	{HTTP_GET, "/edit/{id}", page_edit},
	{HTTP_POST, "/edit/{id}", page_edit_post},
	{HTTP_GET, "/me/stories", page_my_stories},
	/* The writing desk (stories/desk.h). */
	{HTTP_POST, "/write/autosave", page_write_autosave},
	{HTTP_POST, "/edit/{id}/autosave", page_autosave},
	{HTTP_GET, "/edit/{id}/history", page_history},
	{HTTP_GET, "/revisions/{id}", page_revision},
	{HTTP_POST, "/revisions/{id}/restore", page_revision_restore},
	{HTTP_GET, "/me/trash", page_trash},
	{HTTP_POST, "/me/trash", page_trash_post},
	{HTTP_GET, "/api/v1/stories/{id}/revisions", api_story_revisions},
	{HTTP_GET, "/api/v1/stories/{id}/draft", api_story_draft_get},
	{HTTP_PUT, "/api/v1/stories/{id}/draft", api_story_draft_put},
	{HTTP_DELETE, "/api/v1/stories/{id}/draft", api_story_draft_delete},
	{HTTP_POST, "/api/v1/stories/{id}/draft/publish", api_story_draft_publish},
	{HTTP_GET, "/edit/{id}/preview", page_draft_preview},
	{HTTP_POST, "/api/v1/stories/{id}/restore", api_story_restore},
	{HTTP_GET, "/api/v1/revisions/{id}", api_revision_get},
	{HTTP_POST, "/api/v1/revisions/{id}/restore", api_revision_restore},
	{HTTP_GET, "/api/v1/trash", api_trash_list},
	{HTTP_GET, "/@{handle}", page_profile},
	{HTTP_GET, "/@{handle}/feed.atom", feed_writer},
	{HTTP_GET, "/@{handle}/following", page_following},
	{HTTP_GET, "/@{handle}/followers", page_followers},
	{HTTP_POST, "/@{handle}/follow", page_follow_post},
	{HTTP_GET, "/@{handle}/{slug}", page_story},
	/* books (issue 19): porting/porting_web.h */
	{HTTP_GET, "/@{handle}/{slug}/book.epub", page_story_book},
	{HTTP_GET, "/me/book.epub", page_my_book},
	{HTTP_POST, "/settings/book", page_book_settings_post},
	{HTTP_GET, "/feed.atom", feed_site},
	{HTTP_GET, "/tag/{name}", page_tag},
	{HTTP_GET, "/tag/{name}/feed.atom", feed_tag},
	{HTTP_GET, "/sitemap.xml", page_sitemap},
	{HTTP_GET, "/robots.txt", page_robots},
	{HTTP_GET, "/search", page_search},
	{HTTP_GET, "/api/v1/search", api_search},
	{HTTP_GET, "/api/v1/timeline", api_timeline},
	{HTTP_GET, "/api/v1/follows", api_follows_list},
	{HTTP_POST, "/api/v1/follows", api_follows_add},
	{HTTP_DELETE, "/api/v1/follows/{handle}", api_follows_remove},
	{HTTP_GET, "/api/v1/users/{handle}/followers", api_followers},
	{HTTP_GET, "/u/{key}", page_unlisted},
	{HTTP_POST, "/responses", page_response_post},
	{HTTP_POST, "/responses/{id}", page_response_action},
	{HTTP_GET, "/responses/{id}/edit", page_response_edit},
	{HTTP_GET, "/moderation", page_moderation},
	{HTTP_GET, "/settings/responses", page_response_settings},
	{HTTP_POST, "/settings/responses", page_response_settings_post},
	{HTTP_GET, "/api/v1/stories/{id}/responses", api_story_responses},
	{HTTP_POST, "/api/v1/stories/{id}/responses", api_story_respond},
	{HTTP_PATCH, "/api/v1/responses/{id}", api_response_patch},
	{HTTP_DELETE, "/api/v1/responses/{id}", api_response_delete},
	{HTTP_POST, "/api/v1/responses/{id}/approve", api_response_approve},
	{HTTP_POST, "/api/v1/responses/{id}/hide", api_response_hide},
	{HTTP_POST, "/api/v1/responses/{id}/unhide", api_response_unhide},
	{HTTP_POST, "/api/v1/responses/{id}/report", api_response_report},
	{HTTP_GET, "/api/v1/blocks", api_blocks_list},
	{HTTP_POST, "/api/v1/blocks", api_blocks_add},
	{HTTP_DELETE, "/api/v1/blocks", api_blocks_remove},
	{HTTP_DELETE, "/api/v1/blocks/{handle}", api_blocks_remove},
	{HTTP_GET, "/api/v1/muted-words", api_muted_get},
	{HTTP_PUT, "/api/v1/muted-words", api_muted_put},
	{HTTP_GET, "/circles", page_circles},
	{HTTP_POST, "/circles", page_circles_post},
	{HTTP_GET, "/circles/{id}", page_circle},
	{HTTP_POST, "/circles/{id}", page_circle_post},
	{HTTP_GET, "/c/{token}", page_invite},
	{HTTP_POST, "/c/{token}", page_invite_post},
	{HTTP_GET, "/api/v1/circles", api_circles_list},
	{HTTP_POST, "/api/v1/circles", api_circles_create},
	{HTTP_DELETE, "/api/v1/circles/{id}", api_circle_delete},
	{HTTP_GET, "/api/v1/circles/{id}/members", api_circle_members},
	{HTTP_DELETE, "/api/v1/circles/{id}/members/{handle}", api_circle_member_remove},
	{HTTP_POST, "/api/v1/circles/{id}/invites", api_circle_invite_create},
	{HTTP_DELETE, "/api/v1/circles/{id}/invites/{token}", api_circle_invite_revoke},
	{HTTP_POST, "/api/v1/invites/{token}/accept", api_invite_accept},
	{HTTP_GET, "/api/v1/circles/{id}/invitations", api_circle_invitations},
	{HTTP_POST, "/api/v1/circles/{id}/invitations", api_circle_invitation_create},
	{HTTP_DELETE, "/api/v1/circles/{id}/invitations/{handle}", api_circle_invitation_withdraw},
	{HTTP_GET, "/api/v1/invitations", api_my_invitations},
	{HTTP_POST, "/api/v1/invitations/{id}/{answer}", api_my_invitation_answer},
	{HTTP_POST, "/api/v1/tokens", api_token_create},
	{HTTP_DELETE, "/api/v1/tokens/current", api_token_delete},
	{HTTP_GET, "/api/v1/me", api_me},
	{HTTP_PATCH, "/api/v1/me", api_me_patch},
	{HTTP_GET, "/api/v1/stories", api_stories_list},
	{HTTP_POST, "/api/v1/stories", api_stories_create},
	{HTTP_GET, "/api/v1/stories/{id}", api_story_get},
	{HTTP_PATCH, "/api/v1/stories/{id}", api_story_patch},
	{HTTP_DELETE, "/api/v1/stories/{id}", api_story_delete},
	{HTTP_POST, "/api/v1/stories/{id}/unlisted-link", api_story_unlisted_link},
	{HTTP_POST, "/api/v1/stories/{id}/photos", api_photo_create},
	{HTTP_GET, "/api/v1/photos/{id}", api_photo_get},
	{HTTP_PATCH, "/api/v1/photos/{id}", api_photo_patch},
	{HTTP_DELETE, "/api/v1/photos/{id}", api_photo_delete},
	{HTTP_GET, "/photos/{id}", page_photo_redirect},
	{HTTP_GET, "/photos/{id}/{file}", page_photo_file},
	{HTTP_POST, "/edit/{id}/photos", page_photo_upload},
	{HTTP_POST, "/edit/{id}/photos/{pid}", page_photo_edit},
	/* email (issue 18): mail/mail_web.h */
	{HTTP_POST, "/api/v1/users/{handle}/subscribers", api_subscribe},
	{HTTP_POST, "/@{handle}/subscribe", page_subscribe_post},
	{HTTP_GET, "/subscribe/confirm/{token}", page_subscribe_confirm},
	{HTTP_POST, "/subscribe/confirm/{token}", page_subscribe_confirm_post},
	{HTTP_GET, "/unsubscribe/{token}", page_unsubscribe},
	{HTTP_POST, "/unsubscribe/{token}", page_unsubscribe_post},
	{HTTP_POST, "/api/v1/login-links", api_login_links},
	{HTTP_GET, "/login/link", page_login_link_request},
	{HTTP_POST, "/login/link", page_login_link_request},
	{HTTP_GET, "/login/link/{token}", page_login_link},
	{HTTP_POST, "/login/link/{token}", page_login_link_post},
	{HTTP_GET, "/login/reset", page_reset_request},
	{HTTP_POST, "/login/reset", page_reset_request_post},
	{HTTP_GET, "/login/reset/{token}", page_reset},
	{HTTP_POST, "/login/reset/{token}", page_reset_post},
	{HTTP_GET, "/settings/email", page_mail_settings},
	{HTTP_POST, "/settings/email", page_mail_settings_post},
	{HTTP_POST, "/settings/avatar", page_avatar_post},
	{HTTP_POST, "/admin/logo", page_logo_post},
	{HTTP_GET, "/site/logo/{file}", page_logo_file},
	{HTTP_GET, "/@{handle}/avatar/{file}", page_avatar_file},
	{HTTP_GET, "/settings/import", page_import},
	{HTTP_POST, "/settings/import", page_import_post},
	{HTTP_POST, "/settings/import/photos", page_import_photos_post},
	{HTTP_GET, "/settings/import/{id}", page_import_job},
	{HTTP_GET, "/settings/email/verify/{token}", page_email_verify},
	{HTTP_POST, "/settings/email/verify/{token}", page_email_verify_post},
	{HTTP_GET, "/settings/subscribers", page_subscribers},
	{HTTP_POST, "/settings/subscribers", page_subscribers_post},
	/* the fediverse (issue 20): fed/fed_web.h; /@{handle} and its
	 * stories are negotiated in route() */
	{HTTP_GET, "/.well-known/webfinger", fed_webfinger},
	{HTTP_GET, "/.well-known/nodeinfo", fed_nodeinfo_links},
	{HTTP_GET, "/nodeinfo/2.1", fed_nodeinfo},
	{HTTP_GET, "/ap/users/{handle}/outbox", fed_outbox},
	{HTTP_GET, "/ap/users/{handle}/followers", fed_followers},
	{HTTP_GET, "/ap/users/{handle}/following", fed_following},
	{HTTP_GET, "/ap/stories/{id}", fed_article},
	{HTTP_GET, "/settings/followers", fed_followers_settings},
	{HTTP_POST, "/settings/followers", fed_followers_settings_post},
	{HTTP_POST, "/@{handle}/inbox", fed_inbox_post},
	{HTTP_POST, "/inbox", fed_shared_inbox_post},
};

/* Addresses that are a page for a browser and an ActivityPub object for
 * a server that asks for one (fed_wants_ap). */
static const struct {
	http_handler_fn page, object;
} negotiated[] = {
	{page_profile, fed_actor},
	{page_story, fed_story_object},
};

static void route(struct http_req *req, struct http_res *res);

/* A page every anonymous reader gets as it is, and a public photo's file,
 * answered before the request is parsed (http.h, web/page_cache.h). */
static struct http_shared *early(struct http_req *req)
{
	/* Its web_req, with no allocation: only the route is set (for the
	 * log and /metrics), read back before the next request. */
	static _Thread_local struct web_req sr;
	memset(&sr, 0, sizeof(sr));
	sr.viewer.csrf = "";
	req->app = &sr;
	bool photo = !strncmp(req->path, "/photos/", 8);
	if (!photo && fed_wants_ap(req))
		return NULL;
	struct http_shared *sh = photo ? page_cache_early_file(req) : page_cache_early(req);
	if (sh) {
		metrics_cache(true);
		metrics_early();
	}
	return sh;
}

static void app(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	sr->api = web_is_api_path(req->path);
	if (!web_store(req)) {
		if ((req->method & (HTTP_GET | HTTP_HEAD)) && !strcmp(req->path, "/readyz")) {
			for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
				if (routes[i].fn == page_readyz)
					sr->route = (int)i + 1;
			page_readyz(req, res);
			return;
		}
		web_error(req, res, 503, "The database is not available.");
		return;
	}
	if (req->trailing_slash && (req->method & (HTTP_GET | HTTP_HEAD))) {
		size_t n = strlen(req->path);
		http_res_redirect(req, res, 301, arena_strndup(&req->arena, req->path, n - 1));
		return;
	}
	/* A public photo's file is the same for everyone: answered before
	 * the session is read (web/page_cache.h). Only photo files are kept
	 * (page_photo_file), so no other request looks. */
	if (!strncmp(req->path, "/photos/", 8) && page_cache_serve_file(req, res)) {
		metrics_cache(true);
		return;
	}
	/* A GET reads from one snapshot (store_read_begin() in store.h). */
	struct store *st = web_store(req);
	bool get = (req->method & (HTTP_GET | HTTP_HEAD)) != 0;
	if (get)
		store_read_begin(st);
	session_load(req);
	/* ActivityPub JSON is never served from the page cache nor stored
	 * in it (no ticket), and a cached page never answers its Accept. */
	if (!(get && fed_wants_ap(req)) && page_cache_serve(req, res)) {
		metrics_cache(true);
		store_read_end(st);
		return;
	}
	if (sr->page_ticket)
		metrics_cache(false);
	/* A signed-in page shared between readers (web/slot_page.h). */
	if (get && !fed_wants_ap(req) && slot_page_serve(req, res)) {
		store_read_end(st);
		return;
	}
	/* A page that may be cached was stamped just now: render it from a
	 * snapshot no older than that stamp, never from the session's. */
	if (get && !web_viewer(req)->signed_in)
		store_read_begin(st);
	route(req, res);
	store_read_end(st);
}

static void route(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	const struct http_route *r;
	unsigned allow;
	enum http_match m = http_route_match(req, routes, sizeof(routes) / sizeof(routes[0]), &r,
					     &allow);
	sr->route = m == HTTP_MATCH_OK ? (int)(r - routes) + 1 : -1;
	if (m == HTTP_MATCH_NONE) {
		web_error(req, res, 404, sr->api ? "No such API route." :
			   "There is nothing at this address.");
		return;
	}
	if (m == HTTP_MATCH_METHOD) {
		http_res_header(req, res, "Allow", http_methods_str(&req->arena, allow));
		web_error(req, res, 405, "This address does not accept that method.");
		return;
	}
	http_handler_fn fn = r->fn;
	for (size_t i = 0; i < sizeof(negotiated) / sizeof(negotiated[0]); i++)
		if (fn == negotiated[i].page) {
			http_res_header(req, res, "Vary", "Accept");
			if (fed_wants_ap(req))
				fn = negotiated[i].object;
		}
	fn(req, res);
	page_cache_store(req, res);
}

/* ---- request log ---- */

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* From the log-level setting at start, and again on SIGHUP (so atomic:
 * every worker reads it). */
static atomic_int log_level = LOG_INFO;
/* log-format json: one JSON object per line; same rules. */
static atomic_bool log_json;

/* The settings (core/conf.h), loaded at start; the reloadable ones again
 * on SIGHUP (main thread only). Live as long as the process. */
static struct arena conf_arena;
static struct conf conf;
static const char *conf_file;      /* the file to read (the default may not exist) */
static bool conf_file_explicit;    /* named by --config or QUIRE_CONFIG */

/* The path as it may be logged: no query string (it can carry invitation
 * tokens), secret segments (unlisted keys, setup and invitation tokens)
 * replaced, anything unprintable escaped. */
static void log_path(struct buf *b, const char *path)
{
	const char *prev = "", *p = path;
	size_t prev_len = 0;
	while (*p && *p != '?') {
		if (*p == '/') {
			buf_addch(b, '/');
			p++;
			continue;
		}
		const char *end = p;
		while (*end && *end != '/' && *end != '?')
			end++;
		size_t len = (size_t)(end - p);
		bool hex = len >= 16;
		for (size_t i = 0; hex && i < len; i++)
			hex = (p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f');
		bool secret_place = (prev_len == 1 && (*prev == 'u' || *prev == 'c')) ||
				    (prev_len == 5 && !strncmp(prev, "setup", 5)) ||
				    (prev_len == 7 && !strncmp(prev, "invites", 7)) ||
				    /* mailed links (issue 18) */
				    (prev_len == 7 && !strncmp(prev, "confirm", 7)) ||
				    (prev_len == 4 && !strncmp(prev, "link", 4)) ||
				    (prev_len == 5 && !strncmp(prev, "reset", 5)) ||
				    (prev_len == 6 && !strncmp(prev, "verify", 6));
		/* An unsubscribe token opens with a letter. */
		bool unsub = prev_len == 11 && !strncmp(prev, "unsubscribe", 11);
		if ((hex && secret_place) || unsub) {
			buf_adds(b, "[secret]");
		} else {
			for (size_t i = 0; i < len; i++) {
				unsigned char ch = (unsigned char)p[i];
				if (ch < 0x21 || ch >= 0x7f || ch == '"' || ch == '\\')
					buf_addf(b, "%%%02X", ch);
				else
					buf_addch(b, (char)ch);
			}
		}
		prev = p;
		prev_len = len;
		p = end;
	}
}

static void log_request(struct http_req *req, int status, uint64_t bytes, double ms,
			bool complete)
{
	const struct web_req *sr = req->app;
	int route = !sr || !sr->route ? METRICS_ROUTE_EARLY :
		    sr->route < 0 ? METRICS_ROUTE_NONE : sr->route - 1;
	metrics_request(route, status, ms);
	enum log_level need = status >= 500 || status == 0 ? LOG_WARN : LOG_INFO;
	if (atomic_load_explicit(&log_level, memory_order_relaxed) < (int)need)
		return;
	bool json = atomic_load_explicit(&log_json, memory_order_relaxed);
	http_req_addresses(req); /* an early answer's are made now */
	struct buf line;
	buf_init(&line, 4096);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	const char *level = need == LOG_WARN ? "warn" : "info";
	const char *method = req->method == HTTP_OTHER ? "OTHER" : req->method_name;
	const char *addr = req->remote_addr ? req->remote_addr : "unknown";
	/* Behind a trusted proxy: which one passed it on. */
	const char *via = req->peer_addr && req->remote_addr &&
			  strcmp(req->peer_addr, req->remote_addr) != 0 ? req->peer_addr : NULL;
	/* Every value is printable ASCII without '"' or '\\' (log_path
	 * escapes the path; methods are tokens; addresses are IP text), so
	 * the JSON form needs no escaping either. */
	if (json)
		buf_addf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"request\","
				"\"method\":\"%s\",\"path\":\"", ts, level, method);
	else
		buf_addf(&line, "%s %s request method=%s path=\"", ts, level, method);
	log_path(&line, req->path ? req->path : "");
	if (json) {
		buf_addf(&line, "\",\"status\":%d,\"bytes\":%llu,\"ms\":%.2f%s,\"addr\":\"%s\"",
			 status, (unsigned long long)bytes, ms, complete ? "" : ",\"aborted\":true",
			 addr);
		if (via)
			buf_addf(&line, ",\"via\":\"%s\"", via);
		buf_addch(&line, '}');
	} else {
		buf_addf(&line, "\" status=%d bytes=%llu ms=%.2f%s addr=%s", status,
			 (unsigned long long)bytes, ms, complete ? "" : " aborted=1", addr);
		if (via)
			buf_addf(&line, " via=%s", via);
	}
	buf_addch(&line, '\n');
	fputs(buf_str(&line), stderr);
	buf_release(&line);
}

static void early_error(struct http_req *req, struct http_res *res, int status, const char *msg)
{
	web_error(req, res, status, msg);
}

/* ---- command line ---- */

/* quire --version: ours, and the libraries' as loaded at run time. */
static void print_version(void)
{
	char store_v[128], photo_v[64];
	store_lib_versions(store_v, sizeof(store_v));
	media_vips_version(photo_v, sizeof(photo_v));
	printf("quire %s\n", QUIRE_VERSION);
	printf("libmicrohttpd %s, %s, libsodium %s, jansson %s, cmark-gfm %s, libvips %s, zlib %s\n",
	       http_lib_version(), store_v, crypto_lib_version(), jansson_version_str(),
	       md_lib_version(), photo_v, zlibVersion());
	printf("%s\n", net_curl_version());
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: quire serve [--data DIR] [--db URL] [--listen ADDR:PORT] [--base-url URL] [--threads N]\n"
		"                   [--responses-per-minute N] [--responses-per-minute-addr N]\n"
		"                   [--max-conns N] [--max-conns-per-ip N] [--trusted-proxy CIDR[,CIDR...]]\n"
		"                   [--log-level error|warn|info|debug] [--log-format text|json]\n"
		"                   [--metrics-listen ADDR:PORT [--metrics-allow-remote]] [--config FILE]\n"
		"       quire check-config [--config FILE] [any setting flag]\n"
		"       quire user add HANDLE [--admin] [--name NAME] --password-stdin [--data DIR] [--db URL]\n"
		"       quire backup FILE [--data DIR] [--db URL]\n"
		"       quire restore FILE --data NEWDIR [--db URL]\n"
		"       quire migrate --from URL --to URL\n"
		"       quire import wordpress FILE.xml|ZIP --user HANDLE [import options]\n"
		"       quire import substack DIR|ZIP --user HANDLE [import options]\n"
		"       quire import medium DIR|ZIP --user HANDLE [--include-responses] [import options]\n"
		"       quire import quire ZIP|DIR --user HANDLE [--skip-photos] [--data DIR] [--db URL]\n"
		"       quire import --retry-photos --user HANDLE [--allow-private-fetch] [--data DIR] [--db URL]\n"
		"         import options: [--skip-photos | --retry-photos] [--allow-private-fetch]\n"
		"                         [--data DIR] [--db URL]\n"
		"       quire export --user HANDLE OUT.zip [--data DIR] [--db URL]\n"
		"       quire export --user HANDLE --epub OUT.epub [--audience public|all] [--story ID ...]\n"
		"                    [--data DIR] [--db URL] [--base-url URL]\n"
		"       quire routes\n"
		"       quire --help | --version\n"
		"\n"
		"serve      run the site (default data directory ./quire-data, listening on\n"
		"           127.0.0.1:8080). On first start it prints a one-time setup link.\n"
		"user add   create an account, reading the password from standard input.\n"
		"backup     write one file holding a consistent snapshot of the database\n"
		"           and the photos, while the server keeps running.\n"
		"restore    make a new data directory (or database, with --db) from such a\n"
		"           file; a backup restores into either kind of database.\n"
		"migrate    copy a whole site into a new, empty database (e.g. from\n"
		"           sqlite:DIR to postgres://...), checked table by table; the\n"
		"           photos are read from (and written to) --data DIR/media.\n"
		"export     write one zip with everything of a writer's: her stories as\n"
		"           Markdown that Hugo and Jekyll read as is, their photos, responses,\n"
		"           circles, subscribers and settings (quire import quire reads it).\n"
		"           --epub: a book (EPUB 3) of her stories instead, oldest first, with\n"
		"           their photos; --audience public (the default: her public stories\n"
		"           and the photos anyone may see) or all (everything she published);\n"
		"           --story ID or slug, repeated, for only those.\n"
		"routes     print the route table, one 'METHOD PATTERN' a line (the JSON\n"
		"           API's are described in docs/openapi.yaml).\n"
		"\n"
		"--max-conns N (default 4096) and --max-conns-per-ip N (default 256) bound\n"
		"open connections. Behind a reverse proxy, name it with --trusted-proxy\n"
		"(addresses or networks, IPv4 or IPv6, e.g. 127.0.0.1,::1 or 10.0.0.0/8):\n"
		"only from those peers is the client taken from Forwarded / X-Forwarded-For\n"
		"(the rightmost address that is not a trusted proxy), for sign-in and response\n"
		"limits and the request log; trusted proxies do not count against\n"
		"--max-conns-per-ip.\n"
		"\n"
		"--db URL (also QUIRE_DB) names the database: sqlite:PATH or a bare path\n"
		"(the default is DIR/quire.db). Photos and temporary files stay in --data.\n"
		"\n"
		"Every command creates the data directory and applies pending schema\n"
		"migrations first.\n"
		"\n"
		"Settings: every flag above but --from, --to, --name, --admin and\n"
		"--password-stdin is also a line 'key = value' of the configuration file\n"
		"(--config FILE, QUIRE_CONFIG, else DATA/quire.conf if it exists; the key is\n"
		"the flag without '--') and an environment variable QUIRE_<KEY>\n"
		"(QUIRE_MAX_CONNS for max-conns). Flags win over the environment, which wins\n"
		"over the file; a wrong key or value is an error naming its line.\n"
		"check-config prints the effective settings, passwords masked.\n"
		"\n"
		"--metrics-listen ADDR:PORT serves Prometheus metrics at /metrics there\n"
		"(default off; a loopback address unless --metrics-allow-remote). GET /readyz\n"
		"answers 200 when the database answers and its schema is current. SIGHUP\n"
		"reloads log-level and log-format; under systemd the server sends READY=1,\n"
		"RELOADING=1 and STOPPING=1.\n");
}

struct opts {
	const char *data;
	const char *metrics_listen; /* NULL: no metrics listener */
	bool log_format_json;
	const char *db; /* --db URL, QUIRE_DB; NULL: sqlite:DATA/quire.db */
	const char *from, *to; /* quire migrate */
	const char *listen;
	const char *base_url;
	const char *name;
	const char *user; /* quire import --user HANDLE */
	const char *epub, *audience; /* quire export --epub OUT [--audience public|all] */
	const char *stories[256];    /* quire export --story ID ... */
	size_t nstories;
	bool include_responses; /* quire import medium --include-responses */
	bool allow_private_fetch, retry_photos, skip_photos; /* quire import */
	unsigned import_workers; /* uploads imported by this server at once */
	bool admin;
	bool password_stdin;
	unsigned threads;
	unsigned resp_user, resp_addr; /* responses per minute per reader / address */
	long max_conns, max_conns_per_ip; /* -1: default; per ip 0: no limit */
	struct net_list trusted_proxies;  /* --trusted-proxy */
	/* email (issue 18): smtp NULL means no email */
	const char *smtp, *mail_from;
	bool smtp_insecure;
	unsigned mail_domain_rate, mail_retry_base;
	unsigned fed_retry_base, fed_senders, fed_domain_concurrency; /* the fediverse (issue 20) */
};

/* Which request bodies stream to a file: photo uploads and exports. */
static bool spool_route(const struct http_req *req, struct http_spool *sp)
{
	return media_spool(req, sp) || import_spool(req, sp);
}

static bool mkdir_p(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return true;
	fprintf(stderr, "quire: cannot create %s: %s\n", dir, strerror(errno));
	return false;
}

/* The database's URL: --db (or QUIRE_DB), else the SQLite file in the
 * data directory. Allocated. */
static char *db_url_of(const struct opts *o)
{
	if (o->db)
		return xstrdup(o->db);
	size_t n = strlen(o->data) + 16;
	char *db = xmalloc(n);
	snprintf(db, n, "%s/quire.db", o->data);
	return db;
}

static bool open_data(const struct opts *o, struct web_config *cfg, struct store **st)
{
	if (!mkdir_p(o->data))
		return false;
	char *tmp = xmalloc(strlen(o->data) + 8);
	snprintf(tmp, strlen(o->data) + 8, "%s/tmp", o->data);
	bool ok = mkdir_p(tmp);
	free(tmp);
	if (!ok)
		return false;
	char *db = db_url_of(o);
	schema_latest = schema_latest_for(db);
	cfg->data_dir = o->data;
	cfg->db_url = db;
	char err[512];
	if (store_open(db, st, err, sizeof(err))) {
		fprintf(stderr, "quire: %s\n", err);
		free(db);
		cfg->db_url = NULL;
		return false;
	}
	/* Stories saved before search indexed plain text. */
	if (story_backfill_text(*st)) {
		fprintf(stderr, "quire: could not prepare the search text of older stories\n");
		store_close(*st);
		*st = NULL;
		return false;
	}
	return true;
}

static void config_defaults(struct web_config *cfg, const struct opts *o)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = o->listen;
	cfg->site_name = "Quire";
	cfg->session_idle = 14 * 86400;
	cfg->session_absolute = 60 * 86400;
	cfg->token_idle = 90 * 86400;
	cfg->token_absolute = 365 * 86400;
	cfg->login_fail_account = 10;
	cfg->login_fail_address = 50;
	cfg->login_fail_window = 900;
	cfg->hash_concurrency = 2;
	cfg->responses_per_minute_user = o->resp_user ? o->resp_user : 10;
	cfg->responses_per_minute_addr = o->resp_addr ? o->resp_addr : 60;
	cfg->limits = (struct http_limits){
		.max_body = 2 * 1024 * 1024,
		.max_header_bytes = 32 * 1024,
		.conn_timeout = 30,
		.max_conns = o->max_conns >= 0 ? (unsigned)o->max_conns : 4096,
		.max_conns_per_ip = o->max_conns_per_ip >= 0 ? (unsigned)o->max_conns_per_ip : 256,
		.threads = o->threads ? o->threads : default_threads(),
		.trusted_proxies = o->trusted_proxies,
	};
	static char base[300];
	if (o->base_url) {
		snprintf(base, sizeof(base), "%s", o->base_url);
		size_t bl = strlen(base);
		while (bl && base[bl - 1] == '/')
			base[--bl] = '\0';
	} else {
		snprintf(base, sizeof(base), "http://%s", o->listen);
	}
	cfg->base_url = base;
	cfg->https = strncmp(base, "https://", 8) == 0;
	cfg->session_cookie = cfg->https ? "__Host-quire_session" : "quire_session";
}

/* Raise the open-file limit to its hard maximum, and keep the connection
 * limit below it (Debian's default soft limit of 1024 would otherwise turn
 * a flood of connections into failed accept() calls and database opens). */
static void fit_fd_limit(struct http_limits *l)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t spare = 64 + 4 * (rlim_t)l->threads;
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)l->max_conns + spare > rl.rlim_cur) {
		unsigned fit = rl.rlim_cur > spare + 16 ? (unsigned)(rl.rlim_cur - spare) : 16;
		fprintf(stderr, "quire: open-file limit %llu: serving at most %u connections, not %u\n",
			(unsigned long long)rl.rlim_cur, fit, l->max_conns);
		l->max_conns = fit;
	}
}

/*
 * A server's memory should fall back after a burst. glibc raises its mmap
 * threshold after each large free, so later large buffers come from the
 * heap and stay there: a fixed threshold keeps them in mmap. It makes an
 * arena per thread that allocates: one per worker plus two (main,
 * scheduler and helpers share), so workers never queue on an arena lock
 * (two arenas for two workers halved signed-in throughput). Measured in
 * docs/performance.md.
 */
#define MEMORY_TRIM_SECONDS 2

static void tune_malloc(unsigned workers)
{
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* Setting the threshold also freezes the trim threshold at 128 KiB:
	 * then freeing one page's buffers gave memory back with madvise()
	 * on every request. Keep up to 4 MiB per arena. */
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_ARENA_MAX, (int)workers + 2);
}

/* argv as given, for reading the settings again on SIGHUP. */
static int main_argc;
static char **main_argv;
static bool conf_collect(struct conf *c, struct arena *a, int argc, char **argv);
static int log_level_of(const char *v);

/* SIGHUP: read the settings again (file, environment, the same flags)
 * and apply those that can change while serving: log-level and
 * log-format. Others that changed are named: they wait for a restart. */
static void conf_reload(void)
{
	struct arena a;
	arena_init(&a);
	struct conf c;
	if (!conf_collect(&c, &a, main_argc, main_argv)) {
		fprintf(stderr, "quire: SIGHUP: settings not reloaded (see above); keeping the "
				"current ones\n");
		arena_release(&a);
		return;
	}
	atomic_store(&log_level, log_level_of(conf_get(&c, CONF_LOG_LEVEL)));
	atomic_store(&log_json, !strcmp(conf_get(&c, CONF_LOG_FORMAT), "json"));
	for (int k = 0; k < CONF_NKEYS; k++) {
		const char *was = conf_get(&conf, (enum conf_id)k), *now = conf_get(&c, (enum conf_id)k);
		if (!conf_keys[k].reloadable && strcmp(was ? was : "", now ? now : ""))
			fprintf(stderr, "quire: SIGHUP: %s changed; it takes effect at the next "
					"restart\n", conf_keys[k].name);
	}
	fprintf(stderr, "quire: SIGHUP: settings reloaded (log-level %s, log-format %s)\n",
		conf_get(&c, CONF_LOG_LEVEL), conf_get(&c, CONF_LOG_FORMAT));
	for (int k = 0; k < CONF_NKEYS; k++)
		if (conf_keys[k].reloadable)
			conf.v[k] = (struct conf_value){c.v[k].value ? arena_strdup(&conf_arena,
							   c.v[k].value) : NULL, c.v[k].source,
							   c.v[k].line};
	arena_release(&a);
}

/* ---- /metrics, on its own listener (--metrics-listen) ---- */

static time_t started_at;

static void metrics_extra(struct buf *out)
{
	struct media_stats ms;
	media_stats(&ms);
	buf_addf(out, "# HELP quire_photo_queue_waiting Photo uploads waiting for a worker.\n"
		      "# TYPE quire_photo_queue_waiting gauge\nquire_photo_queue_waiting %zu\n"
		      "# HELP quire_photo_queue_decoding Photo uploads being decoded.\n"
		      "# TYPE quire_photo_queue_decoding gauge\nquire_photo_queue_decoding %zu\n"
		      "# HELP quire_photo_workers Photo workers the pool runs at once.\n"
		      "# TYPE quire_photo_workers gauge\nquire_photo_workers %zu\n"
		      "# HELP quire_photo_worker_deaths_total Photo workers killed by a signal "
		      "(crash, sandbox, CPU limit).\n"
		      "# TYPE quire_photo_worker_deaths_total counter\n"
		      "quire_photo_worker_deaths_total %llu\n",
		 ms.waiting, ms.running, ms.workers, (unsigned long long)ms.worker_deaths);
	if (mail_enabled()) {
		struct mail_sender_stats m;
		mail_sender_stats(&m);
		buf_addf(out,
			 "# HELP quire_mail_sent_total Messages this process handed to the SMTP server.\n"
			 "# TYPE quire_mail_sent_total counter\nquire_mail_sent_total %llu\n"
			 "# HELP quire_mail_retries_total Deliveries put off for a retry.\n"
			 "# TYPE quire_mail_retries_total counter\nquire_mail_retries_total %llu\n"
			 "# HELP quire_mail_failures_total Messages given up on (permanent failures).\n"
			 "# TYPE quire_mail_failures_total counter\nquire_mail_failures_total %llu\n",
			 (unsigned long long)m.sent, (unsigned long long)m.retried,
			 (unsigned long long)m.failed);
		if (m.queued_now >= 0)
			buf_addf(out,
				 "# HELP quire_mail_outbox_queued Messages in the outbox waiting to be sent.\n"
				 "# TYPE quire_mail_outbox_queued gauge\nquire_mail_outbox_queued %lld\n"
				 "# HELP quire_mail_outbox_failed Messages in the outbox that could not be "
				 "delivered.\n"
				 "# TYPE quire_mail_outbox_failed gauge\nquire_mail_outbox_failed %lld\n",
				 (long long)m.queued_now, (long long)m.failed_now);
	}
	struct fed_stats fs;
	fed_stats(&fs);
	buf_addf(out,
		 "# HELP quire_fed_deliveries_sent_total Activities this process delivered to "
		 "remote inboxes.\n"
		 "# TYPE quire_fed_deliveries_sent_total counter\nquire_fed_deliveries_sent_total %llu\n"
		 "# HELP quire_fed_deliveries_retries_total Deliveries put off for a retry.\n"
		 "# TYPE quire_fed_deliveries_retries_total counter\n"
		 "quire_fed_deliveries_retries_total %llu\n"
		 "# HELP quire_fed_deliveries_failed_total Deliveries given up on.\n"
		 "# TYPE quire_fed_deliveries_failed_total counter\n"
		 "quire_fed_deliveries_failed_total %llu\n"
		 "# HELP quire_fed_inbox_accepted_total Activities the inboxes took in.\n"
		 "# TYPE quire_fed_inbox_accepted_total counter\nquire_fed_inbox_accepted_total %llu\n"
		 "# HELP quire_fed_inbox_refused_total Activities the inboxes refused (unsigned, "
		 "badly signed, replayed, blocked, malformed).\n"
		 "# TYPE quire_fed_inbox_refused_total counter\nquire_fed_inbox_refused_total %llu\n",
		 (unsigned long long)fs.sent, (unsigned long long)fs.retried,
		 (unsigned long long)fs.failed, (unsigned long long)fs.inbox_accepted,
		 (unsigned long long)fs.inbox_refused);
	if (fs.queued_now >= 0)
		buf_addf(out,
			 "# HELP quire_fed_deliveries_queued Deliveries waiting in the queue.\n"
			 "# TYPE quire_fed_deliveries_queued gauge\nquire_fed_deliveries_queued %lld\n"
			 "# HELP quire_fed_deliveries_failed Deliveries in the queue that failed for "
			 "good.\n"
			 "# TYPE quire_fed_deliveries_failed gauge\nquire_fed_deliveries_failed %lld\n",
			 (long long)fs.queued_now, (long long)fs.failed_now);
	buf_addf(out, "# HELP quire_info The running version.\n# TYPE quire_info gauge\n"
		      "quire_info{version=\"%s\"} 1\n"
		      "# HELP quire_start_time_seconds When this process started (Unix time).\n"
		      "# TYPE quire_start_time_seconds gauge\nquire_start_time_seconds %lld\n",
		 QUIRE_VERSION, (long long)started_at);
}

static void metrics_app(struct http_req *req, struct http_res *res)
{
	res->content_type = "text/plain; charset=utf-8";
	if (strcmp(req->path, "/metrics") != 0) {
		res->status = 404;
		buf_adds(&res->body, "Only /metrics here.\n");
		return;
	}
	if (!(req->method & (HTTP_GET | HTTP_HEAD))) {
		res->status = 405;
		http_res_header(req, res, "Allow", "GET, HEAD");
		return;
	}
	res->content_type = "text/plain; version=0.0.4; charset=utf-8";
	http_res_header(req, res, "Cache-Control", "no-store");
	metrics_render(&res->body);
}

/* "method=\"GET\",route=\"/@{handle}/{slug}\"" for each route: the
 * labels of its counters. */
static void metrics_setup(void)
{
	static const char *labels[sizeof(routes) / sizeof(routes[0])];
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *m = http_methods_str(&conf_arena, routes[i].methods);
		size_t ml = strcspn(m, ",");
		labels[i] = arena_printf(&conf_arena, "method=\"%.*s\",route=\"%s\"", (int)ml, m,
					 routes[i].pattern);
	}
	metrics_init(labels, sizeof(routes) / sizeof(routes[0]));
	metrics_set_extra(metrics_extra);
	started_at = time(NULL);
}

/* Every story save: mail (when an SMTP server is set) and the fediverse,
 * in the save's transaction (stories.h: one hook, chained here). */
static bool mail_hooked;

static int story_saved(struct store *st, struct arena *a, const struct story_row *before,
		       const struct story_row *after, int email)
{
	if (mail_hooked && mail_story_hook(st, a, before, after, email))
		return -1;
	return fed_story_hook(st, a, before, after, email);
}

static int cmd_serve(const struct opts *o)
{
	if (media_limits_error()) {
		fprintf(stderr, "quire: environment: %s\n", media_limits_error());
		return 2;
	}
	struct web_config cfg;
	config_defaults(&cfg, o);
	metrics_setup();
	tune_malloc(cfg.limits.threads);
	fit_fd_limit(&cfg.limits);
	struct store *st;
	if (!open_data(o, &cfg, &st))
		return 1;
	if (!password_init(cfg.hash_concurrency)) {
		fprintf(stderr, "quire: cannot initialise password hashing\n");
		return 1;
	}
	/* Cross-domain reactions, wired here so domains do not import each
	 * other: purging the trash removes the stories' photos first. */
	desk_set_purge_hook(media_collect);
	responses_set_rate_limits(cfg.responses_per_minute_user, cfg.responses_per_minute_addr);
	cfg.mail = o->smtp != NULL;
	if (!web_init(&cfg, st)) {
		store_close(st);
		web_shutdown();
		free((char *)cfg.db_url);
		return 1;
	}

	/* Signals go to this thread only: workers inherit the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct http_server_config hc = {
		.listen = o->listen,
		.limits = cfg.limits,
		.app = app,
		.thread_init = web_thread_init,
		.thread_done = web_thread_done,
		.error = early_error,
		.spool = spool_route,
		.log = log_request,
		.early = early,
	};
	/* Before serving: whoever sees the server answer can already read
	 * the link (the tests wait for /healthz, then read the log). */
	if (!setup_announce(st, cfg.base_url)) {
		fprintf(stderr, "quire: could not prepare the setup link\n");
	}
	/* Photo uploads are decoded off the request threads (media.h). */
	media_pool_start();
	struct http_server *srv = http_server_start(&hc);
	if (!srv) {
		media_pool_stop();
		store_close(st);
		web_shutdown();
		return 1;
	}
	struct http_server *msrv = NULL;
	if (o->metrics_listen) {
		struct http_server_config mc = {
			.listen = o->metrics_listen,
			.limits = {.max_body = 4096, .max_header_bytes = 16 * 1024, .conn_timeout = 10,
				   .max_conns = 16, .threads = 1},
			.app = metrics_app,
		};
		msrv = http_server_start(&mc);
		if (!msrv) {
			desk_scheduler_stop();
			media_pool_stop();
			http_server_stop(srv);
			store_close(st);
			web_shutdown();
			return 1;
		}
		fprintf(stderr, "quire: metrics on http://%s/metrics (port %u)\n", o->metrics_listen,
			(unsigned)http_server_port(msrv));
	}
	if (!desk_scheduler_start(cfg.db_url))
		fprintf(stderr, "quire: scheduled stories will not publish on time\n");
	/* Imports uploaded at /settings/import run off the request threads
	 * (or, with import-workers 0, on another app server). */
	if (!import_worker_start(o->import_workers, o->allow_private_fetch))
		fprintf(stderr, "quire: uploaded exports will wait until the next start\n");
	/* Email: publishing (and the other events) queue messages in the
	 * same transaction; the sender delivers them. */
	mail_configure(o->smtp != NULL, cfg.key);
	story_set_save_hook(story_saved);
	story_set_delete_hook(fed_story_delete_hook);
	story_set_restore_hook(fed_story_restore_hook);
	story_set_retag_hook(fed_story_retag_hook);
	admin_set_suspend_hook(fed_writer_suspend_hook);
	follow_set_remote_followers(fed_remote_followers_json);
	if (o->smtp) {
		mail_hooked = true;
		responses_set_created_hook(mail_on_response);
		char host[256] = "", node[PATH_MAX + 300], dir[PATH_MAX];
		gethostname(host, sizeof(host) - 1);
		snprintf(node, sizeof(node), "%s:%s", host,
			 realpath(o->data, dir) ? dir : o->data);
		struct mail_sender_config mc = {
			.node = node,
			.smtp_url = o->smtp,
			.password = getenv("QUIRE_SMTP_PASSWORD"),
			.insecure = o->smtp_insecure,
			.from_addr = o->mail_from,
			.domain_rate = o->mail_domain_rate,
			.retry_base = o->mail_retry_base,
		};
		if (!net_init() || !mail_sender_start(&mc))
			fprintf(stderr, "quire: email will not be sent\n");
		else
			fprintf(stderr, "quire: email through %s as %s\n", o->smtp, o->mail_from);
	}
	/* The fediverse: deliveries queued with the events that cause them
	 * (a Follow's Accept) are sent off the request threads. */
	fed_configure(o->allow_private_fetch);
	{
		char host[256] = "", node[PATH_MAX + 300], dir[PATH_MAX];
		gethostname(host, sizeof(host) - 1);
		snprintf(node, sizeof(node), "%s:%s", host, realpath(o->data, dir) ? dir : o->data);
		struct fed_sender_config fc = {.node = node, .retry_base = o->fed_retry_base,
					       .senders = o->fed_senders,
					       .domain_concurrency = o->fed_domain_concurrency};
		if (!net_init() || !fed_sender_start(&fc))
			fprintf(stderr, "quire: activities will not be delivered\n");
	}
	fprintf(stderr, "quire %s: serving %s on %s (port %u), data in %s\n", QUIRE_VERSION,
		cfg.base_url, o->listen, (unsigned)http_server_port(srv), o->data);
	fflush(stderr);
	/* systemd (Type=notify): serving now. Nothing when not under it. */
	char ready[512];
	snprintf(ready, sizeof(ready), "READY=1\nSTATUS=serving %s\nMAINPID=%lu", cfg.base_url,
		 (unsigned long)getpid());
	service_notify(ready);

	int sig = 0;
	for (;;) {
		/* Between signals, every MEMORY_TRIM_SECONDS: memory freed in
		 * the threads' arenas goes back to the system. The arenas
		 * keep up to 4 MiB each of what was freed (tune_malloc(), so
		 * that requests do not madvise() and fault pages in and out);
		 * after a burst (compressing, rendering, hundreds of
		 * connections closing) that was 9 MB held for nothing. */
		struct timespec every = {MEMORY_TRIM_SECONDS, 0};
		sig = sigtimedwait(&set, NULL, &every);
		if (sig < 0) {
			malloc_trim(0);
			continue;
		}
		if (sig != SIGHUP)
			break;
		char msg[64];
		snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
			 (unsigned long long)(metrics_now_ns() / 1000));
		service_notify(msg);
		conf_reload();
		fflush(stderr);
		service_notify("READY=1");
	}
	service_notify("STOPPING=1");
	fprintf(stderr, "quire: %s received, finishing requests and stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_stop(msrv);
	desk_scheduler_stop();
	import_worker_stop();
	mail_sender_stop();
	fed_sender_stop();
	/* Before the HTTP server: answers every upload still in the queue. */
	media_pool_stop();
	http_server_stop(srv);
	session_activity_flush(st);
	store_close(st);
	web_shutdown();
	password_shutdown();
	free((char *)cfg.db_url);
	fprintf(stderr, "quire: stopped cleanly\n");
	return 0;
}

/* quire backup FILE: one file holding a consistent snapshot of the
 * database and the photo files, taken while the server runs. */
static int cmd_backup(const struct opts *o, const char *file)
{
	struct stat st;
	if (stat(file, &st) == 0) {
		fprintf(stderr, "quire: %s exists; give a new file name for the backup\n", file);
		return 2;
	}
	struct web_config cfg;
	config_defaults(&cfg, o);
	struct store *s;
	if (!open_data(o, &cfg, &s))
		return 1;
	size_t n = strlen(o->data) + 8;
	char *media = xmalloc(n);
	snprintf(media, n, "%s/media", o->data);
	char err[512];
	unsigned long files = 0, fetched = 0;
	int rc = 0;
	/* Where the database holds the photos (PostgreSQL), this node's
	 * files are a cache: complete it first. */
	if (!media_blobs_to_files(s, media, &fetched)) {
		fprintf(stderr, "quire: backup failed: cannot fetch the photo files\n");
		rc = 1;
	} else if (store_backup(s, file, media, &files, err, sizeof(err))) {
		fprintf(stderr, "quire: backup failed: %s\n", err);
		rc = 1;
	} else {
		printf("backed up %s to %s (database and %lu photo files)\n", o->data, file, files);
	}
	free(media);
	store_close(s);
	free((char *)cfg.db_url);
	return rc;
}

/* quire restore FILE --data DIR: a new data directory from a backup. */
static int cmd_restore(const struct opts *o, const char *file)
{
	char *db = db_url_of(o);
	size_t n = strlen(o->data) + 16;
	char *media = xmalloc(n);
	snprintf(media, n, "%s/media", o->data);
	struct stat st;
	int rc = 1;
	char err[512];
	unsigned long files = 0;
	enum store_err e;
	if (!o->db && stat(db, &st) == 0) {
		fprintf(stderr, "quire: %s already holds a site; restore into a new directory\n", o->data);
		rc = 2;
	} else if (!mkdir_p(o->data) || !mkdir_p(media)) {
		rc = 1;
	} else if ((e = store_restore(file, db, media, &files, err, sizeof(err)))) {
		fprintf(stderr, "quire: restore failed: %s\n", err);
		if (!o->db)
			unlink(db);
		if (e == STORE_CONFLICT)
			rc = 2; /* refused: nothing was overwritten */
	} else {
		/* Open once: checks it and applies any newer migrations. */
		struct web_config cfg;
		config_defaults(&cfg, o);
		struct store *s;
		unsigned long pushed = 0;
		if (open_data(o, &cfg, &s)) {
			/* Where the database holds the photos, put them there. */
			if (!media_files_to_blobs(s, media, &pushed)) {
				fprintf(stderr, "quire: restore failed: cannot store the photos\n");
			} else {
				printf("restored %s into %s (database and %lu photo files)\n", file,
				       o->data, files);
				rc = 0;
			}
			store_close(s);
		}
		free((char *)cfg.db_url);
	}
	free(db);
	free(media);
	return rc;
}

/* quire migrate --from URL --to URL: the whole site into another
 * (empty) database, checked by counts and checksums. */
static int cmd_migrate(const struct opts *o)
{
	if (!o->from || !o->to) {
		fprintf(stderr, "quire: migrate needs --from URL and --to URL\n");
		return 2;
	}
	char err[512];
	struct store *from, *to;
	if (store_open(o->from, &from, err, sizeof(err))) {
		fprintf(stderr, "quire: %s\n", err);
		return 1;
	}
	if (store_open(o->to, &to, err, sizeof(err))) {
		fprintf(stderr, "quire: %s\n", err);
		store_close(from);
		return 1;
	}
	int64_t rows = 0;
	int rc = 0;
	enum store_err e;
	size_t n = strlen(o->data) + 8;
	char *media = xmalloc(n);
	snprintf(media, n, "%s/media", o->data);
	unsigned long fetched = 0, pushed = 0;
	/* The photos: complete the files from the source's blobs, copy the
	 * rows, then put the files into the target's blobs (each step does
	 * nothing where a backend keeps the files only). */
	if (!media_blobs_to_files(from, media, &fetched)) {
		fprintf(stderr, "quire: migrate failed: cannot fetch the photo files\n");
		rc = 1;
	} else if ((e = store_copy(from, to, &rows, err, sizeof(err)))) {
		fprintf(stderr, "quire: migrate failed: %s\n", err);
		rc = e == STORE_CONFLICT ? 2 : 1;
	} else if (!media_files_to_blobs(to, media, &pushed)) {
		fprintf(stderr, "quire: migrate failed: cannot store the photos in the target\n");
		rc = 1;
	} else {
		printf("moved %lld rows from %s to %s; every table checked (rows and checksums); "
		       "photo files in %s\n", (long long)rows, o->from, o->to, media);
	}
	free(media);
	store_close(to);
	store_close(from);
	return rc;
}

static int cmd_user_add(const struct opts *o, const char *handle)
{
	if (!o->password_stdin) {
		fprintf(stderr, "quire: user add needs --password-stdin (the password is read from "
				"standard input, never from the command line)\n");
		return 2;
	}
	/* The whole line, however long: a password over the limit is refused
	 * (account_create), never cut to fit. */
	char pw[4096];
	size_t n = fread(pw, 1, sizeof(pw) - 1, stdin);
	if (n == sizeof(pw) - 1 && fgetc(stdin) != EOF) {
		fprintf(stderr, "quire: cannot add user: %s\n", acct_strerror(ACCT_PASSWORD_LONG));
		return 1;
	}
	pw[n] = '\0';
	if (n && pw[n - 1] == '\n')
		pw[--n] = '\0';
	if (n && pw[n - 1] == '\r')
		pw[--n] = '\0';
	if (strlen(pw) != n) {
		fprintf(stderr, "quire: cannot add user: the password holds a NUL byte\n");
		return 1;
	}
	struct web_config cfg;
	config_defaults(&cfg, o);
	struct store *st;
	if (!open_data(o, &cfg, &st))
		return 1;
	if (!password_init(1)) {
		store_close(st);
		return 1;
	}
	struct arena a;
	arena_init(&a);
	struct user_row u;
	enum acct_err e = account_create(st, &a, handle, o->name, pw, o->admin, &u);
	int rc = 0;
	if (e) {
		fprintf(stderr, "quire: cannot add user: %s\n", acct_strerror(e));
		rc = 1;
	} else {
		printf("added %s%s (@%s)\n", o->admin ? "admin " : "", u.name, u.handle);
	}
	arena_release(&a);
	store_close(st);
	password_shutdown();
	free((char *)cfg.db_url);
	return rc;
}

/* quire import KIND PATH --user HANDLE: another platform's export into
 * a writer's stories (issue 19; porting/import_cmd.h). The whole export
 * is read and checked before anything is written; then each post is a
 * transaction of its own, and a post imported before is skipped.
 * kind NULL: only --retry-photos. */
static int cmd_import(const struct opts *o, const char *kind, const char *file)
{
	if (kind && !import_kind_known(kind)) {
		fprintf(stderr, "quire: import reads wordpress (WXR), substack, medium and quire "
				"(their export zips or folders), not '%s'\n", kind);
		return 2;
	}
	if (!kind && !o->retry_photos) {
		fprintf(stderr, "quire: import needs KIND PATH, or --retry-photos\n");
		return 2;
	}
	if (!o->user) {
		fprintf(stderr, "quire: import needs --user HANDLE: whose stories they become\n");
		return 2;
	}
	struct web_config cfg;
	config_defaults(&cfg, o);
	const char *bad = media_limits_error();
	if (bad) {
		fprintf(stderr, "quire: %s\n", bad);
		return 2;
	}
	struct store *st;
	if (!open_data(o, &cfg, &st))
		return 1;
	web_cfg = &cfg; /* photos are written under its data directory */
	struct arena a;
	arena_init(&a);
	struct user_row u;
	const char *h = handle_normalise(&a, o->user);
	int rc;
	if (!h || store_user_by_handle(st, &a, h, &u)) {
		fprintf(stderr, "quire: import: there is no writer @%s here\n", o->user);
		rc = 1;
	} else {
		struct import_args args = {
			.kind = kind, .path = file, .include_responses = o->include_responses,
			.allow_private = o->allow_private_fetch, .retry_photos = o->retry_photos,
			.fetch_photos = !o->skip_photos, .out = stdout,
		};
		rc = import_export(st, &u, &args);
	}
	arena_release(&a);
	web_cfg = NULL;
	store_close(st);
	free((char *)cfg.db_url);
	return rc;
}

/* quire export --user HANDLE --epub OUT.epub: a book of her stories
 * (issue 19; porting/book.h). */
static int cmd_export_book(const struct opts *o)
{
	struct web_config cfg;
	config_defaults(&cfg, o);
	struct store *st;
	if (!open_data(o, &cfg, &st))
		return 1;
	int rc = web_init(&cfg, st) ? book_export_main(o->user, o->audience, o->stories,
						       o->nstories, o->epub, stdout) : 1;
	web_shutdown();
	web_cfg = NULL;
	store_close(st);
	free((char *)cfg.db_url);
	return rc;
}

/* The zip of u's export at path (porting/export.h). */
static int export_zip(struct store *st, const struct user_row *u, const char *path)
{
	struct stat sb;
	if (stat(path, &sb) == 0) {
		fprintf(stderr, "quire: %s exists; give a new file name for the export\n", path);
		return 2;
	}
	struct export_stats x;
	char err[400];
	if (!export_user(st, u, path, &x, err, sizeof(err))) {
		fprintf(stderr, "quire: export failed: %s\n", err);
		return 1;
	}
	printf("exported @%s to %s: %zu stories (%zu pending drafts), %zu photos%s, %zu responses, "
	       "%zu circles, %zu subscribers\n", u->handle, path, x.stories, x.pending, x.photos,
	       x.missing_photos ? " (some photo files were missing and are left out)" : "",
	       x.responses, x.circles, x.subscribers);
	return 0;
}

/* quire export --user HANDLE OUT.zip: everything of a writer's in one
 * file (issue 19). The store is read as she is the viewer: all of hers.
 * With --epub OUT.epub: a book of her stories instead (porting/book.h). */
static int cmd_export(const struct opts *o, const char *zip)
{
	if (!o->user) {
		fprintf(stderr, "quire: export needs --user HANDLE: whose site to export\n");
		return 2;
	}
	if (o->epub && zip) {
		fprintf(stderr, "quire: export writes a zip (OUT.zip) or a book (--epub OUT.epub), "
			"not both at once\n");
		return 2;
	}
	if (o->epub)
		return cmd_export_book(o);
	if (!zip) {
		fprintf(stderr, "quire: export needs the file to write: OUT.zip (or --epub OUT.epub)\n");
		return 2;
	}
	struct web_config cfg;
	config_defaults(&cfg, o);
	struct store *st;
	if (!open_data(o, &cfg, &st))
		return 1;
	web_cfg = &cfg; /* the photo files are under its data directory */
	struct arena a;
	arena_init(&a);
	struct user_row u;
	const char *h = handle_normalise(&a, o->user);
	int rc;
	if (!h || store_user_by_handle(st, &a, h, &u)) {
		fprintf(stderr, "quire: export: there is no writer @%s here\n", o->user);
		rc = 1;
	} else {
		rc = export_zip(st, &u, zip);
	}
	arena_release(&a);
	web_cfg = NULL;
	store_close(st);
	free((char *)cfg.db_url);
	return rc;
}

/* ---- settings: quire.conf, QUIRE_<KEY>, flags (core/conf.h) ---- */


/* Read name into c as its file settings. A missing file is an error only
 * when it was named. */
static bool conf_load_file(struct conf *c, const char *name, bool must_exist)
{
	FILE *f = fopen(name, "rb");
	if (!f) {
		if (!must_exist && errno == ENOENT)
			return true;
		fprintf(stderr, "quire: cannot read %s: %s\n", name, strerror(errno));
		return false;
	}
	struct buf text;
	buf_init(&text, 1 << 20);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	bool rd_err = ferror(f);
	fclose(f);
	if (rd_err || buf_failed(&text)) {
		fprintf(stderr, "quire: cannot read %s: %s\n", name,
			rd_err ? "read error" : "larger than 1 MiB");
		buf_release(&text);
		return false;
	}
	char err[600];
	bool ok = conf_parse(c, buf_str(&text), text.len, name, err, sizeof(err));
	if (!ok)
		fprintf(stderr, "quire: %s\n", err);
	buf_release(&text);
	return ok;
}

/* QUIRE_<KEY> for every key (an empty variable counts as unset). */
static bool conf_load_env(struct conf *c)
{
	for (int k = 0; k < CONF_NKEYS; k++) {
		char name[64], err[600];
		conf_env_name((enum conf_id)k, name, sizeof(name));
		const char *v = getenv(name);
		/* QUIRE_SMTP_URL is the smtp key's other name. */
		if ((!v || !*v) && k == CONF_SMTP)
			v = getenv("QUIRE_SMTP_URL");
		if (v && *v && !conf_set(c, (enum conf_id)k, v, CONF_SRC_ENV, 0, err, sizeof(err))) {
			fprintf(stderr, "quire: %s: %s\n", name, err);
			return false;
		}
	}
	return true;
}

/* The flags that are settings: --KEY VALUE (--KEY alone for yes/no keys).
 * Returns 1 when argv[*i] was one (and advances *i past its value), 0 when
 * it is not a setting, -1 on a bad value (message printed). */
static int conf_flag(struct conf *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (strncmp(a, "--", 2) != 0)
		return 0;
	int k = conf_find(a + 2);
	if (k < 0)
		return 0;
	const char *val;
	if (conf_keys[k].type == CONF_T_BOOL) {
		val = "yes";
	} else if (*i + 1 < argc) {
		val = argv[++*i];
	} else {
		fprintf(stderr, "quire: %s needs a value\n", a);
		return -1;
	}
	char err[600];
	if (!conf_set(c, (enum conf_id)k, val, CONF_SRC_FLAG, 0, err, sizeof(err))) {
		fprintf(stderr, "quire: %s\n", err);
		return -1;
	}
	return 1;
}

static const char *const log_level_names[] = {"error", "warn", "info", "debug"};

static int log_level_of(const char *v)
{
	for (int k = 0; k < 4; k++)
		if (!strcmp(v, log_level_names[k]))
			return k;
	return LOG_INFO;
}

/* Whether the address of an ADDR:PORT is a loopback one (127.0.0.0/8,
 * ::1, ::ffff:127.x). */
static bool loopback_listen(const char *listen)
{
	const char *colon = strrchr(listen, ':');
	size_t hl = colon ? (size_t)(colon - listen) : strlen(listen);
	const char *host = listen;
	if (hl >= 2 && host[0] == '[') {
		host++;
		hl -= 2;
	}
	struct net_addr ad;
	if (!hl || !net_addr_parse(host, hl, &ad))
		return false;
	static const struct net_cidr loop[2] = {
		{{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 0}}, 104},
		{{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}, 128},
	};
	struct net_list l = {loop, 2};
	return net_list_contains(&l, &ad);
}

/* The settings into o, with the checks that need more than one key or
 * more than core/conf.c knows; a refusal names where the value came from. */
static bool conf_apply(const struct conf *c, struct opts *o)
{
	char where[300];
	o->data = conf_get(c, CONF_DATA);
	o->db = conf_get(c, CONF_DB);
	o->listen = conf_get(c, CONF_LISTEN);
	o->base_url = conf_get(c, CONF_BASE_URL);
	o->threads = (unsigned)conf_num(c, CONF_THREADS);
	o->resp_user = (unsigned)conf_num(c, CONF_RESPONSES_PER_MINUTE);
	o->resp_addr = (unsigned)conf_num(c, CONF_RESPONSES_PER_MINUTE_ADDR);
	o->max_conns = conf_num(c, CONF_MAX_CONNS);
	o->max_conns_per_ip = conf_num(c, CONF_MAX_CONNS_PER_IP);
	memset(&o->trusted_proxies, 0, sizeof(o->trusted_proxies));
	const char *tp = conf_get(c, CONF_TRUSTED_PROXY);
	if (tp) {
		/* Lives as long as the process: the server reads it. */
		static struct arena proxies;
		static bool proxies_init;
		if (!proxies_init)
			arena_init(&proxies);
		proxies_init = true;
		const char *bad = NULL;
		if (!net_list_parse(&proxies, tp, &o->trusted_proxies, &bad)) {
			conf_origin(c, CONF_TRUSTED_PROXY, where, sizeof(where));
			fprintf(stderr, "quire: trusted-proxy (%s): '%s' is not an address or network "
					"(want e.g. 127.0.0.1, ::1, 10.0.0.0/8 or 2001:db8::/32, "
					"separated by commas)\n", where, bad ? bad : tp);
			return false;
		}
	}
	const char *db = conf_get(c, CONF_DB);
	if (db && !store_url_known(db)) {
		conf_origin(c, CONF_DB, where, sizeof(where));
		fprintf(stderr, "quire: db (%s): unknown kind of database \"%s\": give "
				"sqlite:PATH (or a path), or postgres://...\n", where, db);
		return false;
	}
	const char *ml = conf_get(c, CONF_METRICS_LISTEN);
	o->metrics_listen = ml && strcmp(ml, "off") ? ml : NULL;
	if (o->metrics_listen && !conf_bool(c, CONF_METRICS_ALLOW_REMOTE) &&
	    !loopback_listen(o->metrics_listen)) {
		conf_origin(c, CONF_METRICS_LISTEN, where, sizeof(where));
		fprintf(stderr, "quire: metrics-listen (%s): %s is not a loopback address; the "
				"metrics are for this machine only unless you also set "
				"metrics-allow-remote (--metrics-allow-remote)\n", where,
			o->metrics_listen);
		return false;
	}
	if (o->metrics_listen && !strcmp(o->metrics_listen, o->listen)) {
		fprintf(stderr, "quire: metrics-listen must differ from listen (the metrics are "
				"never served on the public port)\n");
		return false;
	}
	o->log_format_json = !strcmp(conf_get(c, CONF_LOG_FORMAT), "json");
	o->smtp = conf_get(c, CONF_SMTP);
	o->mail_from = conf_get(c, CONF_MAIL_FROM);
	o->smtp_insecure = conf_bool(c, CONF_SMTP_INSECURE);
	o->allow_private_fetch = conf_bool(c, CONF_ALLOW_PRIVATE_FETCH);
	o->import_workers = (unsigned)conf_num(c, CONF_IMPORT_WORKERS);
	o->mail_domain_rate = (unsigned)conf_num(c, CONF_MAIL_DOMAIN_RATE);
	o->mail_retry_base = (unsigned)conf_num(c, CONF_MAIL_RETRY_BASE);
	o->fed_retry_base = (unsigned)conf_num(c, CONF_FED_RETRY_BASE);
	o->fed_senders = (unsigned)conf_num(c, CONF_FED_SENDERS);
	o->fed_domain_concurrency = (unsigned)conf_num(c, CONF_FED_DOMAIN_CONCURRENCY);
	if (o->smtp) {
		char err[200];
		struct arena ta;
		arena_init(&ta);
		bool from_ok = o->mail_from &&
			       mail_addr_normalise(&ta, o->mail_from, strlen(o->mail_from));
		arena_release(&ta);
		if (!smtp_url_ok(o->smtp, err, sizeof(err))) {
			conf_origin(c, CONF_SMTP, where, sizeof(where));
			fprintf(stderr, "quire: smtp (%s): %s\n", where, err);
			return false;
		}
		if (!from_ok) {
			fprintf(stderr, "quire: smtp is set, so mail-from (--mail-from) must be the "
					"sender's email address\n");
			return false;
		}
	}
	return true;
}

/* Settings from every source, for cmd_check_config and SIGHUP: file (as
 * named at start), environment, then the flags of argv. */
static bool conf_collect(struct conf *c, struct arena *a, int argc, char **argv)
{
	conf_init(c, a);
	if (conf_file && !conf_load_file(c, conf_file, conf_file_explicit))
		return false;
	if (!conf_load_env(c))
		return false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") || (argv[i][0] == '-' && i + 1 < argc &&
		    (!strcmp(argv[i], "--from") || !strcmp(argv[i], "--to") ||
		     !strcmp(argv[i], "--name") || !strcmp(argv[i], "--trash-days") ||
		     !strcmp(argv[i], "--user")))) {
			i++;
			continue;
		}
		if (conf_flag(c, argc, argv, &i) < 0)
			return false;
	}
	return true;
}

/* quire check-config: every setting, its effective value (secrets
 * masked) and where it comes from; exit 0 when all are valid. */
static int cmd_check_config(const struct conf *c, const struct opts *o)
{
	if (media_limits_error()) {
		fprintf(stderr, "quire: environment: %s\n", media_limits_error());
		return 2;
	}
	bool found = conf_file && access(conf_file, F_OK) == 0;
	printf("# quire %s: effective settings (%s%s)\n", QUIRE_VERSION,
	       found ? "" : "no configuration file; none at ", conf_file);
	for (int k = 0; k < CONF_NKEYS; k++) {
		char where[300];
		conf_origin(c, (enum conf_id)k, where, sizeof(where));
		const char *v = conf_display(c, (enum conf_id)k);
		/* What an unset key means. */
		if (!conf_get(c, (enum conf_id)k) && k == CONF_DB)
			v = arena_printf(&conf_arena, "sqlite:%s/quire.db", o->data);
		else if (!conf_get(c, (enum conf_id)k) && k == CONF_BASE_URL)
			v = arena_printf(&conf_arena, "http://%s", o->listen);
		else if (!conf_get(c, (enum conf_id)k) && k == CONF_THREADS)
			v = arena_printf(&conf_arena, "%u", default_threads());
		else if (!conf_get(c, (enum conf_id)k) && k == CONF_TRUSTED_PROXY)
			v = "(none)";
		printf("%-26s = %-40s # %s\n", conf_keys[k].name, v, where);
	}
	printf("# ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (!crypto_init()) {
		fprintf(stderr, "quire: cannot initialise libsodium\n");
		return 1;
	}
	/* Not for people: the server starts it for each photo upload. It
	 * reads no settings (a file edited since the server started must
	 * not stop uploads). */
	if (argc == 2 && !strcmp(argv[1], "photo-worker"))
		return media_worker_main();
	/* For tests and docs: the route table, one "METHOD PATTERN" a line. */
	if (argc == 2 && !strcmp(argv[1], "routes")) {
		struct arena a;
		arena_init(&a);
		for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
			printf("%s %s\n", http_methods_str(&a, routes[i].methods), routes[i].pattern);
		arena_release(&a);
		return 0;
	}
	struct opts o = {0};
	main_argc = argc;
	main_argv = argv;
	arena_init(&conf_arena);
	/* The file: --config FILE, else QUIRE_CONFIG, else quire.conf in the
	 * data directory (as the flag or QUIRE_DATA names it) if it exists. */
	const char *data_hint = getenv("QUIRE_DATA");
	if (!data_hint || !*data_hint)
		data_hint = conf_keys[CONF_DATA].def;
	const char *env_conf = getenv("QUIRE_CONFIG");
	if (env_conf && *env_conf) {
		conf_file = env_conf;
		conf_file_explicit = true;
	}
	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--config")) {
			conf_file = argv[++i];
			conf_file_explicit = true;
		} else if (!strcmp(argv[i], "--data")) {
			data_hint = argv[++i];
		}
	}
	/* The default file is read when it exists (also when it appears
	 * later, on SIGHUP). */
	if (!conf_file)
		conf_file = arena_printf(&conf_arena, "%s/quire.conf", data_hint);
	conf_init(&conf, &conf_arena);
	if (conf_file && !conf_load_file(&conf, conf_file, conf_file_explicit))
		return 2;
	if (!conf_load_env(&conf))
		return 2;
	const char *pos[4] = {0};
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int cf;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			print_version();
			return 0;
		} else if ((cf = conf_flag(&conf, argc, argv, &i)) != 0) {
			if (cf < 0)
				return 2;
		} else if (!strcmp(a, "--config") && val) {
			i++;
		} else if (!strcmp(a, "--from") && val) {
			o.from = val;
			i++;
		} else if (!strcmp(a, "--to") && val) {
			o.to = val;
			i++;
		} else if (!strcmp(a, "--name") && val) {
			o.name = val;
			i++;
		} else if (!strcmp(a, "--user") && val) {
			o.user = val;
			i++;
		} else if (!strcmp(a, "--epub") && val) {
			o.epub = val;
			i++;
		} else if (!strcmp(a, "--audience") && val) {
			o.audience = val;
			i++;
		} else if (!strcmp(a, "--story") && val) {
			if (o.nstories == sizeof(o.stories) / sizeof(o.stories[0])) {
				fprintf(stderr, "quire: at most %zu --story\n", o.nstories);
				return 2;
			}
			o.stories[o.nstories++] = val;
			i++;
		} else if (!strcmp(a, "--trash-days") && val) {
			/* Hidden, for tests: the trash window in (fractional) days. */
			char *end;
			double d = strtod(val, &end);
			if (*end || end == val || !(d >= 0 && d <= 3650)) {
				fprintf(stderr, "quire: --trash-days takes 0 to 3650\n");
				return 2;
			}
			desk_set_trash_window((int64_t)(d * 86400.0));
			i++;
		} else if (!strcmp(a, "--admin")) {
			o.admin = true;
		} else if (!strcmp(a, "--include-responses")) {
			o.include_responses = true;
		} else if (!strcmp(a, "--retry-photos")) {
			o.retry_photos = true;
		} else if (!strcmp(a, "--skip-photos")) {
			o.skip_photos = true;
		} else if (!strcmp(a, "--password-stdin")) {
			o.password_stdin = true;
		} else if (a[0] == '-') {
			fprintf(stderr, "quire: unknown or incomplete option '%s'\n\n", a);
			usage(stderr);
			return 2;
		} else if (npos < 4) {
			pos[npos++] = a;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!conf_apply(&conf, &o))
		return 2;
	log_level = log_level_of(conf_get(&conf, CONF_LOG_LEVEL));
	log_json = o.log_format_json;
	if (npos == 1 && !strcmp(pos[0], "check-config"))
		return cmd_check_config(&conf, &o);
	if (npos == 1 && !strcmp(pos[0], "serve"))
		return cmd_serve(&o);
	if (npos == 2 && !strcmp(pos[0], "backup"))
		return cmd_backup(&o, pos[1]);
	if (npos == 2 && !strcmp(pos[0], "restore"))
		return cmd_restore(&o, pos[1]);
	if (npos == 1 && !strcmp(pos[0], "migrate"))
		return cmd_migrate(&o);
	if (npos == 3 && !strcmp(pos[0], "user") && !strcmp(pos[1], "add"))
		return cmd_user_add(&o, pos[2]);
	if (npos == 3 && !strcmp(pos[0], "import"))
		return cmd_import(&o, pos[1], pos[2]);
	if (npos == 1 && !strcmp(pos[0], "import"))
		return cmd_import(&o, NULL, NULL);
	if ((npos == 1 || npos == 2) && !strcmp(pos[0], "export"))
		return cmd_export(&o, npos == 2 ? pos[1] : NULL);
	usage(stderr);
	return 2;
}
