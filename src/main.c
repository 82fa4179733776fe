/*
 * main.c - the quire command: serve, user add, --help, --version; and the
 * route table that ties URLs to the domain handlers.
 */
#include "accounts/accounts.h"
#include "circles/circles_web.h"
#include "responses/responses_web.h"
#include "accounts/follows.h"
#include "feeds/feeds.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "http/http.h"
#include "media/media.h"
#include "web/page_cache.h"
#include "web/web.h"
#include "stories/stories_web.h"
#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0.0.0"
#endif


static void page_healthz(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	bool ok = st && store_ping(st) == STORE_OK;
	res->status = ok ? 200 : 503;
	res->content_type = "text/plain; charset=utf-8";
	http_res_header(req, res, "Cache-Control", "no-store");
	buf_adds(&res->body, ok ? "ok\n" : "database unavailable\n");
}

static void page_static(struct http_req *req, struct http_res *res)
{
	if (!web_static_serve(req, res, http_req_param(req, "file")))
		web_error(req, res, 404, "No such file.");
}

static const struct http_route routes[] = {
	{HTTP_GET, "/", page_home},
	{HTTP_GET, "/healthz", page_healthz},
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
	{HTTP_GET, "/admin", page_admin},
	{HTTP_POST, "/admin", page_admin_post},
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
};

static void route(struct http_req *req, struct http_res *res);

