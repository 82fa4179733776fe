/*
 * curl_dl.c - open libcurl at the first transfer (see curl_dl.h).
 */
#define CURL_DL_IMPLEMENTATION
#include "net/curl_dl.h"
#include "core/dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define CURL_DL_DEFINE(f) __typeof__(f) *curl_dl_##f;
CURL_DL_FUNCS(CURL_DL_DEFINE)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256] = "libcurl could not be opened"; /* empty once opened */

static void open_once(void)
{
	static const char *const names[] = {"libcurl.so.4", "libcurl.so"};
#define CURL_DL_SYM(f) {#f, (void **)&curl_dl_##f},
	static const struct dl_sym syms[] = {CURL_DL_FUNCS(CURL_DL_SYM)};
	if (dl_load(names, 2, RTLD_LOCAL, "libcurl4", syms, sizeof(syms) / sizeof(syms[0]), why,
		    sizeof(why)))
		why[0] = '\0';
}

bool curl_dl_open(char *err, size_t errlen)
{
	pthread_once(&once, open_once);
	if (why[0] && err && errlen)
		snprintf(err, errlen, "%s", why);
	return !why[0];
}
