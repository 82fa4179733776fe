/*
 * import_cmd.c - an export, from a folder or its zip, into a writer's
 * stories (import_cmd.h).
 */
#include "porting/import_cmd.h"

#include "core/buf.h"
#include "media/media.h"
#include "net/fetch.h"
#include "porting/export.h"
#include "porting/porting.h"
#include "porting/zip.h"
#include "stories/importer.h"
#include "store/store_media.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Where the reasons an export cannot be read are written. */
#define ERR_TO(args) ((args)->err ? (args)->err : stderr)
/* The export as its reports name it. */
#define SHOWN(args) ((args)->name ? (args)->name : (args)->path)

/* Where the export's files come from: a folder, or a zip (with the
 * single folder most zips wrap everything in). */
struct source {
	const char *dir;     /* a folder; NULL for a zip */
	struct zip_in *zip;
	const char *root;    /* in the zip: "" or "folder/" */
	char err[300];       /* the last file's error, for the report */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), n = strlen(suffix);
	return l >= n && strcasecmp(s + l - n, suffix) == 0;
}

static const char *dir_file(const char *dir, struct arena *a, const char *name, size_t max,
			    size_t *len)
{
	const char *path = arena_printf(a, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b;
	buf_init(&b, max);
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !buf_failed(&b))
		buf_add(&b, chunk, n);
	bool bad = ferror(f) || buf_failed(&b);
	fclose(f);
	const char *out = bad ? NULL : arena_strndup(a, b.data ? b.data : "", b.len);
	*len = bad ? 0 : b.len;
	buf_release(&b);
	return out;
}

/* A file of the export by its name inside it, at most max bytes. */
static const char *source_file(struct source *s, struct arena *a, const char *name, size_t max,
			       size_t *len)
{
	*len = 0;
	if (strstr(name, "..") || name[0] == '/')
		return NULL;
	if (s->dir)
		return dir_file(s->dir, a, name, max, len);
	return zip_in_read(s->zip, a, arena_printf(a, "%s%s", s->root, name), max, len, s->err,
			   sizeof(s->err));
}

/* For the readers (porting.h): one post's file. */
static const char *reader_file(void *ctx, struct arena *a, const char *name, size_t *len)
{
	return source_file(ctx, a, name, PORT_MAX_HTML, len);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The names (inside the export) of its files under folder ("posts/")
 * ending in ext, sorted. */
static const char **source_list(struct source *s, struct arena *a, const char *folder,
				const char *ext, size_t *n)
{
	size_t cap = 64;
	const char **names = arena_alloc(a, cap * sizeof(*names));
	*n = 0;
	DIR *d = NULL;
	size_t nz = 0;
	if (s->dir) {
		d = opendir(arena_printf(a, "%s/%s", s->dir, folder));
		if (!d)
			return NULL;
	} else {
		nz = zip_in_count(s->zip);
	}
	size_t fl = strlen(folder), rl = strlen(s->root);
	for (size_t i = 0;; i++) {
		const char *name;
		if (d) {
			struct dirent *e = readdir(d);
			if (!e)
				break;
			if (e->d_name[0] == '.')
				continue;
			name = arena_printf(a, "%s%s", folder, e->d_name);
		} else {
			if (i >= nz)
				break;
			const char *full = zip_in_name(s->zip, i);
			if (strncmp(full, s->root, rl) != 0 || strncmp(full + rl, folder, fl) != 0 ||
			    strchr(full + rl + fl, '/'))
				continue;
			name = arena_strdup(a, full + rl);
		}
		if (!ends_with(name, ext) || strlen(name) <= fl + strlen(ext))
			continue;
		if (*n == cap) {
			const char **nn = arena_alloc(a, 2 * cap * sizeof(*nn));
			memcpy(nn, names, *n * sizeof(*nn));
			names = nn;
			cap *= 2;
		}
		names[(*n)++] = name;
	}
	if (d)
		closedir(d);
	qsort(names, *n, sizeof(*names), cmp_names);
	return names;
}

/* ---- images into photos ---- */

struct fetcher {
	bool allow_private;
};

static int fetch_photo(void *ctx, struct store *st, struct arena *a, const char *url,
		       const char *story_id, const char *id, const char *alt, const char *caption,
		       const char **msg)
{
	struct fetcher *f = ctx;
	struct fetch_opts fo = {
		.max_bytes = (size_t)media_limits()->max_bytes,
		.timeout_ms = 60000,
		.allow_private = f->allow_private,
	};
	struct fetch_result fr;
	fetch_result_init(&fr);
	enum fetch_err e = fetch_get(url, &fo, &fr);
	if (e) {
		*msg = arena_strdup(a, fr.error[0] ? fr.error : "it could not be fetched");
		fetch_result_release(&fr);
		return 1;
	}
	struct photo_row p = {.alt = alt, .caption = caption};
	memcpy(p.id, id, sizeof(p.id));
	memcpy(p.story_id, story_id, sizeof(p.story_id));
	const char *why = NULL;
	int status = media_photo_add(st, a, fr.body.data ? fr.body.data : "", fr.body.len, &p, &why);
	fetch_result_release(&fr);
	if (status)
		*msg = arena_printf(a, "fetched, but not a photo Quire keeps: %s",
				    why ? why : "it could not be stored");
	return status;
}

/* ---- reading each kind ---- */

static bool read_medium(struct source *s, struct arena *a, const struct import_args *args,
			struct port_export *ex)
{
	size_t n;
	const char **names = source_list(s, a, "posts/", ".html", &n);
	if (!names) {
		fprintf(ERR_TO(args), "quire: import: %s has no posts/ folder (a Medium export has one)\n",
			SHOWN(args));
		return false;
	}
	memset(ex, 0, sizeof(*ex));
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		const char *html = reader_file(s, a, names[i], &len);
		if (!html) {
			port_list_addf(a, &ex->notes, "Skipped %s: it could not be read (or is larger "
				       "than a post may be).", names[i]);
			continue;
		}
		port_read_medium_post(a, names[i] + strlen("posts/"), html, len,
				      args->include_responses, ex);
	}
	if (!n && !s->dir)
		fprintf(ERR_TO(args), "quire: import: %s holds no posts/*.html: is it a Medium export?\n",
			SHOWN(args));
	return n || s->dir;
}

