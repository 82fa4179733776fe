/*
 * import_pages.c - /settings/import and the import worker (porting_web.h).
 *
 * The page takes an export (the zip Medium, Substack or Quire sent, or
 * WordPress's .xml or a zip of it), keeps it under the data directory
 * and queues a job in the store in the same request; the writer is sent
 * to the job's page, which shows its progress (a small script refreshes
 * it; without one, a link does) and, at the end, the report. The worker
 * is one thread per process with its own store connection.
 */
#include "porting/porting_web.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/wake.h"
#include "porting/import_cmd.h"
#include "porting/porting.h"
#include "store/store.h"
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEASE_SECONDS 600   /* a job's claim, renewed after every post */
#define MAX_ACTIVE 3        /* a writer's imports queued or running at once */
#define JOBS_SHOWN 20
#define PHOTOS_SHOWN 200
#define REPORT_MAX (256 * 1024)
#define IDLE_WAIT_SECONDS 5 /* between looks for jobs queued by other servers */

static const struct {
	const char *kind, *name, *label;
} KINDS[] = {
	{"medium", "Medium", "Medium (the .zip of your export)"},
	{"substack", "Substack", "Substack (the .zip of your export)"},
	{"wordpress", "WordPress", "WordPress (the .xml file, or a .zip of it)"},
	{"quire", "Quire", "Quire (the .zip another Quire exported)"},
};
#define NKINDS (sizeof(KINDS) / sizeof(KINDS[0]))

/* ---- the upload ---- */

static char tmp_dir[4096];
static pthread_once_t tmp_once = PTHREAD_ONCE_INIT;

static void tmp_make(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", web_cfg->data_dir);
	if (mkdir(tmp_dir, 0700) && errno != EEXIST)
		fprintf(stderr, "quire: cannot create %s: %s\n", tmp_dir, strerror(errno));
}

bool import_spool(const struct http_req *req, struct http_spool *sp)
{
	if (req->method != HTTP_POST || strcmp(req->path, "/settings/import") != 0)
		return false;
	pthread_once(&tmp_once, tmp_make);
	sp->dir = tmp_dir;
	sp->field = "file";
	sp->max_file = PORT_MAX_EXPORT;
	sp->max_fields = 16 * 1024;
	return true;
}

static bool signed_in_page(struct http_req *req, struct http_res *res)
{
	if (web_viewer(req)->signed_in)
		return true;
	http_res_redirect(req, res, 303,
			  arena_printf(&req->arena, "/login?return_to=%s", req->path));
	return false;
}

static bool kind_offered(const char *kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (kind && !strcmp(kind, KINDS[i].kind) && import_kind_known(kind))
			return true;
	return false;
}

static const char *status_text(const struct import_job_row *j)
{
	if (!strcmp(j->status, "queued"))
		return "Waiting to start";
	if (!strcmp(j->status, "running"))
		return j->total ? "Importing" : "Reading the export";
	if (!strcmp(j->status, "done"))
		return "Finished";
	return "Finished with problems";
}

static const char *kind_name(const char *kind)
{
	if (!strcmp(kind, "photos"))
		return "Missing photos";
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kind, KINDS[i].kind))
			return KINDS[i].name;
	return kind;
}

static json_t *job_json(struct http_req *req, const struct import_job_row *j)
{
	bool active = !strcmp(j->status, "queued") || !strcmp(j->status, "running");
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:b,s:b,s:s}", "id", j->id, "kind",
			      kind_name(j->kind), "name", j->name[0] ? j->name : "", "status",
			      j->status, "status_text", status_text(j), "done", (json_int_t)j->done,
			      "total", (json_int_t)j->total, "active", active, "failed",
			      !strcmp(j->status, "failed"), "when",
			      web_fmt_date(&req->arena, j->created_at));
	/* "counted": the posts have been counted (a count of 0 is not a
	 * length a <progress> may have, and a queued job has none yet) */
	json_object_set_new(o, "counted", json_boolean(j->total > 0));
	if (!active)
		json_object_set_new(o, "report", json_string(j->report));
	return o;
}

