/*
 * dl.c - see dl.h.
 */
#include "core/dl.h"

#include <dlfcn.h>
#include <stdio.h>

bool dl_load(const char *const *names, size_t nnames, int flags, const char *pkg,
	     const struct dl_sym *syms, size_t nsyms, char *err, size_t errlen)
{
	void *h = NULL;
	for (size_t i = 0; !h && i < nnames; i++)
		h = dlopen(names[i], RTLD_NOW | flags);
	if (!h) {
		snprintf(err, errlen, "%s is needed (package %s): %s", nnames ? names[0] : "?", pkg,
			 dlerror());
		return false;
	}
	/* dlsym() searches the library and what it depends on. */
	for (size_t i = 0; i < nsyms; i++)
		if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
			snprintf(err, errlen, "%s lacks %s", names[0], syms[i].name);
			return false;
		}
	return true;
}
