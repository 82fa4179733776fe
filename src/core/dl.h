/*
 * dl.h - libraries opened when first needed instead of linked.
 *
 * A library a reader-facing server may never use (libvips, libxml2,
 * libpq, libcurl) costs resident pages for itself and everything it
 * loads the moment it is linked. Each such library has an opener next to
 * its one caller (a *_dl.h in src/media, src/porting, src/store/pg and
 * src/net): the library's own header for the prototypes, a pointer
 * of type __typeof__(f) * per function f, macros so that call sites read
 * as plain calls, and a table of names handed to dl_load() here.
 */
#ifndef QUIRE_CORE_DL_H
#define QUIRE_CORE_DL_H

#include <stdbool.h>
#include <stddef.h>

struct dl_sym {
	const char *name;
	void **slot; /* where the address goes */
};

/* Open the first of names[0..nnames) that loads, RTLD_NOW and flags
 * (RTLD_GLOBAL or RTLD_LOCAL), and resolve every symbol of syms into its
 * slot. Never closed. False, with what is missing in err (naming pkg, the
 * Debian package to install), if no name loads or a symbol is absent. */
bool dl_load(const char *const *names, size_t nnames, int flags, const char *pkg,
	     const struct dl_sym *syms, size_t nsyms, char *err, size_t errlen);

#endif
