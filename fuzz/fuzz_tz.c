/* fuzz_tz.c - zone files (TZif) from arbitrary bytes: the parser never
 * reads past the input, and what it accepts gives offsets within the
 * RFC 8536 range and local -> UTC conversions that land within a day.
 * Seeds in corpus/tz are zone files from Debian's tzdata (public domain). */
#include "core/tz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	/* A copy of exactly size bytes, so reading past it is caught. */
	unsigned char *p = malloc(size ? size : 1);
	if (size)
		memcpy(p, data, size);
	struct tz z;
	if (tz_parse(&a, p, size, &z)) {
		static const int64_t probes[] = {INT32_MIN, -1, 0, 1774746000LL, 1792890000LL,
						 4102444800LL, INT64_MAX / 4};
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			int32_t off = tz_offset_at(&z, probes[i]);
			if (off < -89999 || off > 93599)
				abort();
			int64_t u = tz_to_utc(&z, probes[i]);
			if (u < probes[i] - 100000 || u > probes[i] + 100000)
				abort();
		}
		for (size_t i = 1; i < z.n; i++)
			if (z.at[i] <= z.at[i - 1] || z.type[i] >= z.ntypes)
				abort();
	}
	free(p);
	arena_release(&a);
	return 0;
}
