/*
 * media.h - photos in stories: ingest (libvips), content-addressed variant
 * files under DATA/media/, serving, and the pages and JSON API for them.
 * The only module that calls libvips.
 *
 * Ingest, in order, and nothing is decoded before the checks before it:
 *  1. the first bytes decide the type (JPEG, PNG, WebP, GIF, HEIC/HEIF);
 *     the file name and the client's Content-Type are never consulted;
 *  2. the loader for that type reads only the header, and an image over
 *     media_limits.max_side on a side or max_pixels in all is refused;
 *  3. one sequential decode (shrink-on-load where the format allows),
 *     converted to 8-bit sRGB, resized to the largest variant, held in
 *     memory, then autorotated by its EXIF orientation;
 *  4. every variant (WebP and JPEG at MEDIA_WIDTHS no wider than the
 *     image; never upscaled) and a tiny blurred preview are encoded with
 *     all metadata stripped: EXIF (with GPS and maker notes), XMP, IPTC,
 *     comments and the ICC profile (the pixels are sRGB, the web default).
 * libvips' untrusted loaders (ImageMagick, SVG, PDF, FITS, MAT ...) are
 * blocked for the whole process at initialisation.
 *
 * Files: DATA/media/ab/abcdef...(sha-256).webp|jpg, written to a temporary
 * file in the same directory, fsynced, then renamed, so a reader never sees
 * a partial file. A file is unlinked when no variant row names it; writing
 * files + inserting rows and deleting rows + unlinking are serialised by a
 * process-wide lock so that the two never interleave.
 *
 * Who may see a photo: who may see its story (audience_may_see_story),
 * narrowed by the photo's own audience (audience_may_see_photo); only the
 * story's author may change it. What a story's rendering shows of a
 * photo is decided by render/ (render.h).
 */
#ifndef QUIRE_MEDIA_MEDIA_H
#define QUIRE_MEDIA_MEDIA_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "store/store.h"

/* Limits, read once from the environment at first use (documented in
 * docs/photos.md): QUIRE_PHOTO_MAX_BYTES, QUIRE_PHOTO_MAX_PIXELS,
 * QUIRE_PHOTO_MAX_SIDE, QUIRE_PHOTO_INGESTS, QUIRE_PHOTOS_PER_STORY,
 * QUIRE_PHOTO_ENCODERS, QUIRE_PHOTO_TIMEOUT, QUIRE_PHOTO_WORKER_MB,
 * QUIRE_PHOTO_QUEUE, QUIRE_PHOTO_UPLOADS_PER_USER, QUIRE_PHOTO_QUEUE_WAIT. */
struct media_limits {
	uint64_t max_bytes;   /* upload size; default 40 MiB */
	uint64_t max_pixels;  /* default 40,000,000 */
	unsigned max_side;    /* default 12,000 */
	unsigned ingests;     /* photo workers running at once (the pool); default 2 */
	unsigned per_story;   /* photos one story may hold; default 100 */
	unsigned encoders;    /* threads encoding one upload's variants; default 2 */
	unsigned timeout_secs; /* a photo worker's wall-clock limit; default 60 */
	uint64_t worker_memory; /* address space a worker may add to decode; 320 MiB */
	unsigned queue;       /* uploads waiting for a worker; default 32 (then 503) */
	unsigned per_user;    /* one writer's uploads in flight; default 4 (then 429) */
	unsigned queue_wait;  /* seconds an upload may wait for a worker; default 60 */
};
const struct media_limits *media_limits(void);
/* NULL, or what is wrong with the first of those variables that has a
 * bad value (the server refuses to start with it: nothing is ignored). */
const char *media_limits_error(void);

enum media_err {
	MEDIA_OK = 0,
	MEDIA_EMPTY,         /* zero bytes */
	MEDIA_TOO_LARGE,     /* over max_bytes: 413 */
	MEDIA_UNSUPPORTED,   /* not one of the accepted types: 415 */
	MEDIA_TOO_MANY_PIXELS, /* header over the pixel limits: 422 */
	MEDIA_UNDECODABLE,   /* truncated or corrupt: 422 */
	MEDIA_IO,            /* could not write a file: 500 */
	MEDIA_TIMEOUT,       /* the worker ran past its deadline: 422 */
	MEDIA_NO_MEMORY,     /* decoding needs more than worker_memory: 422 */
	MEDIA_STOPPED,       /* the server is stopping; not decoded: 503 */
};
const char *media_strerror(enum media_err e);
int media_err_status(enum media_err e);

/*
 * The photo queue (media/pool.c): QUIRE_PHOTO_INGESTS threads that hand
 * uploads to photo workers, so that no request thread waits for a
 * decode. Start after web_init(); stop before http_server_stop(): jobs
 * still waiting are answered 503, running workers are killed and their
 * uploads answered 503, and the call returns when every suspended upload
 * request has been resumed. false: no thread could start (uploads are
 * then answered 503).
 */
