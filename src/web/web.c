/*
 * web.c - the web layer (web.h): configuration, per-thread database
 * connections, page rendering, JSON replies, errors, security headers,
 * CSRF, static assets. See web.h.
 */
#include "web/web.h"
#include "core/crypto.h"
#include "core/embed.h"
#include "core/mem.h"
#include "web/page_cache.h"
#include "web/slot_page.h"
#include "tmpl/tmpl.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const struct web_config *web_cfg;
static struct tmpl_set *templates;

struct asset {
	const char *name;   /* "quire.css" */
	const char *hashed; /* "quire.1a2b3c4d5e.css" */
	const char *url;    /* "/static/quire.1a2b3c4d5e.css" */
	const char *type;
	const unsigned char *data;
	size_t len;
	char etag[24];
	/* gzip and brotli copies of text types, made at build time
	 * (tools/embed.c); NULL when they would not pay. Each coding is its
	 * own representation, with its own ETag. */
	const unsigned char *gz, *br;
	size_t gz_len, br_len;
	char etag_gz[28], etag_br[28];
};
static struct asset *assets;
static size_t nassets;
static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot) return "application/octet-stream";
	if (!strcmp(dot, ".css")) return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js")) return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg")) return "image/svg+xml";
	if (!strcmp(dot, ".ico")) return "image/x-icon";
	if (!strcmp(dot, ".png")) return "image/png";
	if (!strcmp(dot, ".txt")) return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

static bool load_assets(void)
{
	nassets = embedded_static_count;
	assets = xcalloc(nassets ? nassets : 1, sizeof(*assets));
	for (size_t i = 0; i < nassets; i++) {
		const struct embedded_file *f = &embedded_static[i];
		struct asset *a = &assets[i];
		char h[65];
		hash_token((const char *)f->data, (size_t)f->len, h);
		h[10] = '\0';
		a->name = f->name;
		const char *dot = strrchr(f->name, '.');
		size_t stem = dot ? (size_t)(dot - f->name) : strlen(f->name);
		size_t n = strlen(f->name) + 12;
		char *hashed = xmalloc(n);
		snprintf(hashed, n, "%.*s.%s%s", (int)stem, f->name, h, dot ? dot : "");
		a->hashed = hashed;
		n = strlen(hashed) + 9;
		char *url = xmalloc(n);
		snprintf(url, n, "/static/%s", hashed);
		a->url = url;
		a->type = type_of(f->name);
		a->data = f->data;
		a->len = (size_t)f->len;
		snprintf(a->etag, sizeof(a->etag), "\"%.10s\"", h);
		snprintf(a->etag_gz, sizeof(a->etag_gz), "\"%.10s-gz\"", h);
		snprintf(a->etag_br, sizeof(a->etag_br), "\"%.10s-br\"", h);
		a->gz = f->gz;
		a->gz_len = (size_t)f->gz_len;
		a->br = f->br;
		a->br_len = (size_t)f->br_len;
	}
	return true;
}

static bool load_templates(void)
{
	templates = tmpl_set_new(TMPL_STRICT_RAW);
	for (unsigned long i = 0; i < embedded_templates_count; i++) {
		const struct embedded_file *f = &embedded_templates[i];
		char name[128], err[256];
		const char *dot = strrchr(f->name, '.');
		size_t nl = dot ? (size_t)(dot - f->name) : strlen(f->name);
		if (nl >= sizeof(name))
			continue;
		memcpy(name, f->name, nl);
		name[nl] = '\0';
		if (tmpl_set_add(templates, name, (const char *)f->data, (size_t)f->len, err,
				 sizeof(err))) {
			fprintf(stderr, "quire: template %s: %s\n", f->name, err);
			return false;
		}
	}
	return true;
}

