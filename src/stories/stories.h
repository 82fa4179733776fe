/*
 * stories.h - essays: validation, Markdown rendering at save time, slugs
 * (unique per writer; old slugs keep redirecting), publishing, and the
 * story pages and JSON API built on them.
 *
 * The body is rendered to sanitised HTML once, when it is saved, and the
 * HTML is stored; viewing a story never runs the Markdown renderer.
 */
#ifndef QUIRE_STORIES_STORIES_H
#define QUIRE_STORIES_STORIES_H

#include <jansson.h>

#include "store/store.h"

#define TITLE_MAX_CHARS 200
#define SUBTITLE_MAX_CHARS 300
#define EXCERPT_CHARS 220
#define NOTE_MAX_CHARS 300
#define STORY_MAX_TAGS 5

enum story_err {
	STORY_OK = 0,
	STORY_BAD_TITLE,
	STORY_BAD_SUBTITLE,
	STORY_BAD_BODY,      /* invalid UTF-8 or NUL */
	STORY_BODY_TOO_LARGE,
	STORY_BAD_STATUS,
	STORY_BAD_AUDIENCE,
	STORY_BAD_CIRCLE,
	STORY_BAD_NOTE,
	STORY_BAD_RESPONSES,
	STORY_BAD_TAGS,
	STORY_CONFLICT,      /* stale base revision: see stories/desk.h */
	STORY_STORE,
};
const char *story_strerror(enum story_err e);
/* The one map from a story error to an HTTP status (413 too large, 409
 * stale base, 500 store, 422 anything else invalid) and to the API's
 * error code (story_api.c). */
int story_err_status(enum story_err e);
const char *story_err_code(enum story_err e);

/* Fields to set; NULL leaves a field as it is (for PATCH). */
struct story_input {
	const char *title;
	const char *subtitle;
	const char *body;
	const char *status; /* "draft" | "published" */
	const char *audience; /* "public" | "unlisted" | "circle" | "private" */
	const char *circle_id; /* one of the author's circles, for "circle" */
	const char *content_note;
	const char *responses;  /* "open" | "approval" | "off" */
	const char *responders; /* "signed_in" | "circle" */
	const char *const *tags; /* NULL: leave as is; else the new set */
	size_t ntags;
	int email; /* mail it to subscribers when it goes out: 1 yes, -1 no, 0 not said */
	const struct story_import *import; /* story_create only: a post of another platform */
};

/* An imported post (stories/importer.c): remembered by its source's own
 * id in the story's own transaction, with its original date, slug (when
 * free) and canonical URL. */
struct story_import {
	const char *source;        /* "wordpress", "medium", "substack", "quire" */
	const char *source_id;
	const char *slug;          /* wanted, or "" */
	const char *canonical_url; /* or "" */
	int64_t published_at;      /* original date, 0 unknown (now) */
	/* A Quire export knows the rest of a story's dates (0: unknown);
	 * none may be later than now. */
	int64_t created_at, updated_at, edited_at;
};

/* The save hook (main.c wires mail_on_story_save): called inside the
 * transaction of every save that writes the story row, with the row
 * before (NULL for a new story) and after, and in->email. A non-zero
 * return fails the save (nothing is written). NULL: none. */
typedef int (*story_save_hook)(struct store *st, struct arena *a, const struct story_row *before,
			       const struct story_row *after, int email);
void story_set_save_hook(story_save_hook fn);

/* The delete hook (main.c wires federation's): called inside the
 * transaction that moves story s (as it was) to the trash. A non-zero
 * return fails the delete. NULL: none. */
typedef int (*story_delete_hook)(struct store *st, struct arena *a, const struct story_row *s);
void story_set_delete_hook(story_delete_hook fn);
/* The retag hook (main.c wires federation's): called inside the
 * transaction of a save that changes a story's tags (and nothing else
 * need change), with the row before and after, after the save hook. A
 * non-zero return fails the save. NULL: none. */
typedef int (*story_retag_hook)(struct store *st, struct arena *a, const struct story_row *before,
				const struct story_row *after);
void story_set_retag_hook(story_retag_hook fn);
/* The restore hook (main.c wires federation's): called inside the
 * transaction that takes story s (as it is now) out of the trash. A
 * non-zero return fails the restore. NULL: none. */
typedef int (*story_restore_hook)(struct store *st, struct arena *a, const struct story_row *s);
void story_set_restore_hook(story_restore_hook fn);
/* Take story id of author_id out of the trash (store_trash_restore),
 * with the restore hook, in one transaction: NOT_FOUND unless it is hers
 * and in the trash, ERROR (nothing changed) when the store fails. */
enum store_err story_untrash(struct store *st, struct arena *a, const char *id,
			     const char *author_id) __attribute__((warn_unused_result));
/* Move story s to the trash (store_story_delete), with the delete hook,
 * in one transaction. STORY_STORE on error (nothing changed). */
enum story_err story_trash(struct store *st, struct arena *a, const struct story_row *s)
	__attribute__((warn_unused_result));

/* Check in and trim its title and subtitle (new strings in a). Pure: no
 * store, no I/O; fuzz/fuzz_json.c drives it. */
enum story_err story_validate(struct arena *a, struct story_input *in)
	__attribute__((warn_unused_result));

/* Map a JSON request object onto in: "title", "subtitle", "body",
 * "status", each optional and a string without NUL. Returns NULL, or an
 * error message in a naming the field (in is then partly filled). Pure:
 * the API handlers and fuzz/fuzz_json.c call it. */
const char *story_input_from_json(struct arena *a, json_t *body, struct story_input *in);

/* Create a story for author. On success *out is the saved row. */
enum story_err story_create(struct store *st, struct arena *a, const struct user_row *author,
			    const struct story_input *in, struct story_row *out)
	__attribute__((warn_unused_result));
/* Apply in to s (which must be current) and save; s is updated. */
enum story_err story_update(struct store *st, struct arena *a, struct story_row *s,
			    const struct story_input *in) __attribute__((warn_unused_result));

/* Fill the search text of stories saved before it existed (at start,
 * after migrations; cheap when there are none). */
enum story_err story_backfill_text(struct store *st) __attribute__((warn_unused_result));

int story_reading_minutes(int64_t words);
/* A tag as stored: lowercase a-z 0-9 and '-', 1 to 30 bytes; NULL if t
 * cannot be one. Spaces and '_' become '-', a leading '#' is dropped. */
const char *tag_normalise(struct arena *a, const char *t);
/* "/@handle/slug" in the arena; for an unlisted story its share link
 * "/u/KEY" (only ever shown to the writer or to whoever has the key). */
const char *story_path(struct arena *a, const struct story_row *s);

#endif
