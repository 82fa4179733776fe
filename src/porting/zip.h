/*
 * zip.h - zip files in and out (libzip): the export zips other platforms
 * send (read), and Quire's own export and EPUB books (written).
 *
 * Reading treats the zip as hostile: at most ZIP_MAX_ENTRIES entries, an
 * entry at most ZIP_MAX_ENTRY bytes once inflated and all of them at most
 * ZIP_MAX_TOTAL (a "zip bomb" stops at the limit, counted in bytes
 * actually inflated, not in what the directory claims), names that are
 * absolute, hold "..", a backslash or a NUL are never served, and
 * encrypted entries are refused. Nothing is ever written to disk from a
 * zip: entries are read into memory on demand.
 *
 * Writing builds the zip in a temporary file next to the target and
 * renames it into place when zip_out_close() succeeds, so a failed export
 * never leaves half a file under the final name.
 *
 * Memory: zip_in_read() returns bytes in the caller's arena. Not
 * thread-safe per handle; handles are independent.
 */
#ifndef QUIRE_PORTING_ZIP_H
#define QUIRE_PORTING_ZIP_H

#include "core/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZIP_MAX_ENTRIES 100000
#define ZIP_MAX_ENTRY ((size_t)256 << 20)
#define ZIP_MAX_TOTAL ((uint64_t)4 << 30)

struct zip_in;

/* Open the zip at path, or (path NULL) the len bytes at data, which must
 * outlive the handle. NULL with err set when it is not a zip we read. */
struct zip_in *zip_in_open(const char *path, char *err, size_t errlen);
struct zip_in *zip_in_open_mem(const void *data, size_t len, char *err, size_t errlen);
void zip_in_close(struct zip_in *z);

/* The number of entries, and the name of entry i ("" for one whose name
 * is refused, see above; directories end in '/'). */
size_t zip_in_count(const struct zip_in *z);
const char *zip_in_name(struct zip_in *z, size_t i);

/* The prefix every entry shares up to its first '/', with the '/', when
 * the zip holds a single top-level folder ("medium-export/"), else "". */
const char *zip_in_root(struct zip_in *z, struct arena *a);

/*
 * The bytes of the entry called name (exactly; NULL when there is none),
 * NUL-terminated, *len without the NUL, at most max bytes (0: ZIP_MAX_ENTRY).
 * NULL with err set when it is larger, encrypted, corrupt, or the zip's
 * total would pass ZIP_MAX_TOTAL.
 */
const char *zip_in_read(struct zip_in *z, struct arena *a, const char *name, size_t max,
			size_t *len, char *err, size_t errlen);

struct zip_out;

/* A new zip that will become path. NULL with err set. */
struct zip_out *zip_out_open(const char *path, char *err, size_t errlen);
/* Add a file (copied at once). stored: no compression (an EPUB's
 * "mimetype" must be the first entry, stored). false with err set. */
bool zip_out_add(struct zip_out *z, const char *name, const void *data, size_t len, bool stored,
		 char *err, size_t errlen);
/* Add the file at path under name, read when the zip is written (so a
 * large file is never held in memory); it must stay until then. false
 * with err set. */
bool zip_out_add_file(struct zip_out *z, const char *name, const char *path, bool stored,
		      char *err, size_t errlen);
/* Write it out and rename into place; false (and nothing at path) on
 * error. Frees z either way. */
bool zip_out_close(struct zip_out *z, char *err, size_t errlen);
/* Throw it away: nothing is left at path. */
void zip_out_discard(struct zip_out *z);

#endif
