/*
 * archive.c - backups that restore into any backend (store.h).
 *
 * A backup is one gzip stream of lines:
 *
 *	{"quire_backup":1,"schema":N,"from":"sqlite"}      the header
 *	{"t":"users","r":{...}}                            a row (store_dump)
 *	{"f":"ab/abcdef....webp","n":12345}                a media file's name
 *	<12345 bytes of the file>\n                        and its bytes
 *	{"end":{"rows":R,"files":F}}                       the last line
 *
 * Rows come first, read from one snapshot; the media files after. Photo
 * files are written once (temp + rename) and never changed, and a photo
 * row is committed only after its files exist, so the files read after
 * the snapshot cover every photo it names. gzip's CRC covers the stream
 * and the closing counts catch a cut file. The file holds password and
 * session-token hashes and the server key: it is created 0600.
 *
 * A backup is outside input when restored: every line is parsed by
 * jansson with limits, file names may not climb out of media/, and rows
 * go through store_load_row(), which accepts known tables and columns
 * only. archive_read_line() is the parser of the framing; it has a fuzz
 * target (fuzz/fuzz_archive.c).
 */
#include "store/archive.h"
#include "store/backend.h"
#include "core/crypto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define ARCHIVE_VERSION 1

/* ---- writing ---- */

struct writer {
	gzFile gz;
	unsigned long rows;
	bool failed;
};

static bool put(struct writer *w, const void *data, size_t len)
{
	if (w->failed)
		return false;
	while (len) {
		unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
		if (gzwrite(w->gz, data, chunk) != (int)chunk) {
			w->failed = true;
			return false;
		}
		data = (const char *)data + chunk;
		len -= chunk;
	}
	return true;
}

static bool put_json(struct writer *w, json_t *o)
{
	char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	bool ok = line && put(w, line, strlen(line)) && put(w, "\n", 1);
	free(line);
	return ok;
}

static bool on_row(void *ctx, const char *table, const char *json)
{
	struct writer *w = ctx;
	w->rows++;
	/* The row is already JSON: frame it without parsing it again. */
	char head[96];
	int n = snprintf(head, sizeof(head), "{\"t\":\"%s\",\"r\":", table);
	return n > 0 && (size_t)n < sizeof(head) && put(w, head, (size_t)n) &&
	       put(w, json, strlen(json)) && put(w, "}\n", 2);
}

