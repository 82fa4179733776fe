/*
 * ingest.c - an uploaded file to stored, metadata-free variants, with
 * libvips (opened at the first upload: vips_dl.h). See media.h for the steps and their order; media_int.h for the
 * interface to the rest of media/. Nothing here knows about HTTP or the
 * database.
 */
#include "media/media_int.h"
#include "core/crypto.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/encode.h>

#include "media/vips_dl.h"
#include "store/store_media.h"

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static bool vips_ok;

/*
 * Building an operation can compile SIMD code with orc, and orc 0.4.33's
 * code allocator is not safe when two threads compile at once (a fuzz run
 * crashed there, in orc_code_allocate_codemem under vips_resize). Pixels
 * are computed outside this lock, in parallel; only building the lazy
 * operations of the encode threads is one at a time.
 */
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static void vips_stop(void)
{
	vips_shutdown();
}

static void vips_start(void)
{
	if (!vips_dl_open())
		return;
	/* VIPS_INIT's ABI check, through the loaded library. */
	if (vips_version(3) - vips_version(5) != VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE) {
		fprintf(stderr, "quire: libvips has ABI %d, built for %d\n",
			vips_version(3) - vips_version(5), VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE);
		return;
	}
	if (vips_init("quire")) {
		fprintf(stderr, "quire: cannot initialise libvips: %s\n", vips_error_buffer());
		vips_error_clear();
		return;
	}
	/* Uploads are hostile: only the fuzzed loaders may ever run. */
	vips_block_untrusted_set(TRUE);
	/* No operation cache: it would keep decoded uploads alive. */
	vips_cache_set_max(0);
	/* No run-time code generation (orc): it needs memory that is both
	 * writable and executable, made through a temporary file, both of
	 * which the worker's sandbox refuses. The plain C paths cost little
	 * here (docs/photos.md). */
	vips_vector_set_enabled(FALSE);
	vips_leak_set(FALSE);
	atexit(vips_stop);
	vips_ok = true;
}

bool media_vips_init(void)
{
	pthread_once(&vips_once, vips_start);
	return vips_ok;
}

const char *media_kind_ext(enum media_kind k)
{
	switch (k) {
	case KIND_JPEG: return "jpg";
	case KIND_PNG: return "png";
	case KIND_GIF: return "gif";
	case KIND_WEBP: return "webp";
	case KIND_HEIF: return "heic";
	default: return "";
	}
}

enum media_kind media_sniff(const unsigned char *p, size_t n)
{
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return KIND_JPEG;
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return KIND_PNG;
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0))
		return KIND_GIF;
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return KIND_WEBP;
	if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0) {
		static const char *const brands[] = {"heic", "heix", "hevc", "hevx", "heim",
						     "heis", "mif1", "msf1"};
		for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
			if (memcmp(p + 8, brands[i], 4) == 0)
				return KIND_HEIF;
	}
	return KIND_NONE;
}