static void store_trouble(struct http_req *req, struct http_res *res)
{
	web_error(req, res, 503, "Something went wrong on our side; please try again.");
}

static void render_page(struct http_req *req, struct http_res *res, int status, const char *error)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	json_t *ctx = web_page_context(req, "Bring your stories");
	json_object_set_new(ctx, "csrf", json_string(v->csrf));
	if (error)
		json_object_set_new(ctx, "error", json_string(error));
	json_t *kinds = json_array();
	for (size_t i = 0; i < NKINDS; i++)
		if (import_kind_known(KINDS[i].kind))
			json_array_append_new(kinds, json_pack("{s:s,s:s}", "kind", KINDS[i].kind,
							      "label", KINDS[i].label));
	json_object_set_new(ctx, "kinds", kinds);
	struct import_job_row *jobs;
	size_t nj;
	json_t *jl = json_array();
	if (store_import_job_list(st, &req->arena, v->user.id, JOBS_SHOWN, &jobs, &nj) == STORE_OK)
		for (size_t i = 0; i < nj; i++)
			json_array_append_new(jl, job_json(req, &jobs[i]));
	json_object_set_new(ctx, "has_jobs", json_boolean(json_array_size(jl) > 0));
	json_object_set_new(ctx, "jobs", jl);
	struct import_photo_row *ph;
	size_t np;
	json_t *pl = json_array();
	if (store_import_photo_list(st, &req->arena, v->user.id, PHOTOS_SHOWN, &ph, &np) == STORE_OK)
		for (size_t i = 0; i < np; i++)
			json_array_append_new(pl, json_pack("{s:s,s:s,s:s,s:I}", "url", ph[i].url,
							    "alt", ph[i].alt, "error", ph[i].error,
							    "tries", (json_int_t)ph[i].tries));
	json_object_set_new(ctx, "missing_count", json_integer((json_int_t)json_array_size(pl)));
	json_object_set_new(ctx, "has_missing", json_boolean(json_array_size(pl) > 0));
	json_object_set_new(ctx, "missing", pl);
	web_page_render(req, res, status, "settings_import", ctx);
	http_res_header(req, res, "Cache-Control", "no-store");
}

void page_import(struct http_req *req, struct http_res *res)
{
	if (!signed_in_page(req, res))
		return;
	render_page(req, res, 200, NULL);
}

/* How many of her imports are queued or running; -1 when the store did
 * not answer. */
static int active_jobs(struct http_req *req, bool photos_only, char running_id[17])
{
	struct import_job_row *jobs;
	size_t n;
	if (store_import_job_list(web_store(req), &req->arena, web_viewer(req)->user.id, JOBS_SHOWN,
				  &jobs, &n))
		return -1;
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(jobs[i].status, "queued") && strcmp(jobs[i].status, "running"))
			continue;
		if (photos_only && strcmp(jobs[i].kind, "photos"))
			continue;
		if (running_id)
			memcpy(running_id, jobs[i].id, 17);
		k++;
	}
	return k;
}

static void poke(void);

/* Copy the spooled upload (fd, from its start) to path, durably: written
 * to path.part, synced, renamed. */
static bool keep_upload(int fd, const char *path, struct arena *a)
{
	const char *part = arena_printf(a, "%s.part", path);
	int out = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return false;
	bool ok = lseek(fd, 0, SEEK_SET) == 0;
	char buf[65536];
	while (ok) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		for (ssize_t off = 0; ok && off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			ok = w > 0;
			off += w > 0 ? w : 0;
		}
	}
	ok = ok && fsync(out) == 0;
	ok = close(out) == 0 && ok;
	ok = ok && rename(part, path) == 0;
	if (!ok)
		unlink(part);
	return ok;
}

