/*
 * compress.c - content codings for the web layer (web.h): which codings
 * a request accepts, and gzip (zlib) copies of cached pages, made once
 * when a page is stored, never per request. Static assets' gzip and
 * brotli copies are made at build time (tools/embed.c).
 */
#include "web/web.h"
#include "core/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* Whether a q-value ("0", "0.000", "1", "0.5") is zero. */
static bool q_zero(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v != '0')
		return false;
	v++;
	if (*v == '.')
		v++;
	while (*v == '0')
		v++;
	return !(*v >= '1' && *v <= '9');
}

bool web_accepts_coding(const char *ae, const char *coding)
{
	if (!ae)
		return false;
	size_t cl = strlen(coding);
	bool gzip = cl == 4 && strcasecmp(coding, "gzip") == 0;
	int star = -1; /* -1: no "*"; 0: "*;q=0"; 1: "*" */
	const char *p = ae;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *name = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t nl = (size_t)(p - name);
		bool zero = false;
		while (*p && *p != ',') {
			if (*p == ';') {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				if ((*p == 'q' || *p == 'Q') && p[1] == '=')
					zero = q_zero(p + 2);
				continue;
			}
			p++;
		}
		if ((nl == cl && strncasecmp(name, coding, cl) == 0) ||
		    (gzip && nl == 6 && strncasecmp(name, "x-gzip", 6) == 0))
			return !zero;
		if (nl == 1 && *name == '*')
			star = zero ? 0 : 1;
	}
	return star == 1;
}

char *web_gzip(const void *body, size_t len, int level, size_t *out_len)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	uLong cap = deflateBound(&z, (uLong)len);
	char *out = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)body;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);
	size_t n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END || n >= len - len / 8) {
		free(out);
		return NULL;
	}
	*out_len = n;
	return out;
}
