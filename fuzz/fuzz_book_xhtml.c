/* fuzz_book_xhtml.c - a story's HTML into a book's XHTML pages
 * (src/porting/book_xhtml.c): on any bytes, never crashes, leaks or
 * overruns; every segment is well-formed XML (libxml2 reads it, no
 * network, no entities); there is always a first segment; the photos
 * said to follow segments are sensitive ones (here: even numbers). */
#include "porting/book.h"

#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct arena *cur;

static bool even(void *ctx, unsigned n)
{
	(void)ctx;
	return n % 2 == 0;
}

static void photo(void *ctx, unsigned n, bool block, struct buf *out)
{
	(void)ctx;
	buf_addf(out, block ? "<figure><img src=\"images/%u.jpg\" alt=\"\"/></figure>" :
			      "<img src=\"images/%u.jpg\" alt=\"\"/>", n);
}

static const char *href(void *ctx, size_t seg)
{
	(void)ctx;
	return arena_printf(cur, "s-%zu.xhtml", seg);
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlSetGenericErrorFunc(NULL, silent);
	struct arena a;
	arena_init(&a);
	cur = &a;
	struct book_conv c = {.base_url = "https://site.example", .sensitive = even,
			      .photo = photo, .seg_href = href};
	struct book_seg *segs;
	size_t n = 0;
	if (book_xhtml(&a, (const char *)data, size, &c, &segs, &n)) {
		if (n < 1)
			abort();
		for (size_t i = 0; i < n; i++) {
			for (size_t k = 0; k < segs[i].nafter; k++)
				if (segs[i].after[k] % 2)
					abort();
			const char *doc = arena_printf(&a, "<body xmlns=\"http://www.w3.org/1999/xhtml\">"
						       "%s</body>", segs[i].xhtml);
			xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "s.xhtml", "UTF-8",
						    XML_PARSE_NONET | XML_PARSE_NOERROR |
						    XML_PARSE_NOWARNING);
			if (!d) {
				fprintf(stderr, "not well-formed: %s\n", doc);
				abort();
			}
			xmlFreeDoc(d);
		}
	}
	arena_release(&a);
	return 0;
}
