/*
 * audience.h - the one place that decides who may see a story.
 *
 * Single objects are checked here, in C. Listing queries use the SQL form
 * of the same rule (AUDIENCE_SQL in src/store/sqlite/store_sqlite.c); the
 * access-matrix tests check that the two agree. Nothing else in the code
 * decides visibility.
 *
 * The rule. The writer always sees her own stories (drafts included).
 * Anyone else sees a story only once it is published, and then:
 *   public    - everyone; listed on home, profile, feeds, search, sitemap;
 *   unlisted  - whoever presents its share key (the secret in its link);
 *               listed nowhere;
 *   circle    - members of the story's circle whom the writer has not
 *               blocked, and nobody else;
 *   private   - nobody.
 * While an administrator has suspended the writer, nobody else sees any
 * of her stories (nothing of them is changed: unsuspending restores all).
 * Site admins get no exception: they cannot read others' non-public work
 * through the app. Deleted stories are never returned by the store.
 * A viewer who may not see a story gets 404, never 403, so existence is
 * not revealed.
 */
#ifndef QUIRE_AUDIENCE_AUDIENCE_H
#define QUIRE_AUDIENCE_AUDIENCE_H

#include <stdbool.h>

#include "store/store.h"

/* viewer_id is the signed-in viewer's user id, or NULL for anonymous.
 * st is the caller's store (membership lookups need it). */
bool audience_may_see_story(struct store *st, const char *viewer_id, const struct story_row *s);

/* Same, for a request that presented an unlisted story's share key. */
bool audience_may_see_story_key(struct store *st, const char *viewer_id,
				const struct story_row *s, const char *key);

/* Whether a story may appear in public listings (home, feeds, sitemap). */
bool audience_is_listed(const struct story_row *s);
/* Whether the signed-in reader_id sees writer_id's public and unlisted
 * stories exactly as any other signed-in reader without ties to her does:
 * she is not the writer, in none of her circles (a narrower photo would
 * show), not blocked by her and has written no response to any of her
 * stories (her own would show, with its tools). Such readers may be
 * served one shared rendering (web/slot_page.h). False when unsure. */
bool audience_reader_is_stranger(struct store *st, const char *reader_id, const char *writer_id);

bool audience_valid(const char *audience);

/*
 * Photos. A photo is for whoever may read its story ("story", the
 * default), or for fewer people: "circle" (members of one of the writer's
 * circles whom she has not blocked) or "private" (the writer only). The
 * photo rule is asked only once the story rule said yes: it narrows,
 * never widens. The SQL form, for share cards, is PHOTO_FOR_ALL_SQL in
 * src/store/sqlite/store_int.h.
 */
bool audience_photo_valid(const char *audience);
/* Whether a photo with this audience is for fewer people than its story. */
bool audience_photo_narrower(const char *photo_audience);
/* Whether viewer_id (NULL: anonymous), who may see story s, may see a
 * photo of it with photo_audience / photo_circle_id. */
bool audience_may_see_photo(struct store *st, const char *viewer_id, const struct story_row *s,
			    const char *photo_audience, const char *photo_circle_id);

/* Only the circle's owner manages it. */
bool audience_may_manage_circle(const char *viewer_id, const struct circle_row *c);

/* Only the author may change a story (admins cannot edit others' work). */
bool audience_may_edit_story(const char *viewer_id, const struct story_row *s);

#endif
