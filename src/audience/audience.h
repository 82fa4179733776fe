/*
 * audience.h - the one place that decides who may see a story.
 *
 * Single objects are checked here, in C. Listing queries use the SQL form
 * of the same rule (AUDIENCE_SQL in src/store/sqlite/store_sqlite.c); the
 * access-matrix tests check that the two agree. Nothing else in the code
 * decides visibility.
 *
 * Today's rule: a story is visible to everyone once published, and to its
 * author always. Deleted stories are never returned by the store at all.
 */
#ifndef QUIRE_AUDIENCE_AUDIENCE_H
#define QUIRE_AUDIENCE_AUDIENCE_H

#include <stdbool.h>

#include "store/store.h"

/* viewer_id is the signed-in viewer's user id, or NULL for anonymous.
 * st is the caller's store (membership lookups need it). */
bool audience_may_see_story(struct store *st, const char *viewer_id, const struct story_row *s);

/* Only the author may change a story (admins cannot edit others' work). */
bool audience_may_edit_story(const char *viewer_id, const struct story_row *s);

#endif
