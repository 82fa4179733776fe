/*
 * xml_dl.c - open libxml2 at the first WordPress import (see xml_dl.h).
 */
#define XML_DL_IMPLEMENTATION
#include "porting/xml_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define XML_DL_DEFINE(f) __typeof__(f) *xml_dl_##f;
XML_DL_FUNCS(XML_DL_DEFINE)

/* Debian 12's libxml2 first; the development link as a fallback. */
static const char *const names[] = {"libxml2.so.2", "libxml2.so"};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256] = "libxml2 could not be opened"; /* empty once opened */

static void open_once(void)
{
	void *h = NULL;
	for (size_t i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, sizeof(why), "WordPress import needs libxml2 (package libxml2): %s",
			 dlerror());
		return;
	}
	/* Never closed: cheap to keep once an import has needed it. */
#define XML_DL_RESOLVE(f)                                                               \
	if (!(*(void **)&xml_dl_##f = dlsym(h, #f))) {                                   \
		snprintf(why, sizeof(why), "libxml2 lacks %s", #f);                     \
		return;                                                                 \
	}
	XML_DL_FUNCS(XML_DL_RESOLVE)
	why[0] = '\0';
}

bool xml_dl_open(char *err, size_t errlen)
{
	pthread_once(&once, open_once);
	if (why[0] && err && errlen)
		snprintf(err, errlen, "%s", why);
	return !why[0];
}