/* The one .xml file of a zipped WordPress export. */
static const char *zip_xml(struct source *s, struct arena *a)
{
	const char *found = NULL;
	for (size_t i = 0, n = zip_in_count(s->zip); i < n; i++) {
		const char *name = zip_in_name(s->zip, i);
		if (name[0] && ends_with(name, ".xml") && !strstr(name, "__MACOSX")) {
			if (found)
				return NULL;
			found = name;
		}
	}
	return found ? arena_strdup(a, found) : NULL;
}

static bool read_whole(struct source *s, struct arena *a, const struct import_args *args,
		       struct port_export *ex)
{
	bool substack = !strcmp(args->kind, "substack");
	const char *data;
	size_t len = 0;
	const char *what;
	if (s->dir) {
		what = substack ? arena_printf(a, "%s/posts.csv", s->dir) : args->path;
		data = substack ? source_file(s, a, "posts.csv", PORT_MAX_EXPORT, &len) : NULL;
		if (!substack) {
			/* the .xml file itself: its folder is the source */
			const char *slash = strrchr(args->path, '/');
			const char *base = slash ? slash + 1 : args->path;
			data = dir_file(slash ? arena_strndup(a, args->path, (size_t)(slash - args->path)) :
					".", a, base, PORT_MAX_EXPORT, &len);
		}
		if (!data) {
			fprintf(ERR_TO(args), "quire: import: cannot read %s: %s\n", what,
				errno ? strerror(errno) : "larger than an export may be (256 MB)");
			return false;
		}
	} else {
		const char *name = substack ? "posts.csv" : zip_xml(s, a);
		if (!name) {
			fprintf(ERR_TO(args), "quire: import: %s should hold one .xml file (a WordPress "
				"export)\n", SHOWN(args));
			return false;
		}
		if (!substack)
			s->root = "";
		what = arena_printf(a, "%s: %s%s", SHOWN(args), s->root, name);
		data = source_file(s, a, name, PORT_MAX_EXPORT, &len);
		if (!data) {
			fprintf(ERR_TO(args), "quire: import: %s\n", s->err[0] ? s->err :
				"posts.csv is missing (a Substack export has it)");
			return false;
		}
	}
	char err[300];
	bool ok = substack ? port_read_substack(a, data, len, reader_file, s, ex, err, sizeof(err)) :
			     port_read_wxr(a, data, len, ex, err, sizeof(err));
	if (!ok)
		fprintf(ERR_TO(args), "quire: import: %s: %s; nothing was imported\n", what, err);
	return ok;
}

/* ---- a Quire export (export.h) ---- */

static const char **reader_list(void *ctx, struct arena *a, const char *folder, const char *ext,
				size_t *n)
{
	return source_list(ctx, a, folder, ext, n);
}

/* A photo of the export: its bytes from the zip or folder, through the
 * same checks, sandboxed decode and stripping as an upload. */
