/*
 * media_pages.c - photos over HTTP: the upload form and JSON API, the
 * variant files, the <picture> data for story pages, the sensitive-photo
 * gate, and removal of files nothing references. Access is always asked
 * of audience/ through the photo's story; libvips is in ingest.c only.
 */
#include "media/media_int.h"
#include "audience/audience.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/text.h"
#include "web/page_cache.h"
#include "web/web.h"
#include "stories/stories_web.h"
#include "store/store_media.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PHOTO_ALT_MAX_CHARS 500
#define PHOTO_CAPTION_MAX_CHARS 500
#define PHOTO_NOTE_MAX_CHARS 120
#define SIZES_ATTR "(min-width: 60rem) 56rem, 100vw"

/* ---- configuration, locks ---- */

static struct media_limits limits;
static pthread_once_t limits_once = PTHREAD_ONCE_INIT;
static char limits_err[200]; /* the first variable with a bad value */

static uint64_t env_u64(const char *name, uint64_t def, uint64_t lo, uint64_t hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || n < lo || n > hi) {
		if (!limits_err[0])
			snprintf(limits_err, sizeof(limits_err),
				 "%s=%.40s: want a whole number from %llu to %llu", name, v,
				 (unsigned long long)lo, (unsigned long long)hi);
		return def;
	}
	return n;
}

static void limits_load(void)
{
	limits.max_bytes = env_u64("QUIRE_PHOTO_MAX_BYTES", (uint64_t)40 << 20, 1024,
				   (uint64_t)1 << 32);
	limits.max_pixels = env_u64("QUIRE_PHOTO_MAX_PIXELS", 40000000, 1, 200000000);
	limits.max_side = (unsigned)env_u64("QUIRE_PHOTO_MAX_SIDE", 12000, 1, 30000);
	limits.ingests = (unsigned)env_u64("QUIRE_PHOTO_INGESTS", 2, 1, 64);
	limits.per_story = (unsigned)env_u64("QUIRE_PHOTOS_PER_STORY", 100, 1, 1000);
	limits.encoders = (unsigned)env_u64("QUIRE_PHOTO_ENCODERS", 2, 1, 8);
	limits.timeout_secs = (unsigned)env_u64("QUIRE_PHOTO_TIMEOUT", 60, 1, 3600);
	limits.worker_memory = env_u64("QUIRE_PHOTO_WORKER_MB", 320, 32, 65536) << 20;
	limits.queue = (unsigned)env_u64("QUIRE_PHOTO_QUEUE", 32, 0, 10000);
	limits.per_user = (unsigned)env_u64("QUIRE_PHOTO_UPLOADS_PER_USER", 4, 1, 10000);
	limits.queue_wait = (unsigned)env_u64("QUIRE_PHOTO_QUEUE_WAIT", 60, 1, 3600);
}

const struct media_limits *media_limits(void)
{
	pthread_once(&limits_once, limits_load);
	return &limits;
}

const char *media_limits_error(void)
{
	media_limits();
	return limits_err[0] ? limits_err : NULL;
}

static char media_path[4096];
static pthread_once_t dir_once = PTHREAD_ONCE_INIT;

static void dir_make(void)
{
	snprintf(media_path, sizeof(media_path), "%s/media", web_cfg->data_dir);
	if (mkdir(media_path, 0750) && errno != EEXIST)
		fprintf(stderr, "quire: cannot create %s: %s\n", media_path, strerror(errno));
}

const char *media_dir(void)
{
	pthread_once(&dir_once, dir_make);
	return media_path;
}

static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;

bool media_files_lock(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += MEDIA_FILES_LOCK_SECS;
	if (pthread_mutex_timedlock(&files_lock, &until) == 0)
		return true;
	fprintf(stderr, "quire: photo files busy for %d s; giving up\n", MEDIA_FILES_LOCK_SECS);
	return false;
}

void media_files_unlock(void)
{
	pthread_mutex_unlock(&files_lock);
}

const char *media_strerror(enum media_err e)
{
	switch (e) {
	case MEDIA_OK: return "ok";
	case MEDIA_EMPTY: return "The file is empty.";
	case MEDIA_TOO_LARGE: return "The file is larger than this server accepts.";
	case MEDIA_UNSUPPORTED:
		return "That is not a photo this site accepts (JPEG, PNG, WebP, HEIC or GIF).";
	case MEDIA_TOO_MANY_PIXELS: return "The image has more pixels than this site accepts.";
	case MEDIA_UNDECODABLE: return "The image is damaged or cut short and cannot be read.";
	case MEDIA_IO: return "Could not store the photo.";
	case MEDIA_TIMEOUT: return "The photo took too long to process.";
	case MEDIA_NO_MEMORY:
		return "The image needs more memory to decode than this site allows.";
	case MEDIA_STOPPED: return "The server is restarting; upload the photo again in a moment.";
	}
	return "error";
}

int media_err_status(enum media_err e)
{
	switch (e) {
	case MEDIA_TOO_LARGE: return 413;
	case MEDIA_UNSUPPORTED: return 415;
	case MEDIA_IO: return 500;
	case MEDIA_STOPPED: return 503;
	case MEDIA_OK: return 200;
	default: return 422;
	}
}

/* "/<prefix>/<16 hex>/photos" */
static bool upload_path(const char *path, const char *prefix)
{
	size_t pl = strlen(prefix);
	if (strncmp(path, prefix, pl) != 0)
		return false;
	char id[17];
	if (strlen(path + pl) != 16 + 7)
		return false;
	memcpy(id, path + pl, 16);
	id[16] = '\0';
	return id_valid(id) && strcmp(path + pl + 16, "/photos") == 0;
}

static char tmp_path[4096];
static pthread_once_t tmp_once = PTHREAD_ONCE_INIT;

static void tmp_make(void)
{
	snprintf(tmp_path, sizeof(tmp_path), "%s/tmp", web_cfg->data_dir);
	if (mkdir(tmp_path, 0700) && errno != EEXIST)
		fprintf(stderr, "quire: cannot create %s: %s\n", tmp_path, strerror(errno));
}

bool media_spool(const struct http_req *req, struct http_spool *sp)
{
	if (!upload_path(req->path, "/api/v1/stories/") && !upload_path(req->path, "/edit/") &&
	    strcmp(req->path, "/settings/avatar") != 0 && strcmp(req->path, "/admin/logo") != 0)
		return false;
	pthread_once(&tmp_once, tmp_make);
	sp->dir = tmp_path;
	sp->field = "file";
	sp->max_file = media_limits()->max_bytes;
	sp->max_fields = 64 * 1024;
	return true;
}

/* ---- the photo and its story ---- */

static const char *viewer_id(struct http_req *req)
{
	const struct viewer *v = web_viewer(req);
	return v->signed_in ? v->user.id : NULL;
}

/* The MAC of a photo grant: photo photo_id, fetched as reader uid. */
static void grant_mac(const char *photo_id, const char *uid, char out[65])
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "photo-grant:%s:%s", photo_id, uid);
	mac_hex(web_cfg->key, msg, n > 0 ? (size_t)n : 0, out);
}

