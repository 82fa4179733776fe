/*
 * desk.h - the writing desk: nothing a writer types is lost.
 *
 *  - Revisions (revisions.c). Creating a story keeps its first revision;
 *    every publish and every explicit save that changes the text keeps
 *    one; autosaves within DESK_COALESCE_SECS of the first autosave of a
 *    burst are one revision, rewritten in place under a new id each time.
 *    A revision id therefore always names one exact text, which is what
 *    makes conflict checks exact: a save that names a base revision other
 *    than the current one is refused (STORY_CONFLICT) and its text is kept
 *    as a revision of kind "conflict", which never becomes current.
 *    Restoring a revision makes a new one (kind "restore").
 *  - Scheduled publishing (scheduler.c). A scheduled story is a draft with
 *    a publish_at time; one thread sleeps until the earliest such time (or
 *    until desk_scheduler_poke()) and publishes what is due. Readers never
 *    see a scheduled story before then; the API reports it as "scheduled".
 *  - Trash (trash.c). Deleting sets stories.deleted_at; the story is gone
 *    from every read, restorable for the trash window (30 days unless the
 *    hidden --trash-days option says otherwise), then purged with its
 *    photos by the scheduler thread.
 *
 * The hooks below are called by stories.c inside its save transaction;
 * they return STORY_STORE on a store error (the caller rolls back).
 */
#ifndef QUIRE_STORIES_DESK_H
#define QUIRE_STORIES_DESK_H

#include "stories/stories.h"

#define DESK_COALESCE_SECS 600
#define DESK_TRASH_DAYS 30

/* What a save asks of the desk, besides the story fields. */
struct desk_save {
	const char *base_revision; /* NULL: no conflict check */
	bool autosave;             /* coalesce with the running autosave */
	bool set_schedule;         /* apply publish_at (0 clears) */
	int64_t publish_at;        /* scheduled publication (status stays draft) */
	const char *restore_from;  /* a revision id: this save restores it */
	bool held;                 /* an editor save: held in the pending draft
				    * while the story is published (below) */
	bool drop_draft;           /* this save publishes or ends the pending draft */
};

/* What a save did. */
struct desk_result {
	char revision_id[17];       /* the current revision afterwards */
	char conflict_revision[17]; /* on STORY_CONFLICT: where the text went */
};

/* Save in to s like story_update(), with ds (may be NULL) and out (may be
 * NULL). STORY_CONFLICT: nothing changed but the refused text was kept. */
enum story_err story_save(struct store *st, struct arena *a, struct story_row *s,
			  const struct story_input *in, const struct desk_save *ds,
			  struct desk_result *out) __attribute__((warn_unused_result));
/* story_create() with a desk: the first revision and an optional schedule. */
enum story_err story_create_desk(struct store *st, struct arena *a, const struct user_row *author,
				 const struct story_input *in, const struct desk_save *ds,
				 struct story_row *out) __attribute__((warn_unused_result));

/*
 * Held edits (drafts.c). While a story is published, an editor save
 * (ds->held without a status change: autosave, Save, a restored
 * revision) goes to the story's pending draft: every field the editor
 * has (title, subtitle, body, audience, circle, content note, responses,
 * tags), with a revision as any save keeps. The live row, and so every
 * reader, feed, search and listing, keeps the published version until
 * the writer publishes the draft (story_draft_publish, or an editor
 * Update, which sends the draft's fields with ds->drop_draft), discards
 * it, or unpublishes (the draft becomes the story's text). An explicit
 * API PATCH changes the live story at once and leaves the draft alone.
 */
/* The story's pending draft into *d; *exists false when there is none. */
enum story_err story_draft_get(struct store *st, struct arena *a, const struct story_row *s,
			       struct story_draft_row *d, bool *exists)
	__attribute__((warn_unused_result));
/* s with draft d's fields in place of its own (strings shared). */
struct story_row story_draft_view(const struct story_row *s, const struct story_draft_row *d);
/* The draft's fields as a save's input (strings shared with d). */
struct story_input story_draft_input(const struct story_draft_row *d);
/* Save in into s's pending draft (s must be published; in->status is
 * ignored); conflict checks as any save. A draft that comes back to the
 * published version is removed. s is not changed. */
