/*
 * xml_dl.c - open libxml2 at the first WordPress import (see xml_dl.h).
 */
#define XML_DL_IMPLEMENTATION
#include "porting/xml_dl.h"
#include "core/dl.h"

#include <dlfcn.h>

#define XML_DL_DEFINE(f) __typeof__(f) *xml_dl_##f;
XML_DL_FUNCS(XML_DL_DEFINE)

#define XML_DL_SYM(f) {#f, (void **)&xml_dl_##f},
static const struct dl_sym syms[] = {XML_DL_FUNCS(XML_DL_SYM)};
static const char *const names[] = {"libxml2.so.2", "libxml2.so"};
static struct dl_lib lib = {names, 2, RTLD_LOCAL, "libxml2", syms, sizeof(syms) / sizeof(syms[0]),
			    .lock = PTHREAD_MUTEX_INITIALIZER};

bool xml_dl_open(char *err, size_t errlen)
{
	return dl_open(&lib, "WordPress import", err, errlen);
}