bool web_init(struct web_config *cfg, struct store *st)
{
	struct arena a;
	arena_init(&a);
	char proposed[65], *key = NULL;
	random_hex(proposed, 32);
	if (store_setting_init(st, &a, "server_key", proposed, &key) || strlen(key) != 64) {
		fprintf(stderr, "quire: cannot read the server key from the database\n");
		arena_release(&a);
		return false;
	}
	for (int i = 0; i < 32; i++) {
		char hx[3] = {key[2 * i], key[2 * i + 1], 0};
		cfg->key[i] = (unsigned char)strtoul(hx, NULL, 16);
	}
	arena_release(&a);
	web_cfg = cfg;
	slot_page_init();
	return load_templates() && load_assets();
}

void web_shutdown(void)
{
	tmpl_set_free(templates);
	templates = NULL;
	for (size_t i = 0; i < nassets; i++) {
		free((char *)assets[i].hashed);
		free((char *)assets[i].url);
	}
	free(assets);
	assets = NULL;
	nassets = 0;
}

/* What each worker thread owns: its database connection and its cache of
 * rendered anonymous pages. */
struct web_thread {
	struct store *st;
	struct page_cache *pages;
};

void *web_thread_init(void)
{
	struct store *st;
	char err[256];
	if (store_open(web_cfg->db_url, &st, err, sizeof(err))) {
		fprintf(stderr, "quire: worker cannot open database: %s\n", err);
		return NULL;
	}
	struct web_thread *t = xmalloc(sizeof(*t));
	t->st = st;
	t->pages = page_cache_new(PAGE_CACHE_BYTES, PAGE_CACHE_ENTRIES);
	return t;
}

void web_thread_done(void *state)
{
	struct web_thread *t = state;
	if (!t)
		return;
	page_cache_free(t->pages);
	store_close(t->st);
	free(t);
}

struct web_req *web_req(struct http_req *req)
{
	if (!req->app) {
		struct web_req *sr = arena_alloc(&req->arena, sizeof(*sr));
		sr->viewer.csrf = "";
		req->app = sr;
	}
	return req->app;
}

struct store *web_store(struct http_req *req)
{
	struct web_thread *t = req->thread;
	return t ? t->st : NULL;
}

struct page_cache *web_page_cache(struct http_req *req)
{
	struct web_thread *t = req->thread;
	return t ? t->pages : NULL;
}

const struct viewer *web_viewer(struct http_req *req)
{
	return &web_req(req)->viewer;
}

const char *web_static_url(const char *name)
{
	for (size_t i = 0; i < nassets; i++)
		if (strcmp(assets[i].name, name) == 0)
			return assets[i].url;
	return "/static/missing";
}

bool web_static_serve(struct http_req *req, struct http_res *res, const char *file)
{
	for (size_t i = 0; i < nassets; i++) {
		struct asset *a = &assets[i];
		bool hashed = strcmp(a->hashed, file) == 0;
		if (!hashed && strcmp(a->name, file) != 0)
			continue;
		res->content_type = a->type;
		/* A hashed name never changes its bytes: cached for good. */
		http_res_header(req, res, "Cache-Control",
				hashed ? "public, max-age=31536000, immutable" : "public, max-age=300");
		const char *ae = http_req_header(req, "Accept-Encoding");
		bool br = a->br && web_accepts_coding(ae, "br");
		bool gz = !br && a->gz && web_accepts_coding(ae, "gzip");
		const char *etag = br ? a->etag_br : gz ? a->etag_gz : a->etag;
		http_res_header(req, res, "ETag", etag);
		if (a->br || a->gz)
			http_res_header(req, res, "Vary", "Accept-Encoding");
		http_res_header(req, res, "X-Content-Type-Options", "nosniff");
		const char *inm = http_req_header(req, "If-None-Match");
		if (inm && strstr(inm, etag)) {
			res->status = 304;
			return true;
		}
		if (br) {
			http_res_header(req, res, "Content-Encoding", "br");
			buf_add(&res->body, a->br, a->br_len);
		} else if (gz) {
			http_res_header(req, res, "Content-Encoding", "gzip");
			buf_add(&res->body, a->gz, a->gz_len);
		} else {
			buf_add(&res->body, a->data, a->len);
		}
		return true;
	}
	return false;
}

