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

/* Member of circle_id, not blocked by writer_id; a failed lookup denies. */
static bool circle_reader(struct store *st, const char *circle_id, const char *writer_id,
			  const char *viewer_id)
{
	bool member = false, blocked = true;
	if (!viewer_id || !*viewer_id || !circle_id[0])
		return false;
	return store_circle_is_member(st, circle_id, viewer_id, &member) == STORE_OK && member &&
	       store_block_check(st, writer_id, viewer_id, &blocked) == STORE_OK && !blocked;
}

bool audience_may_see_story_key(struct store *st, const char *viewer_id,
				const struct story_row *s, const char *key)
{
	if (viewer_id && *viewer_id && strcmp(viewer_id, s->author_id) == 0)
		return true;
	if (s->status != STATUS_PUBLISHED || s->author_suspended)
		return false;
	if (s->audience == AUDIENCE_PUBLIC)
		return true;
	if (s->audience == AUDIENCE_UNLISTED)
		return key && strlen(key) == ID_LEN && strlen(s->share_key) == ID_LEN &&
		       ct_equal(key, s->share_key, ID_LEN);
	/* A reader the writer blocked loses her stories that need signing in. */
	if (s->audience == AUDIENCE_CIRCLE)
		return circle_reader(st, s->circle_id, s->author_id, viewer_id);
	return false; /* private, or anything unknown */
}

bool audience_photo_valid(const char *audience)
{
	return audience && (!strcmp(audience, "story") || !strcmp(audience, "circle") ||
			    !strcmp(audience, "private"));
}

bool audience_photo_narrower(const char *photo_audience)
{
	return photo_audience && strcmp(photo_audience, "story") != 0;
}

bool audience_may_see_photo(struct store *st, const char *viewer_id, const struct story_row *s,
			    const char *photo_audience, const char *photo_circle_id)
{
	if (viewer_id && *viewer_id && strcmp(viewer_id, s->author_id) == 0)
		return true;
	if (!photo_audience || strcmp(photo_audience, "story") == 0)
		return true;
	if (strcmp(photo_audience, "circle") == 0)
		return circle_reader(st, photo_circle_id ? photo_circle_id : "", s->author_id,
				     viewer_id);
	return false; /* private, or anything unknown */
}

bool audience_may_see_story(struct store *st, const char *viewer_id, const struct story_row *s)
{
	return audience_may_see_story_key(st, viewer_id, s, NULL);
}

bool audience_is_listed(const struct story_row *s)
{
	return s->status == STATUS_PUBLISHED && s->audience == AUDIENCE_PUBLIC && !s->author_suspended;
}

bool audience_reader_is_stranger(struct store *st, const char *reader_id, const char *writer_id)
{
	struct reader_ties t;
	if (!reader_id || !writer_id || strcmp(reader_id, writer_id) == 0 ||
	    store_reader_ties(st, reader_id, writer_id, &t))
		return false;
	return !t.member && !t.blocked && !t.responded;
}

bool audience_may_edit_story(const char *viewer_id, const struct story_row *s)
{
	return viewer_id && strcmp(viewer_id, s->author_id) == 0;
}

bool audience_may_manage_circle(const char *viewer_id, const struct circle_row *c)
{
	return viewer_id && strcmp(viewer_id, c->owner_id) == 0;
}
