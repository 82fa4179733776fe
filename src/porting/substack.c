/*
 * substack.c - a Substack export (posts.csv, posts/ID.html) into post
 * records (porting.h).
 */
#include "porting/porting.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool port_csv_record(struct arena *a, const char **pp, const char *end, struct port_list *fields,
		     unsigned *line)
{
	const char *p = *pp;
	memset(fields, 0, sizeof(*fields));
	if (p >= end)
		return false;
	for (;;) {
		size_t cap = 64, n = 0;
		char *f = arena_alloc(a, cap);
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end)
					return false; /* an unclosed quote */
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						p++;
					} else {
						p++;
						break;
					}
				}
				if (*p == '\n')
					(*line)++;
				if (n + 1 >= cap) {
					char *nf = arena_alloc(a, cap * 2);
					memcpy(nf, f, n);
					f = nf;
					cap *= 2;
				}
				f[n++] = *p++;
			}
		}
		while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
			if (n + 1 >= cap) {
				char *nf = arena_alloc(a, cap * 2);
				memcpy(nf, f, n);
				f = nf;
				cap *= 2;
			}
			f[n++] = *p++;
		}
		f[n] = '\0';
		port_list_add(a, fields, f);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		(*line)++;
		break;
	}
	*pp = p;
	return true;
}

/* Decode the character references of a plain-text field (&#x201C;,
 * &#8217;, &amp; and the other four of XML, &nbsp;); others stay. */
static const char *unescape(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *out = arena_alloc(a, len + 1), *w = out;
	for (const char *p = s; *p;) {
		if (*p != '&') {
			*w++ = *p++;
			continue;
		}
		const char *semi = strchr(p, ';');
		unsigned long cp = 0;
		bool ok = false;
		if (semi && semi - p <= 10) {
			if (p[1] == '#') {
				char *e;
				cp = (p[2] == 'x' || p[2] == 'X') ? strtoul(p + 3, &e, 16) : strtoul(p + 2, &e, 10);
				ok = e == semi && cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
			} else {
				static const struct {
					const char *name;
					unsigned long cp;
				} named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
					     {"nbsp", 0xa0}};
				for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && !ok; i++)
					if ((size_t)(semi - p - 1) == strlen(named[i].name) &&
					    !strncmp(p + 1, named[i].name, (size_t)(semi - p - 1))) {
						cp = named[i].cp;
						ok = true;
					}
			}
		}
		if (!ok) {
			*w++ = *p++;
			continue;
		}
		if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xc0 | (cp >> 6));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xe0 | (cp >> 12));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*w++ = (char)(0xf0 | (cp >> 18));
			*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		}
		p = semi + 1;
	}
	*w = '\0';
	return out;
}

/* "2019-07-26T20:48:19.814Z" as Unix time; 0 when it is none. */
static int64_t iso_date(const char *s)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || tm.tm_year < 70)
		return 0;
	return (int64_t)timegm(&tm);
}

enum { C_ID, C_DATE, C_PUBLISHED, C_TYPE, C_AUDIENCE, C_TITLE, C_SUBTITLE, C_PODCAST, C_N };

