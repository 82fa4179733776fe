/*
 * curl_dl.c - open libcurl at the first transfer (see curl_dl.h).
 */
#define CURL_DL_IMPLEMENTATION
#include "net/curl_dl.h"
#include "core/dl.h"

#include <dlfcn.h>

#define CURL_DL_DEFINE(f) __typeof__(f) *curl_dl_##f;
CURL_DL_FUNCS(CURL_DL_DEFINE)

#define CURL_DL_SYM(f) {#f, (void **)&curl_dl_##f},
static const struct dl_sym syms[] = {CURL_DL_FUNCS(CURL_DL_SYM)};
static const char *const names[] = {"libcurl.so.4", "libcurl.so"};
static struct dl_lib lib = {names, 2, RTLD_LOCAL, "libcurl4", syms, sizeof(syms) / sizeof(syms[0]),
			    .lock = PTHREAD_MUTEX_INITIALIZER};

bool curl_dl_open(char *err, size_t errlen)
{
	return dl_open(&lib, "libcurl", err, errlen);
}
