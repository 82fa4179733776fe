/*
 * revisions.c - the desk's hooks into every save (see desk.h): which
 * revision a save keeps, autosave coalescing, the conflict check, the
 * schedule a save sets, restoring, and a readable line diff.
 *
 * Not here: the SQL (store/sqlite/store_desk.c) and the thread that
 * publishes scheduled stories (scheduler.c).
 */
#include "stories/desk.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void rev_from_story(struct revision_row *r, const struct story_row *s, const char *kind,
			   int64_t now)
{
	memset(r, 0, sizeof(*r));
	id_new(r->id);
	memcpy(r->story_id, s->id, sizeof(r->story_id));
	r->kind = kind;
	r->title = s->title;
	r->subtitle = s->subtitle ? s->subtitle : "";
	r->body = s->body ? s->body : "";
	r->word_count = (int64_t)text_word_count(r->body, strlen(r->body));
	r->created_at = r->saved_at = now;
}

static void result_current(struct store *st, struct arena *a, const char *story_id,
			   struct desk_result *out)
{
	struct revision_row cur;
	if (!out)
		return;
	out->revision_id[0] = '\0';
	if (store_revision_current(st, a, story_id, &cur) == STORE_OK)
		memcpy(out->revision_id, cur.id, sizeof(out->revision_id));
}

enum story_err desk_on_create(struct store *st, struct arena *a, const struct story_row *s,
			      const struct desk_save *ds)
{
	struct revision_row r;
	rev_from_story(&r, s, "create", s->created_at);
	if (store_revision_add(st, &r))
		return STORY_STORE;
	if (ds && ds->set_schedule && ds->publish_at && s->status == STATUS_DRAFT) {
		if (store_schedule_set(st, s->id, ds->publish_at))
			return STORY_STORE;
	}
	(void)a;
	return STORY_OK;
}

enum story_err desk_check_base(struct store *st, struct arena *a, const struct story_row *s,
			       const struct story_input *in, const struct desk_save *ds,
			       struct desk_result *out)
{
	if (!ds || !ds->base_revision)
		return STORY_OK;
	struct revision_row cur;
	enum store_err e = store_revision_current(st, a, s->id, &cur);
	if (e == STORE_NOT_FOUND)
		return STORY_OK;
	if (e)
		return STORY_STORE;
	if (strcmp(cur.id, ds->base_revision) == 0)
		return STORY_OK;
	if (out) {
		memcpy(out->revision_id, cur.id, sizeof(out->revision_id));
		out->conflict_revision[0] = '\0';
	}
	if (ds->restore_from)
		return STORY_CONFLICT; /* its text is a revision already */
	/* Stale: keep what this save would have made the text. */
	struct story_row would = *s;
	if (in->title)
		would.title = in->title;
	if (in->subtitle)
		would.subtitle = in->subtitle;
	if (in->body)
		would.body = in->body;
	struct revision_row r;
	rev_from_story(&r, &would, "conflict", clock_now());
	if (store_revision_add(st, &r))
		return STORY_STORE;
	if (out)
		memcpy(out->conflict_revision, r.id, sizeof(out->conflict_revision));
	return STORY_CONFLICT;
}

enum story_err desk_on_update(struct store *st, struct arena *a, const struct story_row *old,
			      const struct story_row *n, const struct story_input *in,
			      bool content_changed, const struct desk_save *ds,
			      struct desk_result *out)
{
	int64_t now = n->updated_at;
	bool publish = in->status && strcmp(in->status, "published") == 0;
	bool autosave = ds && ds->autosave && !publish;
	struct revision_row r, cur;
	bool restore = ds && ds->restore_from;
	/* Restoring is one revision whether or not the text differed. */
	if (restore) {
		rev_from_story(&r, n, "restore", now);
		memcpy(r.restored_from, ds->restore_from, sizeof(r.restored_from));
		if (store_revision_add(st, &r))
			return STORY_STORE;
	} else if (publish || content_changed) {
		rev_from_story(&r, n, publish ? "publish" : autosave ? "autosave" : "save", now);
		enum store_err e = STORE_NOT_FOUND;
		if (autosave) {
			e = store_revision_current(st, a, n->id, &cur);
			if (e && e != STORE_NOT_FOUND)
				return STORY_STORE;
		}
		if (autosave && !e && strcmp(cur.kind, "autosave") == 0 &&
		    now - cur.created_at < DESK_COALESCE_SECS) {
			if (store_revision_rewrite(st, cur.id, &r))
				return STORY_STORE;
		} else if (store_revision_add(st, &r)) {
			return STORY_STORE;
		}
	}
	/* The schedule: publishing or an explicit status ends it; a save may
	 * set or clear it. */
	if (n->status == STATUS_PUBLISHED || (in->status && !(ds && ds->set_schedule))) {
		if (store_schedule_set(st, n->id, 0))
			return STORY_STORE;
	} else if (ds && ds->set_schedule) {
		if (store_schedule_set(st, n->id, ds->publish_at))
			return STORY_STORE;
	}
	(void)old;
	result_current(st, a, n->id, out);
	return STORY_OK;
}

enum story_err desk_restore(struct store *st, struct arena *a, struct story_row *s,
			    const struct revision_row *r, const char *base_revision,
			    struct desk_result *out)
{
	if (strcmp(r->story_id, s->id) != 0)
		return STORY_STORE;
	struct story_input in = {0};
	in.title = r->title;
	in.subtitle = r->subtitle;
	in.body = r->body;
	/* Into the pending draft while the story is published. */
	struct desk_save ds = {.base_revision = base_revision, .restore_from = r->id,
			       .held = true};
	return story_save(st, a, s, &in, &ds, out);
}