/* The loader for kind, header only until pixels are asked for. */
static int load(int fd, enum media_kind kind, int shrink, VipsImage **out)
{
	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	VipsSource *src = vips_source_new_from_descriptor(fd);
	if (!src)
		return -1;
	int r = -1;
	switch (kind) {
	case KIND_JPEG:
		r = vips_jpegload_source(src, out, "shrink", shrink, "access",
					 VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED,
					 NULL);
		break;
	case KIND_PNG:
		r = vips_pngload_source(src, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
					VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	case KIND_GIF:
		r = vips_gifload_source(src, out, "n", 1, "access", VIPS_ACCESS_SEQUENTIAL,
					"fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	case KIND_WEBP:
		r = vips_webpload_source(src, out, "n", 1, "access", VIPS_ACCESS_SEQUENTIAL,
					 "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	case KIND_HEIF:
		r = vips_heifload_source(src, out, "n", 1, "access", VIPS_ACCESS_SEQUENTIAL,
					 "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
		break;
	default:
		break;
	}
	g_object_unref(src);
	return r;
}

static void log_vips(const char *what)
{
	const char *e = vips_error_buffer();
	fprintf(stderr, "quire: media: %s: %.300s\n", what, e ? e : "");
	vips_error_clear();
}

/* A step failed: log why, and say whether it was the memory limit (the
 * sandbox's address-space budget) or the file itself. */
static enum media_err failed(const char *what)
{
	const char *e = vips_error_buffer();
	bool mem = e && (strcasestr(e, "out of memory") || strcasestr(e, "cannot allocate") ||
			 strcasestr(e, "insufficient memory") || strcasestr(e, "memory allocation"));
	log_vips(what);
	return mem ? MEDIA_NO_MEMORY : MEDIA_UNDECODABLE;
}

/* After an operation img -> *next that returned r: replace *img by *next,
 * or drop both on error. next is read through a pointer because the
 * operation that fills it is an argument of the same call. */
static bool step(VipsImage **img, int r, VipsImage **next)
{
	g_object_unref(*img);
	*img = r ? NULL : *next;
	if (r && *next)
		g_object_unref(*next);
	*next = NULL;
	return r == 0;
}

/* 8-bit sRGB, from the embedded profile when there is a usable one. */
static bool to_srgb(VipsImage **img)
{
	VipsImage *t = NULL;
	if (vips_image_get_typeof(*img, VIPS_META_ICC_NAME)) {
		if (vips_icc_transform(*img, &t, "srgb", "embedded", TRUE, "intent",
				       VIPS_INTENT_PERCEPTUAL, NULL) == 0) {
			g_object_unref(*img);
			*img = t;
		} else {
			vips_error_clear(); /* broken profile: fall back to the plain path */
		}
	}
	if ((*img)->Type != VIPS_INTERPRETATION_sRGB &&
	    !step(img, vips_colourspace(*img, &t, VIPS_INTERPRETATION_sRGB, NULL), &t))
		return false;
	if ((*img)->BandFmt != VIPS_FORMAT_UCHAR &&
	    !step(img, vips_cast_uchar(*img, &t, NULL), &t))
		return false;
	return true;
}

/* Remove every metadata item (EXIF with GPS and maker notes, XMP, IPTC,
 * ICC, orientation, comments, PNG text ...) from img, which the caller
 * owns alone. Savers' "strip" is not enough: libvips 8.14's WebP saver
 * still writes EXIF and XMP from the image's fields. */
static void strip_meta(VipsImage *img)
{
	gchar **names = vips_image_get_fields(img);
	for (gchar **n = names; n && *n; n++)
		vips_image_remove(img, *n); /* built-in fields are not removable: no-op */
	g_strfreev(names);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/*
 * Drop the EXIF, XMP and ICCP chunks from a WebP file made by libvips, in
 * place, clearing their flags in VP8X and fixing the RIFF size. Needed
 * because libvips 8.14's WebP saver writes a fresh EXIF block even with
 * "strip". Returns the new length, or 0 if buf is not a well-formed WebP.
 */
size_t media_webp_strip(unsigned char *buf, size_t len)
{
	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WEBP", 4))
		return 0;
	size_t in = 12, out = 12;
	while (in + 8 <= len) {
		uint32_t size = le32(buf + in + 4);
		size_t whole = 8 + (size_t)size + (size & 1);
		if (whole > len - in)
			return 0;
		bool drop = !memcmp(buf + in, "EXIF", 4) || !memcmp(buf + in, "XMP ", 4) ||
			    !memcmp(buf + in, "ICCP", 4);
		if (!memcmp(buf + in, "VP8X", 4) && size >= 1)
			buf[in + 8] &= (unsigned char)~(0x20 | 0x08 | 0x04);
		if (!drop) {
			memmove(buf + out, buf + in, whole);
			out += whole;
		}
		in += whole;
	}
	if (in != len)
		return 0;
	put_le32(buf + 4, (uint32_t)(out - 8));
	return out;
}

/*
 * WebP straight from the pixels with libwebp's one-call encoder. libvips
 * 8.14's saver first copies the whole frame into a buffer of its own (13
 * MB for a 2400 px photo, on top of the image and libwebp's YUV copy) and
 * writes an EXIF chunk we then remove; this writes pixels and nothing
 * else. The image must be 8-bit sRGB, 3 or 4 bands. False if it is not
 * (the caller falls back to libvips) or on failure.
 */
static bool webp_direct(VipsImage *img, int q, void **data, size_t *len)
{
	if (img->BandFmt != VIPS_FORMAT_UCHAR || (img->Bands != 3 && img->Bands != 4))
		return false;
	VipsImage *m = vips_image_copy_memory(img); /* a reference if in memory */
	if (!m)
		return false;
	/* 8-bit samples, rows packed: a memory image's layout. */
	const uint8_t *px = m->data;
	int stride = m->Xsize * m->Bands;
	uint8_t *out = NULL;
	size_t n = m->Bands == 4 ? WebPEncodeRGBA(px, m->Xsize, m->Ysize, stride, (float)q, &out) :
				   WebPEncodeRGB(px, m->Xsize, m->Ysize, stride, (float)q, &out);
	g_object_unref(m);
	if (n == 0 || !out)
		return false;
	/* The blob is freed with g_free() like libvips' buffers. */
	*data = g_malloc(n);
	memcpy(*data, out, n);
	WebPFree(out);
	*len = n;
	return true;
}

/* Encode img (alpha flattened onto white for JPEG), metadata stripped. */
static bool encode(VipsImage *img, const char *format, struct media_blob *b, int q)
{
	void *data = NULL;
	size_t len = 0;
	int r;
	if (strcmp(format, "webp") == 0 && webp_direct(img, q, &data, &len)) {
		r = 0;
	} else if (strcmp(format, "webp") == 0) {
		r = vips_webpsave_buffer(img, &data, &len, "Q", q, "strip", TRUE, NULL);
		if (r == 0 && (len = media_webp_strip(data, len)) == 0) {
			g_free(data);
			vips_error("quire", "unexpected WebP layout");
			return false;
		}
	} else {
		VipsImage *flat = NULL;
		if (vips_image_hasalpha(img)) {
			VipsArrayDouble *white = vips_array_double_newv(3, 255.0, 255.0, 255.0);
			pthread_mutex_lock(&build_lock);
			r = vips_flatten(img, &flat, "background", white, NULL);
			pthread_mutex_unlock(&build_lock);
			vips_area_unref(VIPS_AREA(white));
			if (r)
				return false;
		} else {
			flat = img;
			g_object_ref(flat);
		}
		r = vips_jpegsave_buffer(flat, &data, &len, "Q", q, "strip", TRUE,
					 "optimize_coding", TRUE, "interlace", TRUE, NULL);
		g_object_unref(flat);
	}
	if (r)
		return false;
	b->data = data;
	b->len = len;
	hash_token(data, len, b->hash);
	return true;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *data_uri(struct arena *a, const unsigned char *p, size_t n)
{
	static const char prefix[] = "data:image/jpeg;base64,";
	size_t pl = sizeof(prefix) - 1;
	char *out = arena_alloc(a, pl + (n + 2) / 3 * 4 + 1);
	memcpy(out, prefix, pl);
	char *o = out + pl;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = b64[(v >> 18) & 63];
		*o++ = b64[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static void free_blobs(void *ctx)
{
	struct media_ingest *in = ctx;
	for (size_t i = 0; i < in->nblobs; i++)
		g_free(in->blobs[i].data);
	in->nblobs = 0;
}

/* A heavily blurred preview 24 px wide: shape and colour, no detail. */
static bool preview(struct arena *a, VipsImage *img, struct media_ingest *out)
{
	VipsImage *t = NULL, *p = img;
	g_object_ref(p);
	if (!step(&p, vips_resize(p, &t, 24.0 / p->Xsize, NULL), &t) ||
	    !step(&p, vips_gaussblur(p, &t, 1.2, NULL), &t))
		return false;
	struct media_blob b = {0};
	bool ok = encode(p, "jpeg", &b, 40);
	g_object_unref(p);
	if (!ok)
		return false;
	out->preview = data_uri(a, b.data, b.len);
	g_free(b.data);
	return true;
}

/*
 * The variants are independent encodes of one in-memory image; the WebP
 * encoder runs on one core, so they are shared between threads (this one
 * and QUIRE_PHOTO_ENCODERS - 1 helpers), largest first. Each job resizes its own view of the
 * shared image, which libvips allows from several threads.
 */
struct encode_job {
	VipsImage *img;
	unsigned width;
	const char *format;
	int q;
	struct media_blob *blob;
	bool ok;
};

struct encode_queue {
	struct encode_job *jobs;
	size_t n;
	pthread_mutex_t lock;
	size_t next;
};

static void encode_one(struct encode_job *j)
{
	VipsImage *v = j->img, *t = NULL;
	g_object_ref(v);
	if (j->width < (unsigned)v->Xsize) {
		pthread_mutex_lock(&build_lock);
		int r = vips_resize(v, &t, (double)j->width / v->Xsize, NULL);
		pthread_mutex_unlock(&build_lock);
		if (!step(&v, r, &t))
			return;
	}
	j->blob->format = j->format;
	j->blob->width = (unsigned)v->Xsize;
	j->blob->height = (unsigned)v->Ysize;
	j->ok = encode(v, j->format, j->blob, j->q);
	g_object_unref(v);
}

static void encode_jobs(struct encode_queue *q)
{
	for (;;) {
		pthread_mutex_lock(&q->lock);
		size_t i = q->next < q->n ? q->next++ : q->n;
		pthread_mutex_unlock(&q->lock);
		if (i == q->n)
			break;
		/* Jobs are stored smallest first; take the largest first. */
		encode_one(&q->jobs[q->n - 1 - i]);
	}
}

static void *encode_helper(void *arg)
{
	encode_jobs(arg);
	vips_thread_shutdown(); /* libvips' per-thread buffers */
	return NULL;
}

static void encode_all(struct encode_job *jobs, size_t n)
{
	struct encode_queue q = {jobs, n, PTHREAD_MUTEX_INITIALIZER, 0};
	pthread_t helpers[8];
	size_t nh = 0, want = media_limits()->encoders;
	while (nh + 1 < want && nh + 1 < n && nh < sizeof(helpers) / sizeof(helpers[0]) &&
	       pthread_create(&helpers[nh], NULL, encode_helper, &q) == 0)
		nh++;
	encode_jobs(&q);
	for (size_t i = 0; i < nh; i++)
		pthread_join(helpers[i], NULL);
}

enum media_err media_precheck(int fd, uint64_t size, enum media_kind *kind)
{
	*kind = KIND_NONE;
	if (size == 0)
		return MEDIA_EMPTY;
	if (size > media_limits()->max_bytes)
		return MEDIA_TOO_LARGE;
	unsigned char head[32];
	ssize_t got = pread(fd, head, sizeof(head), 0);
	if (got < 0)
		return MEDIA_IO;
	*kind = media_sniff(head, (size_t)got);
	return *kind == KIND_NONE ? MEDIA_UNSUPPORTED : MEDIA_OK;
}

enum media_err media_decode(int fd, uint64_t size, struct arena *a, struct media_ingest *out)
{
	const struct media_limits *lim = media_limits();
	memset(out, 0, sizeof(*out));
	enum media_kind kind;
	enum media_err pe = media_precheck(fd, size, &kind);
	if (pe)
		return pe;
	out->kind = kind;
	if (!media_vips_init())
		return MEDIA_IO;
	arena_defer(a, free_blobs, out);

	/* Header only: refuse decompression bombs before any pixel. */
	VipsImage *img = NULL;
	if (load(fd, kind, 1, &img)) {
		return failed("header");
	}
	uint64_t w = (uint64_t)img->Xsize, h = (uint64_t)img->Ysize;
	if (w == 0 || h == 0 || w > lim->max_side || h > lim->max_side ||
	    w * h > lim->max_pixels) {
		g_object_unref(img);
		return MEDIA_TOO_MANY_PIXELS;
	}
	bool swap = vips_image_get_orientation_swap(img);
	uint64_t ow = swap ? h : w; /* width once upright */
	static const unsigned widths[] = MEDIA_WIDTHS;
	uint64_t top = ow < widths[MEDIA_NWIDTHS - 1] ? ow : widths[MEDIA_NWIDTHS - 1];

	/* JPEG can decode at 1/2, 1/4, 1/8 scale for free: use the largest
	 * that still leaves the top width. */
	if (kind == KIND_JPEG) {
		int shrink = 1;
		while (shrink < 8 && ow / (uint64_t)(shrink * 2) >= top)
			shrink *= 2;
		if (shrink > 1) {
			g_object_unref(img);
			if (load(fd, kind, shrink, &img)) {
				return failed("load");
			}
		}
	}
	VipsImage *t = NULL;
	if (!to_srgb(&img)) {
		return failed("colour");
	}
	uint64_t cur = swap ? (uint64_t)img->Ysize : (uint64_t)img->Xsize;
	if (cur > top && !step(&img, vips_resize(img, &t, (double)top / (double)cur, NULL), &t)) {
		return failed("resize");
	}
	/* The one decode: the whole pipeline runs into memory here. */
	VipsImage *mem = vips_image_copy_memory(img);
	g_object_unref(img);
	if (!mem) {
		return failed("decode");
	}
	img = mem;
	/* Upright already (most cameras' landscape shots): no second copy. */
	if (vips_image_get_orientation(img) > 1) {
		if (!step(&img, vips_autorot(img, &t, NULL), &t) ||
		    !(mem = vips_image_copy_memory(img))) {
			if (img)
				g_object_unref(img);
			return failed("autorotate");
		}
		g_object_unref(img);
		img = mem;
	}
	strip_meta(img);
	out->width = (unsigned)img->Xsize;
	out->height = (unsigned)img->Ysize;

	bool ok = preview(a, img, out);
	/* The variants to make: each width up to the image's own, in both
	 * formats, in the order they are stored. */
	struct encode_job jobs[MEDIA_MAX_BLOBS];
	size_t njobs = 0;
	for (size_t wi = 0; wi < MEDIA_NWIDTHS; wi++) {
		unsigned want = widths[wi] < (unsigned)img->Xsize ? widths[wi] : (unsigned)img->Xsize;
		for (size_t f = 0; f < 2; f++, njobs++)
			jobs[njobs] = (struct encode_job){img, want, f == 0 ? "webp" : "jpeg",
							  f == 0 ? 78 : 82, &out->blobs[njobs], false};
		if (want == (unsigned)img->Xsize)
			break;
	}
	if (ok)
		encode_all(jobs, njobs);
	for (size_t i = 0; i < njobs; i++)
		if (jobs[i].ok)
			out->nblobs = i + 1; /* free_blobs frees up to here */
	for (size_t i = 0; ok && i < njobs; i++)
		ok = jobs[i].ok;
	g_object_unref(img);
	if (!ok) {
		return failed("encode");
	}
	return MEDIA_OK;
}

/* ---- files ---- */

static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

const char *media_file_path(struct arena *a, const char *hash, const char *format)
{
	return media_path_in(a, media_dir(), hash, format);
}

const char *media_path_in(struct arena *a, const char *dir, const char *hash, const char *format)
{
	return arena_printf(a, "%s/%.2s/%s.%s", dir, hash, hash,
			    strcmp(format, "webp") == 0 ? "webp" : "jpg");
}

enum media_err media_file_write(struct arena *a, const char *dir, const char *hash,
				const char *format, const void *data, size_t len)
{
	const char *sub = arena_printf(a, "%s/%.2s", dir, hash);
	if (mkdir(sub, 0750) && errno != EEXIST)
		return MEDIA_IO;
	const char *path = media_path_in(a, dir, hash, format);
	if (access(path, F_OK) == 0)
		return MEDIA_OK; /* same bytes already stored */
	char *tmp = arena_printf(a, "%s/.tmp-XXXXXX", sub);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return MEDIA_IO;
	bool ok = write_all(fd, data, len) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return MEDIA_IO;
	}
	int dfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return MEDIA_OK;
}

enum media_err media_write(struct store *st, struct arena *a, const struct media_ingest *in)
{
	for (size_t i = 0; i < in->nblobs; i++) {
		const struct media_blob *b = &in->blobs[i];
		/* The store first: where it holds blobs they are the truth for
		 * every app server, and this node's file is only its cache. */
		if (store_blob_put(st, b->hash, b->data, b->len))
			return MEDIA_IO;
		enum media_err e = media_file_write(a, media_dir(), b->hash, b->format, b->data,
						    b->len);
		if (e)
			return e;
	}
	return MEDIA_OK;
}
