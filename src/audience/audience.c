/* audience.c - the visibility rule in C; see audience.h. */
#include "audience/audience.h"

#include <string.h>

bool audience_may_see_story(struct store *st, const char *viewer_id, const struct story_row *s)
{
	(void)st;
	if (viewer_id && strcmp(viewer_id, s->author_id) == 0)
		return true;
	return strcmp(s->status, "published") == 0;
}

bool audience_may_edit_story(const char *viewer_id, const struct story_row *s)
{
	return viewer_id && strcmp(viewer_id, s->author_id) == 0;
}