/* ---- diff ---- */

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

static void split_lines(const char *s, struct lines *l)
{
	size_t cap = 1;
	for (const char *c = s; *c; c++)
		cap += *c == '\n';
	l->p = xmalloc(cap * sizeof(*l->p));
	l->len = xmalloc(cap * sizeof(*l->len));
	l->n = 0;
	const char *start = s;
	for (const char *c = s;; c++) {
		if (*c == '\n' || *c == '\0') {
			if (*c || c > start) {
				l->p[l->n] = start;
				l->len[l->n++] = (size_t)(c - start);
			}
			if (!*c)
				break;
			start = c + 1;
		}
	}
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

static void emit(json_t *out, const char *kind, const char *p, size_t n)
{
	json_t *t = json_stringn(p, n);
	if (!t)
		t = json_string("");
	json_array_append_new(out, json_pack("{s:s,s:o}", "kind", kind, "text", t));
}

/* Unchanged lines: keep 2 of context around changes, fold the rest. */
static void emit_same(json_t *out, const struct lines *a, size_t from, size_t to, bool first,
		      bool last)
{
	size_t n = to - from, ctx = 2;
	if (n <= 2 * ctx + 1 || (first && n <= ctx) || (last && n <= ctx)) {
		for (size_t i = from; i < to; i++)
			emit(out, "same", a->p[i], a->len[i]);
		return;
	}
	size_t head = first ? 0 : ctx, tail = last ? 0 : ctx;
	for (size_t i = from; i < from + head; i++)
		emit(out, "same", a->p[i], a->len[i]);
	char msg[64];
	snprintf(msg, sizeof(msg), "%zu unchanged lines", n - head - tail);
	emit(out, "skip", msg, strlen(msg));
	for (size_t i = to - tail; i < to; i++)
		emit(out, "same", a->p[i], a->len[i]);
}

#define DIFF_MAX_CELLS ((size_t)4 << 20)

json_t *desk_diff(const char *from, const char *to)
{
	struct lines a, b;
	split_lines(from, &a);
	split_lines(to, &b);
	/* Form posts end lines in CRLF, the editor's autosave in LF: the same
	 * line either way, shown without the CR. */
	for (size_t i = 0; i < a.n; i++)
		if (a.len[i] && a.p[i][a.len[i] - 1] == '\r')
			a.len[i]--;
	for (size_t j = 0; j < b.n; j++)
		if (b.len[j] && b.p[j][b.len[j] - 1] == '\r')
			b.len[j]--;
	json_t *out = json_array();
	size_t pre = 0;
	while (pre < a.n && pre < b.n && line_eq(&a, pre, &b, pre))
		pre++;
	size_t suf = 0;
	while (suf < a.n - pre && suf < b.n - pre && line_eq(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
		suf++;
	emit_same(out, &a, 0, pre, true, pre == a.n && pre == b.n);
	size_t n = a.n - pre - suf, m = b.n - pre - suf;
	if ((n + 1) * (m + 1) <= DIFF_MAX_CELLS && n && m) {
		/* Longest common subsequence over the changed middle. */
		uint32_t *L = xmalloc((n + 1) * (m + 1) * sizeof(*L));
#define AT(i, j) L[(i) * (m + 1) + (j)]
		for (size_t i = n + 1; i-- > 0;)
			for (size_t j = m + 1; j-- > 0;) {
				if (i == n || j == m)
					AT(i, j) = 0;
				else if (line_eq(&a, pre + i, &b, pre + j))
					AT(i, j) = AT(i + 1, j + 1) + 1;
				else
					AT(i, j) = AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
			}
		size_t i = 0, j = 0, same_from = 0;
		bool in_same = false;
		while (i < n || j < m) {
			if (i < n && j < m && line_eq(&a, pre + i, &b, pre + j)) {
				if (!in_same) {
					same_from = pre + i;
					in_same = true;
				}
				i++;
				j++;
				continue;
			}
			if (in_same) {
				emit_same(out, &a, same_from, pre + i, false, false);
				in_same = false;
			}
			if (i < n && (j == m || AT(i + 1, j) >= AT(i, j + 1))) {
				emit(out, "del", a.p[pre + i], a.len[pre + i]);
				i++;
			} else {
				emit(out, "add", b.p[pre + j], b.len[pre + j]);
				j++;
			}
		}
#undef AT
		free(L);
	} else {
		for (size_t i = 0; i < n; i++)
			emit(out, "del", a.p[pre + i], a.len[pre + i]);
		for (size_t j = 0; j < m; j++)
			emit(out, "add", b.p[pre + j], b.len[pre + j]);
	}
	if (suf)
		emit_same(out, &a, a.n - suf, a.n, pre == 0 && n == 0 && m == 0, true);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	return out;
}

/* ---- time ---- */

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int64_t desk_parse_rfc3339(const char *s)
{
	int Y, M, D, h, m, sec = 0;
	if (!s || strlen(s) < 16 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) ||
	    s[7] != '-' || !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m))
		return -1;
	const char *p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &sec))
			return -1;
		p += 3;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p || Y < 1970 || Y > 9999 || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 ||
	    sec > 60)
		return -1;
	struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h,
			.tm_min = m};
	time_t t = timegm(&tm);
	if (tm.tm_mday != D) /* 31 February and the like */
		return -1;
	/* Seconds after that check, so a leap second 23:59:60 passes (as the
	 * next 00:00:00); no Unix time before the epoch, nor one that would
	 * not fit back into RFC 3339's four-digit UTC year. */
	int64_t r = (int64_t)t + sec - off;
	return r < 0 || r > INT64_C(253402300799) ? -1 : r;
}
