/*
 * pq_dl.h - libpq opened with dlopen() when a PostgreSQL store is first
 * opened instead of linked: included by the PostgreSQL backend only.
 *
 * Why: libpq loads Kerberos, LDAP, SASL and libssl; linked, a server on
 * SQLite (the default) carries them resident for nothing. The prototypes
 * are libpq's own (core/dl.h explains the pattern).
 *
 * pq_dl_open() must succeed before any of them is called.
 */
#ifndef QUIRE_STORE_PG_PQ_DL_H
#define QUIRE_STORE_PG_PQ_DL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#define PQ_DL_FUNCS(X)                                                                      \
	X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdbParams) X(PQconsumeInput)          \
	X(PQerrorMessage) X(PQexec) X(PQexecParams) X(PQexecPrepared) X(PQfinish) X(PQfname)     \
	X(PQfreemem) X(PQftype) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQlibVersion)      \
	X(PQnfields) X(PQnotifies) X(PQntuples) X(PQprepare) X(PQreset) X(PQresultErrorField)    \
	X(PQresultErrorMessage) X(PQresultStatus) X(PQsetNoticeProcessor) X(PQstatus)

#define PQ_DL_DECLARE(f) extern __typeof__(f) *pq_dl_##f;
PQ_DL_FUNCS(PQ_DL_DECLARE)
#undef PQ_DL_DECLARE

/* Open libpq and resolve every function above, once for the process;
 * false (and why, in err) if it is not installed or lacks one. Safe from
 * any thread, any number of times. */
bool pq_dl_open(char *err, size_t errlen);

#ifndef PQ_DL_IMPLEMENTATION
#define PQclear (*pq_dl_PQclear)
#define PQcmdStatus (*pq_dl_PQcmdStatus)
#define PQcmdTuples (*pq_dl_PQcmdTuples)
#define PQconnectdbParams (*pq_dl_PQconnectdbParams)
#define PQconsumeInput (*pq_dl_PQconsumeInput)
#define PQerrorMessage (*pq_dl_PQerrorMessage)
#define PQexec (*pq_dl_PQexec)
#define PQexecParams (*pq_dl_PQexecParams)
#define PQexecPrepared (*pq_dl_PQexecPrepared)
#define PQfinish (*pq_dl_PQfinish)
#define PQfname (*pq_dl_PQfname)
#define PQfreemem (*pq_dl_PQfreemem)
#define PQftype (*pq_dl_PQftype)
#define PQgetisnull (*pq_dl_PQgetisnull)
#define PQgetlength (*pq_dl_PQgetlength)
#define PQgetvalue (*pq_dl_PQgetvalue)
#define PQlibVersion (*pq_dl_PQlibVersion)
#define PQnfields (*pq_dl_PQnfields)
#define PQnotifies (*pq_dl_PQnotifies)
#define PQntuples (*pq_dl_PQntuples)
#define PQprepare (*pq_dl_PQprepare)
#define PQreset (*pq_dl_PQreset)
#define PQresultErrorField (*pq_dl_PQresultErrorField)
#define PQresultErrorMessage (*pq_dl_PQresultErrorMessage)
#define PQresultStatus (*pq_dl_PQresultStatus)
#define PQsetNoticeProcessor (*pq_dl_PQsetNoticeProcessor)
#define PQstatus (*pq_dl_PQstatus)
#endif

#endif
