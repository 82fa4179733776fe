/*
 * vips_dl.c - open libvips at the first upload (see vips_dl.h).
 */
#define VIPS_DL_IMPLEMENTATION
#include "media/vips_dl.h"

#include <dlfcn.h>
#include <stdio.h>

#define VIPS_DL_DEFINE(f) __typeof__(f) *vips_dl_##f;
VIPS_DL_FUNCS(VIPS_DL_DEFINE)

/* Debian 12's libvips42 first; the development link as a fallback. */
static const char *const names[] = {"libvips.so.42", "libvips.so"};

bool vips_dl_open(void)
{
	void *h = NULL;
	for (size_t i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
	if (!h) {
		fprintf(stderr, "quire: photos need libvips (package libvips42): %s\n", dlerror());
		return false;
	}
	/* dlsym() searches libvips and what it depends on (GLib). Never
	 * closed: libvips keeps threads and types for the process's life. */
#define VIPS_DL_RESOLVE(f)                                                              \
	if (!(*(void **)&vips_dl_##f = dlsym(h, #f))) {                                  \
		fprintf(stderr, "quire: libvips lacks %s\n", #f);                      \
		return false;                                                          \
	}
	VIPS_DL_FUNCS(VIPS_DL_RESOLVE)
	return true;
}
