/* test_tz.c - zone files from the system's tzdata, offsets, local -> UTC
 * across clock changes, names, and malformed files. Expected instants
 * were worked out by hand from the zones' published rules. */
#include "core/arena.h"
#include "core/tz.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

/* 2026-03-29 and 2026-10-25: the EU's clock changes, at 01:00 UTC. */
#define EU_SPRING 1774746000LL /* 2026-03-29T01:00:00Z */
#define EU_AUTUMN 1792890000LL /* 2026-10-25T01:00:00Z */
#define H 3600

static void test_names(void)
{
	ok(tz_name_ok("Europe/Paris"), "Europe/Paris is a name");
	ok(tz_name_ok("UTC"), "UTC is a name");
	ok(tz_name_ok("America/Argentina/Salta"), "three parts");
	ok(tz_name_ok("Etc/GMT+5"), "Etc/GMT+5");
	ok(!tz_name_ok(""), "empty refused");
	ok(!tz_name_ok(NULL), "NULL refused");
	ok(!tz_name_ok("../etc/passwd"), "parent directory refused");
	ok(!tz_name_ok("Europe/../../etc/passwd"), "parent inside refused");
	ok(!tz_name_ok("/etc/passwd"), "absolute path refused");
	ok(!tz_name_ok("Europe//Paris"), "empty part refused");
	ok(!tz_name_ok("Europe/"), "trailing slash refused");
	ok(!tz_name_ok(".hidden"), "dot-led part refused");
	ok(!tz_name_ok("Europe/Paris\n"), "control refused");
	ok(!tz_name_ok("Europe Paris"), "space refused");
	ok(!tz_name_ok("right/Europe/Paris"), "leap-second zones refused");
	char longname[TZ_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(!tz_name_ok(longname), "over TZ_NAME_MAX refused");
}

static void test_paris(void)
{
	struct arena a;
	arena_init(&a);
	struct tz z;
	if (!ok(tz_load(&a, "Europe/Paris", &z), "Europe/Paris loads")) {
		arena_release(&a);
		return;
	}
	ok(tz_offset_at(&z, EU_SPRING - 1) == 1 * H, "CET before the spring change");
	ok(tz_offset_at(&z, EU_SPRING) == 2 * H, "CEST from the spring change");
	ok(tz_offset_at(&z, EU_AUTUMN - 1) == 2 * H, "CEST before the autumn change");
	ok(tz_offset_at(&z, EU_AUTUMN) == 1 * H, "CET from the autumn change");
	ok(tz_offset_at(&z, 0) == 1 * H, "1970 was CET");
	/* Local noon on 2026-07-01 is 10:00 UTC. */
	int64_t noon_july = 1782907200LL; /* 2026-07-01T12:00:00 as if UTC */
	ok(tz_to_utc(&z, noon_july) == noon_july - 2 * H, "summer local -> UTC");
	int64_t noon_jan = 1767268800LL; /* 2026-01-01T12:00:00 */
	ok(tz_to_utc(&z, noon_jan) == noon_jan - 1 * H, "winter local -> UTC");
	/* 02:30 on 2026-03-29 never happens in Paris: it moves to 03:30
	 * CEST = 01:30 UTC. */
	int64_t gap = EU_SPRING + 1 * H + 30 * 60; /* local 02:30 as if UTC */
	ok(tz_to_utc(&z, gap) == EU_SPRING + 30 * 60, "a skipped time moves forward");
	/* 02:30 on 2026-10-25 happens twice: first at 00:30 UTC. */
	int64_t twice = EU_AUTUMN + 1 * H + 30 * 60;
	ok(tz_to_utc(&z, twice) == EU_AUTUMN - 30 * 60, "a repeated time is its first occurrence");
	/* Round trip over a year, every 7 hours. */
	int bad = 0;
	for (int64_t t = 1767225600LL; t < 1767225600LL + 366 * 86400LL; t += 7 * H) {
		int64_t local = t + tz_offset_at(&z, t);
		if (tz_to_utc(&z, local) != t && !(t >= EU_AUTUMN && t < EU_AUTUMN + H))
			bad++;
	}
	ok(bad == 0, "UTC -> local -> UTC over 2026 (%d wrong)", bad);
	arena_release(&a);
}

static void test_other_zones(void)
{
	struct arena a;
	arena_init(&a);
	struct tz z;
	ok(tz_load(&a, "UTC", &z) && tz_offset_at(&z, EU_SPRING) == 0 &&
		   tz_to_utc(&z, 1000) == 1000, "UTC is offset 0");
	/* India: +05:30 all year. */
	ok(tz_load(&a, "Asia/Kolkata", &z) && tz_offset_at(&z, EU_SPRING) == 5 * H + 30 * 60,
	   "Asia/Kolkata is +05:30");
	/* New York: 2026-03-08 07:00 UTC spring forward to EDT (-4). */
	if (ok(tz_load(&a, "America/New_York", &z), "America/New_York loads")) {
		ok(tz_offset_at(&z, 1772953200LL - 1) == -5 * H, "EST before 2026-03-08T07:00Z");
		ok(tz_offset_at(&z, 1772953200LL) == -4 * H, "EDT after");
	}
	/* Southern hemisphere: Sydney is +11 in January, +10 in July. */
	if (ok(tz_load(&a, "Australia/Sydney", &z), "Australia/Sydney loads")) {
		ok(tz_offset_at(&z, 1767268800LL) == 11 * H, "Sydney summer +11");
		ok(tz_offset_at(&z, 1782907200LL) == 10 * H, "Sydney winter +10");
	}
	ok(!tz_load(&a, "Nowhere/Atlantis", &z), "unknown zone refused");
	ok(!tz_load(&a, "../../etc/passwd", &z), "path escape refused");
	ok(!tz_load(&a, "Europe", &z), "a directory is not a zone");
	arena_release(&a);
}

static void test_malformed(void)
{
	struct arena a;
	arena_init(&a);
	struct tz z;
	unsigned char buf[128] = "TZif2";
	ok(!tz_parse(&a, buf, 0, &z), "empty refused");
	ok(!tz_parse(&a, buf, 44, &z), "header with zero types refused");
	ok(!tz_parse(&a, (const unsigned char *)"not a zone file at all, really not at all....", 44, &z),
	   "wrong magic refused");
	/* A minimal valid v1 file: no transitions, one type +3600, one char. */
	unsigned char v1[44 + 6 + 1] = "TZif";
	v1[4] = 0;
	v1[39] = 1; /* typecnt */
	v1[43] = 1; /* charcnt */
	v1[44 + 2] = 0x0e; /* 3600 = 0x0e10 */
	v1[44 + 3] = 0x10;
	ok(tz_parse(&a, v1, sizeof(v1), &z) && z.n == 0 && tz_offset_at(&z, 0) == 3600,
	   "minimal version 1 file");
	ok(!tz_parse(&a, v1, sizeof(v1) - 1, &z), "cut short refused");
	v1[44 + 5] = 1; /* designation index past the characters */
	ok(!tz_parse(&a, v1, sizeof(v1), &z), "designation out of range refused");
	v1[44 + 5] = 0;
	v1[44 + 0] = 0x7f; /* an offset of days */
	ok(!tz_parse(&a, v1, sizeof(v1), &z), "absurd offset refused");
	arena_release(&a);
}

int main(void)
{
	test_names();
	test_paris();
	test_other_zones();
	test_malformed();
	return tap_done();
}
