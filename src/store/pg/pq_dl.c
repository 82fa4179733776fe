/*
 * pq_dl.c - open libpq with the first PostgreSQL store (see pq_dl.h).
 */
#define PQ_DL_IMPLEMENTATION
#include "store/pg/pq_dl.h"
#include "core/dl.h"

#include <dlfcn.h>

#define PQ_DL_DEFINE(f) __typeof__(f) *pq_dl_##f;
PQ_DL_FUNCS(PQ_DL_DEFINE)

#define PQ_DL_SYM(f) {#f, (void **)&pq_dl_##f},
static const struct dl_sym syms[] = {PQ_DL_FUNCS(PQ_DL_SYM)};
static const char *const names[] = {"libpq.so.5", "libpq.so"};
static struct dl_lib lib = {names, 2, RTLD_LOCAL, "libpq5", syms, sizeof(syms) / sizeof(syms[0]),
			    .lock = PTHREAD_MUTEX_INITIALIZER};

bool pq_dl_open(char *err, size_t errlen)
{
	return dl_open(&lib, "PostgreSQL", err, errlen);
}
