/*
 * import_cmd.h - `quire import` (and the settings page's import): an
 * export of another platform, as a folder or the zip the platform sent,
 * read by porting/'s readers, saved by stories/importer.c, its images
 * fetched through net/fetch.c (SSRF-guarded) into photos by media/.
 *
 * Kinds: "wordpress" (FILE.xml, or a zip holding one .xml), "substack"
 * (a folder or zip with posts.csv and posts/), "medium" (a folder or zip
 * with posts/NAME.html), "quire" (Quire's own export, porting/export.h:
 * its zip or the folder it unpacks to). A zip is read in place
 * (porting/zip.h), never unpacked to disk.
 */
#ifndef QUIRE_PORTING_IMPORT_CMD_H
#define QUIRE_PORTING_IMPORT_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "store/store.h"

struct import_args {
	const char *kind;        /* "wordpress" | "substack" | "medium" | "quire"; NULL: retry only */
	const char *path;        /* the export: folder, zip or file */
	const char *name;        /* how reports name it (the page: the upload's name); NULL: path */
	bool include_responses;  /* medium: a writer's responses become stories too */
	bool allow_private;      /* fetch images from private addresses (tests) */
	bool retry_photos;       /* then try the missing photos of earlier imports again */
	bool fetch_photos;       /* false: leave every image missing (for retry later) */
	FILE *out;               /* the report */
	FILE *err;               /* why it could not be read; NULL: stderr */
	/* NULL, or told after each post how many of how many are done
	 * (stories/importer.h); false stops the import there. */
	bool (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/* Whether kind is one import_export() reads. */
bool import_kind_known(const char *kind);

/*
 * Run it for author on st (web_cfg must be set: photos are written under
 * its data directory). Returns 0 when every post was imported or skipped
 * as imported before (missing photos do not fail it: they are reported
 * and kept for a retry), 1 when the export could not be read (nothing
 * imported, the reason on args->err) or some post failed.
 */
int import_export(struct store *st, const struct user_row *author, const struct import_args *args);

#endif
