/*
 * web.h - the web layer (web_ prefix): what every handler shares: the site configuration, the
 * per-thread context (database connection), the viewer of the current
 * request, page rendering through templates, JSON replies and errors.
 *
 * This is product glue above http/, store/ and tmpl/; those three know
 * nothing of it. Handlers include this header and their own domain's.
 *
 * Everything a function here returns for a request lives in the
 * request's arena. Configuration is written once at start (web_init)
 * and read-only afterwards.
 */
#ifndef QUIRE_WEB_WEB_H
#define QUIRE_WEB_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "core/clock.h"
#include "store/store.h"

struct web_config {
	const char *data_dir;
	const char *db_url;
	const char *listen;
	const char *base_url;  /* "http://127.0.0.1:8080", no trailing slash */
	const char *site_name;
	bool https;            /* base_url is https: Secure + __Host- cookies */
	const char *session_cookie;
	int64_t session_idle;     /* seconds */
	int64_t session_absolute; /* seconds */
	int64_t token_idle, token_absolute;
	unsigned login_fail_account; /* failures per (account, address) per window before 429 */
	unsigned login_fail_address; /* failures per address per window (accounts.c) */
	int64_t login_fail_window;
	unsigned hash_concurrency;   /* argon2id hashes running at once */
	unsigned responses_per_minute_user;
	unsigned responses_per_minute_addr;
	struct http_limits limits;
	unsigned char key[32];       /* server MAC key, from the database */
	bool mail;                   /* an SMTP server is set (--smtp): email features shown */
};

extern const struct web_config *web_cfg;

/* Load templates and assets, read or create the server key. Returns
 * false with a message on stderr. cfg must outlive the server. */
bool web_init(struct web_config *cfg, struct store *st) __attribute__((warn_unused_result));
void web_shutdown(void);

/* Per-thread state for http_server_config.thread_init/thread_done. */
void *web_thread_init(void);
void web_thread_done(void *state);

/* The viewer of a request: who is asking, and how they proved it. */
struct viewer {
	bool signed_in;
	bool via_token;      /* Authorization: Bearer, not a cookie */
	struct user_row user;
	char session_hash[65];
	const char *csrf;    /* token that forms must echo; never NULL */
};

struct web_req {
	struct viewer viewer;
	bool api;            /* JSON API route: errors as JSON */
	bool set_pre_cookie; /* anonymous form page: set the pre-session cookie */
	bool page_rendered;  /* set by web_page_render(); see web/page_cache.h */
	bool page_skip;      /* page_cache_skip(): never store this response */
	void *page_ticket;   /* page cache miss to fill (page_cache.c) */
	void *file_ticket;   /* the same for a file answer (page_cache_keep_file) */
	int route;           /* for /metrics: 1 + the matched route's index in
			      * main.c's table, -1 none matched, 0 not routed
			      * (a page-cache hit keeps its page's) */
	bool flash_clear;    /* the request carried a flash cookie: clear it */
	const struct web_site *site; /* web_site(), read once per request */
	/* A rendering for one reader away from the site (a circle story by
	 * email, her private feed): her id. Photos are decided for her, and
	 * their URLs carry a grant (?r=) that lets whoever fetches them see
	 * what she may see, checked again at each fetch (media/). */
	const char *photo_reader;
	/* web/slot_page.c: a signed-in page that may be shared */
	void *slot_ticket;      /* the lookup that missed (path key and stamp) */
	const char *slot_class; /* this render is kept for that class */
	const char *slot_expect; /* QUIRE_SLOT_CHECK: the shared page's bytes */
	size_t slot_expect_len;
};

struct web_req *web_req(struct http_req *req);
struct store *web_store(struct http_req *req);
/* This worker thread's page cache (web/page_cache.h), or NULL. */
struct page_cache *web_page_cache(struct http_req *req);
const struct viewer *web_viewer(struct http_req *req);


/* The site's identity, set by an admin on /admin and stored as settings
 * (site_name, site_description, site_about): used in the header, the
 * footer, page titles, the Atom feeds and share cards. name is never
 * empty (web_config.site_name, "Quire", until an admin names the site);
 * description and about are "" when unset. Read once per request (from
 * its snapshot), in the request's arena. */
#define WEB_SITE_NAME_MAX 80
#define WEB_SITE_DESCRIPTION_MAX 200
#define WEB_SITE_ABOUT_MAX 5000
struct web_site {
	const char *name;
	const char *description;
	const char *about;
	const char *logo;  /* the logo's hash (media/: /site/logo/HASH.jpg), or "" */
};
const struct web_site *web_site(struct http_req *req);