/* What the upload is, by its first bytes: ".zip", ".xml" (WordPress
 * only), or NULL. */
static const char *upload_type(int fd, const char *kind)
{
	unsigned char head[64];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	if (n >= 4 && !memcmp(head, "PK\3\4", 4))
		return ".zip";
	if (n <= 0 || strcmp(kind, "wordpress") != 0)
		return NULL;
	ssize_t i = 0;
	if (n >= 3 && !memcmp(head, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	return i < n && head[i] == '<' ? ".xml" : NULL;
}

/* The uploaded file's name as shown: valid UTF-8, no control
 * characters, at most 120 bytes. */
static const char *shown_name(struct arena *a, const char *name)
{
	if (!name || !name[0])
		return "";
	size_t n = strnlen(name, 120);
	while (n && !utf8_valid(name, n))
		n--;
	char *s = arena_strndup(a, name, n);
	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return s;
}

void page_import_post(struct http_req *req, struct http_res *res)
{
	if (!signed_in_page(req, res))
		return;
	if (!web_csrf_ok(req)) {
		render_page(req, res, 403, "This form expired. Please choose the file again.");
		return;
	}
	const char *kind = http_req_form(req, "kind");
	if (!kind_offered(kind)) {
		render_page(req, res, 400, "Choose where the export comes from.");
		return;
	}
	if (req->upload.fd < 0 || req->upload.size == 0) {
		render_page(req, res, 400, "Choose the export file to upload.");
		return;
	}
	const char *type = upload_type(req->upload.fd, kind);
	if (!type) {
		render_page(req, res, 415, !strcmp(kind, "wordpress") ?
				 "This file is neither a WordPress export (.xml) nor a zip of one." :
				 "This file is not a zip file. Upload the .zip the platform sent you, "
				 "as it came.");
		return;
	}
	int active = active_jobs(req, false, NULL);
	if (active < 0) {
		store_trouble(req, res);
		return;
	}
	if (active >= MAX_ACTIVE) {
		render_page(req, res, 429, "Three of your imports are still running. Upload this "
				 "one when one of them has finished.");
		return;
	}
	struct import_job_row j = {0};
	id_new(j.id);
	memcpy(j.user_id, web_viewer(req)->user.id, sizeof(j.user_id));
	j.kind = kind;
	j.file = arena_printf(&req->arena, "imports/%s%s", j.id, type);
	j.name = shown_name(&req->arena, req->upload.filename);
	j.responses = http_req_form(req, "responses") != NULL;
	j.created_at = clock_now();
	const char *dir = arena_printf(&req->arena, "%s/imports", web_cfg->data_dir);
	const char *path = arena_printf(&req->arena, "%s/%s", web_cfg->data_dir, j.file);
	if ((mkdir(dir, 0700) && errno != EEXIST) || !keep_upload(req->upload.fd, path, &req->arena)) {
		fprintf(stderr, "quire: import: cannot keep the upload at %s: %s\n", path,
			strerror(errno));
		web_error(req, res, 507, "There is no room to keep this export on the server.");
		return;
	}
	if (store_import_job_add(web_store(req), &j) != STORE_OK) {
		unlink(path);
		store_trouble(req, res);
		return;
	}
	poke();
	web_flash(req, res, WEB_FLASH_IMPORT_STARTED, NULL);
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/settings/import/%s", j.id));
}

void page_import_photos_post(struct http_req *req, struct http_res *res)
{
	if (!signed_in_page(req, res))
		return;
	if (!web_csrf_ok(req)) {
		render_page(req, res, 403, "This form expired. Please try again.");
		return;
	}
	char running[17] = "";
	int active = active_jobs(req, true, running);
	if (active < 0) {
		store_trouble(req, res);
		return;
	}
	if (active > 0) {
		http_res_redirect(req, res, 303,
				  arena_printf(&req->arena, "/settings/import/%s", running));
		return;
	}
	struct import_job_row j = {0};
	id_new(j.id);
	memcpy(j.user_id, web_viewer(req)->user.id, sizeof(j.user_id));
	j.kind = "photos";
	j.file = "";
	j.name = "";
	j.created_at = clock_now();
	if (store_import_job_add(web_store(req), &j) != STORE_OK) {
		store_trouble(req, res);
		return;
	}
	poke();
	web_flash(req, res, WEB_FLASH_IMPORT_PHOTOS, NULL);
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/settings/import/%s", j.id));
}

void page_import_job(struct http_req *req, struct http_res *res)
{
	if (!signed_in_page(req, res))
		return;
	const char *id = http_req_param(req, "id");
	struct import_job_row j;
	enum store_err e = id_valid(id) ? store_import_job_get(web_store(req), &req->arena, id, &j) :
					  STORE_NOT_FOUND;
	if (e == STORE_OK && strcmp(j.user_id, web_viewer(req)->user.id) != 0)
		e = STORE_NOT_FOUND;
	if (e) {
		if (e == STORE_NOT_FOUND)
			web_error(req, res, 404, "There is no such import of yours.");
		else
			store_trouble(req, res);
		return;
	}
	json_t *o = job_json(req, &j);
	const char *fmt = http_req_query(req, "format");
	if (fmt && !strcmp(fmt, "json")) {
		res->status = 200;
		res->content_type = "application/json";
		char *s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (s) {
			buf_adds(&res->body, s);
			free(s);
		}
		http_res_header(req, res, "Cache-Control", "no-store");
		return;
	}
	json_t *ctx = web_page_context(req, "Your import");
	json_object_set_new(ctx, "job", o);
	json_object_set_new(ctx, "import_js", json_string(web_static_url("import.js")));
	web_page_render(req, res, 200, "settings_import_job", ctx);
	http_res_header(req, res, "Cache-Control", "no-store");
}

/* ---- the worker ---- */

/* One claimant per thread: a lease names the thread holding it, so a job
 * whose lease ran out is never run by two threads of one server. */
struct import_worker {
	pthread_t thread;
	char who[96];
};

static struct {
	struct wake wake;
	bool allow_private;
	unsigned n; /* threads started */
	struct import_worker w[IMPORT_WORKERS_MAX];
} W = {.wake = WAKE_INIT};

/* An upload was queued: a worker looks at once. */
static void poke(void)
{
	wake_poke(&W.wake);
}

struct job_run {
	struct store *st;
	const char *id, *who;
	bool stopped, lost;
};

static bool on_progress(void *ctx, size_t done, size_t total)
{
	struct job_run *r = ctx;
	if (!wake_running(&W.wake, NULL)) {
		r->stopped = true;
		return false;
	}
	int64_t now = clock_now();
	if (store_import_job_progress(r->st, r->id, r->who, (int64_t)done, (int64_t)total,
				      now + LEASE_SECONDS) == STORE_NOT_FOUND) {
		r->lost = true; /* another worker holds it now */
		return false;
	}
	return true;
}

/* The report as the store keeps it: valid UTF-8, at most REPORT_MAX. */
static char *clean_report(char *s, size_t n)
{
	if (n > REPORT_MAX) {
		n = REPORT_MAX;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		s[n] = '\0';
	}
	if (!utf8_valid(s, n))
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)s[i] >= 0x80)
				s[i] = '?';
	return s;
}

