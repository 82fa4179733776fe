/*
 * importer.h - posts of other platforms into a writer's stories (issue
 * 19). The readers (porting/) turn an export into post records; this
 * rule file saves each as a story in a transaction of its own, with its
 * source's id, so that importing the same export again changes nothing.
 * No mail is ever sent for an imported story.
 */
#ifndef QUIRE_STORIES_IMPORTER_H
#define QUIRE_STORIES_IMPORTER_H

#include <stdio.h>

#include "porting/export.h"
#include "porting/porting.h"
#include "store/store.h"
#include "store/store_media.h"

/*
 * Fetch the image at url (absolute http or https) and store it as photo
 * id of story story_id with alt and caption, through the normal photo
 * pipeline. 0 when stored, else non-zero with *msg a sentence for the
 * report. The caller of the importer supplies it (the network and photo
 * rooms stay out of this one).
 */
typedef int (*import_photo_fn)(void *ctx, struct store *st, struct arena *a, const char *url,
			       const char *story_id, const char *id, const char *alt,
			       const char *caption, const char **msg);

struct import_report {
	size_t imported, skipped, failed;
	size_t photos, missing; /* images fetched into photos, and not (yet) */
	FILE *out; /* one line per post, and the notes; NULL: none */
	import_photo_fn photo; /* NULL: no image is fetched, all are missing */
	void *photo_ctx;
	/* NULL, or called after each post (and each photo tried again) with
	 * how many are done of total; false asks the import to stop there
	 * (what was imported stays: each post is its own transaction). */
	bool (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/*
 * Import every post of ex for author from source ("wordpress", ...).
 * Each image of a post gets a photo id in the story's body before the
 * story is saved; then it is fetched. One that cannot be fetched stays
 * named in the body (readers see nothing there, its writer a
 * placeholder) and is remembered with its URL and the reason
 * (store_import_photo_put) for story_import_retry_photos().
 */
void story_import_all(struct store *st, struct arena *a, const struct user_row *author,
		      const char *source, const struct port_export *ex, struct import_report *r);

/* Try author's missing photos once more (at most max); the ones fetched
 * take their place in the story under the id it already names. */
void story_import_retry_photos(struct store *st, struct arena *a, const struct user_row *author,
			       size_t max, struct import_report *r);

/* The id of author's circle called name (in a), made when she has none;
 * NULL on a store error or a name no circle may have. */
const char *story_import_circle(struct store *st, struct arena *a, const struct user_row *author,
				const char *name);

/*
 * Store the photo at file (its name inside the export) as *p, whose
 * id, story_id, alt, caption, sensitive, note, audience and circle_id
 * are set, through the normal photo pipeline. 0, or non-zero with *msg a
 * sentence for the report. Supplied by the caller (porting/import_cmd.c
 * reads the export; media/ stores).
 */
typedef int (*import_file_photo_fn)(void *ctx, struct store *st, struct arena *a,
				    const char *file, struct photo_row *p, const char **msg);

/*
 * A Quire export (porting/export.h) into author's site (import_quire.c):
 * her circles first (by name; members and invitees that have accounts
 * here, by handle), her settings (response defaults; muted words and
 * blocked readers added to hers; bio and time zone when hers are empty),
 * then each story with its slug (when free), dates, tags, audience,
 * response policy, schedule, photos (same audience, sensitivity and
 * note) and pending draft. A story is remembered by its id on the site
 * it left (source "quire"), so importing the export again changes
 * nothing (nor does bringing it back to the site it came from: a story
 * of hers with that id is there); circles and settings are matched,
 * never doubled. Responses
 * and subscribers are not brought in (the people who wrote them and the
 * addresses' consent stay with the site they were given to); they are in
 * the export for her to keep.
 */
void story_import_quire(struct store *st, struct arena *a, const struct user_row *author,
			const struct quire_export *ex, import_file_photo_fn photo, void *ctx,
			struct import_report *r);

#endif
