/*
 * store_pg_stamp.c - pg_change_stamp() for the PostgreSQL backend: what
 * changed since the last look, on this node and on every other.
 *
 * Three counters, as for SQLite (store.h):
 *  - commits: this process's committed writes, on any connection (an
 *    atomic counter, the one piece of process-wide mutable state here),
 *    so that a write is seen by every worker of the node at once;
 *  - own: this connection's committed writes;
 *  - external: change notifications heard. Every table has a trigger
 *    that runs pg_notify('quire_change') (pg/migrations/001_init.sql);
 *    PostgreSQL delivers it at commit to every connection that LISTENs,
 *    on every app server. Reading them costs no round trip: the
 *    connection's socket is read without blocking, at most once per
 *    PG_NOTIFY_RECHECK_MS, so another node's commit shows here within
 *    that window plus the delivery time (a few milliseconds on a LAN).
 *
 * A connection that is down cannot hear: the stamp is then an error, so
 * that caches stop serving until the connection is back (pg_int.c
 * reconnects and LISTENs again before the next statement).
 */
#include "store/pg/pg_int.h"

#include <stdatomic.h>
#include <time.h>

#define PG_NOTIFY_RECHECK_MS 2

static atomic_llong commits;

enum store_err pg_listen(struct store *s)
{
	if (PG(s)->listening)
		return STORE_OK;
	if (pg_exec(s, "LISTEN quire_change"))
		return STORE_ERROR;
	PG(s)->listening = true;
	PG(s)->heard++; /* whatever happened while we were not listening */
	return STORE_OK;
}

void pg_count_write(struct store *s)
{
	struct pg_store *q = PG(s);
	if (q->txn_depth > 0)
		return; /* counted at commit */
	q->own++;
	atomic_fetch_add(&commits, 1);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what the server sent (notifications) without waiting. */
static bool hear(struct store *s)
{
	struct pg_store *q = PG(s);
	/* A broken connection comes back here too (pg_ready), so that a node
	 * whose database returned serves from its cache again without
	 * waiting for a request that queries. */
	if (!pg_ready(s))
		return false;
	if (!PQconsumeInput(q->conn))
		return false;
	PGnotify *n;
	while ((n = PQnotifies(q->conn))) {
		q->heard++;
		PQfreemem(n);
	}
	return PQstatus(q->conn) == CONNECTION_OK;
}

enum store_err pg_change_stamp(struct store *s, struct store_stamp *out)
{
	struct pg_store *q = PG(s);
	int64_t now = now_ms();
	if (q->txn_depth == 0 && (!q->listening || now - q->heard_ms >= PG_NOTIFY_RECHECK_MS)) {
		if (!hear(s))
			return STORE_ERROR;
		q->heard_ms = now;
	}
	out->commits = (int64_t)atomic_load(&commits);
	out->external = q->heard;
	out->own = q->own;
	return STORE_OK;
}
