/*
 * trash.c - the trash window and purging (see desk.h). A deleted story is
 * a row with deleted_at set; purging marks the expired ones, lets the
 * purge hook (media/, wired in main.c) collect their photos and files,
 * then deletes the rows (revisions, schedule, slugs, responses go with
 * them by foreign key).
 */
#include "stories/desk.h"

/* Set once at start, before any thread reads it. */
static void (*purge_hook)(struct store *st);

void desk_set_purge_hook(void (*fn)(struct store *st))
{
	purge_hook = fn;
}

/* Written once at start, before any thread reads it. */
static int64_t trash_window = (int64_t)DESK_TRASH_DAYS * 86400;

void desk_set_trash_window(int64_t secs)
{
	trash_window = secs < 0 ? 0 : secs;
}

int64_t desk_trash_window(void)
{
	return trash_window;
}

enum story_err desk_trash_purge(struct store *st, int64_t cutoff, const char *author_id,
				const char *only_id)
{
	int64_t n = 0;
	if (store_trash_mark(st, cutoff, author_id, only_id, &n))
		return STORY_STORE;
	/* Also finishes a purge that was interrupted after marking. */
	if (purge_hook)
		purge_hook(st);
	if (store_trash_drop(st))
		return STORY_STORE;
	return STORY_OK;
}