static bool read_whole(const char *path, unsigned char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0;
	*len = ok ? (size_t)st.st_size : 0;
	*data = ok ? malloc(*len ? *len : 1) : NULL;
	size_t got = 0;
	while (*data && got < *len) {
		ssize_t r = read(fd, *data + got, *len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!*data || got != *len) {
		free(*data);
		return false;
	}
	return true;
}

/* Every regular file under dir, named rel/... in the backup. */
static bool put_tree(struct writer *w, const char *dir, const char *rel, unsigned long *files,
		     char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT;
	bool ok = true;
	struct dirent *e;
	while (ok && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue; /* ".", "..", and temporary files being written */
		char path[4096], sub[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		struct stat st;
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			ok = put_tree(w, path, sub, files, err, errlen);
		} else if (S_ISREG(st.st_mode)) {
			unsigned char *data;
			size_t len;
			if (!read_whole(path, &data, &len)) {
				snprintf(err, errlen, "cannot read %s", path);
				ok = false;
				break;
			}
			ok = put_json(w, json_pack("{s:s, s:I}", "f", sub, "n", (json_int_t)len)) &&
			     put(w, data, len) && put(w, "\n", 1);
			free(data);
			(*files)++;
		}
	}
	closedir(d);
	return ok;
}

static int create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && fchmod(fd, 0600) != 0) { /* the umask may have taken bits */
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

enum store_err store_backup(struct store *s, const char *dest_path, const char *media_dir,
			    unsigned long *files, char *err, size_t errlen)
{
	*files = 0;
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.part", dest_path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "the file name is too long");
		return STORE_ERROR;
	}
	unlink(tmp);
	int fd = create_private(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		return STORE_ERROR;
	}
	int keep = dup(fd); /* for fsync after gzclose */
	struct writer w = {.gz = gzdopen(fd, "wb6")};
	if (!w.gz) {
		close(fd);
		close(keep);
		unlink(tmp);
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	bool ok = put_json(&w, json_pack("{s:i, s:i, s:s}", "quire_backup", ARCHIVE_VERSION,
					 "schema", store_schema_version(s), "from", s->be->scheme));
	if (ok && store_dump(s, on_row, &w) != STORE_OK) {
		snprintf(err, errlen, "cannot read the database");
		ok = false;
	}
	if (ok)
		ok = put_tree(&w, media_dir, "", files, err, errlen);
	if (ok)
		ok = put_json(&w, json_pack("{s:{s:I, s:I}}", "end", "rows", (json_int_t)w.rows,
					    "files", (json_int_t)*files));
	if (ok && w.failed)
		snprintf(err, errlen, "cannot write %s", tmp);
	ok = ok && !w.failed;
	if (gzclose(w.gz) != Z_OK && ok) {
		snprintf(err, errlen, "cannot write %s", tmp);
		ok = false;
	}
	if (ok && fsync(keep) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		ok = false;
	}
	close(keep);
	if (ok && rename(tmp, dest_path) != 0) {
		snprintf(err, errlen, "cannot move the backup into place: %s", strerror(errno));
		ok = false;
	}
	if (!ok)
		unlink(tmp);
	return ok ? STORE_OK : STORE_ERROR;
}

/* ---- reading ---- */

enum archive_line archive_read_line(const char *line, size_t len, struct archive_item *it)
{
	memset(it, 0, sizeof(*it));
	if (len == 0 || len > ARCHIVE_MAX_LINE || memchr(line, '\0', len))
		return ARCHIVE_BAD;
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return ARCHIVE_BAD;
	}
	enum archive_line kind = ARCHIVE_BAD;
	json_t *v;
	if ((v = json_object_get(o, "t")) && json_is_string(v) && json_object_size(o) == 2 &&
	    json_is_object(json_object_get(o, "r"))) {
		snprintf(it->table, sizeof(it->table), "%s", json_string_value(v));
		it->row = json_dumps(json_object_get(o, "r"), JSON_COMPACT);
		kind = it->row && strlen(json_string_value(v)) < sizeof(it->table) ? ARCHIVE_ROW
										 : ARCHIVE_BAD;
	} else if ((v = json_object_get(o, "f")) && json_is_string(v) && json_object_size(o) == 2 &&
		   json_is_integer(json_object_get(o, "n"))) {
		const char *name = json_string_value(v);
		json_int_t n = json_integer_value(json_object_get(o, "n"));
		/* Names come from the file: never let one climb out of media/. */
		bool safe = *name && name[0] != '/' && !strstr(name, "..") &&
			    strlen(name) < sizeof(it->file) && n >= 0 && n <= ARCHIVE_MAX_FILE;
		if (safe) {
			snprintf(it->file, sizeof(it->file), "%s", name);
			it->size = (size_t)n;
			kind = ARCHIVE_FILE;
		}
	} else if ((v = json_object_get(o, "end")) && json_is_object(v) &&
		   json_is_integer(json_object_get(v, "rows")) &&
		   json_is_integer(json_object_get(v, "files"))) {
		it->rows = (unsigned long)json_integer_value(json_object_get(v, "rows"));
		it->files = (unsigned long)json_integer_value(json_object_get(v, "files"));
		kind = ARCHIVE_END;
	} else if ((v = json_object_get(o, "quire_backup")) && json_is_integer(v)) {
		it->version = (int)json_integer_value(v);
		kind = it->version == ARCHIVE_VERSION ? ARCHIVE_HEADER : ARCHIVE_BAD;
	}
	json_decref(o);
	if (kind == ARCHIVE_BAD)
		archive_item_free(it);
	return kind;
}

void archive_item_free(struct archive_item *it)
{
	free(it->row);
	it->row = NULL;
}

/* One line of the stream into *buf (grown as needed, at most
 * ARCHIVE_MAX_LINE); false at the end or on a read error. */
static bool gz_line(gzFile gz, char **buf, size_t *cap, size_t *len)
{
	*len = 0;
	for (;;) {
		if (*len + 2 > *cap) {
			if (*cap >= ARCHIVE_MAX_LINE)
				return false;
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb = realloc(*buf, ncap);
			if (!nb)
				return false;
			*buf = nb;
			*cap = ncap;
		}
		int c = gzgetc(gz);
		if (c < 0)
			return false;
		if (c == '\n')
			return true;
		(*buf)[(*len)++] = (char)c;
	}
}

