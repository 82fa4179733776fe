/*
 * zip.c - zip files in and out over libzip (zip.h).
 */
#include "porting/zip.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

struct zip_in {
	zip_t *z;
	uint64_t inflated; /* bytes read out of it so far */
};

static void zerr(char *err, size_t errlen, const char *what, zip_error_t *ze)
{
	snprintf(err, errlen, "%s: %s", what, ze ? zip_error_strerror(ze) : "not a zip file");
}

static struct zip_in *wrap(zip_t *z, char *err, size_t errlen)
{
	if (zip_get_num_entries(z, 0) > ZIP_MAX_ENTRIES) {
		snprintf(err, errlen, "it holds more than %d files", ZIP_MAX_ENTRIES);
		zip_discard(z);
		return NULL;
	}
	struct zip_in *in = calloc(1, sizeof(*in));
	if (!in)
		abort();
	in->z = z;
	return in;
}

struct zip_in *zip_in_open(const char *path, char *err, size_t errlen)
{
	int code = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &code);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, code);
		zerr(err, errlen, "not a zip file we can read", &ze);
		zip_error_fini(&ze);
		return NULL;
	}
	return wrap(z, err, errlen);
}

struct zip_in *zip_in_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
	zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
	if (!z) {
		zerr(err, errlen, "not a zip file we can read", &ze);
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		return NULL;
	}
	zip_error_fini(&ze);
	return wrap(z, err, errlen);
}

void zip_in_close(struct zip_in *z)
{
	if (!z)
		return;
	zip_discard(z->z);
	free(z);
}

size_t zip_in_count(const struct zip_in *z)
{
	zip_int64_t n = zip_get_num_entries(z->z, 0);
	return n < 0 ? 0 : (size_t)n;
}

static bool name_ok(const char *s)
{
	if (!s || !s[0] || s[0] == '/' || strchr(s, '\\') || strchr(s, ':'))
		return false;
	/* No ".." path part anywhere. */
	for (const char *p = s; *p;) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (!e)
			break;
		p = e + 1;
	}
	return true;
}

const char *zip_in_name(struct zip_in *z, size_t i)
{
	const char *s = zip_get_name(z->z, (zip_uint64_t)i, ZIP_FL_ENC_GUESS);
	return name_ok(s) ? s : "";
}

const char *zip_in_root(struct zip_in *z, struct arena *a)
{
	size_t n = zip_in_count(z);
	const char *root = NULL;
	size_t rl = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = zip_in_name(z, i);
		if (!s[0])
			continue;
		const char *slash = strchr(s, '/');
		/* "__MACOSX/" folders beside the real one are not a second root. */
		if (slash && (size_t)(slash - s) == 8 && !strncmp(s, "__MACOSX", 8))
			continue;
		if (!slash)
			return "";
		size_t l = (size_t)(slash - s) + 1;
		if (!root) {
			root = s;
			rl = l;
		} else if (l != rl || strncmp(s, root, l) != 0) {
			return "";
		}
	}
	return root ? arena_strndup(a, root, rl) : "";
}