void web_security_headers(struct http_req *req, struct http_res *res)
{
	http_res_header(req, res, "Content-Security-Policy",
			"default-src 'none'; style-src 'self'; img-src 'self' data:; "
			"script-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
			"frame-ancestors 'none'");
	http_res_header(req, res, "X-Content-Type-Options", "nosniff");
	http_res_header(req, res, "Referrer-Policy", "strict-origin-when-cross-origin");
	http_res_header(req, res, "X-Frame-Options", "DENY");
	http_res_header(req, res, "Permissions-Policy",
			"camera=(), microphone=(), geolocation=(), interest-cohort=()");
}

const char *web_url(struct http_req *req, const char *path)
{
	return arena_printf(&req->arena, "%s%s", web_cfg->base_url, path);
}

const char *web_client_key(struct http_req *req)
{
	const char *r = req->remote_addr;
	struct net_addr a;
	if (!r || !net_addr_parse(r, strlen(r), &a) || net_addr_is_v4(&a))
		return r ? r : "unknown";
	memset(a.b + 8, 0, 8);
	char text[NET_ADDR_STRLEN];
	net_addr_format(&a, text);
	return arena_printf(&req->arena, "%s/64", text);
}

const char *web_local_path(const char *r)
{
	if (!r || r[0] != '/' || r[1] == '/')
		return NULL;
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)r; *p; p++, n++)
		if (*p < 0x21 || *p > 0x7E || *p == '\\' || n >= 512)
			return NULL;
	return r;
}

