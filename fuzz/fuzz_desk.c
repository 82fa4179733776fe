/*
 * fuzz_desk.c - libFuzzer target for the writing desk's parsers of outside
 * bytes (src/stories/desk.h). The first byte picks what the rest feeds:
 *
 *  0  desk_parse_rfc3339() on a NUL-terminated copy. A result other than
 *     -1 is a Unix time in [0, 9999-12-31T23:59:59Z], and writing it back
 *     with gmtime_r + strftime("%Y-%m-%dT%H:%M:%SZ") parses to itself.
 *  1  desk_diff() on the two halves around the first NUL byte (each at
 *     most DIFF_CAP bytes). The result is an array of {"kind","text"} with
 *     kind same|add|del|skip and a string text; walking it consumes the
 *     lines of both texts exactly (same: a line of both, del: of from,
 *     add: of to, skip "N unchanged lines": N >= 2 equal lines of both);
 *     for small texts the kept lines are a longest common subsequence.
 *     (Lines compare and show without a CR before the newline.) The same
 *     holds for the reverse diff, with as many lines added + deleted, and
 *     a text against itself has only same and skip.
 *  2  json_loadb() with the flags web_json_body() uses; an object goes through
 *     story_input_from_json() and then desk_input_from_json(), as the API
 *     handlers call them (story_api.c). An accepted base_revision is the
 *     exact 16-hex id sent; an accepted schedule is a draft with a
 *     publish_at that parses from the string sent and is not in the past.
 * It never touches a store.
 */
#include "core/crypto.h"
#include "web/web.h"
#include "stories/stories_web.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIFF_CAP 2048
#define T_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static void need(bool ok)
{
	if (!ok)
		abort();
}

static char *cstr(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	need(s != NULL);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* ---- rfc3339 ---- */

static void check_time(const char *s)
{
	int64_t t = desk_parse_rfc3339(s);
	need(t == desk_parse_rfc3339(s));
	if (t == -1)
		return;
	need(t >= 0 && t <= T_MAX);
	time_t tt = (time_t)t;
	struct tm tm;
	need(gmtime_r(&tt, &tm) != NULL);
	char out[64];
	need(strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm) == 20);
	need(desk_parse_rfc3339(out) == t);
}

/* ---- diff ---- */

/* The lines desk_diff() sees: split at '\n', no empty last line, a CR
 * before the '\n' (or at the end) not part of the line. */
struct lines {
	const char **p;
	size_t *len, n;
};

static void split(const char *s, struct lines *l)
{
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == '\n';
	l->p = malloc(cap * sizeof(*l->p));
	l->len = malloc(cap * sizeof(*l->len));
	need(l->p && l->len);
	l->n = 0;
	const char *start = s;
	for (const char *c = s;; c++) {
		if (*c == '\n' || !*c) {
			if (*c || c > start) {
				size_t n = (size_t)(c - start);
				l->p[l->n] = start;
				l->len[l->n++] = n && start[n - 1] == '\r' ? n - 1 : n;
			}
			if (!*c)
				break;
			start = c + 1;
		}
	}
}

static void lines_free(struct lines *l)
{
	free(l->p);
	free(l->len);
}

static bool same_line(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* text is line i of l (when the text is valid UTF-8, else jansson holds ""). */
static bool text_is(const struct lines *l, size_t i, bool valid, json_t *text)
{
	if (!valid)
		return true;
	return json_string_length(text) == l->len[i] &&
	       memcmp(json_string_value(text), l->p[i], l->len[i]) == 0;
}

static size_t lcs(const struct lines *a, const struct lines *b)
{
	size_t m = b->n;
	size_t *row = calloc(m + 1, sizeof(*row)), *next = calloc(m + 1, sizeof(*next));
	need(row && next);
	for (size_t i = a->n; i-- > 0;) {
		for (size_t j = m; j-- > 0;)
			row[j] = same_line(a, i, b, j) ? next[j + 1] + 1
			       : next[j] > row[j + 1] ? next[j] : row[j + 1];
		size_t *t = row;
		row = next;
		next = t;
	}
	size_t r = next[0];
	free(row);
	free(next);
	return r;
}

static bool utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	json_decref(j);
	return j != NULL;
}

