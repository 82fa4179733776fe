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

static const char *const status_names[] = {[STATUS_DRAFT] = "draft",
					   [STATUS_PUBLISHED] = "published"};
static const char *const audience_names[] = {
	[AUDIENCE_PUBLIC] = "public", [AUDIENCE_UNLISTED] = "unlisted",
	[AUDIENCE_CIRCLE] = "circle", [AUDIENCE_PRIVATE] = "private"};

const char *story_status_name(enum story_status st)
{
	return (unsigned)st < 2 ? status_names[st] : "draft";
}

bool story_status_parse(const char *name, enum story_status *out)
{
	for (unsigned i = 0; name && i < 2; i++)
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum story_status)i;
			return true;
		}
	return false;
}

const char *story_audience_name(enum story_audience a)
{
	return (unsigned)a < 4 ? audience_names[a] : "private";
}

bool story_audience_parse(const char *name, enum story_audience *out)
{
	for (unsigned i = 0; name && i < 4; i++)
		if (strcmp(name, audience_names[i]) == 0) {
			*out = (enum story_audience)i;
			return true;
		}
	return false;
}

static const char *const response_status_names[] = {[RESPONSE_VISIBLE] = "visible",
						    [RESPONSE_PENDING] = "pending",
						    [RESPONSE_HIDDEN] = "hidden"};

const char *response_status_name(enum response_status st)
{
	return (unsigned)st < 3 ? response_status_names[st] : "hidden";
}

bool response_status_parse(const char *name, enum response_status *out)
{
	for (unsigned i = 0; name && i < 3; i++)
		if (strcmp(name, response_status_names[i]) == 0) {
			*out = (enum response_status)i;
			return true;
		}
	return false;
}

const char *const store_tables[] = {
	"settings", "users", "sessions", "invites", "stories", "story_slugs", "circles",
	"circle_members", "circle_invites", "circle_invitations", "photos", "photo_variants", "responses",
	"response_reports", "blocks", "muted_words", "revisions", "story_schedule", "follows",
	"story_tags", "story_drafts",
	/* email (issue 18) */
	"user_emails", "subscribers", "outbox", "mail_tokens", "story_mail", "mail_prefs",
	/* running the site (issue 21) */
	"audit_log",
	/* private feeds (issue 18) */
	"feed_tokens",
	/* imports (issue 19) */
	"import_sources", "import_photos", "import_jobs",
	/* profiles (issue 17) */
	"profiles",
	/* federation (issue 20) */
	"fed_keys", "fed_actors", "fed_followers", "fed_seen", "fed_deliveries", "fed_blocked_domains",
	"fed_settings", "fed_follow_requests", "fed_reactions", "fed_blocked_actors",
	NULL,
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

bool store_url_known(const char *url)
{
	const char *where;
	return store_backend_for(url, &where) != NULL;
}

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
	if (pv)
		snprintf(out, n, "SQLite %s, libpq %d.%d", sq_lib_version(), pv / 10000, pv % 10000);
	else
		snprintf(out, n, "SQLite %s, libpq not loadable", sq_lib_version());
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
