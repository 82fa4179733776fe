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

#include "porting/porting.h"
#include "store/store.h"

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

#endif