static bool make_parents(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) == 0) {
			if (chmod(buf, 0700) != 0)
				return false;
		} else if (errno != EEXIST) {
			return false;
		}
		*p = '/';
	}
	return true;
}

/* Copy size bytes of the stream into a new file media_dir/name. */
static bool write_file(gzFile gz, const char *media_dir, const char *name, size_t size)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", media_dir, name) >= (int)sizeof(path))
		return false;
	int fd = make_parents(path) ?
		 open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	if (fd < 0)
		return false;
	bool ok = fchmod(fd, 0600) == 0;
	char chunk[65536];
	while (ok && size) {
		unsigned want = size > sizeof(chunk) ? (unsigned)sizeof(chunk) : (unsigned)size;
		int got = gzread(gz, chunk, want);
		ok = got == (int)want && write(fd, chunk, want) == (ssize_t)want;
		size -= want;
	}
	ok = ok && gzgetc(gz) == '\n' && fsync(fd) == 0;
	return close(fd) == 0 && ok;
}

/* Whether the database at s holds no site yet. */
static bool empty(struct store *s)
{
	for (size_t t = 0; store_tables[t]; t++) {
		int64_t n = 1;
		if (store_table_count(s, store_tables[t], &n) || n != 0)
			return false;
	}
	return true;
}

static enum store_err restore_stream(gzFile gz, struct store *s, const char *media_dir,
				     unsigned long *files, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t cap = 0, len;
	struct archive_item it;
	enum store_err e = STORE_ERROR;
	unsigned long rows = 0;
	bool header = false, end = false, in_txn = false;
	while (!end && gz_line(gz, &buf, &cap, &len)) {
		enum archive_line k = archive_read_line(buf, len, &it);
		if (k == ARCHIVE_BAD || (k != ARCHIVE_HEADER && !header) ||
		    (k == ARCHIVE_HEADER && header)) {
			snprintf(err, errlen, "the backup is damaged (line %lu)", rows + *files + 1);
			goto out;
		}
		switch (k) {
		case ARCHIVE_HEADER:
			header = true;
			if (store_begin(s)) {
				snprintf(err, errlen, "cannot write the database");
				goto out;
			}
			in_txn = true;
			break;
		case ARCHIVE_ROW: {
			enum store_err le = store_load_row(s, it.table, it.row);
			archive_item_free(&it);
			if (le) {
				snprintf(err, errlen, "cannot load a row of %s (a backup of another "
						      "version, or damaged)", it.table);
				goto out;
			}
			rows++;
			break;
		}
		case ARCHIVE_FILE:
			if (!write_file(gz, media_dir, it.file, it.size)) {
				snprintf(err, errlen, "cannot write %s/%s", media_dir, it.file);
				goto out;
			}
			(*files)++;
			break;
		case ARCHIVE_END:
			if (it.rows != rows || it.files != *files) {
				snprintf(err, errlen, "the backup is incomplete");
				goto out;
			}
			end = true;
			break;
		case ARCHIVE_BAD:
			break;
		}
	}
	if (!end) {
		snprintf(err, errlen, "the backup is cut short or damaged");
		goto out;
	}
	if (store_load_done(s) || store_commit(s)) {
		in_txn = false;
		snprintf(err, errlen, "cannot write the database");
		goto out;
	}
	in_txn = false;
	e = STORE_OK;
out:
	if (in_txn)
		store_rollback(s);
	free(buf);
	return e;
}