/* The reader a valid ?r= grant for photo_id names (arena), or NULL. */
static const char *grant_reader(struct http_req *req, const char *photo_id)
{
	const char *r = http_req_query(req, "r");
	if (!r || strlen(r) != 49 || r[16] != '.')
		return NULL;
	char uid[17], mac[65];
	memcpy(uid, r, 16);
	uid[16] = '\0';
	if (!id_valid(uid))
		return NULL;
	grant_mac(photo_id, uid, mac);
	if (!ct_equal(mac, r + 17, 32))
		return NULL;
	/* A reader who is suspended lends nobody her sight. */
	struct user_row u;
	if (store_user_by_id(web_store(req), &req->arena, uid, &u) || u.suspended_at)
		return NULL;
	return arena_strdup(&req->arena, uid);
}

/* Load photo {id} and its story; false (and a 404 answered) when either
 * is missing or the viewer may not see the story. */
static bool load_photo(struct http_req *req, struct http_res *res, struct photo_row *p,
		       struct story_row *s)
{
	struct store *st = web_store(req);
	const char *id = http_req_param(req, "id");
	/* ?k= carries an unlisted story's share key, as its page does. */
	const char *key = http_req_query(req, "k");
	/* ?r= a grant, from a rendering for one reader away from the site. */
	const char *vid = id_valid(id) ? grant_reader(req, id) : NULL;
	if (!vid)
		vid = viewer_id(req);
	if (!id_valid(id) || store_photo_get(st, &req->arena, id, p) ||
	    store_story_get(st, &req->arena, p->story_id, s) ||
	    !(key ? audience_may_see_story_key(st, vid, s, key) : audience_may_see_story(st, vid, s)) ||
	    !audience_may_see_photo(st, vid, s, p->audience, p->circle_id)) {
		web_error(req, res, 404, "No such photo.");
		return false;
	}
	return true;
}

static const char *variant_url_key(struct http_req *req, const char *photo_id,
				   const struct photo_variant_row *v, const char *key)
{
	const char *reader = web_req(req)->photo_reader;
	const char *grant = "";
	if (reader) {
		char mac[65];
		grant_mac(photo_id, reader, mac);
		grant = arena_printf(&req->arena, "%sr=%s.%.32s", key ? "&" : "?", reader, mac);
	}
	return arena_printf(&req->arena, "/photos/%s/%lld.%s%s%s%s", photo_id, (long long)v->width,
			    strcmp(v->format, "webp") == 0 ? "webp" : "jpg", key ? "?k=" : "",
			    key ? key : "", grant);
}

static const char *variant_url(struct http_req *req, const char *photo_id,
			       const struct photo_variant_row *v)
{
	return variant_url_key(req, photo_id, v, NULL);
}

/* Markdown that shows the photo: ![alt](photo:ID "caption"). */
static const char *photo_markdown(struct arena *a, const struct photo_row *p)
{
	struct buf b;
	buf_init(&b, 4096);
	buf_adds(&b, "![");
	for (const char *c = p->alt; *c; c++) {
		if (strchr("\\[]*_`<>!", *c))
			buf_addch(&b, '\\');
		buf_addch(&b, *c);
	}
	buf_addf(&b, "](photo:%s", p->id);
	if (p->caption[0]) {
		buf_adds(&b, " \"");
		for (const char *c = p->caption; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_addch(&b, '\\');
			buf_addch(&b, *c);
		}
		buf_addch(&b, '"');
	}
	buf_addch(&b, ')');
	char *out = arena_strdup(a, buf_str(&b));
	buf_release(&b);
	return out;
}

/* Whether the viewer wrote the story of photo p. */
static bool s_is_author(struct http_req *req, const struct photo_row *p)
{
	struct story_row s;
	const char *vid = viewer_id(req);
	return vid && store_story_get(web_store(req), &req->arena, p->story_id, &s) == STORE_OK &&
	       audience_may_edit_story(vid, &s);
}

static json_t *photo_json(struct http_req *req, const struct photo_row *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "story_id", json_string(p->story_id));
	json_object_set_new(o, "alt", json_string(p->alt));
	json_object_set_new(o, "caption", json_string(p->caption));
	json_object_set_new(o, "sensitive", json_boolean(p->sensitive));
	json_object_set_new(o, "note", json_string(p->note));
	json_object_set_new(o, "width", json_integer(p->width));
	json_object_set_new(o, "height", json_integer(p->height));
	json_object_set_new(o, "markdown", json_string(photo_markdown(&req->arena, p)));
	json_object_set_new(o, "audience", json_string(p->audience));
	/* Which circle is the writer's business: others only learn that
	 * they are in the photo's audience, by seeing it. */
	json_object_set_new(o, "circle_id",
			    p->circle_id[0] && viewer_id(req) && s_is_author(req, p) ?
				    json_string(p->circle_id) : json_null());
	json_t *vs = json_array();
	for (size_t i = 0; i < p->nvariants; i++) {
		const struct photo_variant_row *v = &p->variants[i];
		json_array_append_new(vs, json_pack("{s:s,s:I,s:I,s:s}", "url",
						    web_url(req, variant_url(req, p->id, v)),
						    "width", (json_int_t)v->width, "height",
						    (json_int_t)v->height, "format", v->format));
	}
	json_object_set_new(o, "variants", vs);
	return o;
}

/* ---- files ---- */

/* Unlink the files among hashes[0..n) that no row references any more.
 * Call with the files lock held. */
static void unlink_unused(struct store *st, struct arena *a, char (*hashes)[65], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool unused = false;
		if (store_hash_unused(st, hashes[i], &unused) || !unused)
			continue;
		if (store_blob_delete(st, hashes[i]))
			continue; /* keep the file while the blob stays */
		unlink(media_file_path(a, hashes[i], "webp"));
		unlink(media_file_path(a, hashes[i], "jpeg"));
	}
}

static enum store_err photo_remove(struct store *st, struct arena *a, const char *id)
{
	char hashes[PHOTO_MAX_VARIANTS][65];
	size_t n = 0;
	if (!media_files_lock())
		return STORE_ERROR;
	enum store_err e = store_photo_delete(st, id, hashes, PHOTO_MAX_VARIANTS, &n);
	if (!e)
		unlink_unused(st, a, hashes, n);
	media_files_unlock();
	return e;
}

void media_collect(struct store *st)
{
	struct arena a;
	arena_init(&a);
	char id[17];
	for (int i = 0; i < 10000 && store_photo_orphan(st, id) == STORE_OK; i++)
		if (photo_remove(st, &a, id))
			break;
	arena_release(&a);
}

/* ---- upload ---- */

struct photo_fields {
	const char *alt, *caption, *note;
	int sensitive; /* -1: not given */
	const char *audience;  /* NULL: not given */
	const char *circle_id; /* for "circle" */
};

/* Check f's audience for a photo of story s and settle it on p; NULL or
 * a message. Not given: p keeps its own. */
