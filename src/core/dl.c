/*
 * dl.c - see dl.h.
 */
#include "core/dl.h"

#include <dlfcn.h>
#include <stdio.h>

static bool load(struct dl_lib *l)
{
	void *h = NULL;
	for (size_t i = 0; !h && i < l->nnames; i++)
		h = dlopen(l->names[i], RTLD_NOW | l->flags);
	if (!h) {
		snprintf(l->why, sizeof(l->why), "%s is needed (package %s): %s",
			 l->nnames ? l->names[0] : "?", l->pkg, dlerror());
		return false;
	}
	/* dlsym() searches the library and what it depends on. */
	for (size_t i = 0; i < l->nsyms; i++)
		if (!(*l->syms[i].slot = dlsym(h, l->syms[i].name))) {
			snprintf(l->why, sizeof(l->why), "%s lacks %s", l->names[0], l->syms[i].name);
			return false;
		}
	return true;
}

bool dl_open(struct dl_lib *l, const char *what, char *err, size_t errlen)
{
	pthread_mutex_lock(&l->lock);
	if (!l->tried) {
		l->ok = load(l);
		l->tried = true;
	}
	bool ok = l->ok;
	pthread_mutex_unlock(&l->lock);
	if (!ok && err && errlen)
		snprintf(err, errlen, "%s: %s", what, l->why);
	return ok;
}
