/* fuzz_zip.c - zip files from outside (src/porting/zip.c over libzip):
 * any bytes are opened or refused with a message; every entry name given
 * out is "" or a name that cannot climb out; every entry read is within
 * its limit and NUL-terminated. */
#include "porting/zip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	char err[300] = "";
	struct zip_in *z = zip_in_open_mem(data, size, err, sizeof(err));
	if (!z) {
		if (!err[0])
			abort();
		arena_release(&a);
		return 0;
	}
	(void)zip_in_root(z, &a);
	size_t n = zip_in_count(z);
	for (size_t i = 0; i < n && i < 64; i++) {
		const char *name = zip_in_name(z, i);
		if (!name[0])
			continue;
		if (name[0] == '/' || strchr(name, '\\'))
			abort();
		for (const char *p = name; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
			if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
				abort();
		size_t len = 0;
		const char *b = zip_in_read(z, &a, name, 1 << 20, &len, err, sizeof(err));
		if (b && (len > (1 << 20) || b[len] != '\0'))
			abort();
	}
	zip_in_close(z);
	arena_release(&a);
	return 0;
}