bool port_read_substack(struct arena *a, const char *csv, size_t len, port_file_fn file, void *ctx,
			struct port_export *out, char *err, size_t errlen)
{
	static const char *const names[C_N] = {"post_id", "post_date", "is_published", "type",
					       "audience", "title", "subtitle", "podcast_url"};
	memset(out, 0, sizeof(*out));
	if (len > PORT_MAX_EXPORT) {
		snprintf(err, errlen, "posts.csv is larger than %zu MB", PORT_MAX_EXPORT >> 20);
		return false;
	}
	const char *p = csv, *end = csv + len;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3; /* a byte order mark */
	unsigned line = 1;
	struct port_list hdr;
	if (!port_csv_record(a, &p, end, &hdr, &line)) {
		snprintf(err, errlen, "line 1: posts.csv is empty");
		return false;
	}
	int col[C_N];
	for (int c = 0; c < C_N; c++) {
		col[c] = -1;
		for (size_t i = 0; i < hdr.n; i++)
			if (!strcmp(hdr.items[i], names[c]))
				col[c] = (int)i;
	}
	if (col[C_ID] < 0 || col[C_TITLE] < 0) {
		snprintf(err, errlen, "line 1: not a Substack posts.csv: no post_id and title columns");
		return false;
	}
	/* The whole file first: a broken record fails it before any post. */
	struct port_list *rows = NULL;
	unsigned *lines = NULL;
	size_t nr = 0, cap = 0;
	for (;;) {
		unsigned at = line;
		struct port_list f;
		const char *before = p;
		if (!port_csv_record(a, &p, end, &f, &line)) {
			if (p < end || before < end) {
				snprintf(err, errlen, "line %u: a quoted field is never closed", at);
				return false;
			}
			break;
		}
		if (f.n == 1 && !f.items[0][0])
			continue; /* a blank line */
		if (nr == cap) {
			cap = cap ? 2 * cap : 32;
			struct port_list *nrw = arena_alloc(a, cap * sizeof(*nrw));
			unsigned *nl = arena_alloc(a, cap * sizeof(*nl));
			if (nr) {
				memcpy(nrw, rows, nr * sizeof(*nrw));
				memcpy(nl, lines, nr * sizeof(*nl));
			}
			rows = nrw;
			lines = nl;
		}
		rows[nr] = f;
		lines[nr++] = at;
	}
	for (size_t r = 0; r < nr; r++) {
		const struct port_list *f = &rows[r];
		const char *v[C_N];
		for (int c = 0; c < C_N; c++)
			v[c] = col[c] >= 0 && (size_t)col[c] < f->n ? f->items[col[c]] : "";
		const char *title = *v[C_TITLE] ? unescape(a, v[C_TITLE]) : "Untitled";
		if (!*v[C_ID]) {
			port_list_addf(a, &out->notes, "Line %u: \"%s\" has no post_id: skipped.", lines[r],
				       title);
			continue;
		}
		if (!strcmp(v[C_TYPE], "page") || !strcmp(v[C_TYPE], "thread")) {
			port_list_addf(a, &out->notes, "Skipped \"%s\": a Substack %s, not a post.", title,
				       v[C_TYPE]);
			continue;
		}
		struct port_post post = {0};
		post.source_id = arena_printf(a, "substack:%s", v[C_ID]);
		post.title = title;
		post.subtitle = unescape(a, v[C_SUBTITLE]);
		const char *dot = strchr(v[C_ID], '.');
		post.slug = dot ? dot + 1 : "";
		post.canonical_url = "";
		post.draft = strcmp(v[C_PUBLISHED], "TRUE") != 0 && strcmp(v[C_PUBLISHED], "true") != 0;
		post.published_at = post.draft ? 0 : iso_date(v[C_DATE]);
		if (!strcmp(v[C_AUDIENCE], "only_paid"))
			post.circle = "Paid subscribers";
		else if (!strcmp(v[C_AUDIENCE], "founding"))
			post.circle = "Founding members";
		size_t hl = 0;
		const char *html = file(ctx, a, arena_printf(a, "posts/%s.html", v[C_ID]), &hl);
		if (!html) {
			port_list_addf(a, &post.body.notes, "Its text (posts/%s.html) is not in the export.",
				       v[C_ID]);
			html = "";
			hl = 0;
		}
		struct port_list keep = post.body.notes;
		if (!port_html_to_md(a, html, hl, &post.body))
			port_list_addf(a, &out->notes, "\"%s\": its text is too large to import.", title);
		for (size_t i = 0; i < keep.n; i++)
			port_list_add(a, &post.body.notes, keep.items[i]);
		if (*v[C_PODCAST])
			port_list_addf(a, &post.body.notes, "A podcast: its audio stays at %s.", v[C_PODCAST]);
		if (post.circle)
			port_list_addf(a, &post.body.notes, "For paying readers: it comes in for the circle "
				       "\"%s\".", post.circle);
		if (out->n == out->cap) {
			size_t nc = out->cap ? 2 * out->cap : 16;
			struct port_post *np = arena_alloc(a, nc * sizeof(*np));
			if (out->n)
				memcpy(np, out->posts, out->n * sizeof(*np));
			out->posts = np;
			out->cap = nc;
		}
		out->posts[out->n++] = post;
	}
	return true;
}