/* Returns how many lines the diff marks added or deleted. */
static size_t check_diff(const char *from, const char *to)
{
	struct lines a, b;
	split(from, &a);
	split(to, &b);
	bool va = utf8_ok(from), vb = utf8_ok(to);
	json_t *d = desk_diff(from, to);
	need(json_is_array(d));
	size_t i = 0, j = 0, kept = 0, changed = 0, idx;
	json_t *e;
	bool prev_skip = false;
	json_array_foreach(d, idx, e)
	{
		need(json_is_object(e) && json_object_size(e) == 2);
		const char *kind = json_string_value(json_object_get(e, "kind"));
		json_t *text = json_object_get(e, "text");
		need(kind && json_is_string(text));
		bool skip = strcmp(kind, "skip") == 0;
		if (strcmp(kind, "same") == 0) {
			need(i < a.n && j < b.n && same_line(&a, i, &b, j));
			need(text_is(&a, i, va, text));
			i++, j++, kept++;
		} else if (strcmp(kind, "del") == 0) {
			need(i < a.n && text_is(&a, i, va, text));
			i++, changed++;
		} else if (strcmp(kind, "add") == 0) {
			need(j < b.n && text_is(&b, j, vb, text));
			j++, changed++;
		} else {
			need(skip && !prev_skip);
			unsigned long long n;
			char want[64];
			need(sscanf(json_string_value(text), "%llu", &n) == 1);
			snprintf(want, sizeof(want), "%llu unchanged lines", n);
			need(strcmp(json_string_value(text), want) == 0);
			need(n >= 2 && n <= a.n - i && n <= b.n - j);
			for (size_t k = 0; k < n; k++)
				need(same_line(&a, i + k, &b, j + k));
			i += n, j += n, kept += n;
		}
		prev_skip = skip;
	}
	need(i == a.n && j == b.n);
	/* Small enough for the diff's LCS table: nothing common is lost. */
	if (a.n * b.n <= 40000)
		need(kept == lcs(&a, &b));
	json_decref(d);
	lines_free(&a);
	lines_free(&b);
	return changed;
}

static void check_diffs(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	const uint8_t *p2 = nul ? nul + 1 : data + size;
	size_t n2 = nul ? size - n1 - 1 : 0;
	char *from = cstr(data, n1 < DIFF_CAP ? n1 : DIFF_CAP);
	char *to = cstr(p2, n2 < DIFF_CAP ? n2 : DIFF_CAP);
	size_t changed = check_diff(from, to);
	need(check_diff(to, from) == changed);
	/* A text against itself: only same and skip. */
	need(check_diff(from, from) == 0);
	need(check_diff(to, to) == 0);
	free(from);
	free(to);
}

/* ---- JSON request ---- */

static void check_request(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			       &err);
	if (!j)
		return;
	if (!json_is_object(j)) {
		json_decref(j);
		return;
	}
	struct arena a;
	arena_init(&a);
	struct story_input in = {0};
	struct desk_save ds = {0};
	if (story_input_from_json(&a, j, &in) == NULL) {
		const char *status = in.status;
		int64_t before = clock_now();
		const char *msg = desk_input_from_json(&a, j, &in, &ds);
		json_t *base = json_object_get(j, "base_revision");
		json_t *at = json_object_get(j, "publish_at");
		bool scheduled = status && strcmp(status, "scheduled") == 0;
		if (msg) {
			need(*msg != '\0');
			need(!ds.set_schedule);
		} else {
			if (ds.base_revision) {
				need(id_valid(ds.base_revision));
				need(json_is_string(base) &&
				     json_string_length(base) == strlen(ds.base_revision) &&
				     strcmp(json_string_value(base), ds.base_revision) == 0);
			} else {
				need(!base || json_is_null(base));
			}
			if (scheduled) {
				need(ds.set_schedule && in.status && strcmp(in.status, "draft") == 0);
				need(json_is_string(at) &&
				     json_string_length(at) == strlen(json_string_value(at)) &&
				     desk_parse_rfc3339(json_string_value(at)) == ds.publish_at);
				need(ds.publish_at >= before - 300 && ds.publish_at <= T_MAX);
			} else {
				need(!at || json_is_null(at));
				need(in.status == status);
				need(ds.set_schedule == (status != NULL) && ds.publish_at == 0);
			}
		}
	}
	arena_release(&a);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 3) {
	case 0: {
		char *s = cstr(p, n);
		check_time(s);
		free(s);
		break;
	}
	case 1:
		check_diffs(p, n);
		break;
	default:
		check_request(p, n);
		break;
	}
	return 0;
}
