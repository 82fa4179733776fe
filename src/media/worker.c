/*
 * worker.c - photo ingest in a child process: `quire photo-worker`.
 *
 * Decoding is the riskiest thing Quire does: libvips and its loaders parse
 * bytes a stranger chose. The server therefore never decodes. For each
 * upload it spawns its own binary (/proc/self/exe photo-worker) with the
 * spooled upload as stdin and a pipe as stdout; the worker runs
 * media_decode() and writes the variants back in the small framed format
 * below; the server checks that, hashes the files itself and stores them.
 *
 * What this buys:
 *  - a crash, a hang or a memory blow-up in a decoder ends one worker, not
 *    the server (the worker has address-space and CPU limits, and a
 *    wall-clock deadline after which the server kills it);
 *  - libvips and the ~110 libraries it pulls in are never mapped into the
 *    server, which stays small (docs/performance.md);
 *  - the worker closes every descriptor it did not need, then enters its
 *    sandbox (sandbox.c) before reading the upload: code a decoder was
 *    tricked into running can reach no file, socket or program.
 * The server side runs on the photo queue's threads (pool.c), never on a
 * request thread.
 *
 * Wire format (little endian), worker -> server:
 *   "QPW1" u32 err  u32 kind  u32 width  u32 height
 *   u32 preview_len  preview (a data: URI, ASCII)
 *   u32 nblobs, then per blob: u32 format (0 webp, 1 jpeg) u32 width
 *   u32 height u32 len  bytes
 * When err is not MEDIA_OK nothing follows it.
 */
#include "media/media_int.h"
#include "core/crypto.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define WIRE_MAGIC "QPW1"
/* CPU seconds: twice the wall-clock deadline, since a decode uses up to
 * two cores (libvips' threads, the encoders). */
#define WORKER_CPU_SECS(lim) (2 * (lim)->timeout_secs + 5)
#define WORKER_NICE 10
#define WORKER_STACK ((size_t)2 << 20)
/* Everything a worker may send: 8 variants of at most 12,000 px a side
 * are far below this. */
#define WIRE_MAX ((size_t)256 << 20)

/* ---- the worker's side ---- */

static void put32(FILE *f, uint32_t v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	fwrite(b, 1, 4, f);
}