static const char *audience_apply(struct http_req *req, const struct story_row *s,
				  const struct photo_fields *f, struct photo_row *p)
{
	if (!f->audience && !f->circle_id)
		return NULL;
	const char *aud = f->audience ? f->audience : p->audience;
	if (f->audience && !*f->audience)
		aud = "story";
	if (!audience_photo_valid(aud))
		return "A photo's audience is \"story\", \"circle\" or \"private\".";
	if (strcmp(aud, "circle") == 0) {
		const char *cid = f->circle_id && *f->circle_id ? f->circle_id : p->circle_id;
		struct circle_row c;
		if (!cid || !id_valid(cid) ||
		    store_circle_get(web_store(req), &req->arena, cid, &c) ||
		    strcmp(c.owner_id, s->author_id) != 0)
			return "Choose one of your circles for a photo shared with a circle.";
		snprintf(p->circle_id, sizeof(p->circle_id), "%s", cid);
	} else {
		p->circle_id[0] = '\0';
	}
	p->audience = aud;
	return NULL;
}

static bool line_ok(const char *s, size_t max_chars)
{
	size_t n = strlen(s);
	return utf8_valid(s, n) && !text_has_controls(s, n, false) && utf8_count(s, n) <= max_chars;
}

/* Check f (missing fields allowed when patching); NULL or a message. */
static const char *fields_check(const struct photo_fields *f, bool create)
{
	if (create && (!f->alt || !f->alt[0]))
		return "Describe the photo in a few words (alt text) for readers who cannot see it.";
	if (f->alt && !f->alt[0])
		return "Alt text cannot be empty.";
	if (f->alt && !line_ok(f->alt, PHOTO_ALT_MAX_CHARS))
		return "Alt text is one line of at most 500 characters.";
	if (f->caption && !line_ok(f->caption, PHOTO_CAPTION_MAX_CHARS))
		return "The caption is one line of at most 500 characters.";
	if (f->note && !line_ok(f->note, PHOTO_NOTE_MAX_CHARS))
		return "The content note is one line of at most 120 characters.";
	return NULL;
}

static int flag_of(const char *v)
{
	if (!v)
		return -1;
	if (!strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "yes"))
		return 1;
	if (!strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no") ||
	    !*v)
		return 0;
	return -2;
}

static void trim_fields(struct arena *a, struct photo_fields *f)
{
	const char **all[] = {&f->alt, &f->caption, &f->note};
	for (size_t i = 0; i < 3; i++) {
		const char *s = *all[i];
		if (!s)
			continue;
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = strlen(s);
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		*all[i] = arena_strndup(a, s, n);
	}
}

/* 0 while story_id has room for one more photo, else the status. */
static int story_full(struct store *st, const char *story_id, const char **msg)
{
	int64_t n;
	if (store_photo_count(st, story_id, &n)) {
		*msg = media_strerror(MEDIA_IO);
		return 500;
	}
	if (n < (int64_t)media_limits()->per_story)
		return 0;
	*msg = "This story already holds as many photos as this site allows. "
	       "Delete one to add another.";
	return 409;
}

/* Store the decoded photo in as p (the writer's fields already in p) on
 * story_id: files, blobs and rows, under the files lock. 0, or the HTTP
 * status with *msg. */
static int photo_store(struct store *st, struct arena *a, const struct media_ingest *in,
		       const char *story_id, struct photo_row *p, const char **msg)
{
	p->width = in->width;
	p->height = in->height;
	p->preview = in->preview;
	p->created_at = clock_now();
	for (size_t i = 0; i < in->nblobs && i < PHOTO_MAX_VARIANTS; i++) {
		struct photo_variant_row *v = &p->variants[p->nvariants++];
		v->format = in->blobs[i].format;
		v->width = in->blobs[i].width;
		v->height = in->blobs[i].height;
		memcpy(v->hash, in->blobs[i].hash, sizeof(v->hash));
		v->bytes = (int64_t)in->blobs[i].len;
	}
	if (!media_files_lock()) {
		*msg = "The photo store is busy; upload the photo again in a moment.";
		return 503;
	}
	/* Uploads running side by side all passed the first check; rows are
	 * only inserted under this lock, so this one is exact. */
	int status = story_full(st, story_id, msg);
	if (status) {
		media_files_unlock();
		return status;
	}
	enum media_err e = media_write(st, a, in);
	enum store_err se = e ? STORE_OK : store_photo_insert(st, p);
	if (e || se) {
		/* Files this upload added and no row names: remove them. */
		char hashes[MEDIA_MAX_BLOBS][65];
		for (size_t i = 0; i < in->nblobs; i++)
			memcpy(hashes[i], in->blobs[i].hash, 65);
		unlink_unused(st, a, hashes, in->nblobs);
	}
	media_files_unlock();
	if (e || se) {
		*msg = media_strerror(MEDIA_IO);
		return 500;
	}
	return 0;
}

