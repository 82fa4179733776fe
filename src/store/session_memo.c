/*
 * session_memo.c - store_session_user(): who a request's session token
 * belongs to, remembered by each connection until anything is written, for
 * every backend.
 *
 * Every signed-in request asks this first. The answer can only change
 * through a write (sign-out, expiry sweep, a profile edit, the session's
 * activity stamp), and every write moves store_change_stamp(); so an
 * answer is reused while the stamp is the one it was read under, and read
 * from the backend again after. A connection belongs to one worker thread:
 * no locks.
 */
#include "store/backend.h"

#include <stdlib.h>
#include <string.h>

/* Two-way set associative, indexed by the token hash's first hex digits
 * (a hash already): a busy site's signed-in readers each keep theirs
 * while they read, without a search through all of them. */
#define MEMO_SETS 512
#define MEMO_WAYS 2
#define MEMO_ENTRIES (MEMO_SETS * MEMO_WAYS)

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

void session_memo_free(struct store *s)
{
	if (!s->memo)
		return;
	for (size_t i = 0; i < MEMO_ENTRIES; i++)
		free(s->memo->e[i].strings);
	free(s->memo);
	s->memo = NULL;
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

enum store_err store_session_user(struct store *s, struct arena *a, const char *token_hash,
				  struct session_row *sess, struct user_row *user)
{
	struct store_stamp now;
	bool stamped = s->be->change_stamp(s, &now) == STORE_OK;
	if (!s->memo)
		s->memo = calloc(1, sizeof(*s->memo));
	struct session_memo *memo = s->memo;
	size_t set = 0;
	for (size_t i = 0; i < 4 && token_hash[i]; i++) {
		char c = token_hash[i];
		set = set * 16 + (size_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	struct memo_entry *ways = memo ? &memo->e[(set % MEMO_SETS) * MEMO_WAYS] : NULL;
	if (memo && stamped) {
		for (size_t i = 0; i < MEMO_WAYS; i++) {
			struct memo_entry *m = &ways[i];
			if (m->used && stamp_equal(&m->stamp, &now) && strcmp(m->hash, token_hash) == 0) {
				m->last_use = ++memo->clock;
				to_arena(a, m, sess, user);
				return STORE_OK;
			}
		}
	}
	enum store_err e = s->be->session_user(s, a, token_hash, sess, user);
	if (e || !memo || !stamped)
		return e;
	/* Remember it in the least recently used way of its set. */
	struct memo_entry *m = &ways[0];
	for (size_t i = 1; i < MEMO_WAYS && m->used; i++)
		if (!ways[i].used || ways[i].last_use < m->last_use)
			m = &ways[i];
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
