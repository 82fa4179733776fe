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

struct import_report {
	size_t imported, skipped, failed, images;
	FILE *out; /* one line per post, and the notes; NULL: none */
};

/* Import every post of ex for author from source ("wordpress", ...). */
void story_import_all(struct store *st, struct arena *a, const struct user_row *author,
		      const char *source, const struct port_export *ex, struct import_report *r);

#endif
