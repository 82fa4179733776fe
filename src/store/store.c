/*
 * store.c - the store contract's calls: pick a backend by URL, then pass
 * every call to the connection's backend (store/backend.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/backend.h"
#include "core/metrics.h"

const char *store_strerror(enum store_err e)
{
	switch (e) {
	case STORE_OK: return "ok";
	case STORE_NOT_FOUND: return "not found";
	case STORE_CONFLICT: return "already exists";
	case STORE_ERROR: return "database error";
	}
	return "unknown error";
}

const char *const store_tables[] = {
	"settings", "users", "sessions", "invites", "stories", "story_slugs", "circles",
	"circle_members", "circle_invites", "photos", "photo_variants", "responses",
	"response_reports", "blocks", "muted_words", "revisions", "story_schedule", "follows",
	"story_tags", "story_drafts", NULL,
};

/* URL schemes and their backends; SQLite takes the part after "sqlite:"
 * (or "sqlite://"), the others the whole URL. */
static const struct {
	const char *scheme;
	const struct store_backend *be;
} schemes[] = {
	{"sqlite", &store_sqlite_backend},
	{"postgres", &store_pg_backend},
	{"postgresql", &store_pg_backend},
};

const struct store_backend *store_backend_for(const char *url, const char **where)
{
	const char *colon = strchr(url, ':');
	const char *slash = strchr(url, '/');
	*where = url;
	if (!colon || (slash && slash < colon))
		return &store_sqlite_backend; /* a bare path */
	size_t n = (size_t)(colon - url);
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i].scheme) != n || strncmp(url, schemes[i].scheme, n) != 0)
			continue;
		if (schemes[i].be == &store_sqlite_backend) {
			*where = colon + 1;
			if (strncmp(*where, "//", 2) == 0)
				*where += 2;
		}
		return schemes[i].be;
	}
	return NULL;
}

enum store_err store_open(const char *url, struct store **out, char *err, size_t errlen)
{
	const char *where;
	const struct store_backend *be = store_backend_for(url, &where);
	*out = NULL;
	if (!be) {
		snprintf(err, errlen, "%s: unknown kind of database (sqlite:PATH or postgres://...)",
			 url);
		return STORE_ERROR;
	}
	return be->open(where, out, err, errlen);
}

void store_lib_versions(char *out, size_t n)
{
	int pv = pg_lib_version();
	snprintf(out, n, "SQLite %s, libpq %d.%d", sq_lib_version(), pv / 10000, pv % 10000);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	session_memo_free(s);
	s->be->close(s);
}

/* Each call is timed for /metrics (core/metrics.h: outermost calls only,
 * two clock reads, no lock). */
#define STORE_FN(ret, name, params, args) \
	ret store_##name params \
	{ \
		uint64_t t0_ = metrics_db_begin(); \
		ret r_ = s->be->name args; \
		metrics_db_end(t0_); \
		return r_; \
	}
#define STORE_FN_VOID(name, params, args) \
	void store_##name params \
	{ \
		uint64_t t0_ = metrics_db_begin(); \
		s->be->name args; \
		metrics_db_end(t0_); \
	}
/* Those whose call does more than pass it on: written out elsewhere. */
#define STORE_FN_OWN(ret, name, params, args)
#include "store/store_fns.h"
#undef STORE_FN
#undef STORE_FN_VOID
#undef STORE_FN_OWN