static void app(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	sr->api = web_is_api_path(req->path);
	if (!web_store(req)) {
		web_error(req, res, 503, "The database is not available.");
		return;
	}
	if (req->trailing_slash && (req->method & (HTTP_GET | HTTP_HEAD))) {
		size_t n = strlen(req->path);
		http_res_redirect(req, res, 301, arena_strndup(&req->arena, req->path, n - 1));
		return;
	}
	/* A GET reads from one snapshot (store_read_begin() in store.h). */
	struct store *st = web_store(req);
	bool get = (req->method & (HTTP_GET | HTTP_HEAD)) != 0;
	if (get)
		store_read_begin(st);
	session_load(req);
	if (page_cache_serve(req, res)) {
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
	r->fn(req, res);
	page_cache_store(req, res);
}

/* ---- request log ---- */

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
/* Set once from --log-level before the server starts; read-only after. */
static enum log_level log_level = LOG_INFO;

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
				    (prev_len == 7 && !strncmp(prev, "invites", 7));
		if (hex && secret_place) {
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

static void log_request(const struct http_req *req, int status, uint64_t bytes, double ms,
			bool complete)
{
	enum log_level need = status >= 500 || status == 0 ? LOG_WARN : LOG_INFO;
	if (log_level < need)
		return;
	struct buf line;
	buf_init(&line, 4096);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char ts[32];
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_addf(&line, "%s %s request method=%s path=\"", ts, need == LOG_WARN ? "warn" : "info",
		 req->method == HTTP_OTHER ? "OTHER" : req->method_name);
	log_path(&line, req->path ? req->path : "");
	buf_addf(&line, "\" status=%d bytes=%llu ms=%.2f%s addr=%s", status, (unsigned long long)bytes,
		 ms, complete ? "" : " aborted=1", req->remote_addr ? req->remote_addr : "unknown");
	/* Behind a trusted proxy: which one passed it on. */
	if (req->peer_addr && req->remote_addr && strcmp(req->peer_addr, req->remote_addr) != 0)
		buf_addf(&line, " via=%s", req->peer_addr);
	buf_addch(&line, '\n');
	fputs(buf_str(&line), stderr);
	buf_release(&line);
}

static void early_error(struct http_req *req, struct http_res *res, int status, const char *msg)
{
	web_error(req, res, status, msg);
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: quire serve [--data DIR] [--db URL] [--listen ADDR:PORT] [--base-url URL] [--threads N]\n"
		"                   [--responses-per-minute N] [--responses-per-minute-addr N]\n"
		"                   [--max-conns N] [--max-conns-per-ip N] [--trusted-proxy CIDR[,CIDR...]]\n"
		"                   [--log-level error|warn|info|debug]\n"
		"       quire user add HANDLE [--admin] [--name NAME] --password-stdin [--data DIR] [--db URL]\n"
		"       quire backup FILE [--data DIR] [--db URL]\n"
		"       quire restore FILE --data NEWDIR [--db URL]\n"
		"       quire migrate --from URL --to URL\n"
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
		"migrations first.\n");
}

struct opts {
	const char *data;
	const char *db; /* --db URL, QUIRE_DB; NULL: sqlite:DATA/quire.db */
	const char *from, *to; /* quire migrate */
	const char *listen;
	const char *base_url;
	const char *name;
	bool admin;
	bool password_stdin;
	unsigned threads;
	unsigned resp_user, resp_addr; /* responses per minute per reader / address */
	long max_conns, max_conns_per_ip; /* -1: default; per ip 0: no limit */
	struct net_list trusted_proxies;  /* --trusted-proxy */
};

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
	cfg->data_dir = o->data;
	cfg->db_url = db;
	char err[512];
	if (store_open(db, st, err, sizeof(err))) {
		fprintf(stderr, "quire: %s\n", err);
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
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	cfg->limits = (struct http_limits){
		.max_body = 2 * 1024 * 1024,
		.max_header_bytes = 32 * 1024,
		.conn_timeout = 30,
		.max_conns = o->max_conns >= 0 ? (unsigned)o->max_conns : 4096,
		.max_conns_per_ip = o->max_conns_per_ip >= 0 ? (unsigned)o->max_conns_per_ip : 256,
		.threads = o->threads ? o->threads : (cores > 0 && cores < 64 ? (unsigned)cores : 2),
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
static void tune_malloc(unsigned workers)
{
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* Setting the threshold also freezes the trim threshold at 128 KiB:
	 * then freeing one page's buffers gave memory back with madvise()
	 * on every request. Keep up to 4 MiB per arena. */
	mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
	mallopt(M_ARENA_MAX, (int)workers + 2);
}

static int cmd_serve(const struct opts *o)
{
	struct web_config cfg;
	config_defaults(&cfg, o);
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
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct http_server_config hc = {
		.listen = o->listen,
		.limits = cfg.limits,
		.app = app,
		.thread_init = web_thread_init,
		.thread_done = web_thread_done,
		.error = early_error,
		.spool = media_spool,
		.log = log_request,
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
	if (!desk_scheduler_start(cfg.db_url))
		fprintf(stderr, "quire: scheduled stories will not publish on time\n");
	fprintf(stderr, "quire %s: serving %s on %s (port %u), data in %s\n", QUIRE_VERSION,
		cfg.base_url, o->listen, (unsigned)http_server_port(srv), o->data);
	fflush(stderr);

	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "quire: %s received, finishing requests and stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	desk_scheduler_stop();
	/* Before the HTTP server: answers every upload still in the queue. */
	media_pool_stop();
	http_server_stop(srv);
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
	if (!o->db && stat(db, &st) == 0) {
		fprintf(stderr, "quire: %s already holds a site; restore into a new directory\n", o->data);
		rc = 2;
	} else if (!mkdir_p(o->data) || !mkdir_p(media)) {
		rc = 1;
	} else if (store_restore(file, db, media, &files, err, sizeof(err))) {
		fprintf(stderr, "quire: restore failed: %s\n", err);
		if (!o->db)
			unlink(db);
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
	} else if (store_copy(from, to, &rows, err, sizeof(err))) {
		fprintf(stderr, "quire: migrate failed: %s\n", err);
		rc = 1;
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

int main(int argc, char **argv)
{
	if (!crypto_init()) {
		fprintf(stderr, "quire: cannot initialise libsodium\n");
		return 1;
	}
	struct opts o = {.data = "./quire-data", .listen = "127.0.0.1:8080", .max_conns = -1,
			 .max_conns_per_ip = -1};
	const char *env_db = getenv("QUIRE_DB");
	if (env_db && *env_db)
		o.db = env_db;
	const char *pos[4] = {0};
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("quire %s\n", QUIRE_VERSION);
			return 0;
		} else if (!strcmp(a, "--data") && val) {
			o.data = val;
			i++;
		} else if (!strcmp(a, "--db") && val) {
			o.db = val;
			i++;
		} else if (!strcmp(a, "--from") && val) {
			o.from = val;
			i++;
		} else if (!strcmp(a, "--to") && val) {
			o.to = val;
			i++;
		} else if (!strcmp(a, "--listen") && val) {
			o.listen = val;
			i++;
		} else if (!strcmp(a, "--base-url") && val) {
			o.base_url = val;
			i++;
		} else if (!strcmp(a, "--name") && val) {
			o.name = val;
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
		} else if (!strcmp(a, "--threads") && val) {
			char *end;
			long t = strtol(val, &end, 10);
			if (*end || t < 1 || t > 64) {
				fprintf(stderr, "quire: --threads takes 1 to 64\n");
				return 2;
			}
			o.threads = (unsigned)t;
			i++;
		} else if ((!strcmp(a, "--responses-per-minute") || !strcmp(a, "--responses-per-minute-addr")) && val) {
			char *end;
			long t = strtol(val, &end, 10);
			if (*end || t < 1 || t > 100000) {
				fprintf(stderr, "quire: %s takes 1 to 100000\n", a);
				return 2;
			}
			if (!strcmp(a, "--responses-per-minute"))
				o.resp_user = (unsigned)t;
			else
				o.resp_addr = (unsigned)t;
			i++;
		} else if ((!strcmp(a, "--max-conns") || !strcmp(a, "--max-conns-per-ip")) && val) {
			char *end;
			long t = strtol(val, &end, 10);
			bool per_ip = !strcmp(a, "--max-conns-per-ip");
			if (*end || end == val || t < (per_ip ? 0 : 1) || t > 1000000) {
				fprintf(stderr, "quire: %s takes %d to 1000000\n", a, per_ip ? 0 : 1);
				return 2;
			}
			if (per_ip)
				o.max_conns_per_ip = t;
			else
				o.max_conns = t;
			i++;
		} else if (!strcmp(a, "--trusted-proxy") && val) {
			/* Lives as long as the process: the server reads it. */
			static struct arena proxies;
			arena_init(&proxies);
			const char *bad = NULL;
			if (!net_list_parse(&proxies, val, &o.trusted_proxies, &bad)) {
				fprintf(stderr, "quire: --trusted-proxy: '%s' is not an address or network "
						"(want e.g. 127.0.0.1, ::1, 10.0.0.0/8 or 2001:db8::/32, "
						"separated by commas)\n", bad ? bad : val);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--log-level") && val) {
			static const char *const names[] = {"error", "warn", "info", "debug"};
			bool found = false;
			for (int k = 0; k < 4; k++)
				if (!strcmp(val, names[k])) {
					log_level = (enum log_level)k;
					found = true;
				}
			if (!found) {
				fprintf(stderr, "quire: --log-level is error, warn, info or debug\n");
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--admin")) {
			o.admin = true;
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
	if (o.base_url && strncmp(o.base_url, "http://", 7) && strncmp(o.base_url, "https://", 8)) {
		fprintf(stderr, "quire: --base-url must start with http:// or https://\n");
		return 2;
	}
	if (npos == 1 && !strcmp(pos[0], "serve"))
		return cmd_serve(&o);
	/* Not for people: the server starts it for each photo upload. */
	if (npos == 1 && !strcmp(pos[0], "photo-worker"))
		return media_worker_main();
	if (npos == 2 && !strcmp(pos[0], "backup"))
		return cmd_backup(&o, pos[1]);
	if (npos == 2 && !strcmp(pos[0], "restore"))
		return cmd_restore(&o, pos[1]);
	if (npos == 1 && !strcmp(pos[0], "migrate"))
		return cmd_migrate(&o);
	if (npos == 3 && !strcmp(pos[0], "user") && !strcmp(pos[1], "add"))
		return cmd_user_add(&o, pos[2]);
	usage(stderr);
	return 2;
}
