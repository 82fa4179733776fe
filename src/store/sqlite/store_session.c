/*
 * store_session.c - sq_session_user(): who a request's session token
 * belongs to, in one query, remembered by each connection until anything
 * is written.
 *
 * Every signed-in request asks this first. The answer can only change
 * through a write (sign-out, expiry sweep, a profile edit, the session's
 * activity stamp), and every write moves sq_change_stamp(); so an
 * answer is reused while the stamp is the one it was read under, and read
 * again after. A connection belongs to one worker thread: no locks.
 */
#include "store/sqlite/store_int.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_ENTRIES 16

struct memo_entry {
	bool used;
	uint64_t last_use;
	char hash[65];
	struct store_stamp stamp;
	struct session_row sess;
	struct user_row user;
	char *strings; /* the rows' strings, one allocation */
};

struct session_memo {
	uint64_t clock;
	struct memo_entry e[MEMO_ENTRIES];
};

static const char SQL_SESSION_USER[] =
	"SELECT s.user_id, s.kind, s.created_at, s.last_seen, s.expires_at, " USER_COLS("u")
	" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1";

void session_memo_free(struct store *s)
{
	if (!SQ(s)->memo)
		return;
	for (size_t i = 0; i < MEMO_ENTRIES; i++)
		free(SQ(s)->memo->e[i].strings);
	free(SQ(s)->memo);
	SQ(s)->memo = NULL;
}

static bool stamp_equal(const struct store_stamp *a, const struct store_stamp *b)
{
	return a->commits == b->commits && a->external == b->external && a->own == b->own;
}

/* Copy the n strings *p[i] into one block; point them into it. */
static char *pack(const char **p[], size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += strlen(*p[i]) + 1;
	char *block = malloc(total), *o = block;
	if (!block)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(*p[i]) + 1;
		memcpy(o, *p[i], l);
		*p[i] = o;
		o += l;
	}
	return block;
}

static void to_arena(struct arena *a, const struct memo_entry *m, struct session_row *sess,
		     struct user_row *user)
{
	*sess = m->sess;
	*user = m->user;
	sess->user_id = arena_strdup(a, m->sess.user_id);
	sess->kind = arena_strdup(a, m->sess.kind);
	user->handle = arena_strdup(a, m->user.handle);
	user->name = arena_strdup(a, m->user.name);
	user->bio = arena_strdup(a, m->user.bio);
	user->password_hash = arena_strdup(a, m->user.password_hash);
	user->time_zone = arena_strdup(a, m->user.time_zone);
}

enum store_err sq_session_user(struct store *s, struct arena *a, const char *token_hash,
				  struct session_row *sess, struct user_row *user)
{
	struct store_stamp now;
	bool stamped = sq_change_stamp(s, &now) == STORE_OK;
	if (!SQ(s)->memo)
		SQ(s)->memo = calloc(1, sizeof(*SQ(s)->memo));
	struct session_memo *memo = SQ(s)->memo;
	if (memo && stamped) {
		for (size_t i = 0; i < MEMO_ENTRIES; i++) {
			struct memo_entry *m = &memo->e[i];
			if (m->used && stamp_equal(&m->stamp, &now) && strcmp(m->hash, token_hash) == 0) {
				m->last_use = ++memo->clock;
				to_arena(a, m, sess, user);
				return STORE_OK;
			}
		}
	}
	sqlite3_stmt *st = stmt_cached(s, SQL_SESSION_USER);
	if (!st)
		return STORE_ERROR;
	bind_text(st, 1, token_hash);
	int rc = sqlite3_step(st);
	enum store_err e = STORE_OK;
	if (rc == SQLITE_ROW) {
		sess->user_id = col_text(a, st, 0);
		sess->kind = col_text(a, st, 1);
		sess->created_at = sqlite3_column_int64(st, 2);
		sess->last_seen = sqlite3_column_int64(st, 3);
		sess->expires_at = sqlite3_column_int64(st, 4);
		read_user(a, st, 5, user);
	} else {
		e = rc == SQLITE_DONE ? STORE_NOT_FOUND : err_of(s, rc);
	}
	done(st);
	if (e || !memo || !stamped)
		return e;
	/* Remember it in the least recently used slot. */
	struct memo_entry *m = &memo->e[0];
	for (size_t i = 1; i < MEMO_ENTRIES && m->used; i++)
		if (!memo->e[i].used || memo->e[i].last_use < m->last_use)
			m = &memo->e[i];
	free(m->strings);
	m->used = false;
	m->sess = *sess;
	m->user = *user;
	const char **strs[] = {&m->sess.user_id, &m->sess.kind, &m->user.handle, &m->user.name,
			       &m->user.bio, &m->user.password_hash, &m->user.time_zone};
	m->strings = pack(strs, sizeof(strs) / sizeof(strs[0]));
	if (!m->strings)
		return e;
	memcpy(m->hash, token_hash, sizeof(m->hash));
	m->stamp = now;
	m->last_use = ++memo->clock;
	m->used = true;
	return e;
}