static void run_job(struct store *st, struct arena *a, const char *who,
		    const struct import_job_row *j)
{
	struct user_row u;
	bool photos = !strcmp(j->kind, "photos");
	const char *path = photos ? NULL : arena_printf(a, "%s/%s", web_cfg->data_dir, j->file);
	const char *why = NULL;
	if (store_user_by_id(st, a, j->user_id, &u) != STORE_OK)
		why = "The account this import was for is gone.\n";
	else if (!photos && !import_kind_known(j->kind))
		why = "This kind of export cannot be read by this version of Quire.\n";
	else if (path && access(path, R_OK) != 0)
		why = "The uploaded file is not on this server any more; please upload it again.\n";
	if (why) {
		if (store_import_job_finish(st, j->id, who, "failed", why, clock_now()))
			fprintf(stderr, "quire: import %s: could not record its end\n", j->id);
		return;
	}
	char *rep = NULL;
	size_t rl = 0;
	FILE *out = open_memstream(&rep, &rl);
	if (!out) {
		if (store_import_job_release(st, j->id, who))
			fprintf(stderr, "quire: import %s: could not give it back\n", j->id);
		return;
	}
	struct job_run r = {.st = st, .id = j->id, .who = who};
	struct import_args args = {
		.kind = photos ? NULL : j->kind,
		.path = path,
		.name = j->name[0] ? j->name : "the uploaded file",
		.include_responses = j->responses,
		.allow_private = W.allow_private,
		.retry_photos = photos,
		.fetch_photos = true,
		.out = out,
		.err = out,
		.progress = on_progress,
		.progress_ctx = &r,
	};
	fprintf(stderr, "quire: import %s (%s for @%s) started\n", j->id, j->kind, u.handle);
	int rc = import_export(st, &u, &args);
	fclose(out);
	if (r.stopped) {
		if (store_import_job_release(st, j->id, who))
			fprintf(stderr, "quire: import %s: could not give it back\n", j->id);
	} else if (!r.lost) {
		const char *report = clean_report(rep, rl);
		if (store_import_job_finish(st, j->id, who, rc ? "failed" : "done", report,
					    clock_now()) == STORE_OK) {
			if (path)
				unlink(path);
		} else {
			fprintf(stderr, "quire: import %s: could not record its end\n", j->id);
		}
	}
	fprintf(stderr, "quire: import %s %s\n", j->id,
		r.stopped ? "stopped (it goes on at the next start)" :
		r.lost ? "taken over by another worker" : rc ? "finished with problems" : "finished");
	free(rep);
}