enum store_err store_restore(const char *backup_path, const char *url, const char *media_dir,
			     unsigned long *files, char *err, size_t errlen)
{
	*files = 0;
	const char *where;
	const struct store_backend *be = store_backend_for(url, &where);
	if (!be) {
		snprintf(err, errlen, "%s: unknown kind of database", url);
		return STORE_ERROR;
	}
	int fd = open(backup_path, O_RDONLY | O_CLOEXEC);
	unsigned char magic[16] = {0};
	if (fd < 0 || read(fd, magic, sizeof(magic)) < 2) {
		snprintf(err, errlen, "cannot read %s", backup_path);
		if (fd >= 0)
			close(fd);
		return STORE_ERROR;
	}
	if (memcmp(magic, "SQLite format 3", 16) == 0) {
		close(fd);
		if (!be->restore_sqlite_file) {
			snprintf(err, errlen, "a backup of an earlier version restores into SQLite "
					      "only; restore it there, then move the site with a "
					      "new backup");
			return STORE_ERROR;
		}
		return be->restore_sqlite_file(backup_path, where, media_dir, files, err, errlen);
	}
	if (magic[0] != 0x1f || magic[1] != 0x8b || lseek(fd, 0, SEEK_SET) != 0) {
		close(fd);
		snprintf(err, errlen, "%s is not a Quire backup", backup_path);
		return STORE_ERROR;
	}
	gzFile gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	struct store *s;
	enum store_err e = store_open(url, &s, err, errlen);
	if (!e && !empty(s)) {
		snprintf(err, errlen, "the database already holds a site; restore into a new one");
		e = STORE_ERROR;
	}
	if (!e)
		e = restore_stream(gz, s, media_dir, files, err, errlen);
	store_close(s);
	gzclose(gz);
	return e;
}

/* ---- moving a site between databases ---- */

struct copy {
	struct store *to;
	const char *table;   /* the table being read, for the checksums */
	uint64_t sum[64];    /* per store_tables entry: order-free checksum */
	int64_t rows[64];
	bool failed;
};

static size_t table_index(const char *name)
{
	size_t t = 0;
	while (store_tables[t] && strcmp(store_tables[t], name) != 0)
		t++;
	return t;
}

/* A row's checksum, the same whichever backend wrote it: keys sorted,
 * flags as 0/1. Summed per table, so that the order rows come in does
 * not matter. */
static uint64_t row_sum(const char *json)
{
	json_error_t e;
	json_t *o = json_loads(json, 0, &e);
	if (!o)
		return 0;
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		if (json_is_boolean(v))
			json_object_set_new(o, k, json_integer(json_is_true(v)));
	}
	char *canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(o);
	if (!canon)
		return 0;
	char hex[65];
	hash_token(canon, strlen(canon), hex);
	free(canon);
	hex[16] = '\0'; /* 64 bits of it */
	return strtoull(hex, NULL, 16);
}

static bool copy_row(void *ctx, const char *table, const char *json)
{
	struct copy *c = ctx;
	size_t t = table_index(table);
	if (t >= 64 || store_load_row(c->to, table, json) != STORE_OK) {
		c->failed = true;
		return false;
	}
	c->sum[t] += row_sum(json);
	c->rows[t]++;
	return true;
}

static bool sum_row(void *ctx, const char *table, const char *json)
{
	struct copy *c = ctx;
	size_t t = table_index(table);
	if (t >= 64)
		return false;
	c->sum[t] += row_sum(json);
	c->rows[t]++;
	return true;
}

enum store_err store_copy(struct store *from, struct store *to, int64_t *rows, char *err,
			  size_t errlen)
{
	*rows = 0;
	if (!empty(to)) {
		snprintf(err, errlen, "the target database already holds a site; give a new one");
		return STORE_ERROR;
	}
	struct copy c = {.to = to};
	if (store_begin(to)) {
		snprintf(err, errlen, "cannot write the target database");
		return STORE_ERROR;
	}
	/* One transaction: an interrupted move leaves the target empty, and
	 * running it again starts over. */
	if (store_dump(from, copy_row, &c) || c.failed || store_load_done(to) || store_commit(to)) {
		store_rollback(to);
		snprintf(err, errlen, "the copy failed; the target database is unchanged");
		return STORE_ERROR;
	}
	/* Read it all back from the target and compare. */
	struct copy back = {0};
	if (store_dump(to, sum_row, &back)) {
		snprintf(err, errlen, "cannot read the target back to check it");
		return STORE_ERROR;
	}
	for (size_t t = 0; store_tables[t]; t++) {
		if (back.rows[t] != c.rows[t] || back.sum[t] != c.sum[t]) {
			snprintf(err, errlen, "%s differs after the copy (%lld rows, %lld read back)",
				 store_tables[t], (long long)c.rows[t], (long long)back.rows[t]);
			return STORE_ERROR;
		}
		*rows += c.rows[t];
	}
	return STORE_OK;
}