static int file_photo(void *ctx, struct store *st, struct arena *a, const char *file,
		      struct photo_row *p, const char **msg)
{
	struct source *s = ctx;
	size_t len = 0;
	const char *data = source_file(s, a, file, (size_t)media_limits()->max_bytes, &len);
	if (!data) {
		*msg = s->err[0] ? arena_strdup(a, s->err) : "the export has no such file (or it is "
			"larger than a photo may be)";
		return 1;
	}
	const char *why = NULL;
	int status = media_photo_add(st, a, data, len, p, &why);
	if (status)
		*msg = arena_printf(a, "not a photo Quire keeps: %s", why ? why : "it could not be "
				    "stored");
	return status;
}

static bool import_quire(struct source *s, struct arena *a, struct store *st,
			 const struct user_row *author, const struct import_args *args,
			 struct import_report *r)
{
	struct quire_export ex;
	char err[300];
	if (!quire_read(a, reader_file, reader_list, s, &ex, err, sizeof(err))) {
		fprintf(ERR_TO(args), "quire: import: %s: %s; nothing was imported\n", SHOWN(args), err);
		return false;
	}
	if (r->out)
		fprintf(r->out, "importing %zu stories of @%s from %s into @%s\n", ex.n,
			ex.handle ? ex.handle : "?", SHOWN(args), author->handle);
	story_import_quire(st, a, author, &ex, args->fetch_photos ? file_photo : NULL,
			   s, r);
	return true;
}

bool import_kind_known(const char *kind)
{
	return !strcmp(kind, "wordpress") || !strcmp(kind, "substack") || !strcmp(kind, "medium") ||
	       !strcmp(kind, "quire");
}

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int import_export(struct store *st, const struct user_row *author, const struct import_args *args)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct arena a;
	arena_init(&a);
	struct fetcher f = {args->allow_private};
	struct import_report r = {.out = args->out, .photo = args->fetch_photos ? fetch_photo : NULL,
				  .photo_ctx = &f, .progress = args->progress,
				  .progress_ctx = args->progress_ctx};
	int rc = 0;
	if (args->kind) {
		struct source s = {.root = ""};
		struct stat sb;
		if (stat(args->path, &sb) != 0) {
			fprintf(ERR_TO(args), "quire: import: cannot read %s: %s\n", SHOWN(args),
				strerror(errno));
			arena_release(&a);
			return 1;
		}
		bool is_zip = S_ISREG(sb.st_mode) && ends_with(args->path, ".zip");
		bool wp = !strcmp(args->kind, "wordpress");
		if (is_zip) {
			s.zip = zip_in_open(args->path, s.err, sizeof(s.err));
			if (!s.zip) {
				fprintf(ERR_TO(args), "quire: import: %s: %s; nothing was imported\n",
					SHOWN(args), s.err);
				arena_release(&a);
				return 1;
			}
			s.root = zip_in_root(s.zip, &a);
		} else if (!wp && !S_ISDIR(sb.st_mode)) {
			fprintf(ERR_TO(args), "quire: import: %s is neither the export's folder nor its "
				".zip (%s)\n", SHOWN(args), !strcmp(args->kind, "medium") ?
				"a Medium export has posts/" : !strcmp(args->kind, "quire") ?
				"a Quire export has quire.json" : "a Substack export has posts.csv");
			arena_release(&a);
			return 1;
		} else {
			s.dir = args->path;
		}
		struct port_export ex = {0};
		bool quire = !strcmp(args->kind, "quire");
		bool ok = quire ? import_quire(&s, &a, st, author, args, &r) :
			  !strcmp(args->kind, "medium") ? read_medium(&s, &a, args, &ex) :
							  read_whole(&s, &a, args, &ex);
		if (ok && !quire) {
			if (r.out)
				fprintf(r.out, "importing %zu posts of %s into @%s\n", ex.n, SHOWN(args),
					author->handle);
			story_import_all(st, &a, author, args->kind, &ex, &r);
		}
		zip_in_close(s.zip);
		if (!ok) {
			arena_release(&a);
			return 1;
		}
	}
	if (args->retry_photos) {
		if (r.out)
			fprintf(r.out, "fetching the missing photos of @%s again\n", author->handle);
		story_import_retry_photos(st, &a, author, 100000, &r);
	}
	if (r.out)
		fprintf(r.out, "%zu imported, %zu skipped (imported before), %zu failed; %zu photos "
			"fetched, %zu missing%s; %.2f s\n", r.imported, r.skipped, r.failed, r.photos,
			r.missing, r.missing && !(args->kind && !strcmp(args->kind, "quire")) ?
			(args->name ? " (Fetch missing photos again tries them again)" :
				      " (--retry-photos tries them again)") : "", since(&t0));
	rc = r.failed ? 1 : 0;
	arena_release(&a);
	return rc;
}
