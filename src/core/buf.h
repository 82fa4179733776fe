/*
 * buf.h - growable byte string with a size cap. Use it as a model.
 *
 * Invariants: data is always NUL-terminated (data[len] == 0) once anything
 * has been added, and buf_str() never returns NULL. len never exceeds max.
 *
 * Errors are sticky: an append that would pass max sets b->too_large,
 * leaves the contents as they were before that append, and every later
 * append does nothing. Callers append freely and check buf_failed() once
 * at the end. This keeps growth driven by user input bounded.
 *
 * Memory comes from malloc (aborting on OOM); buf_release() frees it,
 * buf_detach() hands it to the caller (free() it).
 */
#ifndef QUIRE_CORE_BUF_H
#define QUIRE_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t max;
	bool too_large;
};

#define BUF_MAX_DEFAULT ((size_t)64 << 20)

/* max is the largest len allowed; 0 means BUF_MAX_DEFAULT. */
void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Empties the buffer and clears a too_large error; keeps the memory. */
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);

/* Room for n more bytes without growing again (within max). */
void buf_reserve(struct buf *b, size_t n);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* HTML-escape & < > " ' (also safe inside quoted attributes). */
void buf_add_html(struct buf *b, const char *s, size_t n);
/* Percent-encode everything but unreserved characters (RFC 3986). */
void buf_add_urlenc(struct buf *b, const char *s, size_t n);

static inline const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}
static inline bool buf_failed(const struct buf *b)
{
	return b->too_large;
}

#endif
