/*
 * store_backends.h - for the store conformance suite (tests/unit/
 * test_store*.c): run one suite against every backend the build has, each
 * time on a fresh, empty database:
 *  - SQLite, in a new temporary directory;
 *  - PostgreSQL, when QUIRE_TEST_PG names a cluster started by
 *    tests/lib/pg.sh (a new database in it).
 * The suite sees only store.h. Header-only; include after tap.h.
 */
#ifndef QUIRE_TESTS_STORE_BACKENDS_H
#define QUIRE_TESTS_STORE_BACKENDS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

/* The URL of a new database of the backend named kind ("sqlite",
 * "postgres") into url; false if this run has no such backend. */
static bool store_test_db(const char *kind, char *url, size_t len, char *tmpdir, size_t tlen)
{
	tmpdir[0] = '\0';
	if (strcmp(kind, "sqlite") == 0) {
		snprintf(tmpdir, tlen, "/tmp/quire-store-XXXXXX");
		if (!mkdtemp(tmpdir))
			return false;
		snprintf(url, len, "sqlite:%s/quire.db", tmpdir);
		return true;
	}
	const char *pg = getenv("QUIRE_TEST_PG");
	if (!pg || !*pg)
		return false;
	unsigned char r[8];
	FILE *f = fopen("/dev/urandom", "rb");
	if (!f || fread(r, 1, sizeof(r), f) != sizeof(r)) {
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	char name[32];
	snprintf(name, sizeof(name), "u_%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
		 r[4], r[5], r[6], r[7]);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s/tests/lib/pg.sh createdb '%s' %s", QUIRE_SOURCE_DIR, pg, name);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	bool ok = fgets(url, (int)len, p) != NULL;
	if (pclose(p) != 0)
		ok = false;
	url[strcspn(url, "\n")] = '\0';
	return ok && url[0];
}

/* Run suite(url) once per backend; the database is new each time. */
__attribute__((unused))
static void store_for_each_backend(void (*suite)(const char *kind, const char *url))
{
	static const char *const kinds[] = {"sqlite", "postgres"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char url[1024], tmp[64];
		if (!store_test_db(kinds[i], url, sizeof(url), tmp, sizeof(tmp))) {
			if (strcmp(kinds[i], "sqlite") != 0)
				printf("# %s: not in this run (set QUIRE_TEST_PG)\n", kinds[i]);
			continue;
		}
		printf("# backend %s\n", kinds[i]);
		suite(kinds[i], url);
		if (tmp[0]) {
			char cmd[128];
			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
			if (system(cmd) != 0)
				printf("# could not remove %s\n", tmp);
		}
	}
}

#endif
