/*
 * dl.h - libraries opened when first needed instead of linked.
 *
 * A library a reader-facing server may never use (libvips, libxml2,
 * libpq, libcurl) costs resident pages for itself and everything it
 * loads the moment it is linked. Each such library has an opener next to
 * its one caller (a *_dl.h in src/media, src/porting, src/store/pg and
 * src/net): the library's own header for the prototypes, a pointer
 * of type __typeof__(f) * per function f, macros so that call sites read
 * as plain calls, and a struct dl_lib naming them, opened here.
 */
#ifndef QUIRE_CORE_DL_H
#define QUIRE_CORE_DL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct dl_sym {
	const char *name;
	void **slot; /* where the address goes */
};

struct dl_lib {
	const char *const *names; /* tried in turn: the soname, then the dev link */
	size_t nnames;
	int flags;                /* RTLD_GLOBAL or RTLD_LOCAL */
	const char *pkg;          /* the Debian package to install */
	const struct dl_sym *syms;
	size_t nsyms;
	/* Filled in by dl_open(); initialise lock with PTHREAD_MUTEX_INITIALIZER. */
	pthread_mutex_t lock;
	bool tried, ok;
	char why[200];
};

/* The first call opens l (RTLD_NOW) and resolves every symbol into its
 * slot; later calls give the same answer. Never closed. False, with
 * "what: why" in err when given, if no name loads or a symbol is absent.
 * Safe from any thread. */
bool dl_open(struct dl_lib *l, const char *what, char *err, size_t errlen);

#endif
