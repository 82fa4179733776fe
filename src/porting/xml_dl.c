/*
 * xml_dl.c - open libxml2 at the first WordPress import (see xml_dl.h).
 */
#define XML_DL_IMPLEMENTATION
#include "porting/xml_dl.h"
#include "core/dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define XML_DL_DEFINE(f) __typeof__(f) *xml_dl_##f;
XML_DL_FUNCS(XML_DL_DEFINE)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256] = "libxml2 could not be opened"; /* empty once opened */

static void open_once(void)
{
	/* Debian 12's libxml2 first; the development link as a fallback. */
	static const char *const names[] = {"libxml2.so.2", "libxml2.so"};
#define XML_DL_SYM(f) {#f, (void **)&xml_dl_##f},
	static const struct dl_sym syms[] = {XML_DL_FUNCS(XML_DL_SYM)};
	if (dl_load(names, 2, RTLD_LOCAL, "libxml2", syms, sizeof(syms) / sizeof(syms[0]), why,
		    sizeof(why)))
		why[0] = '\0';
}

bool xml_dl_open(char *err, size_t errlen)
{
	pthread_once(&once, open_once);
	if (why[0] && err && errlen)
		snprintf(err, errlen, "WordPress import: %s", why);
	return !why[0];
}
