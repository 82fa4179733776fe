/*
 * store_media.h - rows and storage functions for photos and their variant
 * files (schema in sqlite/migrations/003_media.sql). Same conventions as
 * store.h: strings in returned rows live in the caller's arena; a write is
 * durable when the call returns STORE_OK; after an error outputs are
 * unspecified and nothing was written. No product rules here: who may
 * see a photo is decided by audience/ (its story's rule and its own).
 */
#ifndef QUIRE_STORE_STORE_MEDIA_H
#define QUIRE_STORE_STORE_MEDIA_H

#include "store/store.h"

#define PHOTO_MAX_VARIANTS 12

struct photo_variant_row {
	const char *format; /* "webp" or "jpeg" */
	int64_t width, height;
	char hash[65];      /* SHA-256 hex of the file */
	int64_t bytes;
};

struct photo_row {
	char id[17];
	char story_id[17];
	const char *alt;
	const char *caption;
	bool sensitive;
	const char *note;
	int64_t width, height;
	const char *preview; /* data: URI, or "" */
	const char *audience; /* "story" | "circle" | "private" (audience.h) */
	char circle_id[17];   /* for "circle"; empty otherwise */
	int64_t created_at;
	struct photo_variant_row variants[PHOTO_MAX_VARIANTS];
	size_t nvariants;    /* ordered by format, then width ascending */
};

/* Insert the photo and its variants in one transaction. */
enum store_err store_photo_insert(struct store *s, const struct photo_row *p)
	__attribute__((warn_unused_result));
/* The photo with its variants; NOT_FOUND if none. */
enum store_err store_photo_get(struct store *s, struct arena *a, const char *id,
			       struct photo_row *out) __attribute__((warn_unused_result));
/* Rewrite alt, caption, sensitive, note, audience and circle_id. NOT_FOUND if no such photo. */
enum store_err store_photo_update(struct store *s, const struct photo_row *p)
	__attribute__((warn_unused_result));
/* Photos of a story, oldest first, with variants; at most max. */
enum store_err store_photo_list(struct store *s, struct arena *a, const char *story_id,
				struct photo_row *out, size_t max, size_t *n)
	__attribute__((warn_unused_result));

/* How many photos story_id has. */
enum store_err store_photo_count(struct store *s, const char *story_id, int64_t *n)
	__attribute__((warn_unused_result));

/*
 * Removal. store_photo_delete() deletes one photo's rows and returns in
 * hashes (room for max, *n filled) the hashes its variants named, which
 * the caller checks with store_hash_unused() before unlinking the files.
 * store_photo_orphan() finds a photo whose story is gone or being purged
 * from the trash (deleted_at = 1; a story in the trash keeps its
 * photos): its id, or NOT_FOUND when there is none.
 */
enum store_err store_photo_delete(struct store *s, const char *id, char (*hashes)[65],
				  size_t max, size_t *n) __attribute__((warn_unused_result));
enum store_err store_photo_orphan(struct store *s, char id[17])
	__attribute__((warn_unused_result));
/* *unused is true when no variant row names hash. */
enum store_err store_hash_unused(struct store *s, const char *hash, bool *unused)
	__attribute__((warn_unused_result));

/*
 * Photo files as content-addressed blobs (name: the SHA-256 hex of the
 * bytes), where the backend holds them. PostgreSQL does: its blobs are
 * the source of truth for every app server, and each keeps the files in
 * its data directory as a cache (immutable by hash, so always right).
 * SQLite keeps none (the files in the data directory are the truth):
 * store_blob_put and store_blob_delete do nothing and store_blob_get
 * answers NOT_FOUND. store_blob_get hands back malloc'd bytes (*data, the
 * caller frees). Putting a hash already held is OK and changes nothing.
 */
enum store_err store_blob_put(struct store *s, const char *hash, const void *data, size_t len)
	__attribute__((warn_unused_result));
enum store_err store_blob_get(struct store *s, const char *hash, unsigned char **data,
			      size_t *len) __attribute__((warn_unused_result));
enum store_err store_blob_delete(struct store *s, const char *hash)
	__attribute__((warn_unused_result));
/* The hash and format of every photo variant file (for backups and
 * moves), each once, in order: row(ctx, hash, format) for each; stops with STORE_ERROR if it returns false. */
enum store_err store_variant_hashes(struct store *s,
				    bool (*row)(void *ctx, const char *hash, const char *format),
				    void *ctx) __attribute__((warn_unused_result));

#endif