int media_worker_main(void)
{
	/* Only stdin (the upload), stdout (the pipe) and stderr (the log). */
	close_range(3, ~0U, 0);
	struct stat sb;
	if (fstat(0, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fprintf(stderr, "quire photo-worker: stdin must be the uploaded file\n");
		return 2;
	}
	const struct media_limits *lim = media_limits();
	/* Decoding yields the CPU to the server's request threads; set
	 * before libvips starts its threads, which inherit it. */
	if (setpriority(PRIO_PROCESS, 0, WORKER_NICE) != 0)
		fprintf(stderr, "quire photo-worker: cannot lower its priority\n");
	/* Image buffers straight from and back to the kernel, so the peak is
	 * what is live, not what glibc kept from the previous buffer. One
	 * arena: each further one reserves 64 MB of address space (counted by
	 * the limit below), and trimming one reads a /proc file, which the
	 * sandbox forbids. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	mallopt(M_ARENA_MAX, 1);
	/* Threads' stacks count against the address-space limit too. */
	pthread_attr_t ta;
	if (pthread_attr_init(&ta) == 0) {
		pthread_attr_setstacksize(&ta, WORKER_STACK);
		pthread_setattr_default_np(&ta);
		pthread_attr_destroy(&ta);
	}
	/* A buffer of our own: stdio would otherwise fstat() and ioctl()
	 * stdout at the first write, inside the sandbox. */
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	/* Everything that needs files happens now: libvips and its modules,
	 * and the time zone GLib's logger formats times in (read once: with
	 * TZ unset glibc would stat /etc/localtime at every log line). */
	if (!getenv("TZ"))
		setenv("TZ", ":/etc/localtime", 1);
	tzset();
	/* libvips' per-tile warnings repeat what its error says, once per
	 * tile; the error is logged below. */
	setenv("VIPS_WARNING", "0", 1);
	if (!media_vips_init()) {
		fprintf(stderr, "quire photo-worker: libvips did not start\n");
		return 4;
	}
	if (!media_sandbox_enter(lim->worker_memory, WORKER_CPU_SECS(lim))) {
		fprintf(stderr, "quire photo-worker: refusing to decode outside its sandbox\n");
		return 5;
	}
	media_sandbox_selftest();
	struct arena a;
	arena_init(&a);
	struct media_ingest in;
	enum media_err e = media_decode(0, (uint64_t)sb.st_size, &a, &in);
	FILE *out = stdout;
	fwrite(WIRE_MAGIC, 1, 4, out);
	put32(out, (uint32_t)e);
	if (e == MEDIA_OK) {
		put32(out, (uint32_t)in.kind);
		put32(out, in.width);
		put32(out, in.height);
		size_t pl = strlen(in.preview);
		put32(out, (uint32_t)pl);
		fwrite(in.preview, 1, pl, out);
		put32(out, (uint32_t)in.nblobs);
		for (size_t i = 0; i < in.nblobs; i++) {
			const struct media_blob *b = &in.blobs[i];
			put32(out, strcmp(b->format, "webp") == 0 ? 0 : 1);
			put32(out, b->width);
			put32(out, b->height);
			put32(out, (uint32_t)b->len);
			fwrite(b->data, 1, b->len, out);
		}
	}
	int rc = fflush(out) == 0 && !ferror(out) ? 0 : 1;
	arena_release(&a);
	/* Leave at once: libvips' and libheif's threads may still be winding
	 * down, and exit handlers (libvips' shutdown, LeakSanitizer's final
	 * scan in test builds, which crashed on them) have nothing to save.
	 * Leaks in this code are caught per input by fuzz/fuzz_media.c. */
	_exit(rc);
}

/* ---- the server's side ---- */

struct reader {
	const unsigned char *p;
	size_t n, at;
	bool bad;
};

static uint32_t get32(struct reader *r)
{
	if (r->bad || r->n - r->at < 4) {
		r->bad = true;
		return 0;
	}
	const unsigned char *q = r->p + r->at;
	r->at += 4;
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static const unsigned char *take(struct reader *r, size_t len)
{
	if (r->bad || r->n - r->at < len) {
		r->bad = true;
		return NULL;
	}
	const unsigned char *q = r->p + r->at;
	r->at += len;
	return q;
}

static bool preview_ok(const unsigned char *p, size_t n)
{
	static const char prefix[] = "data:image/jpeg;base64,";
	size_t pl = sizeof(prefix) - 1;
	if (n < pl || n > 64 * 1024 || memcmp(p, prefix, pl) != 0)
		return false;
	for (size_t i = pl; i < n; i++) {
		unsigned char c = p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/' || c == '='))
			return false;
	}
	return true;
}

enum media_err media_worker_parse(const unsigned char *p, size_t n, struct arena *a,
				  struct media_ingest *out)
{
	memset(out, 0, sizeof(*out));
	struct reader r = {p, n, 0, false};
	const unsigned char *magic = take(&r, 4);
	if (!magic || memcmp(magic, WIRE_MAGIC, 4) != 0)
		return MEDIA_IO;
	uint32_t err = get32(&r);
	/* What a worker may report: its own checks and decode failures; a
	 * timeout or a stop is the server's to decide. */
	if (r.bad || (err > MEDIA_IO && err != MEDIA_NO_MEMORY))
		return MEDIA_IO;
	if (err != MEDIA_OK)
		return r.at == n ? (enum media_err)err : MEDIA_IO;
	uint32_t kind = get32(&r), width = get32(&r), height = get32(&r);
	uint32_t pl = get32(&r);
	const unsigned char *pv = take(&r, pl);
	uint32_t nb = get32(&r);
	const struct media_limits *lim = media_limits();
	if (r.bad || kind < KIND_JPEG || kind > KIND_HEIF || width == 0 || height == 0 ||
	    width > lim->max_side || height > lim->max_side || !preview_ok(pv, pl) || nb == 0 ||
	    nb > MEDIA_MAX_BLOBS)
		return MEDIA_IO;
	out->kind = (enum media_kind)kind;
	out->width = width;
	out->height = height;
	char *preview = arena_alloc(a, (size_t)pl + 1);
	memcpy(preview, pv, pl);
	out->preview = preview;
	for (uint32_t i = 0; i < nb; i++) {
		struct media_blob *b = &out->blobs[i];
		uint32_t fmt = get32(&r), w = get32(&r), h = get32(&r), len = get32(&r);
		const unsigned char *data = take(&r, len);
		if (r.bad || fmt > 1 || w == 0 || h == 0 || w > width || h > height || len == 0)
			return MEDIA_IO;
		b->format = fmt == 0 ? "webp" : "jpeg";
		b->width = w;
		b->height = h;
		/* The files are named by what the server hashes, not by
		 * anything the worker says. */
		b->data = (void *)data;
		b->len = len;
		hash_token((const char *)data, len, b->hash);
	}
	if (r.at != n)
		return MEDIA_IO;
	out->nblobs = nb;
	return MEDIA_OK;
}

_Atomic uint64_t media_worker_deaths;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum read_end { READ_DONE, READ_FAILED, READ_LATE, READ_CANCELLED };

/* Everything the child writes until EOF, the deadline, WIRE_MAX or
 * *cancel (checked every CANCEL_POLL_MS). */
#define CANCEL_POLL_MS 100
static enum read_end read_all(int fd, struct arena *a, int64_t deadline, const atomic_bool *cancel,
			      unsigned char **out, size_t *n)
{
	size_t cap = 1 << 20, len = 0;
	unsigned char *buf = malloc(cap);
	if (!buf)
		return READ_FAILED;
	enum read_end end = READ_FAILED;
	for (;;) {
		if (cancel && atomic_load(cancel)) {
			end = READ_CANCELLED;
			break;
		}
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			end = READ_LATE;
			break;
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		int pr = poll(&pfd, 1, (int)(left > CANCEL_POLL_MS ? CANCEL_POLL_MS : left));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			break;
		if (pr == 0)
			continue;
		if (len == cap) {
			if (cap >= WIRE_MAX)
				break;
			unsigned char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			*out = arena_alloc(a, len ? len : 1);
			memcpy(*out, buf, len);
			*n = len;
			end = READ_DONE;
			break;
		}
		len += (size_t)r;
	}
	free(buf);
	return end;
}

#if defined(__SANITIZE_ADDRESS__)
/*
 * A worker of a sanitizer build gets the server's environment with
 * allocator_may_return_null=1 added to ASAN_OPTIONS: a decode that runs
 * into the address-space budget then gets NULL from malloc, as it would
 * from glibc, and fails cleanly (422) instead of ending in an
 * "allocator is out of memory" report. Every other check stays as the
 * test run set it. Built once, at the first upload.
 */
static char **san_env;
static pthread_once_t san_once = PTHREAD_ONCE_INIT;

static void san_env_make(void)
{
	size_t n = 0;
	while (environ[n])
		n++;
	san_env = xcalloc(n + 2, sizeof(*san_env));
	const char *old = getenv("ASAN_OPTIONS");
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
			san_env[k++] = environ[i];
	struct buf b;
	buf_init(&b, 0);
	buf_addf(&b, "ASAN_OPTIONS=%s%sallocator_may_return_null=1", old ? old : "",
		 old && *old ? ":" : "");
	san_env[k] = xstrdup(buf_str(&b));
	buf_release(&b);
}

static char **worker_env(void)
{
	pthread_once(&san_once, san_env_make);
	return san_env;
}
#else
static char **worker_env(void)
{
	return environ;
}
#endif

enum media_err media_decode_isolated(int fd, uint64_t size, struct arena *a,
				     struct media_ingest *out, const atomic_bool *cancel)
{
	const struct media_limits *lim = media_limits();
	memset(out, 0, sizeof(*out));
	/* Here too: an empty, oversized or wrong-type file never costs a
	 * process. */
	enum media_kind kind;
	enum media_err pe = media_precheck(fd, size, &kind);
	if (pe)
		return pe;

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return MEDIA_IO;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	char *argv[] = {(char *)"quire", (char *)"photo-worker", NULL};
	pid_t pid;
	int se = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, worker_env());
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (se != 0) {
		close(pipefd[0]);
		fprintf(stderr, "quire: cannot start the photo worker: %s\n", strerror(se));
		return MEDIA_IO;
	}
	unsigned char *wire = NULL;
	size_t n = 0;
	int64_t start = now_ms();
	enum read_end end = read_all(pipefd[0], a, start + (int64_t)lim->timeout_secs * 1000,
				     cancel, &wire, &n);
	close(pipefd[0]);
	if (end != READ_DONE)
		kill(pid, SIGKILL);
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	/* For operators (and bench/photo_ingest.sh): what one ingest cost. */
	fprintf(stderr, "quire: photo worker: %.2f s, peak %ld MB\n",
		(double)(now_ms() - start) / 1000.0, ru.ru_maxrss / 1024);
	if (end == READ_CANCELLED) {
		fprintf(stderr, "quire: photo worker stopped: the server is stopping\n");
		return MEDIA_STOPPED;
	}
	if (end == READ_LATE) {
		fprintf(stderr, "quire: photo worker stopped after %u s\n", lim->timeout_secs);
		return MEDIA_TIMEOUT;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		atomic_fetch_add_explicit(&media_worker_deaths, 1, memory_order_relaxed);
		if (sig == SIGXCPU || sig == SIGKILL) {
			/* Its CPU limit (soft, then hard). */
			fprintf(stderr, "quire: photo worker ran out of CPU time (signal %d)\n", sig);
			return MEDIA_TIMEOUT;
		}
		/* A decoder crashed on this file, or tried what its sandbox
		 * refuses (SIGSYS; the worker logged the call): either way not
		 * a file we can read. */
		fprintf(stderr, "quire: photo worker died of signal %d%s\n", sig,
			sig == SIGSYS ? " (stopped by its sandbox)" : "");
		return MEDIA_UNDECODABLE;
	}
	if (end != READ_DONE || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "quire: photo worker failed (exit %d)\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return MEDIA_IO;
	}
	enum media_err e = media_worker_parse(wire, n, a, out);
	if (e == MEDIA_IO)
		fprintf(stderr, "quire: photo worker sent a malformed answer (%zu bytes)\n", n);
	return e;
}