static bool write_fully(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

int media_photo_add(struct store *st, struct arena *a, const void *data, size_t len,
		    struct photo_row *p, const char **msg)
{
	*msg = NULL;
	int fd = memfd_create("quire-photo", MFD_CLOEXEC);
	if (fd < 0 || !write_fully(fd, data, len) || lseek(fd, 0, SEEK_SET) != 0) {
		if (fd >= 0)
			close(fd);
		*msg = media_strerror(MEDIA_IO);
		return 500;
	}
	enum media_kind kind;
	enum media_err e = media_precheck(fd, len, &kind);
	if (e) {
		close(fd);
		*msg = media_strerror(e);
		return media_err_status(e);
	}
	struct media_ingest in = {0};
	e = media_decode_isolated(fd, len, a, &in, NULL);
	close(fd);
	if (e) {
		*msg = media_strerror(e);
		return media_err_status(e);
	}
	if (!p->id[0])
		id_new(p->id);
	if (!p->audience)
		p->audience = "story";
	if (!p->caption)
		p->caption = "";
	if (!p->note)
		p->note = "";
	if (!p->alt)
		p->alt = "";
	return photo_store(st, a, &in, p->story_id, p, msg);
}

/*
 * An upload on its way through the photo queue (pool.c): a photo of a
 * story, an avatar or the site's logo. Made on the request's thread and
 * handed over by upload_submit(); run on a pool thread, which decodes it
 * in a worker and has keep() store what it made, filling status/msg;
 * answered back on the request's thread by the route's resume function;
 * freed with the request's arena.
 */
struct upload_job {
	struct media_job job;     /* first: the queue's part */
	struct http_req *req;     /* suspended until the job ends */
	int fd;                   /* our own descriptor of the spooled upload */
	uint64_t size;
	struct arena arena;       /* the worker's answer */
	struct media_ingest in;
	int status;               /* 0: stored; else the HTTP status */
	const char *msg;
	unsigned retry_after;     /* with 503 and 429 */
	/* On the pool thread, with in decoded: store it with st; 0 or an
	 * HTTP status with msg set. */
	int (*keep)(struct upload_job *u, struct store *st);
};

/* A job of size bytes whose first member is a struct upload_job. */
static void *upload_new(size_t size, int (*keep)(struct upload_job *, struct store *))
{
	struct upload_job *u = xcalloc(1, size);
	arena_init(&u->arena);
	u->fd = -1;
	u->keep = keep;
	return u;
}

static void upload_free(void *ctx)
{
	struct upload_job *u = ctx;
	if (u->fd >= 0)
		close(u->fd);
	arena_release(&u->arena);
	free(u);
}

/* On a pool thread: decode in a worker, then keep it with this thread's
 * connection st. */
static void upload_run(struct media_job *mj, struct store *st)
{
	struct upload_job *u = (struct upload_job *)(void *)mj;
	enum media_err e = media_decode_isolated(u->fd, u->size, &u->arena, &u->in, &mj->cancel);
	close(u->fd);
	u->fd = -1;
	if (e) {
		u->status = media_err_status(e);
		u->msg = media_strerror(e);
		u->retry_after = 5;
		return;
	}
	if (!st) {
		u->status = 500;
		u->msg = media_strerror(MEDIA_IO);
		return;
	}
	u->status = u->keep(u, st);
	if (u->status == 503)
		u->retry_after = 5;
}

/* On a pool thread, after run() or instead of it. */
static void upload_end(struct media_job *mj)
{
	struct upload_job *u = (struct upload_job *)(void *)mj;
	if (mj->refused) {
		u->status = mj->refused;
		u->retry_after = mj->retry_after;
		u->msg = "Too many photos are being processed right now; "
			 "upload this one again in a moment.";
	}
	http_req_resume(u->req);
}

/* Queue u (from upload_new()) with its own descriptor of req's upload;
 * answer(req, res, u) fills the response once it has ended. 0 when
 * queued (the request is then deferred); otherwise the HTTP status (500,
 * or the queue's 429 or 503 with *retry in seconds), and u is freed. */
static int upload_submit(struct http_req *req, struct upload_job *u, http_resume_fn answer,
			 unsigned *retry)
{
	*retry = 0;
	u->req = req;
	u->fd = fcntl(req->upload.fd, F_DUPFD_CLOEXEC, 3);
	u->size = req->upload.size;
	memcpy(u->job.user_id, web_viewer(req)->user.id, sizeof(u->job.user_id));
	u->job.run = upload_run;
	u->job.end = upload_end;
	int status = u->fd < 0 ? 500 : media_pool_submit(&u->job, retry);
	if (status) {
		upload_free(u);
		return status;
	}
	/* Freed when the request ends, which cannot happen before the job
	 * has ended (the request is suspended until then). */
	arena_defer(&req->arena, upload_free, u);
	http_req_defer(req, answer, u);
	return 0;
}

/* A photo of a story. */
struct photo_job {
	struct upload_job up;     /* first */
	char story_id[17];
	struct photo_row photo;   /* the writer's fields in; the rest out */
};

static int photo_keep(struct upload_job *u, struct store *st)
{
	struct photo_job *j = (struct photo_job *)(void *)u;
	return photo_store(st, &u->arena, &u->in, j->story_id, &j->photo, &u->msg);
}

static void retry_after(struct http_req *req, struct http_res *res, int status, unsigned secs)
{
	if (status == 429 || status == 503)
		http_res_header(req, res, "Retry-After", arena_printf(&req->arena, "%u", secs));
}

/*
 * Check req's upload as a photo of story s with fields f and hand it to
 * the photo queue; answer(req, res, job) will fill the response once the
 * photo is stored or refused. Returns 0 when queued (the request is then
 * deferred); otherwise the HTTP status, with *msg set and, for 429 and
 * 503, *retry set in seconds. Nothing is left on disk after a failure.
 */
static int photo_submit(struct http_req *req, const struct story_row *s, struct photo_fields *f,
			http_resume_fn answer, const char **msg, unsigned *retry)
{
	*retry = 0;
	trim_fields(&req->arena, f);
	if ((*msg = fields_check(f, true)))
		return 422;
	if (f->sensitive == -2) {
		*msg = "\"sensitive\" is true or false.";
		return 422;
	}
	/* Its audience is checked before anything is queued or decoded. */
	struct photo_row aud = {.audience = "story"};
	if ((*msg = audience_apply(req, s, f, &aud)))
		return 422;
	if (req->upload.fd < 0) {
		*msg = "Choose a photo to upload (form field \"file\").";
		return 422;
	}
	/* Empty, too large or not a photo: answered at once, never queued. */
	enum media_kind kind;
	enum media_err pe = media_precheck(req->upload.fd, req->upload.size, &kind);
	if (pe) {
		*msg = media_strerror(pe);
		return media_err_status(pe);
	}
	struct store *st = web_store(req);
	int full = story_full(st, s->id, msg);
	if (full)
		return full;
	struct photo_job *j = upload_new(sizeof(*j), photo_keep);
	memcpy(j->story_id, s->id, sizeof(j->story_id));
	struct photo_row *p = &j->photo;
	id_new(p->id);
	memcpy(p->story_id, s->id, sizeof(p->story_id));
	p->alt = f->alt;
	p->caption = f->caption ? f->caption : "";
	p->note = f->note ? f->note : "";
	p->sensitive = f->sensitive == 1;
	p->audience = aud.audience;
	memcpy(p->circle_id, aud.circle_id, sizeof(p->circle_id));
	int status = upload_submit(req, &j->up, answer, retry);
	if (status)
		*msg = status == 429 ? "You have as many photos on their way as this site allows "
				       "at once; upload this one when they are done." :
		       status == 503 ? "Too many photos are being processed right now; "
				       "upload this one again in a moment." :
				       media_strerror(MEDIA_IO);
	return status;
}

/* The story {id} for a photo upload: the viewer's own, visible story. */
static bool load_own_story(struct http_req *req, struct story_row *s)
{
	const char *id = http_req_param(req, "id");
	const char *vid = viewer_id(req);
	struct store *st = web_store(req);
	return vid && id_valid(id) && store_story_get(st, &req->arena, id, s) == STORE_OK &&
	       audience_may_see_story(st, vid, s) && audience_may_edit_story(vid, s);
}

/* ---- JSON API ---- */

static bool api_auth(struct http_req *req, struct http_res *res)
{
	if (!web_viewer(req)->signed_in) {
		web_json_error(req, res, 401, "unauthorized",
			   "Sign in first: POST /api/v1/tokens, then send Authorization: Bearer TOKEN.");
		return false;
	}
	if (!web_csrf_ok(req)) {
		web_json_error(req, res, 403, "csrf",
			   "Cookie-authenticated API writes need the X-CSRF-Token header.");
		return false;
	}
	return true;
}

static const char *status_word(int status)
{
	switch (status) {
	case 409: return "photo_limit";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 422: return "invalid";
	case 429: return "rate_limited";
	case 503: return "unavailable";
	default: return "internal";
	}
}

/* The upload's answer, once the queue is done with it. */
static void api_photo_answer(struct http_req *req, struct http_res *res, void *ctx)
{
	struct photo_job *j = ctx;
	if (j->up.status) {
		retry_after(req, res, j->up.status, j->up.retry_after);
		web_json_error(req, res, j->up.status, status_word(j->up.status), j->up.msg);
		return;
	}
	http_res_header(req, res, "Location",
			arena_printf(&req->arena, "/api/v1/photos/%s", j->photo.id));
	web_json_reply(req, res, 201, photo_json(req, &j->photo));
}

void api_photo_create(struct http_req *req, struct http_res *res)
{
	if (!api_auth(req, res))
		return;
	struct story_row s;
	if (!load_own_story(req, &s)) {
		web_json_error(req, res, 404, "not_found", "No such story of yours.");
		return;
	}
	struct photo_fields f = {http_req_form(req, "alt"), http_req_form(req, "caption"),
				 http_req_form(req, "note"), flag_of(http_req_form(req, "sensitive")),
				 http_req_form(req, "audience"), http_req_form(req, "circle_id")};
	const char *msg = NULL;
	unsigned retry;
	int status = photo_submit(req, &s, &f, api_photo_answer, &msg, &retry);
	if (status) {
		retry_after(req, res, status, retry);
		web_json_error(req, res, status, status_word(status), msg);
	}
}

void api_photo_get(struct http_req *req, struct http_res *res)
{
	struct photo_row p;
	struct story_row s;
	if (load_photo(req, res, &p, &s))
		web_json_reply(req, res, 200, photo_json(req, &p));
}

static bool load_own_photo(struct http_req *req, struct http_res *res, struct photo_row *p,
			   struct story_row *s)
{
	if (!api_auth(req, res) || !load_photo(req, res, p, s))
		return false;
	if (!audience_may_edit_story(viewer_id(req), s)) {
		web_json_error(req, res, 403, "forbidden", "Only the writer can change this photo.");
		return false;
	}
	return true;
}

void api_photo_patch(struct http_req *req, struct http_res *res)
{
	struct photo_row p;
	struct story_row s;
	if (!load_own_photo(req, res, &p, &s))
		return;
	json_t *body = web_json_body(req, res);
	if (!body)
		return;
	struct photo_fields f = {NULL, NULL, NULL, -1, NULL, NULL};
	const char *err = NULL;
	const char *names[] = {"alt", "caption", "note", "audience", "circle_id"};
	const char **dst[] = {&f.alt, &f.caption, &f.note, &f.audience, &f.circle_id};
	for (size_t i = 0; i < 5 && !err; i++) {
		json_t *v = json_object_get(body, names[i]);
		if (!v || (i == 4 && json_is_null(v)))
			continue;
		if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
			err = arena_printf(&req->arena, "\"%s\" must be a string.", names[i]);
		else
			*dst[i] = arena_strdup(&req->arena, json_string_value(v));
	}
	json_t *sv = json_object_get(body, "sensitive");
	if (!err && sv) {
		if (!json_is_boolean(sv))
			err = "\"sensitive\" must be true or false.";
		else
			f.sensitive = json_is_true(sv);
	}
	json_decref(body);
	trim_fields(&req->arena, &f);
	if (!err)
		err = fields_check(&f, false);
	if (!err)
		err = audience_apply(req, &s, &f, &p);
	if (err) {
		web_json_error(req, res, 422, "invalid", err);
		return;
	}
	if (f.alt)
		p.alt = f.alt;
	if (f.caption)
		p.caption = f.caption;
	if (f.note)
		p.note = f.note;
	if (f.sensitive >= 0)
		p.sensitive = f.sensitive;
	if (store_photo_update(web_store(req), &p)) {
		web_json_error(req, res, 500, "internal", "Could not save the photo.");
		return;
	}
	web_json_reply(req, res, 200, photo_json(req, &p));
}

void api_photo_delete(struct http_req *req, struct http_res *res)
{
	struct photo_row p;
	struct story_row s;
	if (!load_own_photo(req, res, &p, &s))
		return;
	if (photo_remove(web_store(req), &req->arena, p.id)) {
		web_json_error(req, res, 500, "internal", "Could not delete the photo.");
		return;
	}
	res->status = 204;
	res->content_type = NULL;
	web_security_headers(req, res);
}

/* ---- serving ---- */

/* A file this node does not have yet: from the store's blob (another app
 * server stored it) into this node's cache. */
static bool media_cache_fetch(struct store *st, struct arena *a, const struct photo_variant_row *v)
{
	unsigned char *data;
	size_t len;
	if (store_blob_get(st, v->hash, &data, &len))
		return false;
	char hex[65];
	hash_token((const char *)data, len, hex);
	bool ok = strcmp(hex, v->hash) == 0 &&
		  media_file_write(a, media_dir(), v->hash, v->format, data, len) == MEDIA_OK;
	if (strcmp(hex, v->hash) != 0)
		fprintf(stderr, "quire: photo blob %.16s... does not match its hash\n", v->hash);
	free(data);
	return ok;
}

const char *media_photo_file(struct store *st, struct arena *a, const struct photo_row *p,
			     const char **format)
{
	const struct photo_variant_row *best = NULL;
	for (size_t i = 0; i < p->nvariants; i++) {
		const struct photo_variant_row *v = &p->variants[i];
		bool jpeg = !strcmp(v->format, "jpeg"), best_jpeg = best && !strcmp(best->format, "jpeg");
		if (!best || (jpeg && !best_jpeg) || (jpeg == best_jpeg && v->width > best->width))
			best = v;
	}
	if (!best)
		return NULL;
	const char *path = media_file_path(a, best->hash, best->format);
	if (access(path, R_OK) != 0 && (errno != ENOENT || !media_cache_fetch(st, a, best)))
		return NULL;
	*format = best->format;
	return path;
}

void page_photo_file(struct http_req *req, struct http_res *res)
{
	struct photo_row p;
	struct story_row s;
	if (!load_photo(req, res, &p, &s))
		return;
	const char *file = http_req_param(req, "file");
	char *end;
	errno = 0;
	long long w = strtoll(file, &end, 10);
	const char *format = NULL;
	if (end != file && !errno && w > 0) {
		if (!strcmp(end, ".webp"))
			format = "webp";
		else if (!strcmp(end, ".jpg"))
			format = "jpeg";
	}
	const struct photo_variant_row *v = NULL;
	for (size_t i = 0; format && i < p.nvariants; i++)
		if (p.variants[i].width == w && !strcmp(p.variants[i].format, format))
			v = &p.variants[i];
	if (!v) {
		web_error(req, res, 404, "No such photo.");
		return;
	}
	int fd = open(media_file_path(&req->arena, v->hash, v->format), O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && media_cache_fetch(web_store(req), &req->arena, v))
		fd = open(media_file_path(&req->arena, v->hash, v->format), O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		web_error(req, res, 404, "No such photo.");
		return;
	}
	/* Public stories' photos may sit in shared caches for good (the URL
	 * never changes meaning); any other only in the viewer's browser. */
	bool public = audience_may_see_story(web_store(req), NULL, &s) &&
		      !audience_photo_narrower(p.audience);
	web_security_headers(req, res);
	http_res_header(req, res, "Cache-Control",
			public ? "public, max-age=31536000, immutable" : "private, max-age=3600");
	const char *etag = arena_printf(&req->arena, "\"%.32s\"", v->hash);
	http_res_header(req, res, "ETag", etag);
	res->content_type = strcmp(v->format, "webp") == 0 ? "image/webp" : "image/jpeg";
	const char *inm = http_req_header(req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		close(fd);
		res->status = 304;
		return;
	}
	res->status = 200;
	http_res_file(res, fd, (uint64_t)sb.st_size);
	/* Anyone may see it: every later request gets this answer as is. */
	if (public)
		page_cache_keep_file(req, res);
}

const void *media_photo_largest(struct store *st, struct arena *a, const struct photo_row *p,
				size_t *len, int64_t *width, int64_t *height)
{
	const struct photo_variant_row *v = NULL;
	for (size_t i = 0; i < p->nvariants; i++)
		if (!strcmp(p->variants[i].format, "jpeg") &&
		    (!v || p->variants[i].width > v->width))
			v = &p->variants[i];
	if (!v)
		return NULL;
	const char *path = media_file_path(a, v->hash, v->format);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && media_cache_fetch(st, a, v))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size <= 0 ||
	    (uint64_t)sb.st_size > media_limits()->max_bytes) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	size_t n = (size_t)sb.st_size, got = 0;
	unsigned char *data = arena_alloc(a, n);
	while (got < n) {
		ssize_t r = read(fd, data + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != n)
		return NULL;
	*len = n;
	*width = v->width;
	*height = v->height;
	return data;
}