/* Top-level template context shared by every page (viewer, csrf, css).
 * Returns a new object owned by the caller (json_decref). */
json_t *web_page_context(struct http_req *req, const char *title);
/* Render template name with ctx (stolen: decref'd here) as an HTML page. */
void web_page_render(struct http_req *req, struct http_res *res, int status, const char *name,
		 json_t *ctx);
/* Friendly HTML page, or JSON {"error":{...}} for API routes. */
/* Whether path is one of the JSON API's (errors answered as JSON): the
 * one rule, used when routing and for errors before it. */
bool web_is_api_path(const char *path);
void web_error(struct http_req *req, struct http_res *res, int status, const char *message);
/* Render template name with ctx into out (not a page: no headers). */
bool web_render(struct http_req *req, const char *name, const json_t *ctx, struct buf *out)
	__attribute__((warn_unused_result));
/* Reply JSON (obj stolen). */
void web_json_reply(struct http_req *req, struct http_res *res, int status, json_t *obj);
void web_json_error(struct http_req *req, struct http_res *res, int status, const char *code,
		const char *message);

/* Headers every response carries (CSP, nosniff, ...). */
void web_security_headers(struct http_req *req, struct http_res *res);

/* Form CSRF check for state-changing browser requests; false means the
 * caller must answer 403. API requests authenticated by bearer token are
 * exempt; cookie-authenticated API requests must send X-CSRF-Token. */
bool web_csrf_ok(struct http_req *req);

/* Absolute URL for a site path ("/@ann/x" -> "https://site/@ann/x"). */
const char *web_url(struct http_req *req, const char *path);

/* r when it is a path on this site that is safe to redirect to (a
 * return_to): "/" then printable ASCII only - no space, tab or other
 * control character (browsers drop tab and newline from URLs, so
 * "/\t/evil.example" would leave the site), no backslash, not "//" -
 * at most 512 bytes. NULL otherwise. */
const char *web_local_path(const char *r);

/* The client address that per-address limits count (sign-in failures,
 * responses per minute): req->remote_addr (already the client's own
 * behind a trusted proxy), with an IPv6 address cut to its /64 - one
 * network hands out that many addresses to one household. */
const char *web_client_key(struct http_req *req);

/* Dates: "26 November 2026" and RFC 3339 "2026-11-26T07:18:39Z". */
const char *web_fmt_date(struct arena *a, int64_t t);
const char *web_fmt_rfc3339(struct arena *a, int64_t t);
/* The one sign-in and CSRF check of API routes that need an account:
 * false when it answered (401 signed out; 403 for a cookie-authenticated
 * write, any method but GET and HEAD, without X-CSRF-Token; bearer tokens
 * need none). Every API handler uses this, never its own copy. */
bool web_api_require_viewer(struct http_req *req, struct http_res *res)
	__attribute__((warn_unused_result));
/* Keyset pagination, one parser for pages and API: "AT-ID" (a row's
 * sort time and id) into *at and *id (pointing into c); NULL or "" gives
 * *at = 0 (from the newest). False when malformed. */
bool web_cursor_parse(const char *c, int64_t *at, const char **id);
/* An API listing's ?limit=N (1..100) and ?cursor=AT-ID into q; false
 * when it answered 400. */
bool web_api_page_params(struct http_req *req, struct http_res *res, struct story_query *q)
	__attribute__((warn_unused_result));
/* Parse a JSON/body-limited request body into a JSON object, or answer
 * the error (400/415/422) and return NULL. Result owned by the caller. */
json_t *web_json_body(struct http_req *req, struct http_res *res);

/* Flash messages (flash.c): one sentence saying what a form action did,
 * shown on the next page after its redirect, with no JavaScript. The
 * handler names the message; the browser holds only its code (and at
 * most one handle) in a short-lived (60 s) HttpOnly cookie signed with
 * the server key, so the text can never be chosen by a request. */
