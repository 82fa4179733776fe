/*
 * blobs.c - photo files and the store's blobs made whole, for backups,
 * restores and moves between backends (media.h). Where the backend keeps
 * no blobs (SQLite) the files are the truth and these change nothing.
 */
#include "media/media_int.h"
#include "store/store_media.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct walk {
	struct store *st;
	const char *dir;
	unsigned long moved;
	bool failed;
};

static bool to_file(void *ctx, const char *hash, const char *format)
{
	struct walk *w = ctx;
	struct arena a;
	arena_init(&a);
	const char *path = media_path_in(&a, w->dir, hash, format);
	unsigned char *data = NULL;
	size_t len = 0;
	if (access(path, F_OK) != 0 && store_blob_get(w->st, hash, &data, &len) == STORE_OK) {
		if (media_file_write(&a, w->dir, hash, format, data, len) == MEDIA_OK)
			w->moved++;
		else
			w->failed = true;
	}
	free(data);
	arena_release(&a);
	return !w->failed;
}

static bool read_file(const char *path, unsigned char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size < 0) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	*len = (size_t)sb.st_size;
	*data = malloc(*len ? *len : 1);
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

static bool to_blob(void *ctx, const char *hash, const char *format)
{
	struct walk *w = ctx;
	struct arena a;
	arena_init(&a);
	unsigned char *data;
	size_t len;
	if (read_file(media_path_in(&a, w->dir, hash, format), &data, &len)) {
		if (store_blob_put(w->st, hash, data, len) == STORE_OK)
			w->moved++;
		else
			w->failed = true;
		free(data);
	}
	arena_release(&a);
	return !w->failed;
}

bool media_blobs_to_files(struct store *st, const char *dir, unsigned long *n)
{
	struct walk w = {.st = st, .dir = dir};
	bool ok = store_variant_hashes(st, to_file, &w) == STORE_OK && !w.failed;
	*n = w.moved;
	return ok;
}

bool media_files_to_blobs(struct store *st, const char *dir, unsigned long *n)
{
	struct walk w = {.st = st, .dir = dir};
	bool ok = store_variant_hashes(st, to_blob, &w) == STORE_OK && !w.failed;
	*n = w.moved;
	return ok;
}