/* The largest JPEG no wider than 1600 px, for plain <img src=/photos/ID>. */
static const struct photo_variant_row *default_jpeg(const struct photo_row *p)
{
	const struct photo_variant_row *best = NULL;
	for (size_t i = 0; i < p->nvariants; i++) {
		const struct photo_variant_row *v = &p->variants[i];
		if (strcmp(v->format, "jpeg") != 0)
			continue;
		if (!best || (v->width <= 1600 && v->width > best->width) ||
		    (best->width > 1600 && v->width < best->width))
			best = v;
	}
	return best;
}

void page_photo_redirect(struct http_req *req, struct http_res *res)
{
	struct photo_row p;
	struct story_row s;
	if (!load_photo(req, res, &p, &s))
		return;
	const struct photo_variant_row *v = default_jpeg(&p);
	if (!v) {
		web_error(req, res, 404, "No such photo.");
		return;
	}
	http_res_header(req, res, "Cache-Control", "private, no-cache");
	http_res_redirect(req, res, 302, variant_url(req, p.id, v));
}

/* ---- story pages ---- */

static const char *srcset(struct http_req *req, const struct photo_row *p, const char *format,
			  const char *key)
{
	struct buf b;
	buf_init(&b, 8192);
	for (size_t i = 0; i < p->nvariants; i++) {
		const struct photo_variant_row *v = &p->variants[i];
		if (strcmp(v->format, format) != 0)
			continue;
		buf_addf(&b, "%s%s %lldw", b.len ? ", " : "", variant_url_key(req, p->id, v, key),
			 (long long)v->width);
	}
	char *out = arena_strdup(&req->arena, buf_str(&b));
	buf_release(&b);
	return out;
}

