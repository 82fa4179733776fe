/* fuzz_html_md.c - HTML from other platforms' exports to Markdown
 * (src/porting/html_md.c): never crashes, leaks or overruns on any bytes,
 * and the result is always a NUL-terminated string. */
#include "porting/porting.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	struct port_md m;
	if (!port_html_to_md(&a, (const char *)data, size, &m) && size <= PORT_MAX_HTML)
		abort();
	if (!m.md)
		abort();
	(void)strlen(m.md);
	arena_release(&a);
	return 0;
}
