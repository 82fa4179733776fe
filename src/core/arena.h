/*
 * arena.h - region allocator owned by one request (or one job).
 *
 * Everything a handler allocates comes from the request's arena and is
 * freed in one go by arena_release(); nothing is freed piecemeal.
 * Resources that need cleanup (prepared statements, temp files, library
 * objects) register a destructor with arena_defer(); destructors run in
 * reverse order of registration when the arena is released.
 *
 * An arena is not thread-safe; it belongs to one thread at a time.
 * Allocation failure aborts (arena sizes are bounded by request limits,
 * which are checked before anything user-sized is copied in).
 */
#ifndef QUIRE_CORE_ARENA_H
#define QUIRE_CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena_defer;

struct arena {
	struct arena_block *head;
	struct arena_defer *defers;
	size_t total; /* bytes handed out, for limits and tests */
};

/* Set up a caller-owned arena; no memory is taken until the first alloc. */
void arena_init(struct arena *a);

/* Run destructors (last registered first), free all blocks, re-init. */
void arena_release(struct arena *a);

/* n bytes aligned for any type; never NULL. Contents are zeroed. */
void *arena_alloc(struct arena *a, size_t n);

/* Copies; the result is NUL-terminated and owned by the arena. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Call fn(ctx) when the arena is released. */
void arena_defer(struct arena *a, void (*fn)(void *), void *ctx);

#endif
