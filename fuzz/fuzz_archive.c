/* fuzz_archive.c - one line of a backup file as store_restore() reads it
 * (archive_read_line): never reads past the bytes, and anything it
 * accepts is safe to act on (a file name that stays inside media/, sizes
 * within the limits, a row that is a JSON object). */
#include "store/archive.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	if (size)
		memcpy(p, data, size);
	struct archive_item it;
	switch (archive_read_line(p, size, &it)) {
	case ARCHIVE_FILE:
		if (!it.file[0] || it.file[0] == '/' || strstr(it.file, "..") ||
		    it.size > (size_t)ARCHIVE_MAX_FILE)
			abort();
		break;
	case ARCHIVE_ROW: {
		json_error_t e;
		json_t *o = it.row ? json_loads(it.row, 0, &e) : NULL;
		if (!json_is_object(o) || !it.table[0])
			abort();
		json_decref(o);
		break;
	}
	case ARCHIVE_BAD:
		if (it.row)
			abort();
		break;
	default:
		break;
	}
	archive_item_free(&it);
	free(p);
	return 0;
}
