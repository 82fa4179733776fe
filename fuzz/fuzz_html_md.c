/* fuzz_html_md.c - HTML from other platforms' exports to Markdown
 * (src/porting/html_md.c): never crashes, leaks or overruns on any bytes,
 * and the result is always a NUL-terminated string; swapping its images
 * for photo ids (port_md_swap_images) replaces at most every image, and
 * each one it replaces leaves a photo: reference. */
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
	const char **ids = arena_alloc(&a, (m.images.n ? m.images.n : 1) * sizeof(*ids));
	for (size_t i = 0; i < m.images.n; i++)
		ids[i] = "0123456789abcdef";
	size_t n = 0;
	const char *sw = port_md_swap_images(&a, m.md, &m.images, ids, &n);
	if (!sw || n > m.images.n)
		abort();
	size_t refs = 0;
	for (const char *p = sw; (p = strstr(p, "](photo:0123456789abcdef")); p++)
		refs++;
	if (refs < n)
		abort();
	arena_release(&a);
	return 0;
}
