/*
 * pq_dl.c - open libpq with the first PostgreSQL store (see pq_dl.h).
 */
#define PQ_DL_IMPLEMENTATION
#include "store/pg/pq_dl.h"
#include "core/dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define PQ_DL_DEFINE(f) __typeof__(f) *pq_dl_##f;
PQ_DL_FUNCS(PQ_DL_DEFINE)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256] = "libpq could not be opened"; /* empty once opened */

static void open_once(void)
{
	static const char *const names[] = {"libpq.so.5", "libpq.so"};
#define PQ_DL_SYM(f) {#f, (void **)&pq_dl_##f},
	static const struct dl_sym syms[] = {PQ_DL_FUNCS(PQ_DL_SYM)};
	if (dl_load(names, 2, RTLD_LOCAL, "libpq5", syms, sizeof(syms) / sizeof(syms[0]), why,
		    sizeof(why)))
		why[0] = '\0';
}

bool pq_dl_open(char *err, size_t errlen)
{
	pthread_once(&once, open_once);
	if (why[0] && err && errlen)
		snprintf(err, errlen, "PostgreSQL: %s", why);
	return !why[0];
}
