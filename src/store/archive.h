/*
 * archive.h - the framing of backup files (store/archive.c), exposed for
 * its fuzz target. store_backup() and store_restore() in store.h are what
 * everything else uses.
 */
#ifndef QUIRE_STORE_ARCHIVE_H
#define QUIRE_STORE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>

#define ARCHIVE_MAX_LINE (64u * 1024 * 1024)  /* a row: a long story and its HTML */
#define ARCHIVE_MAX_FILE (256ll * 1024 * 1024) /* a media file */

enum archive_line { ARCHIVE_BAD, ARCHIVE_HEADER, ARCHIVE_ROW, ARCHIVE_FILE, ARCHIVE_END };

struct archive_item {
	int version;       /* HEADER */
	char table[64];    /* ROW: the table, and the row as JSON (malloc'd) */
	char *row;
	char file[512];    /* FILE: the name under media/, and how many bytes follow */
	size_t size;
	unsigned long rows, files; /* END: the counts the writer saw */
};

/* Parse one line (without its newline) of a backup. Anything but a
 * well-formed line of the four kinds is ARCHIVE_BAD (nothing to free). */
enum archive_line archive_read_line(const char *line, size_t len, struct archive_item *it);
void archive_item_free(struct archive_item *it);

#endif