const char *zip_in_read(struct zip_in *z, struct arena *a, const char *name, size_t max,
			size_t *len, char *err, size_t errlen)
{
	*len = 0;
	if (!max || max > ZIP_MAX_ENTRY)
		max = ZIP_MAX_ENTRY;
	if (!name_ok(name)) {
		snprintf(err, errlen, "%s: not a name we read", name);
		return NULL;
	}
	zip_int64_t idx = zip_name_locate(z->z, name, ZIP_FL_ENC_GUESS);
	if (idx < 0) {
		snprintf(err, errlen, "%s: not in the zip", name);
		return NULL;
	}
	zip_stat_t zs;
	zip_stat_init(&zs);
	if (zip_stat_index(z->z, (zip_uint64_t)idx, 0, &zs) != 0) {
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return NULL;
	}
	if ((zs.valid & ZIP_STAT_ENCRYPTION_METHOD) && zs.encryption_method != ZIP_EM_NONE) {
		snprintf(err, errlen, "%s: encrypted; export it again without a password", name);
		return NULL;
	}
	zip_file_t *f = zip_fopen_index(z->z, (zip_uint64_t)idx, 0);
	if (!f) {
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return NULL;
	}
	struct buf b;
	buf_init(&b, max);
	char chunk[65536];
	zip_int64_t n;
	bool bad = false, big = false;
	while ((n = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		z->inflated += (uint64_t)n;
		if (z->inflated > ZIP_MAX_TOTAL) {
			big = true;
			snprintf(err, errlen, "%s: the zip inflates to more than %llu MB", name,
				 (unsigned long long)(ZIP_MAX_TOTAL >> 20));
			break;
		}
		buf_add(&b, chunk, (size_t)n);
		if (buf_failed(&b)) {
			big = true;
			snprintf(err, errlen, "%s: larger than %zu MB", name, max >> 20);
			break;
		}
	}
	if (n < 0 && !big) {
		bad = true;
		snprintf(err, errlen, "%s: %s", name, zip_file_strerror(f));
	}
	zip_fclose(f);
	if (bad || big) {
		buf_release(&b);
		return NULL;
	}
	const char *out = arena_strndup(a, b.data ? b.data : "", b.len);
	*len = b.len;
	buf_release(&b);
	return out;
}

struct zip_out {
	zip_t *z;
};

struct zip_out *zip_out_open(const char *path, char *err, size_t errlen)
{
	int code = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, code);
		zerr(err, errlen, path, &ze);
		zip_error_fini(&ze);
		return NULL;
	}
	struct zip_out *o = calloc(1, sizeof(*o));
	if (!o)
		abort();
	o->z = z;
	return o;
}

bool zip_out_add(struct zip_out *z, const char *name, const void *data, size_t len, bool stored,
		 char *err, size_t errlen)
{
	if (!name_ok(name)) {
		snprintf(err, errlen, "%s: not a name for a zip entry", name);
		return false;
	}
	/* libzip frees the copy with the source; an empty entry has none
	 * (a zero-length buffer it would never free). */
	void *copy = NULL;
	if (len) {
		copy = malloc(len);
		if (!copy)
			abort();
		memcpy(copy, data, len);
	}
	zip_source_t *src = zip_source_buffer(z->z, copy, len, len ? 1 : 0);
	if (!src) {
		free(copy);
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return false;
	}
	zip_int64_t idx = zip_file_add(z->z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
	if (idx < 0) {
		zip_source_free(src);
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return false;
	}
	if (zip_set_file_compression(z->z, (zip_uint64_t)idx, stored ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
				     stored ? 0 : 6) != 0) {
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return false;
	}
	return true;
}

/* Add src under name with its compression; src is freed on error. */
static bool out_add_source(struct zip_out *z, const char *name, zip_source_t *src, bool stored,
			   char *err, size_t errlen)
{
	zip_int64_t idx = zip_file_add(z->z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
	if (idx < 0) {
		zip_source_free(src);
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return false;
	}
	if (zip_set_file_compression(z->z, (zip_uint64_t)idx, stored ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
				     stored ? 0 : 6) != 0) {
		snprintf(err, errlen, "%s: %s", name, zip_strerror(z->z));
		return false;
	}
	return true;
}

bool zip_out_add_file(struct zip_out *z, const char *name, const char *path, bool stored,
		      char *err, size_t errlen)
{
	if (!name_ok(name)) {
		snprintf(err, errlen, "%s: not a name for a zip entry", name);
		return false;
	}
	zip_source_t *src = zip_source_file(z->z, path, 0, -1);
	if (!src) {
		snprintf(err, errlen, "%s: %s", path, zip_strerror(z->z));
		return false;
	}
	return out_add_source(z, name, src, stored, err, errlen);
}

bool zip_out_close(struct zip_out *z, char *err, size_t errlen)
{
	bool ok = zip_close(z->z) == 0;
	if (!ok) {
		snprintf(err, errlen, "%s", zip_strerror(z->z));
		zip_discard(z->z);
	}
	free(z);
	return ok;
}

void zip_out_discard(struct zip_out *z)
{
	if (!z)
		return;
	zip_discard(z->z);
	free(z);
}