json_t *media_photo_view(struct http_req *req, const struct photo_row *p, bool lazy,
			 const char *show_id, const char *key, bool absolute)
{
	const struct photo_variant_row *fallback = default_jpeg(p);
	json_t *o = json_object();
	const char *src = fallback ? variant_url_key(req, p->id, fallback, key) : "";
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "alt", json_string(p->alt));
	json_object_set_new(o, "caption", json_string(p->caption));
	json_object_set_new(o, "width", json_integer(fallback ? fallback->width : p->width));
	json_object_set_new(o, "height", json_integer(fallback ? fallback->height : p->height));
	json_object_set_new(o, "src", json_string(absolute && *src ? web_url(req, src) : src));
	if (absolute)
		return o; /* feeds and the API: one plain <img> */
	json_object_set_new(o, "width", json_integer(p->width));
	json_object_set_new(o, "height", json_integer(p->height));
	json_object_set_new(o, "webp_srcset", json_string(srcset(req, p, "webp", key)));
	json_object_set_new(o, "jpeg_srcset", json_string(srcset(req, p, "jpeg", key)));
	json_object_set_new(o, "sizes", json_string(SIZES_ATTR));
	json_object_set_new(o, "lazy", json_boolean(lazy));
	bool gated = p->sensitive && !(show_id && strcmp(show_id, p->id) == 0);
	json_object_set_new(o, "gated", json_boolean(gated));
	json_object_set_new(o, "sensitive", json_boolean(p->sensitive));
	json_object_set_new(o, "note", json_string(p->note[0] ? p->note :
						   "This photo may be hard to look at."));
	json_object_set_new(o, "preview_url", json_string(p->preview));
	json_object_set_new(o, "reveal_url",
			    json_string(arena_printf(&req->arena, "?show=%s#photo-%s", p->id, p->id)));
	return o;
}