static void *worker(void *arg)
{
	const char *who = ((struct import_worker *)arg)->who;
	struct store *st = NULL;
	char err[256];
	if (store_open(web_cfg->db_url, &st, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "quire: import worker: cannot open the store: %s\n", err);
		return NULL;
	}
	uint64_t seen;
	while (wake_running(&W.wake, &seen)) {
		struct arena a;
		arena_init(&a);
		struct import_job_row j;
		int64_t now = clock_now();
		enum store_err e = store_import_job_claim(st, &a, who, now, now + LEASE_SECONDS, &j);
		if (e == STORE_OK)
			run_job(st, &a, who, &j);
		arena_release(&a);
		if (e != STORE_OK)
			wake_sleep(&W.wake, seen, IDLE_WAIT_SECONDS);
	}
	store_close(st);
	return NULL;
}

bool import_worker_start(unsigned n, bool allow_private)
{
	char host[64] = "";
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "host");
	if (n > IMPORT_WORKERS_MAX)
		n = IMPORT_WORKERS_MAX;
	W.allow_private = allow_private;
	wake_start(&W.wake);
	for (W.n = 0; W.n < n; W.n++) {
		struct import_worker *w = &W.w[W.n];
		char rnd[17];
		id_new(rnd);
		snprintf(w->who, sizeof(w->who), "%s:%ld:%s", host, (long)getpid(), rnd);
		if (pthread_create(&w->thread, NULL, worker, w) != 0) {
			fprintf(stderr, "quire: cannot start import worker %u of %u\n", W.n + 1, n);
			break;
		}
	}
	return W.n == n;
}

void import_worker_stop(void)
{
	wake_stop(&W.wake);
	for (unsigned i = 0; i < W.n; i++)
		pthread_join(W.w[i].thread, NULL);
	W.n = 0;
}
