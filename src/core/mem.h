/*
 * mem.h - allocation wrappers for small internal allocations.
 *
 * These abort the process on out-of-memory: an internal allocation that
 * fails leaves nothing sensible to do. Allocations whose size comes from
 * user input must not use these; they go through a capped struct buf or
 * check sizes first and return an error.
 */
#ifndef QUIRE_CORE_MEM_H
#define QUIRE_CORE_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