const char *web_fmt_date(struct arena *a, int64_t t)
{
	static const char *const months[] = {"January", "February", "March", "April", "May",
					     "June", "July", "August", "September", "October",
					     "November", "December"};
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	return arena_printf(a, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

const char *web_fmt_rfc3339(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	char out[32];
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(a, out);
}

static const char *setting_or(struct http_req *req, const char *key, const char *dflt)
{
	char *v = NULL;
	struct store *st = web_store(req);
	if (!st || store_setting_get(st, &req->arena, key, &v) || !v || !*v)
		return dflt;
	return v;
}

const struct web_site *web_site(struct http_req *req)
{
	struct web_req *sr = web_req(req);
	if (!sr->site) {
		struct web_site *s = arena_alloc(&req->arena, sizeof(*s));
		s->name = setting_or(req, "site_name", web_cfg->site_name);
		s->description = setting_or(req, "site_description", "");
		s->about = setting_or(req, "site_about", "");
		s->logo = setting_or(req, "site_logo", "");
		sr->site = s;
	}
	return sr->site;
}

json_t *web_page_context(struct http_req *req, const char *title)
{
	const struct viewer *v = web_viewer(req);
	const struct web_site *site = web_site(req);
	json_t *ctx = json_object();
	json_object_set_new(ctx, "site_name", json_string(site->name));
	if (site->description[0]) {
		json_object_set_new(ctx, "site_description", json_string(site->description));
		/* A page's own description (a story's) replaces it. */
		json_object_set_new(ctx, "description", json_string(site->description));
	} else {
		/* Search engines show a page's description under its link: a
		 * plain one until the admin writes the site's own. */
		json_object_set_new(ctx, "description",
				    json_string(arena_printf(&req->arena, "Stories published on %s.",
							     site->name)));
	}
	json_object_set_new(ctx, "has_about", json_boolean(site->about[0] != '\0'));
	json_object_set_new(ctx, "page_title", json_string(title ? title : site->name));
	json_object_set_new(ctx, "is_site_title", json_boolean(title == NULL));
	json_object_set_new(ctx, "css_url", json_string(web_static_url("quire.css")));
	if (site->logo[0]) {
		const char *logo = arena_printf(&req->arena, "/site/logo/%s.jpg", site->logo);
		json_object_set_new(ctx, "logo_url", json_string(logo));
		json_object_set_new(ctx, "icon_url", json_string(logo));
		json_object_set_new(ctx, "icon_type", json_string("image/jpeg"));
	} else {
		json_object_set_new(ctx, "icon_url", json_string(web_static_url("favicon.svg")));
		json_object_set_new(ctx, "icon_type", json_string("image/svg+xml"));
	}
	/* A page shared between readers has slots for her strings. */
	const char *csrf = slot_page_marker(req, SLOT_CSRF);
	json_object_set_new(ctx, "csrf", json_string(csrf ? csrf : v->csrf));
	if (v->signed_in) {
		json_t *u = json_object();
		const char *handle = slot_page_marker(req, SLOT_HANDLE);
		const char *name = slot_page_marker(req, SLOT_NAME);
		json_object_set_new(u, "handle", json_string(handle ? handle : v->user.handle));
		json_object_set_new(u, "name", json_string(name ? name : v->user.name));
		json_object_set_new(u, "is_admin", json_boolean(v->user.is_admin));
		json_object_set_new(ctx, "viewer", u);
	}
	const char *flash = web_flash_take(req);
	if (flash)
		json_object_set_new(ctx, "flash", json_string(flash));
	return ctx;
}

void web_page_render(struct http_req *req, struct http_res *res, int status, const char *name,
		 json_t *ctx)
{
	res->status = status;
	res->content_type = "text/html; charset=utf-8";
	buf_reset(&res->body);
	web_security_headers(req, res);
	web_req(req)->page_rendered = true;
	if (web_req(req)->flash_clear) {
		web_flash_clear(req, res);
		page_cache_skip(req);
	}
	const struct viewer *v = web_viewer(req);
	/* Pages for a signed-in viewer are personal: never store them in a
	 * shared cache. */
	if (v->signed_in || web_req(req)->set_pre_cookie ||
	    json_is_true(json_object_get(ctx, "cache_private")))
		http_res_header(req, res, "Cache-Control", "private, no-store");
	else if (!json_is_true(json_object_get(ctx, "cacheable")))
		http_res_header(req, res, "Cache-Control", "no-cache");
	if (tmpl_render(templates, name, ctx, &res->body)) {
		fprintf(stderr, "quire: rendering template %s failed\n", name);
		buf_reset(&res->body);
		res->status = 500;
		res->content_type = "text/plain; charset=utf-8";
		buf_adds(&res->body, "Internal error while rendering the page.\n");
	}
	slot_page_rendered(req, res);
	json_decref(ctx);
}

bool web_render(struct http_req *req, const char *name, const json_t *ctx, struct buf *out)
{
	(void)req;
	return tmpl_render(templates, name, ctx, out) == 0;
}

void web_json_reply(struct http_req *req, struct http_res *res, int status, json_t *obj)
{
	res->status = status;
	res->content_type = "application/json";
	buf_reset(&res->body);
	web_security_headers(req, res);
	http_res_header(req, res, "Cache-Control", "no-store");
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		buf_adds(&res->body, s);
		free(s);
	}
	buf_addch(&res->body, '\n');
	json_decref(obj);
}

void web_json_error(struct http_req *req, struct http_res *res, int status, const char *code,
		const char *message)
{
	json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
	web_json_reply(req, res, status, e);
}

static const char *status_code_word(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 409: return "conflict";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 422: return "invalid";
	case 429: return "rate_limited";
	case 501: return "not_implemented";
	case 503: return "unavailable";
	default: return status >= 500 ? "internal" : "error";
	}
}

static const char *status_title(int status)
{
	switch (status) {
	case 400: return "That request did not make sense";
	case 401: return "Please sign in";
	case 403: return "Not allowed";
	case 404: return "Nothing here";
	case 405: return "Not like that";
	case 409: return "That conflicts with something";
	case 413: return "Too large";
	case 415: return "Unsupported type";
	case 422: return "Please check what you entered";
	case 429: return "Too many attempts";
	case 503: return "Busy";
	default: return status >= 500 ? "Something went wrong" : "Error";
	}
}