enum story_err story_draft_save(struct store *st, struct arena *a, const struct story_row *s,
				const struct story_input *in, const struct desk_save *ds,
				struct desk_result *out) __attribute__((warn_unused_result));
/* Make the pending draft live (a "publish" revision) and remove it; for
 * a story without one, publish it as it is. s is updated. */
enum story_err story_draft_publish(struct store *st, struct arena *a, struct story_row *s,
				   const char *base_revision, struct desk_result *out)
	__attribute__((warn_unused_result));
/* Drop the pending draft (OK when there is none); the published text
 * becomes the current revision again ("restore" of the last publish). */
enum story_err story_draft_discard(struct store *st, struct arena *a, const struct story_row *s,
				   struct desk_result *out) __attribute__((warn_unused_result));
/* Settle audience, circle, share key, content note and response policy
 * of in on n, checking the circle is the writer's (stories.c). */
enum story_err story_apply_audience(struct store *st, struct arena *a, struct story_row *n,
				    const struct story_input *in) __attribute__((warn_unused_result));

/* ---- hooks for stories.c (inside its transaction) ---- */
enum story_err desk_on_create(struct store *st, struct arena *a, const struct story_row *s,
			      const struct desk_save *ds) __attribute__((warn_unused_result));
/* Refuse a stale base: keeps the would-be text (old s with in applied) as
 * a "conflict" revision, fills out->conflict_revision, returns
 * STORY_CONFLICT; STORY_OK when the base is current or not given. */
enum story_err desk_check_base(struct store *st, struct arena *a, const struct story_row *s,
			       const struct story_input *in, const struct desk_save *ds,
			       struct desk_result *out) __attribute__((warn_unused_result));
enum story_err desk_on_update(struct store *st, struct arena *a, const struct story_row *old,
			      const struct story_row *n, const struct story_input *in,
			      bool content_changed, const struct desk_save *ds,
			      struct desk_result *out) __attribute__((warn_unused_result));

/* Make revision r of story s current again: one save, in one
 * transaction, that keeps a "restore" revision; s is updated.
 * base_revision (may be NULL) is checked like any save's: STORY_CONFLICT
 * when the story changed since (nothing is kept then: r is kept already).
 * STORY_STORE also when the revision is not s's. */
enum story_err desk_restore(struct store *st, struct arena *a, struct story_row *s,
			    const struct revision_row *r, const char *base_revision,
			    struct desk_result *out) __attribute__((warn_unused_result));

/* Line diff of two texts for templates: [{"kind":"same|add|del|skip",
 * "text"}], long unchanged stretches folded. New reference. */
json_t *desk_diff(const char *from, const char *to);

/* "2026-05-01T14:02:00Z" / "+02:00" offsets / fractions: Unix time, or -1. */
int64_t desk_parse_rfc3339(const char *s);

/* ---- trash ---- */
/* The trash window in seconds (set once at start). */
void desk_set_trash_window(int64_t secs);
int64_t desk_trash_window(void);
/* What must go before purged rows do (their photos and files): a
 * cross-domain reaction wired in main.c, so stories/ does not include
 * media/. Set once at start. */
void desk_set_purge_hook(void (*fn)(struct store *st));
/* Purge stories trashed at or before cutoff (author_id/only_id narrow it),
 * with their photos. */
enum story_err desk_trash_purge(struct store *st, int64_t cutoff, const char *author_id,
				const char *only_id) __attribute__((warn_unused_result));

/* ---- scheduler thread ---- */
/* Start the thread with its own connection to db_url; false on failure. */
bool desk_scheduler_start(const char *db_url) __attribute__((warn_unused_result));
/* Wake it: a schedule or the trash changed. Safe from any thread, and a
 * no-op when the scheduler is not running. */
void desk_scheduler_poke(void);
void desk_scheduler_stop(void);

#endif
