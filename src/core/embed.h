/*
 * embed.h - files built into the binary by tools/embed.c: templates,
 * static assets and the schema migrations of each store backend. Read-only; each array ends with a
 * zeroed entry. data is NUL-terminated (not counted in len).
 */
#ifndef QUIRE_CORE_EMBED_H
#define QUIRE_CORE_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char *name;
	const unsigned char *data;
	long len;
	/* Static assets (embed -z): gzip and brotli copies made at build
	 * time, NULL when the file is not text or they would not pay. */
	const unsigned char *gz;
	long gz_len;
	const unsigned char *br;
	long br_len;
};

extern const struct embedded_file embedded_templates[];
extern const unsigned long embedded_templates_count;
extern const struct embedded_file embedded_static[];
extern const unsigned long embedded_static_count;
extern const struct embedded_file embedded_migrations[];
extern const unsigned long embedded_migrations_count;
extern const struct embedded_file embedded_pg_migrations[];
extern const unsigned long embedded_pg_migrations_count;

#endif