bool web_is_api_path(const char *path)
{
	return path && (strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0);
}

void web_error(struct http_req *req, struct http_res *res, int status, const char *message)
{
	struct web_req *sr = web_req(req);
	/* Errors answered before routing (a body too large) decide here, by
	 * the same rule the router uses. */
	if (sr->api || web_is_api_path(req->path)) {
		web_json_error(req, res, status, status_code_word(status), message);
		return;
	}
	if (!templates || !req->thread) {
		res->status = status;
		res->content_type = "text/plain; charset=utf-8";
		buf_reset(&res->body);
		web_security_headers(req, res);
		buf_addf(&res->body, "%s\n", message);
		return;
	}
	json_t *ctx = web_page_context(req, status_title(status));
	json_object_set_new(ctx, "status", json_integer(status));
	json_object_set_new(ctx, "heading", json_string(status_title(status)));
	json_object_set_new(ctx, "message", json_string(message));
	json_object_set_new(ctx, "is_404", json_boolean(status == 404));
	json_object_set_new(ctx, "return_to", json_string(req->path));
	web_page_render(req, res, status, "error", ctx);
}

bool web_csrf_ok(struct http_req *req)
{
	const struct viewer *v = web_viewer(req);
	if (v->via_token)
		return true;
	const char *sent = http_req_form(req, "csrf");
	if (!sent)
		sent = http_req_header(req, "X-CSRF-Token");
	if (!sent || !v->csrf[0])
		return false;
	size_t n = strlen(v->csrf);
	return strlen(sent) == n && ct_equal(sent, v->csrf, n);
}

bool web_api_require_viewer(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_json_error(req, res, 401, "unauthorized",
			   "Sign in first: POST /api/v1/tokens, then send Authorization: Bearer TOKEN.");
		return false;
	}
	/* Reads change nothing; every other method is a write. */
	if (req->method != HTTP_GET && req->method != HTTP_HEAD && !web_csrf_ok(req)) {
		web_json_error(req, res, 403, "csrf", "Cookie-authenticated API writes need the X-CSRF-Token header.");
		return false;
	}
	return true;
}

bool web_cursor_parse(const char *c, int64_t *at, const char **id)
{
	*at = 0;
	*id = NULL;
	if (!c || !*c)
		return true;
	char *end;
	errno = 0;
	long long t = strtoll(c, &end, 10);
	if (errno || end == c || *end != '-' || t <= 0 || !id_valid(end + 1))
		return false;
	*at = t;
	*id = end + 1;
	return true;
}

bool web_api_page_params(struct http_req *req, struct http_res *res, struct story_query *q)
{
	const char *limit = http_req_query(req, "limit");
	if (limit) {
		char *end;
		errno = 0;
		long n = strtol(limit, &end, 10);
		if (errno || *end || end == limit || n < 1 || n > 100) {
			web_json_error(req, res, 400, "bad_request", "\"limit\" is a number from 1 to 100.");
			return false;
		}
		q->limit = (int)n;
	}
	if (!web_cursor_parse(http_req_query(req, "cursor"), &q->before_at, &q->before_id)) {
		web_json_error(req, res, 400, "bad_request", "Malformed cursor.");
		return false;
	}
	return true;
}

json_t *web_json_body(struct http_req *req, struct http_res *res)
{
	const char *ct = http_req_header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		web_json_error(req, res, 415, "unsupported_media_type",
			   "Send the request body as application/json.");
		return NULL;
	}
	if (!req->body || req->body_len == 0) {
		web_json_error(req, res, 400, "bad_request", "The request body is empty.");
		return NULL;
	}
	json_error_t err;
	json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!j) {
		char msg[300];
		snprintf(msg, sizeof(msg), "Malformed JSON at line %d, column %d: %s", err.line,
			 err.column, err.text);
		web_json_error(req, res, 400, "bad_json", msg);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		web_json_error(req, res, 422, "invalid", "The request body must be a JSON object.");
		return NULL;
	}
	return j;
}
