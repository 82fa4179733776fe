/*
 * tz.h - a writer's time zone: IANA zone files (TZif, RFC 8536) read from
 * the system's tzdata, and conversion between UTC and local wall time.
 *
 * Only what scheduling and the editor need: the UTC offset in force at an
 * instant, and the instant a local date and time names. Not the process's
 * TZ: setenv()/tzset() are not thread-safe, and each writer has her own
 * zone. Times after a zone file's last transition (2037 in Debian's "fat"
 * files) keep that transition's offset; the POSIX TZ footer is not read.
 */
#ifndef QUIRE_CORE_TZ_H
#define QUIRE_CORE_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

#define TZ_NAME_MAX 64
#define TZ_DIR "/usr/share/zoneinfo"

struct tz {
	size_t n;          /* transitions */
	int64_t *at;       /* ascending UTC times */
	unsigned char *type; /* index into off for each transition */
	size_t ntypes;
	int32_t off[256];  /* UTC offset of each local time type, seconds */
	int32_t first;     /* offset before the first transition */
};

/* Parse a TZif file (version 1, 2 or 3) from p[0..n) into *out, arrays in
 * a. False if it is not a well-formed zone file. Pure; fuzzed. */
bool tz_parse(struct arena *a, const unsigned char *p, size_t n, struct tz *out);

/* True for a plausible zone name: "Europe/Paris", "UTC", "America/Argentina/Salta";
 * at most TZ_NAME_MAX bytes of [A-Za-z0-9/_+-], no empty or dot-led parts. */
bool tz_name_ok(const char *name);

/* Load zone name from TZ_DIR; false if the name is not valid or there is
 * no such zone file. */
bool tz_load(struct arena *a, const char *name, struct tz *out);

/* Names of the zones in TZ_DIR/zone1970.tab, sorted as there, "UTC"
 * first; at most max, in a. Returns how many (just "UTC" if the table is
 * missing). */
size_t tz_names(struct arena *a, const char **out, size_t max);

/* The UTC offset (seconds east) in force at UTC time t. */
int32_t tz_offset_at(const struct tz *z, int64_t t);

/* The UTC time of local wall time `local` (seconds since 1970 as if local
 * were UTC). A time skipped by a clock change moves forward by the change;
 * a repeated time is its first occurrence. */
int64_t tz_to_utc(const struct tz *z, int64_t local);

#endif
