/*
 * vips_dl.c - open libvips at the first upload (see vips_dl.h).
 */
#define VIPS_DL_IMPLEMENTATION
#include "media/vips_dl.h"
#include "core/dl.h"

#include <dlfcn.h>
#include <stdio.h>

#define VIPS_DL_DEFINE(f) __typeof__(f) *vips_dl_##f;
VIPS_DL_FUNCS(VIPS_DL_DEFINE)

/* Global: libvips loads its modules against its own symbols. Never
 * closed: libvips keeps threads and types for the process's life. */
#define VIPS_DL_SYM(f) {#f, (void **)&vips_dl_##f},
static const struct dl_sym syms[] = {VIPS_DL_FUNCS(VIPS_DL_SYM)};
static const char *const names[] = {"libvips.so.42", "libvips.so"};
static struct dl_lib lib = {names, 2, RTLD_GLOBAL, "libvips42", syms,
			    sizeof(syms) / sizeof(syms[0]), .lock = PTHREAD_MUTEX_INITIALIZER};

bool vips_dl_open(void)
{
	char err[256];
	if (dl_open(&lib, "photos", err, sizeof(err)))
		return true;
	fprintf(stderr, "quire: %s\n", err);
	return false;
}