enum web_flash {
	WEB_FLASH_NONE = 0,
	WEB_FLASH_SETUP, WEB_FLASH_SIGNUP, WEB_FLASH_SIGNUP_JOINED, WEB_FLASH_SIGNIN,
	WEB_FLASH_PUBLISHED, WEB_FLASH_UPDATED, WEB_FLASH_SAVED, WEB_FLASH_HELD,
	WEB_FLASH_DISCARDED, WEB_FLASH_UNPUBLISHED, WEB_FLASH_SCHEDULED, WEB_FLASH_UNSCHEDULED,
	WEB_FLASH_DELETED, WEB_FLASH_RESTORED, WEB_FLASH_PURGED, WEB_FLASH_REVISION_RESTORED,
	WEB_FLASH_JOINED, WEB_FLASH_ALREADY_MEMBER, WEB_FLASH_INVITE_DECLINED,
	WEB_FLASH_BLOCKED, WEB_FLASH_UNBLOCKED,
	WEB_FLASH_RESPONSE_SENT, WEB_FLASH_RESPONSE_HELD, WEB_FLASH_RESPONSE_SAVED,
	WEB_FLASH_RESPONSE_DELETED, WEB_FLASH_RESPONSE_APPROVED, WEB_FLASH_RESPONSE_HIDDEN,
	WEB_FLASH_RESPONSE_UNHIDDEN, WEB_FLASH_REPORTED,
	WEB_FLASH_SETTINGS_SAVED, WEB_FLASH_PASSWORD_CHANGED, WEB_FLASH_SITE_SAVED,
	WEB_FLASH_FOLLOWED, WEB_FLASH_UNFOLLOWED,
	WEB_FLASH_CIRCLE_CREATED, WEB_FLASH_CIRCLE_INVITED, WEB_FLASH_MEMBER_REMOVED,
	WEB_FLASH_INVITE_REVOKED, WEB_FLASH_INVITATION_WITHDRAWN, WEB_FLASH_CIRCLE_DELETED,
	WEB_FLASH_PHOTO_SAVED, WEB_FLASH_PHOTO_DELETED, WEB_FLASH_PHOTO_ADDED,
	WEB_FLASH_SUSPENDED, WEB_FLASH_UNSUSPENDED, WEB_FLASH_ACCOUNT_DELETED,
	WEB_FLASH_IMPORT_STARTED, WEB_FLASH_IMPORT_PHOTOS, WEB_FLASH_AVATAR_SAVED,
	WEB_FLASH_AVATAR_REMOVED, WEB_FLASH_LOGO_SAVED, WEB_FLASH_LOGO_REMOVED,
	WEB_FLASH_SERVER_BLOCKED, WEB_FLASH_SERVER_UNBLOCKED, WEB_FLASH_FOLLOWER_APPROVED,
	WEB_FLASH_FOLLOWER_REJECTED, WEB_FLASH_ACTOR_BLOCKED, WEB_FLASH_ACTOR_UNBLOCKED,
	WEB_FLASH_COUNT
};
/* Queue message code for the next page (a Set-Cookie on res; call it
 * with the redirect). handle, when not NULL, must be a handle (a-z 0-9 _,
 * at most 30) and fills the message's "@handle"; anything else is left
 * out. */
void web_flash(struct http_req *req, struct http_res *res, enum web_flash code,
	       const char *handle);
/* The message the request's flash cookie carries (arena), or NULL when
 * there is none or it is not one of ours or has expired. Called by
 * web_page_context; web_page_render then clears the cookie. */
const char *web_flash_take(struct http_req *req);
/* Whether the request carries a flash message (without taking it). */
bool web_flash_pending(struct http_req *req);
void web_flash_clear(struct http_req *req, struct http_res *res);

/* A confirmation step for a destructive form action, with no script:
 * the page asks (heading, text), and its button posts the same action
 * again to action_url with confirm=1 and the hidden fields given as
 * name/value pairs (fields[2*i], fields[2*i+1], nfields pairs). Cancel
 * goes to cancel_url. A handler calls web_confirmed() first and renders
 * this when it is false. */
bool web_confirmed(struct http_req *req);
void web_confirm_render(struct http_req *req, struct http_res *res, const char *heading,
			const char *text, const char *action_url, const char *const *fields,
			size_t nfields, const char *button, const char *cancel_url);

/* Content codings (compress.c). Whether Accept-Encoding ae admits coding
 * ("gzip" also as "x-gzip"; "*" for codings it does not name; q=0
 * refuses). */
bool web_accepts_coding(const char *ae, const char *coding);
/* A gzip (zlib, level 1-9) copy of body, malloc'd (the caller frees), or
 * NULL when it would not save an eighth. */
char *web_gzip(const void *body, size_t len, int level, size_t *out_len);

/* Static asset URL by name ("quire.css" -> "/static/quire.3fa9c2.css"). */
const char *web_static_url(const char *name);
/* Serve /static/... ; false if the name is unknown. */
bool web_static_serve(struct http_req *req, struct http_res *res, const char *file);

#endif
