/*
 * media_int.h - private to src/media/: the decode step (ingest.c, the
 * only file that includes libvips) and the file store, as used by the
 * handlers in media_pages.c.
 */
#ifndef QUIRE_MEDIA_MEDIA_INT_H
#define QUIRE_MEDIA_MEDIA_INT_H

#include "media/media.h"

#include <stdatomic.h>

enum media_kind { KIND_NONE = 0, KIND_JPEG, KIND_PNG, KIND_GIF, KIND_WEBP, KIND_HEIF };

/* Type by content (first bytes), never by name. */
enum media_kind media_sniff(const unsigned char *p, size_t n);
const char *media_kind_ext(enum media_kind k);

#define MEDIA_MAX_BLOBS (2 * MEDIA_NWIDTHS)

/* One encoded variant, in memory until media_write(). */
struct media_blob {
	const char *format;  /* "webp" | "jpeg" */
	unsigned width, height;
	void *data;          /* libvips' buffer, freed with the arena */
	size_t len;
	char hash[65];       /* SHA-256 hex of data */
};

struct media_ingest {
	enum media_kind kind;
	unsigned width, height;      /* upright, as stored (largest variant) */
	const char *preview;         /* data: URI, in the arena */
	struct media_blob blobs[MEDIA_MAX_BLOBS];
	size_t nblobs;
};

/* Remove EXIF, XMP and ICCP chunks from a WebP file in buf (in place);
 * returns the new length, or 0 if buf is not a well-formed WebP file. */
size_t media_webp_strip(unsigned char *buf, size_t len);

/* The checks before any decoding: size (EMPTY, TOO_LARGE) and type by
 * the first bytes (UNSUPPORTED); *kind is the sniffed type. No libvips. */
enum media_err media_precheck(int fd, uint64_t size, enum media_kind *kind)
	__attribute__((warn_unused_result));

/* Start libvips once per process; false if it cannot start. */
bool media_vips_init(void);

/*
 * Decode the upload in fd (size bytes) into encoded variants in *out,
 * following the steps in media.h. Buffers are freed when arena a is
 * released (out must live as long). Returns MEDIA_OK or the first check
 * that failed; nothing is written to disk here.
 */
enum media_err media_decode(int fd, uint64_t size, struct arena *a, struct media_ingest *out)
	__attribute__((warn_unused_result));

/*
 * media_decode() in a sandboxed child process (worker.c, sandbox.c): same
 * checks and result, but a crash or hang in a decoder costs only the
 * child. Blobs point into arena a, hashed by the caller's process. Blocks
 * the calling thread (never a request thread: see pool.c) for at most
 * QUIRE_PHOTO_TIMEOUT seconds; when *cancel becomes true (cancel may be
 * NULL) the child is killed within 100 ms and MEDIA_STOPPED returned.
 */
enum media_err media_decode_isolated(int fd, uint64_t size, struct arena *a,
				     struct media_ingest *out, const atomic_bool *cancel)
	__attribute__((warn_unused_result));
/* The worker's answer p[0..n) into *out (blobs point into p); MEDIA_IO if
 * it is malformed. Pure; fuzzed (fuzz/fuzz_worker.c). */
enum media_err media_worker_parse(const unsigned char *p, size_t n, struct arena *a,
				  struct media_ingest *out) __attribute__((warn_unused_result));

/* ---- the photo queue (pool.c) ---- */

/*
 * A job for the photo queue. The submitter fills user_id, run and end and
 * keeps the job alive until end() has been called; the pool fills the
 * rest. Exactly one of these happens, on a pool thread:
 *  - run(j, st) (st: the thread's own database connection, NULL if it
 *    could not open one), then end(j);
 *  - end(j) alone with refused = 503 and retry_after set: the job waited
 *    past QUIRE_PHOTO_QUEUE_WAIT, or the server is stopping.
 * After end() the pool never touches j again. run() should give up when
 * cancel becomes true (the server is stopping).
 */
struct media_job {
	char user_id[17];
	void (*run)(struct media_job *j, struct store *st);
	void (*end)(struct media_job *j);
	int refused;            /* 0, or 503: not run */
	unsigned retry_after;   /* seconds, when refused */
	atomic_bool cancel;
	/* The pool's. */
	int64_t deadline_ms;
	struct media_job *next;
};

/*
 * Queue j. 0 when queued (end() will follow); otherwise nothing was
 * queued and the status says why, with *retry_after in seconds: 429 when
 * j's user already has QUIRE_PHOTO_UPLOADS_PER_USER jobs waiting or being
 * decoded, 503 when QUIRE_PHOTO_QUEUE jobs already wait, or the queue is
 * not running. Never blocks for more than 2 s (the queue's lock).
 */
int media_pool_submit(struct media_job *j, unsigned *retry_after)
	__attribute__((warn_unused_result));

/* ---- the worker's sandbox (sandbox.c) ---- */

/*
 * Confine the calling process (a photo worker, after libvips is loaded
 * and before it reads the upload): address space limited to what it maps
 * now plus mem_budget bytes, cpu_secs of CPU, no core files; root becomes
 * nobody; no_new_privs; then a seccomp filter on every thread that lets
 * it read and write the descriptors it holds, manage memory (never
 * executable) and threads, and nothing else. A refused system call kills
 * the process with SIGSYS. Returns false, with a message on stderr, if
 * any step fails: the caller must then not decode.
 */
bool media_sandbox_enter(uint64_t mem_budget, unsigned cpu_secs) __attribute__((warn_unused_result));

/*
 * Test-only: when QUIRE_WORKER_SELFTEST is set, do what it names inside
 * the sandbox and exit 3 if the sandbox let it happen: "open", "socket",
 * "exec" (each must kill the process with SIGSYS), "memory" (a mapping
 * past the budget must fail: exit 0), and in sanitizer builds "asan" (a
 * heap overflow whose report must still be printed). Call right after
 * media_sandbox_enter() succeeded; returns when the variable is unset.
 */
void media_sandbox_selftest(void);

/* Put every blob into the store (store_blob_put: the truth where the
 * backend holds blobs) and write it to its content-addressed path under
 * media_dir() (temp + fsync + rename); files already present are kept.
 * Call with media_files_lock held. */
enum media_err media_write(struct store *st, struct arena *a, const struct media_ingest *in)
	__attribute__((warn_unused_result));
/* One file under dir at its content-addressed path, the same way. */
enum media_err media_file_write(struct arena *a, const char *dir, const char *hash,
				const char *format, const void *data, size_t len)
	__attribute__((warn_unused_result));

/* DATA/media (created at first use) and a file's path under it, or under
 * another media directory. */
const char *media_dir(void);
const char *media_file_path(struct arena *a, const char *hash, const char *format);
const char *media_path_in(struct arena *a, const char *dir, const char *hash, const char *format);

/* The lock that keeps writing files + inserting rows apart from deleting
 * rows + unlinking files. Taken with a deadline (MEDIA_FILES_LOCK_SECS):
 * false when it could not be had, and the caller answers an error. */
#define MEDIA_FILES_LOCK_SECS 10
bool media_files_lock(void) __attribute__((warn_unused_result));
void media_files_unlock(void);

#endif