json_t *media_editor_photos(struct http_req *req, const char *story_id)
{
	size_t max = media_limits()->per_story;
	struct photo_row *rows = arena_alloc(&req->arena, max * sizeof(*rows));
	size_t n = 0;
	json_t *arr = json_array();
	if (store_photo_list(web_store(req), &req->arena, story_id, rows, max, &n))
		return arr;
	struct circle_row *cs = NULL;
	size_t nc = 0;
	if (viewer_id(req) &&
	    store_circle_list(web_store(req), &req->arena, viewer_id(req), &cs, &nc))
		nc = 0;
	for (size_t i = 0; i < n; i++) {
		const struct photo_row *p = &rows[i];
		const struct photo_variant_row *thumb = NULL;
		for (size_t j = 0; j < p->nvariants; j++)
			if (!strcmp(p->variants[j].format, "jpeg") &&
			    (!thumb || p->variants[j].width < thumb->width))
				thumb = &p->variants[j];
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(p->id));
		json_object_set_new(o, "alt", json_string(p->alt));
		json_object_set_new(o, "caption", json_string(p->caption));
		json_object_set_new(o, "sensitive", json_boolean(p->sensitive));
		json_object_set_new(o, "note", json_string(p->note));
		json_object_set_new(o, "aud_story", json_boolean(!strcmp(p->audience, "story")));
		json_object_set_new(o, "aud_circle", json_boolean(!strcmp(p->audience, "circle")));
		json_object_set_new(o, "aud_private", json_boolean(!strcmp(p->audience, "private")));
		json_t *copts = json_array();
		for (size_t k = 0; k < nc; k++)
			json_array_append_new(copts, json_pack("{s:s,s:s,s:b}", "id", cs[k].id, "name",
							       cs[k].name, "selected",
							       !strcmp(cs[k].id, p->circle_id)));
		json_object_set_new(o, "circle_options", copts);
		json_object_set_new(o, "has_circle_options", json_boolean(nc > 0));
		json_object_set_new(o, "markdown", json_string(photo_markdown(&req->arena, p)));
		json_object_set_new(o, "thumb_url",
				    json_string(thumb ? variant_url(req, p->id, thumb) : ""));
		json_object_set_new(o, "action",
				    json_string(arena_printf(&req->arena, "/edit/%s/photos/%s",
							     story_id, p->id)));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* ---- editor (HTML forms) ---- */

static void back_to_editor(struct http_req *req, struct http_res *res, const char *story_id,
			   const char *what)
{
	web_flash(req, res, !strcmp(what, "added") ? WEB_FLASH_PHOTO_ADDED :
		  !strcmp(what, "deleted") ? WEB_FLASH_PHOTO_DELETED : WEB_FLASH_PHOTO_SAVED, NULL);
	http_res_redirect(req, res, 303, arena_printf(&req->arena, "/edit/%s#photos", story_id));
}

/* The editor form's answer, once the queue is done with the upload. */
static void page_photo_answer(struct http_req *req, struct http_res *res, void *ctx)
{
	struct photo_job *j = ctx;
	if (j->up.status) {
		retry_after(req, res, j->up.status, j->up.retry_after);
		web_error(req, res, j->up.status, j->up.msg);
		return;
	}
	/* Without JavaScript nothing else can place the photo: append its
	 * reference to the story as it is now (it may have been saved from
	 * another tab while the photo was decoded), which the writer can then
	 * move. */
	struct story_row s;
	if (store_story_get(web_store(req), &req->arena, j->story_id, &s)) {
		web_error(req, res, 404, "The photo was saved, but its story is gone.");
		return;
	}
	const char *ref = photo_markdown(&req->arena, &j->photo);
	struct story_input in = {0};
	/* A published story's pending draft gets it, as if typed, not readers. */
	const char *cur = s.body;
	struct story_draft_row d;
	bool has = false;
	if (story_draft_get(web_store(req), &req->arena, &s, &d, &has) == STORY_OK && has)
		cur = d.body;
	in.body = arena_printf(&req->arena, "%s%s%s\n", cur,
			       cur[0] && cur[strlen(cur) - 1] != '\n' ? "\n\n" :
			       cur[0] ? "\n" : "", ref);
	struct desk_save ds = {.held = true};
	if (story_save(web_store(req), &req->arena, &s, &in, &ds, NULL)) {
		web_error(req, res, 422, "The photo was saved, but the story is too long to add it "
					  "to; its reference is listed in the editor.");
		return;
	}
	back_to_editor(req, res, s.id, "added");
}

void page_photo_upload(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login");
		return;
	}
	if (!load_own_story(req, &s)) {
		web_error(req, res, 404, "This story does not exist, or it is not yours.");
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Go back, reload the editor and try again.");
		return;
	}
	struct photo_fields f = {http_req_form(req, "alt"), http_req_form(req, "caption"),
				 http_req_form(req, "note"), flag_of(http_req_form(req, "sensitive")),
				 http_req_form(req, "audience"), http_req_form(req, "circle_id")};
	const char *msg = NULL;
	unsigned retry;
	int status = photo_submit(req, &s, &f, page_photo_answer, &msg, &retry);
	if (status) {
		retry_after(req, res, status, retry);
		web_error(req, res, status, msg);
	}
}

void page_photo_edit(struct http_req *req, struct http_res *res)
{
	struct story_row s;
	if (!web_viewer(req)->signed_in) {
		http_res_redirect(req, res, 303, "/login");
		return;
	}
	struct photo_row p;
	const char *pid = http_req_param(req, "pid");
	if (!load_own_story(req, &s) || !id_valid(pid) ||
	    store_photo_get(web_store(req), &req->arena, pid, &p) ||
	    strcmp(p.story_id, s.id) != 0) {
		web_error(req, res, 404, "No such photo.");
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Go back, reload the editor and try again.");
		return;
	}
	const char *action = http_req_form(req, "action");
	if (action && !strcmp(action, "delete")) {
		if (photo_remove(web_store(req), &req->arena, p.id)) {
			web_error(req, res, 500, "Could not delete the photo.");
			return;
		}
		back_to_editor(req, res, s.id, "deleted");
		return;
	}
	struct photo_fields f = {http_req_form(req, "alt"), http_req_form(req, "caption"),
				 http_req_form(req, "note"), flag_of(http_req_form(req, "sensitive")),
				 http_req_form(req, "audience"), http_req_form(req, "circle_id")};
	if (f.sensitive == -1)
		f.sensitive = 0; /* an unticked checkbox sends nothing */
	trim_fields(&req->arena, &f);
	const char *err = fields_check(&f, true);
	if (!err)
		err = audience_apply(req, &s, &f, &p);
	if (err || f.sensitive < 0) {
		web_error(req, res, 422, err ? err : "\"sensitive\" is a checkbox.");
		return;
	}
	p.alt = f.alt;
	p.caption = f.caption ? f.caption : "";
	p.note = f.note ? f.note : "";
	p.sensitive = f.sensitive == 1;
	if (store_photo_update(web_store(req), &p)) {
		web_error(req, res, 500, "Could not save the photo.");
		return;
	}
	back_to_editor(req, res, s.id, "saved");
}

/* ---- avatars (issue 17) ----
 *
 * A writer's avatar goes through the photo queue like any photo: the
 * sandboxed worker decodes it (EXIF, GPS and every other kind of metadata
 * gone) and makes its variants; the narrowest JPEG of at least AVATAR_MIN
 * px is kept (shown at 48-96 px, sharp on a phone), content-addressed like
 * a photo variant, named by the profile row. An avatar is as public as
 * the profile it is on, so it is served to anyone, cached for good. */

#define AVATAR_MIN 192

struct avatar_job {
	struct upload_job up;     /* first */
	char user_id[17];
	bool site_logo;           /* the site's logo, not user_id's avatar */
};

/* The blob of in to keep as an avatar: the narrowest JPEG at least
 * AVATAR_MIN wide, else the widest (a small original). */
static const struct media_blob *avatar_blob(const struct media_ingest *in)
{
	const struct media_blob *best = NULL;
	for (size_t i = 0; i < in->nblobs; i++) {
		const struct media_blob *b = &in->blobs[i];
		if (strcmp(b->format, "jpeg") != 0)
			continue;
		bool big = b->width >= AVATAR_MIN, best_big = best && best->width >= AVATAR_MIN;
		if (!best || (big && !best_big) || (big && b->width < best->width) ||
		    (!big && !best_big && b->width > best->width))
			best = b;
	}
	return best;
}

/* Keep in's avatar blob as user_id's avatar; the old file goes when
 * nothing else names it. 0 or an HTTP status with *msg. */
/* The site's logo as its hash: a setting; old gets the one replaced. */
static enum store_err logo_set(struct store *st, struct arena *a, const char *hash, char old[65])
{
	char *v = NULL;
	old[0] = '\0';
	if (store_setting_get(st, a, "site_logo", &v) == STORE_OK && v)
		snprintf(old, 65, "%s", v);
	return store_setting_set(st, "site_logo", hash);
}

