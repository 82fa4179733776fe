/*
 * tz.c - TZif zone files and UTC <-> local wall time (see tz.h).
 */
#include "core/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_MAX_TRANSITIONS 4096
#define TZ_MAX_FILE (256 * 1024)

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static bool header(const unsigned char *p, size_t n, struct counts *c, int *version)
{
	if (n < 44 || memcmp(p, "TZif", 4) != 0)
		return false;
	*version = p[4] == 0 ? 1 : p[4] - '0';
	if (*version < 1 || *version > 4)
		return false;
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
	/* RFC 8536 3.1: counts that cannot describe a real zone. */
	return c->type >= 1 && c->type <= 256 && c->chars >= 1 && c->chars <= 1024 &&
	       c->time <= TZ_MAX_TRANSITIONS && c->leap <= 1024 &&
	       (c->isut == 0 || c->isut == c->type) && (c->isstd == 0 || c->isstd == c->type);
}

/* Bytes of a data block whose times are tsize bytes wide. */
static size_t block_size(const struct counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars +
	       (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

bool tz_parse(struct arena *a, const unsigned char *p, size_t n, struct tz *out)
{
	memset(out, 0, sizeof(*out));
	struct counts c;
	int version;
	if (!header(p, n, &c, &version))
		return false;
	size_t tsize = 4, skip = block_size(&c, 4);
	if (skip > n - 44)
		return false;
	const unsigned char *d = p + 44;
	if (version >= 2) {
		/* The 64-bit block follows the 32-bit one: use it alone. */
		const unsigned char *h2 = d + skip;
		int v2;
		if (!header(h2, n - 44 - skip, &c, &v2))
			return false;
		tsize = 8;
		d = h2 + 44;
		if (block_size(&c, 8) > n - (size_t)(d - p))
			return false;
	}
	out->n = c.time;
	out->ntypes = c.type;
	out->at = arena_alloc(a, (c.time ? c.time : 1) * sizeof(*out->at));
	out->type = arena_alloc(a, c.time ? c.time : 1);
	for (size_t i = 0; i < c.time; i++) {
		out->at[i] = tsize == 8 ? be64(d + i * 8) : (int32_t)be32(d + i * 4);
		if (i && out->at[i] <= out->at[i - 1])
			return false; /* must ascend */
	}
	d += (size_t)c.time * tsize;
	for (size_t i = 0; i < c.time; i++) {
		if (d[i] >= c.type)
			return false;
		out->type[i] = d[i];
	}
	d += c.time;
	for (size_t i = 0; i < c.type; i++) {
		int32_t off = (int32_t)be32(d + i * 6);
		/* RFC 8536: -89999 .. 93599 (about -25 h .. +26 h). */
		if (off < -89999 || off > 93599 || d[i * 6 + 4] > 1 || d[i * 6 + 5] >= c.chars)
			return false;
		out->off[i] = off;
	}
	/* Before the first transition: type 0 (RFC 8536 3.2). */
	out->first = out->off[0];
	return true;
}

bool tz_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > TZ_NAME_MAX || strncmp(name, "right/", 6) == 0)
		return false;
	bool part_start = true;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (ch == '/') {
			if (part_start)
				return false; /* leading '/' or "//" */
			part_start = true;
			continue;
		}
		if (part_start && (ch == '.' || ch == '-'))
			return false;
		part_start = false;
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '-' || ch == '.'))
			return false;
	}
	return !part_start;
}

bool tz_load(struct arena *a, const char *name, struct tz *out)
{
	memset(out, 0, sizeof(*out));
	if (!tz_name_ok(name))
		return false;
	char path[sizeof(TZ_DIR) + TZ_NAME_MAX + 2];
	memcpy(path, TZ_DIR "/", sizeof(TZ_DIR));
	memcpy(path + sizeof(TZ_DIR), name, strlen(name) + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat sb;
	bool ok = false;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    sb.st_size <= TZ_MAX_FILE) {
		size_t size = (size_t)sb.st_size, got = 0;
		unsigned char *buf = arena_alloc(a, size);
		while (got < size) {
			ssize_t r = read(fd, buf + got, size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		ok = got == size && tz_parse(a, buf, size, out);
	}
	close(fd);
	return ok;
}

static int name_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

size_t tz_names(struct arena *a, const char **out, size_t max)
{
	size_t n = 0;
	if (max == 0)
		return 0;
	out[n++] = "UTC";
	FILE *f = fopen(TZ_DIR "/zone1970.tab", "re");
	if (!f)
		return n;
	char line[512];
	while (n < max && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		/* codes <TAB> coordinates <TAB> TZ [<TAB> comments] */
		char *tab1 = strchr(line, '\t');
		char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab2)
			continue;
		char *name = tab2 + 1;
		name[strcspn(name, "\t\n")] = '\0';
		if (tz_name_ok(name))
			out[n++] = arena_strdup(a, name);
	}
	fclose(f);
	qsort(out + 1, n - 1, sizeof(*out), name_cmp);
	return n;
}

/* Index of the first transition after t (n if none). */
static size_t after(const struct tz *z, int64_t t)
{
	size_t lo = 0, hi = z->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int32_t tz_offset_at(const struct tz *z, int64_t t)
{
	size_t i = after(z, t);
	return i == 0 ? z->first : z->off[z->type[i - 1]];
}

int64_t tz_to_utc(const struct tz *z, int64_t local)
{
	/* The answer is local - o for an offset o in force within a day or
	 * so of it: try each such offset, keep the earliest that agrees. */
	const int64_t span = 26 * 3600;
	int32_t offs[8];
	size_t n = 0;
	offs[n++] = tz_offset_at(z, local - span);
	for (size_t i = after(z, local - span); i < z->n && z->at[i] <= local + span && n < 8; i++) {
		int32_t o = z->off[z->type[i]];
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= offs[j] == o;
		if (!seen)
			offs[n++] = o;
	}
	bool found = false;
	int64_t best = 0;
	int32_t least = offs[0];
	for (size_t j = 0; j < n; j++) {
		int64_t u = local - offs[j];
		if (tz_offset_at(z, u) == offs[j] && (!found || u < best)) {
			best = u;
			found = true;
		}
		if (offs[j] < least)
			least = offs[j];
	}
	/* None agrees: the clocks skipped this time (they only skip going
	 * forward), so read it with the earlier, smaller offset. */
	return found ? best : local - least;
}