bool media_pool_start(void);
/* The photo queue right now, for /metrics. */
struct media_stats {
	size_t waiting;          /* uploads queued for a worker */
	size_t running;          /* being decoded */
	size_t workers;          /* the pool's size */
	uint64_t worker_deaths;  /* workers killed by a signal since start */
};
void media_stats(struct media_stats *out);
/* "8.14.1": the version of libvips, opened as a photo upload would
 * (quire --version), or "not loadable". */
void media_vips_version(char *out, size_t n);
void media_pool_stop(void);

/* `quire photo-worker`: decode the upload on stdin, write the variants to
 * stdout (media/worker.c). Returns the process's exit status. */
int media_worker_main(void);

/* Widths of the variants, before capping at the image's own width. */
#define MEDIA_WIDTHS {480, 960, 1600, 2400}
#define MEDIA_NWIDTHS 4

/*
 * http_spool_fn for the server: photo upload routes stream their body to
 * DATA/tmp (field "file", at most max_bytes). Needs site configuration.
 */
bool media_spool(const struct http_req *req, struct http_spool *sp);

/*
 * Template data for showing photo p (templates/photo.mustache): srcsets,
 * fallback src, size, and for a sensitive photo the gate (gated unless
 * show_id names it). key: an unlisted story's share key for the URLs
 * (NULL: none). absolute: only {id, alt, caption, width, height, src}
 * with an absolute src, for feeds and the API. Whether p is shown at all,
 * and how, is render/'s decision, never the caller's. New reference.
 */
struct photo_row;
json_t *media_photo_view(struct http_req *req, const struct photo_row *p, bool lazy,
			 const char *show_id, const char *key, bool absolute);
/* The bytes of photo p's largest JPEG variant (stripped of all metadata,
 * as every variant is), for a book: in arena a, *len bytes, its size in
 * *width x *height. NULL when p has none or its file cannot be read.
 * Whether p goes in a book at all is render/'s decision. */
const void *media_photo_largest(struct store *st, struct arena *a, const struct photo_row *p,
				size_t *len, int64_t *width, int64_t *height);
/* Photos of a story for the editor (id, alt, markdown, thumbnail). */
json_t *media_editor_photos(struct http_req *req, const char *story_id);
/* Remove the photos of stories being purged from the trash (or gone) and
 * the files nothing references any more; the trash purge calls it. */
void media_collect(struct store *st);

/* Backups, restores and moves between backends (main.c). media_blobs_to_files
 * writes under dir (a media directory) every photo file the store holds as
 * a blob and dir lacks; media_files_to_blobs puts every photo file of dir
 * into the store's blobs (nothing changes where the backend keeps none).
 * *n counts the files moved; false on an error. */
bool media_blobs_to_files(struct store *st, const char *dir, unsigned long *n)
	__attribute__((warn_unused_result));
bool media_files_to_blobs(struct store *st, const char *dir, unsigned long *n)
	__attribute__((warn_unused_result));

/*
 * A photo from bytes in memory, for imports (no request, no queue): the
 * same checks, sandboxed decode and stripping as an upload, then stored
 * on p->story_id with p's alt, caption, sensitive, note and audience
 * (NULLs: "", "story"); p->id is made when empty. Blocks the caller for
 * the decode. 0, or an HTTP-like status (413, 415, 422, 409 story full,
 * 500, 503) with *msg a sentence. Needs web_cfg (the data directory).
 */
int media_photo_add(struct store *st, struct arena *a, const void *data, size_t len,
		    struct photo_row *p, const char **msg);

/* For exports (porting/export.h): the path on this node of photo p's
 * largest JPEG variant (its largest WebP when it has no JPEG), as stored:
 * already stripped of every metadata. A file this node lacks is fetched
 * from the store's blobs first. NULL when there is none; *format is
 * "jpeg" or "webp". In a. Needs web_cfg. */
const char *media_photo_file(struct store *st, struct arena *a, const struct photo_row *p,
			     const char **format);

/* Pages. */
void page_photo_file(struct http_req *req, struct http_res *res);
/* Avatars (issue 17): POST /settings/avatar (multipart "file", through the
 * photo queue; action=remove removes it) and GET /@{handle}/avatar/{file}
 * (HASH.jpg, the profile's current one only; public, immutable). */
void page_avatar_post(struct http_req *req, struct http_res *res);
void page_avatar_file(struct http_req *req, struct http_res *res);
/* The site's logo, the same way: POST /admin/logo (admins; action=remove)
 * and GET /site/logo/{file} (HASH.jpg, the current one only). */
void page_logo_post(struct http_req *req, struct http_res *res);
void page_logo_file(struct http_req *req, struct http_res *res);
/* The address of handle's avatar with this hash (arena), or NULL for "". */
const char *media_avatar_url(struct arena *a, const char *handle, const char *hash);
void page_photo_redirect(struct http_req *req, struct http_res *res);
void page_photo_upload(struct http_req *req, struct http_res *res);
void page_photo_edit(struct http_req *req, struct http_res *res);

/* JSON API. */
void api_photo_create(struct http_req *req, struct http_res *res);
void api_photo_get(struct http_req *req, struct http_res *res);
void api_photo_patch(struct http_req *req, struct http_res *res);
void api_photo_delete(struct http_req *req, struct http_res *res);

#endif