static int avatar_store(struct store *st, struct arena *a, const struct media_ingest *in,
			const char *user_id, bool site_logo, const char **msg)
{
	const struct media_blob *b = avatar_blob(in);
	if (!b) {
		*msg = media_strerror(MEDIA_UNDECODABLE);
		return 422;
	}
	struct media_ingest one = {.kind = in->kind, .width = b->width, .height = b->height,
				   .nblobs = 1};
	one.blobs[0] = *b;
	if (!media_files_lock()) {
		*msg = "The server is busy; please try again in a moment.";
		return 503;
	}
	enum media_err e = media_write(st, a, &one);
	char old[65] = "";
	enum store_err se = e ? STORE_OK :
			    site_logo ? logo_set(st, a, b->hash, old) :
			    store_profile_avatar_set(st, user_id, b->hash, b->width, b->height,
						     clock_now(), old);
	if (!e && !se && old[0] && strcmp(old, b->hash) != 0) {
		char hashes[1][65];
		memcpy(hashes[0], old, sizeof(hashes[0]));
		unlink_unused(st, a, hashes, 1);
	}
	media_files_unlock();
	if (e || se) {
		*msg = e ? media_strerror(e) : "Could not save your photo; please try again.";
		return e ? media_err_status(e) : 503;
	}
	return 0;
}

static int avatar_keep(struct upload_job *u, struct store *st)
{
	struct avatar_job *j = (struct avatar_job *)(void *)u;
	return avatar_store(st, &u->arena, &u->in, j->user_id, j->site_logo, &u->msg);
}

static void avatar_answer(struct http_req *req, struct http_res *res, void *ctx)
{
	struct avatar_job *j = ctx;
	if (j->up.status) {
		retry_after(req, res, j->up.status, j->up.retry_after);
		web_error(req, res, j->up.status, j->up.msg);
		return;
	}
	web_flash(req, res, j->site_logo ? WEB_FLASH_LOGO_SAVED : WEB_FLASH_AVATAR_SAVED, NULL);
	http_res_redirect(req, res, 303, j->site_logo ? "/admin" : "/settings");
}

static void image_post(struct http_req *req, struct http_res *res, bool site_logo)
{
	const struct viewer *v = web_viewer(req);
	const char *back = site_logo ? "/admin" : "/settings";
	if (!v->signed_in) {
		http_res_redirect(req, res, 303, arena_printf(&req->arena, "/login?return_to=%s", back));
		return;
	}
	if (site_logo && !v->user.is_admin) {
		web_error(req, res, 403, "Only site administrators can change the site's logo.");
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Go back, reload the page and try again.");
		return;
	}
	const char *action = http_req_form(req, "action");
	if (action && !strcmp(action, "remove")) {
		struct store *st = web_store(req);
		char old[65] = "";
		if (!media_files_lock()) {
			web_error(req, res, 503, "The server is busy; please try again in a moment.");
			return;
		}
		enum store_err e = site_logo ? logo_set(st, &req->arena, "", old) :
				   store_profile_avatar_set(st, v->user.id, "", 0, 0, clock_now(), old);
		if (!e && old[0]) {
			char hashes[1][65];
			memcpy(hashes[0], old, sizeof(hashes[0]));
			unlink_unused(st, &req->arena, hashes, 1);
		}
		media_files_unlock();
		if (e) {
			web_error(req, res, 503, "Could not remove your photo; please try again.");
			return;
		}
		web_flash(req, res, site_logo ? WEB_FLASH_LOGO_REMOVED : WEB_FLASH_AVATAR_REMOVED, NULL);
		http_res_redirect(req, res, 303, back);
		return;
	}
	if (req->upload.fd < 0 || req->upload.size == 0) {
		web_error(req, res, 422, site_logo ? "Choose the logo's image to upload." :
				 "Choose a photo of yourself to upload.");
		return;
	}
	enum media_kind kind;
	enum media_err pe = media_precheck(req->upload.fd, req->upload.size, &kind);
	if (pe) {
		web_error(req, res, media_err_status(pe), media_strerror(pe));
		return;
	}
	struct avatar_job *j = upload_new(sizeof(*j), avatar_keep);
	memcpy(j->user_id, v->user.id, sizeof(j->user_id));
	j->site_logo = site_logo;
	unsigned retry;
	int status = upload_submit(req, &j->up, avatar_answer, &retry);
	if (status) {
		retry_after(req, res, status, retry);
		web_error(req, res, status, status == 500 ? media_strerror(MEDIA_IO) :
				 "Too many photos are being processed right now; upload this one "
				 "again in a moment.");
	}
}

void page_avatar_post(struct http_req *req, struct http_res *res)
{
	image_post(req, res, false);
}

void page_logo_post(struct http_req *req, struct http_res *res)
{
	image_post(req, res, true);
}

const char *media_avatar_url(struct arena *a, const char *handle, const char *hash)
{
	return hash && hash[0] ? arena_printf(a, "/@%s/avatar/%s.jpg", handle, hash) : NULL;
}

static void serve_image(struct http_req *req, struct http_res *res, const char *hash);

void page_logo_file(struct http_req *req, struct http_res *res)
{
	const char *file = http_req_param(req, "file");
	const char *logo = web_site(req)->logo;
	if (!file || strlen(file) != 64 + 4 || strcmp(file + 64, ".jpg") != 0 || !logo[0] ||
	    strncmp(logo, file, 64) != 0) {
		web_error(req, res, 404, "No such image.");
		return;
	}
	serve_image(req, res, logo);
}

void page_avatar_file(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	const char *handle = http_req_param(req, "handle");
	const char *file = http_req_param(req, "file");
	struct user_row u;
	struct profile_row p;
	size_t fl = file ? strlen(file) : 0;
	if (!handle || fl != 64 + 4 || strcmp(file + 64, ".jpg") != 0 ||
	    store_user_by_handle(st, &req->arena, handle, &u) || u.suspended_at ||
	    store_profile_get(st, &req->arena, u.id, &p) || strncmp(p.avatar_hash, file, 64) != 0) {
		web_error(req, res, 404, "No such photo.");
		return;
	}
	serve_image(req, res, p.avatar_hash);
}

/* The content-addressed JPEG hash, public and immutable; 404 if gone. */
static void serve_image(struct http_req *req, struct http_res *res, const char *hash)
{
	struct store *st = web_store(req);
	struct photo_variant_row vr = {.format = "jpeg"};
	snprintf(vr.hash, sizeof(vr.hash), "%s", hash);
	int fd = open(media_file_path(&req->arena, vr.hash, "jpeg"), O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && media_cache_fetch(st, &req->arena, &vr))
		fd = open(media_file_path(&req->arena, vr.hash, "jpeg"), O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		web_error(req, res, 404, "No such photo.");
		return;
	}
	web_security_headers(req, res);
	/* The name holds the content's hash: it never changes meaning. */
	http_res_header(req, res, "Cache-Control", "public, max-age=31536000, immutable");
	const char *etag = arena_printf(&req->arena, "\"%.32s\"", vr.hash);
	http_res_header(req, res, "ETag", etag);
	res->content_type = "image/jpeg";
	const char *inm = http_req_header(req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		close(fd);
		res->status = 304;
		return;
	}
	res->status = 200;
	http_res_file(res, fd, (uint64_t)sb.st_size);
}
