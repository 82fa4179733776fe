/*
 * audience.c - the visibility rule in C; see audience.h. The SQL twin is
 * AUDIENCE_SQL in src/store/sqlite/store_sqlite.c.
 */
#include "audience/audience.h"
#include "core/crypto.h"

#include <string.h>

bool audience_valid(const char *audience)
{
	return audience && (!strcmp(audience, "public") || !strcmp(audience, "unlisted") ||
			    !strcmp(audience, "circle") || !strcmp(audience, "private"));
}

bool audience_may_see_story_key(struct store *st, const char *viewer_id,
				const struct story_row *s, const char *key)
{
	if (viewer_id && *viewer_id && strcmp(viewer_id, s->author_id) == 0)
		return true;
	if (strcmp(s->status, "published") != 0)
		return false;
	if (strcmp(s->audience, "public") == 0)
		return true;
	if (strcmp(s->audience, "unlisted") == 0)
		return key && strlen(key) == ID_LEN && strlen(s->share_key) == ID_LEN &&
		       ct_equal(key, s->share_key, ID_LEN);
	if (strcmp(s->audience, "circle") == 0) {
		bool member = false;
		if (!viewer_id || !*viewer_id || !s->circle_id[0])
			return false;
		/* A failed lookup denies: never fail open. A reader the writer
		 * blocked loses her stories that need signing in. */
		bool blocked = true;
		return store_circle_is_member(st, s->circle_id, viewer_id, &member) == STORE_OK &&
		       member && store_block_check(st, s->author_id, viewer_id, &blocked) == STORE_OK &&
		       !blocked;
	}
	return false; /* private, or anything unknown */
}

bool audience_may_see_story(struct store *st, const char *viewer_id, const struct story_row *s)
{
	return audience_may_see_story_key(st, viewer_id, s, NULL);
}

bool audience_is_listed(const struct story_row *s)
{
	return strcmp(s->status, "published") == 0 && strcmp(s->audience, "public") == 0;
}

bool audience_may_edit_story(const char *viewer_id, const struct story_row *s)
{
	return viewer_id && strcmp(viewer_id, s->author_id) == 0;
}

bool audience_may_manage_circle(const char *viewer_id, const struct circle_row *c)
{
	return viewer_id && strcmp(viewer_id, c->owner_id) == 0;
}
