/*
 * backend.h - what a store backend provides; included by store/store.c and
 * by the backends only. A backend is a table of the functions of
 * store_fns.h plus open; its connection struct begins with a
 * struct store, which names the table, so that store_NAME(s, ...) calls
 * s->be->NAME(s, ...).
 */
#ifndef QUIRE_STORE_BACKEND_H
#define QUIRE_STORE_BACKEND_H

#include "store/store.h"
#include "store/store_media.h"
#include "store/store_mail.h"
#include "store/store_admin.h"
#include "store/store_fed.h"

struct store_backend {
	const char *scheme; /* "sqlite", "postgres" */
	/* where is the URL without "scheme:" for SQLite (a path), the
	 * whole URL for PostgreSQL. */
	enum store_err (*open)(const char *where, struct store **out, char *err, size_t errlen);
	/* A backup of the format before store/archive.c (a SQLite file) into
	 * a new database; NULL when the backend cannot read one. */
	enum store_err (*restore_sqlite_file)(const char *backup_path, const char *where,
					      const char *media_dir, unsigned long *files,
					      char *err, size_t errlen);
	void (*close)(struct store *s);
#define STORE_FN(ret, name, params, args) ret (*name) params;
#define STORE_FN_VOID(name, params, args) void (*name) params;
#define STORE_FN_OWN STORE_FN
#include "store/store_fns.h"
#undef STORE_FN
#undef STORE_FN_VOID
#undef STORE_FN_OWN
};

struct store {
	const struct store_backend *be;
	struct session_memo *memo; /* store/session_memo.c */
};

/* session_memo.c: free the connection's remembered sessions. */
void session_memo_free(struct store *s);

/* The backends' libraries' versions (store_lib_versions). */
const char *sq_lib_version(void);
int pg_lib_version(void); /* 0 when libpq cannot be loaded */

/* The backends this binary holds. */
extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend;

/* The backend for url, and in *where the part of url it takes: NULL for
 * an unknown scheme. */
const struct store_backend *store_backend_for(const char *url, const char **where);

#endif
