/*
 * store_stamp.c - sq_change_stamp() for the SQLite backend: what
 * changed since the last look, without a read transaction per look.
 *
 * Three counters, cheapest first:
 *  - commits: every connection this process opens reports each commit
 *    through sqlite3_wal_hook(), which SQLite calls after the commit is
 *    durable and its write lock released; a stamp taken before a render
 *    therefore never carries a count that the rendered data predates.
 *    This is the one piece of process-wide mutable state in the store: an
 *    atomic counter, by design shared between the threads it informs.
 *  - own: sqlite3_total_changes64() of the connection, exact for its own
 *    writes even if the database were not in WAL mode.
 *  - external: PRAGMA data_version, which sees commits by other
 *    processes (quire user add, an import). It starts a read transaction,
 *    which under load cost a quarter of the cached-page throughput when
 *    taken on every request, so it is re-read at most every
 *    STORE_STAMP_RECHECK_MS per connection.
 *
 * Installing a WAL hook replaces SQLite's automatic checkpoint hook; the
 * hook below checkpoints at the same default threshold (1000 frames).
 */
#include "store/sqlite/store_int.h"

#include <stdatomic.h>
#include <time.h>

#define AUTOCHECKPOINT_FRAMES 1000

static atomic_llong commits;

static int on_commit(void *ctx, sqlite3 *db, const char *name, int frames)
{
	(void)ctx;
	atomic_fetch_add(&commits, 1);
	if (frames >= AUTOCHECKPOINT_FRAMES)
		sqlite3_wal_checkpoint(db, name);
	return SQLITE_OK;
}

void stamp_watch(struct store *s)
{
	sqlite3_wal_hook(SQ(s)->db, on_commit, NULL);
	SQ(s)->data_version_ms = -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

enum store_err sq_change_stamp(struct store *s, struct store_stamp *out)
{
	int64_t now = now_ms();
	if (SQ(s)->data_version_ms < 0 || now - SQ(s)->data_version_ms >= STORE_STAMP_RECHECK_MS) {
		sqlite3_stmt *st = stmt_cached(s, SQL_DATA_VERSION);
		if (!st)
			return STORE_ERROR;
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			done(st);
			return err_of(s, rc);
		}
		SQ(s)->data_version = sqlite3_column_int64(st, 0);
		SQ(s)->data_version_ms = now;
		done(st);
	}
	out->commits = (int64_t)atomic_load(&commits);
	out->external = SQ(s)->data_version;
	out->own = (int64_t)sqlite3_total_changes64(SQ(s)->db);
	return STORE_OK;
}
