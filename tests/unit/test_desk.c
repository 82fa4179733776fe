/* test_desk.c - the writing desk's parsers of outside bytes: RFC 3339
 * times, the revision line diff, the desk fields of a JSON request.
 * Expected Unix times were computed independently (Python's datetime). */
#include "core/arena.h"
#include "web/web.h"
#include "stories/stories_web.h"
#include "tap.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- desk_parse_rfc3339 ---- */

static void time_is(const char *s, int64_t want)
{
	int64_t got = desk_parse_rfc3339(s);
	ok(got == want, "rfc3339 '%s' -> %lld (got %lld)", s ? s : "(null)", (long long)want,
	   (long long)got);
}

static void test_rfc3339_valid(void)
{
	time_is("2026-05-01T14:02:00Z", 1777644120);
	time_is("2026-05-01t14:02:00z", 1777644120);  /* RFC 3339 5.6: case-insensitive */
	time_is("2026-05-01 14:02:00Z", 1777644120);  /* 5.6 note: space for T */
	time_is("2026-05-01T14:02:00+00:00", 1777644120);
	time_is("2026-05-01T14:02:00-00:00", 1777644120); /* 4.3: unknown local offset */
	time_is("2026-05-01T09:00:00+02:00", 1777618800);
	time_is("2026-05-01T09:00:00-05:30", 1777645800);
	time_is("2026-05-01T14:02:00.5Z", 1777644120); /* fractions are dropped */
	time_is("2026-05-01T14:02:00.123456789Z", 1777644120);
	time_is("2026-05-01T09:00:00.999+02:00", 1777618800);
	time_is("2024-02-29T12:00:00Z", 1709208000); /* leap day */
	time_is("2000-02-29T00:00:00Z", 951782400);  /* leap century */
	time_is("2023-12-31T23:59:59Z", 1704067199); /* end of year */
	time_is("2024-12-31T23:59:59Z", 1735689599); /* end of a leap year */
	time_is("1970-01-01T00:00:00Z", 0);          /* epoch */
	time_is("1970-01-01T01:00:00+01:00", 0);
	time_is("2026-01-01T00:30:00+01:00", 1767223800); /* offset back across a year */
	time_is("2026-05-01T23:30:00-01:00", 1777681800); /* offset forward across a day */
	time_is("2016-12-31T23:59:60Z", 1483228800);      /* leap second: next 00:00:00 */
	time_is("9999-12-31T23:59:59Z", INT64_C(253402300799));

	/* What web_fmt_rfc3339() writes reads back to the same time. */
	const int64_t back[] = {0, 1, 951782400, 1709208000, 1777644120, 4070908800,
				INT64_C(253402300799)};
	int good = 0;
	for (size_t i = 0; i < sizeof(back) / sizeof(back[0]); i++) {
		time_t t = (time_t)back[i];
		struct tm tm;
		char out[40];
		gmtime_r(&t, &tm);
		strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
		good += desk_parse_rfc3339(out) == back[i];
	}
	ok(good == (int)(sizeof(back) / sizeof(back[0])), "formatted times parse back to themselves");
}

static void test_rfc3339_invalid(void)
{
	static const char *const bad[] = {
		"",
		"2026",
		"2026-05-01",
		"2026-05-01T14",
		"2026-05-01T14:02:00",   /* no offset */
		"2026-05-01T14:02:0Z",
		"26-05-01T14:02:00Z",
		"2026-5-01T14:02:00Z",
		"2026-05-1T14:02:00Z",
		"2026/05/01T14:02:00Z",
		"2026-05-01X14:02:00Z",
		"2026-05-01T14-02-00Z",
		"+2026-05-01T14:02:00Z",
		"2026-13-01T00:00:00Z",  /* month 13 */
		"2026-00-01T00:00:00Z",
		"2026-05-32T00:00:00Z",  /* day 32 */
		"2026-05-00T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"2024-02-30T00:00:00Z",  /* Feb 30 */
		"2023-02-29T00:00:00Z",  /* Feb 29, not a leap year */
		"2100-02-29T00:00:00Z",  /* nor is 2100 */
		"2026-05-01T24:00:00Z",  /* hour 24 */
		"2026-05-01T14:60:00Z",  /* minute 60 */
		"2026-05-01T14:02:61Z",
		"2026-05-01T14:02:00+2:00",
		"2026-05-01T14:02:00+02",
		"2026-05-01T14:02:00+0200",
		"2026-05-01T14:02:00+24:00",
		"2026-05-01T14:02:00+02:60",
		"2026-05-01T14:02:00 02:00",
		"2026-05-01T14:02:00\xe2\x88\x92" "02:00", /* U+2212 minus */
		"2026-05-01T14:02:00+02:00Z",
		"2026-05-01T14:02:00Zx",  /* trailing garbage */
		"2026-05-01T14:02:00Z ",
		"2026-05-01T14:02:00+02:00:00",
		"2026-05-01T14:02:00.Z",
		"2026-05-01T14:02:00,5Z",
		" 2026-05-01T14:02:00Z",  /* embedded spaces */
		"2026-05-01T14:02:00 Z",
		"2026-05-01T 14:02:00Z",
		"2026-05-01T14: 02:00Z",
		"2026-05-01T14:02: 00Z",
		"2026 -05-01T14:02:00Z",
		"1969-12-31T23:59:59Z",  /* before the epoch */
		"1970-01-01T00:30:00+01:00",
		"9999-12-31T23:00:00-02:00", /* UTC year 10000 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		time_is(bad[i], -1);
	time_is(NULL, -1);
}

/* ---- desk_diff ---- */

/* "kind:text|kind:text..." of a diff, or "BAD" when an element is not
 * exactly {"kind": one of the four, "text": a string}. */
static const char *render(struct arena *a, json_t *d)
{
	if (!json_is_array(d))
		return "BAD";
	const char *s = "";
	size_t i;
	json_t *e;
	json_array_foreach(d, i, e)
	{
		const char *kind = json_string_value(json_object_get(e, "kind"));
		json_t *text = json_object_get(e, "text");
		if (!json_is_object(e) || json_object_size(e) != 2 || !kind || !json_is_string(text) ||
		    (strcmp(kind, "same") && strcmp(kind, "add") && strcmp(kind, "del") &&
		     strcmp(kind, "skip")))
			return "BAD";
		s = arena_printf(a, "%s%s%s:%s", s, i ? "|" : "", kind, json_string_value(text));
	}
	return s;
}

static const char *diff(struct arena *a, const char *from, const char *to)
{
	json_t *d = desk_diff(from, to);
	const char *s = render(a, d);
	json_decref(d);
	return s;
}

/* Lines "<p>1\n" ... "<p>n\n", with line k replaced by "X\n" (k 0: none). */
static const char *numbered(struct arena *a, const char *p, int n, int k)
{
	size_t cap = (size_t)n * (strlen(p) + 12) + 1, len = 0;
	char *s = arena_alloc(a, cap);
	for (int i = 1; i <= n; i++)
		len += (size_t)(i == k ? snprintf(s + len, cap - len, "X\n")
				       : snprintf(s + len, cap - len, "%s%d\n", p, i));
	return s;
}

static void test_diff(void)
{
	struct arena a;
	arena_init(&a);
	is_str(diff(&a, "a\nb\nc\n", "a\nb\nc\n"), "same:a|same:b|same:c", "identical short texts");
	is_str(diff(&a, numbered(&a, "l", 10, 0), numbered(&a, "l", 10, 0)),
	       "skip:10 unchanged lines", "identical long texts fold into one skip");
	is_str(diff(&a, "a\nb\nc\n", "a\nb\nX\nc\n"), "same:a|same:b|add:X|same:c", "an added line");
	is_str(diff(&a, "a\nb\nX\nc\n", "a\nb\nc\n"), "same:a|same:b|del:X|same:c", "a removed line");
	is_str(diff(&a, "a\nb\nc\n", "a\nB\nc\n"), "same:a|del:b|add:B|same:c", "a changed line");
	is_str(diff(&a, "a\n\nb\n", "a\nb\n"), "same:a|del:|same:b", "a removed blank line");
	is_str(diff(&a, "x\n", "y\nx\n"), "add:y|same:x", "a line added at the start");
	is_str(diff(&a, "x\n", "x\ny"), "same:x|add:y", "a line added at the end");
	is_str(diff(&a, "", ""), "", "two empty texts: nothing");
	is_str(diff(&a, "", "x\ny\n"), "add:x|add:y", "from empty: all added");
	is_str(diff(&a, "x\ny\n", ""), "del:x|del:y", "to empty: all deleted");
	is_str(diff(&a, "\n", ""), "del:", "a lone newline is one empty line");
	is_str(diff(&a, "a\nb", "a\nb\n"), "same:a|same:b", "a missing final newline is no change");
	is_str(diff(&a, "a\nb", "a\nc"), "same:a|del:b|add:c", "last line without newline");
	is_str(diff(&a, "a\r\nb\r\n", "a\nb\n"), "same:a|same:b",
	       "CRLF (form post) and LF (autosave) lines are the same lines");
	is_str(diff(&a, "a\r\nb\r\nc", "a\nB\r\nc\r\n"), "same:a|del:b|add:B|same:c",
	       "CRLF lines diff like LF lines, shown without the CR");

	/* Unchanged stretches: at most 5 shown whole at the start... */
	is_str(diff(&a, numbered(&a, "l", 6, 0), numbered(&a, "l", 6, 6)),
	       "same:l1|same:l2|same:l3|same:l4|same:l5|del:l6|add:X", "5 leading lines not folded");
	is_str(diff(&a, numbered(&a, "l", 7, 0), numbered(&a, "l", 7, 7)),
	       "skip:4 unchanged lines|same:l5|same:l6|del:l7|add:X",
	       "6 leading lines: 2 of context, 4 folded");
	/* ... and 2 lines of context around a change. */
	is_str(diff(&a, numbered(&a, "l", 20, 0), numbered(&a, "l", 20, 10)),
	       "skip:7 unchanged lines|same:l8|same:l9|del:l10|add:X|same:l11|same:l12|"
	       "skip:8 unchanged lines",
	       "long unchanged stretches before and after a change fold into skip");
	is_str(diff(&a, "A\nc1\nc2\nc3\nc4\nc5\nc6\nc7\nc8\nB\n",
		    "a\nc1\nc2\nc3\nc4\nc5\nc6\nc7\nc8\nb\n"),
	       "del:A|add:a|same:c1|same:c2|skip:4 unchanged lines|same:c7|same:c8|del:B|add:b",
	       "a long stretch between two changes folds, keeping 2 lines each side");
	is_str(diff(&a, "A\nc1\nc2\nc3\nc4\nc5\nB\n", "a\nc1\nc2\nc3\nc4\nc5\nb\n"),
	       "del:A|add:a|same:c1|same:c2|same:c3|same:c4|same:c5|del:B|add:b",
	       "5 lines between changes are not folded");
	is_str(diff(&a, "a\nx\nb\ny\nc\n", "x\nq\ny\nc\nr\n"),
	       "del:a|same:x|del:b|add:q|same:y|same:c|add:r", "interleaved changes keep the LCS");

	/* Too large for the LCS table: every line deleted, then every line added. */
	int n = 2100;
	const char *big_a = numbered(&a, "a", n, 0), *big_b = numbered(&a, "b", n, 0);
	json_t *d = desk_diff(big_a, big_b);
	size_t i, dels = 0, adds = 0, order_ok = 1;
	json_t *e;
	json_array_foreach(d, i, e)
	{
		const char *kind = json_string_value(json_object_get(e, "kind"));
		const char *text = json_string_value(json_object_get(e, "text"));
		if (kind && !strcmp(kind, "del") && !adds && text && text[0] == 'a')
			dels++;
		else if (kind && !strcmp(kind, "add") && text && text[0] == 'b')
			adds++;
		else
			order_ok = 0;
	}
	ok(order_ok && dels == (size_t)n && adds == (size_t)n && json_array_size(d) == 2 * (size_t)n,
	   "a very large rewrite is all deletions then all additions");
	json_decref(d);

	/* Invalid UTF-8 cannot go into JSON: the line is shown empty. */
	is_str(diff(&a, "a\n", "a\n\xff\n"), "same:a|add:", "invalid UTF-8 line shown empty");
	arena_release(&a);
}

/* ---- desk_input_from_json ---- */

/* As the API handlers do: zeroed in and ds, story_input_from_json() first. */
static const char *req(struct arena *a, const char *body, struct story_input *in,
		       struct desk_save *ds)
{
	memset(in, 0, sizeof(*in));
	memset(ds, 0, sizeof(*ds));
	json_error_t err;
	json_t *j = json_loads(body, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!j || story_input_from_json(a, j, in) != NULL) {
		json_decref(j);
		return "TEST SETUP";
	}
	const char *msg = desk_input_from_json(a, j, in, ds);
	json_decref(j);
	return msg;
}

static bool has(const char *msg, const char *word)
{
	return msg && strstr(msg, word) != NULL;
}

static const char *iso(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char out[40];
	gmtime_r(&tt, &tm);
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return arena_strdup(a, out);
}

static void test_input(void)
{
	struct arena a;
	arena_init(&a);
	struct story_input in;
	struct desk_save ds;
	const char *m;

	m = req(&a, "{}", &in, &ds);
	ok(!m && !ds.base_revision && !ds.set_schedule && !ds.publish_at && !in.status,
	   "empty request: nothing set");

	/* base_revision */
	m = req(&a, "{\"base_revision\":\"0123456789abcdef\"}", &in, &ds);
	ok(!m, "a 16-hex base_revision is accepted");
	is_str(ds.base_revision, "0123456789abcdef", "base_revision copied into ds");
	ok(!ds.set_schedule, "base_revision alone sets no schedule");
	m = req(&a, "{\"base_revision\":null}", &in, &ds);
	ok(!m && !ds.base_revision, "null base_revision: no conflict check");
	static const char *const bad_base[] = {
		"123", "true", "[\"0123456789abcdef\"]", "{}", "\"\"", "\"0123456789abcde\"",
		"\"0123456789abcdef0\"", "\"0123456789ABCDEF\"", "\"0123456789abcdeg\"",
		"\" 123456789abcdef\"",
	};
	for (size_t i = 0; i < sizeof(bad_base) / sizeof(bad_base[0]); i++) {
		m = req(&a, arena_printf(&a, "{\"base_revision\":%s}", bad_base[i]), &in, &ds);
		ok(has(m, "\"base_revision\"") && !ds.base_revision,
		   "base_revision %s refused", bad_base[i]);
	}

	/* status without a schedule clears any schedule */
	m = req(&a, "{\"status\":\"draft\"}", &in, &ds);
	ok(!m && ds.set_schedule && ds.publish_at == 0 && in.status && !strcmp(in.status, "draft"),
	   "status draft clears the schedule");
	m = req(&a, "{\"status\":\"published\",\"publish_at\":null}", &in, &ds);
	ok(!m && ds.set_schedule && ds.publish_at == 0 && in.status &&
	   !strcmp(in.status, "published"), "status published (publish_at null) clears the schedule");

	/* publish_at only with status scheduled */
	m = req(&a, "{\"publish_at\":\"2099-01-01T00:00:00Z\"}", &in, &ds);
	ok(has(m, "goes with") && !ds.set_schedule, "publish_at without status refused");
	m = req(&a, "{\"status\":\"draft\",\"publish_at\":\"2099-01-01T00:00:00Z\"}", &in, &ds);
	ok(has(m, "goes with") && !ds.set_schedule, "publish_at with status draft refused");

	/* status scheduled */
	m = req(&a, "{\"status\":\"scheduled\"}", &in, &ds);
	ok(has(m, "needs \"publish_at\"") && !ds.set_schedule, "scheduled without publish_at");
	m = req(&a, "{\"status\":\"scheduled\",\"publish_at\":null}", &in, &ds);
	ok(has(m, "needs \"publish_at\"") && !ds.set_schedule, "scheduled with publish_at null");
	m = req(&a, "{\"status\":\"scheduled\",\"publish_at\":4070908800}", &in, &ds);
	ok(has(m, "needs \"publish_at\"") && !ds.set_schedule, "publish_at a number refused");
	m = req(&a, "{\"status\":\"scheduled\",\"publish_at\":[\"2099-01-01T00:00:00Z\"]}", &in, &ds);
	ok(has(m, "needs \"publish_at\"") && !ds.set_schedule, "publish_at an array refused");
	static const char *const bad_at[] = {
		"tomorrow", "", "2099-01-01", "2099-01-01T00:00:00", "2099-02-30T00:00:00Z",
		"2099-01-01T00:00:00Z junk", "2099-01-01T00:00:00+02:00:00",
	};
	for (size_t i = 0; i < sizeof(bad_at) / sizeof(bad_at[0]); i++) {
		m = req(&a, arena_printf(&a, "{\"status\":\"scheduled\",\"publish_at\":\"%s\"}", bad_at[i]),
			&in, &ds);
		ok(has(m, "RFC 3339 time") && !ds.set_schedule, "publish_at '%s' refused", bad_at[i]);
	}
	m = req(&a, "{\"status\":\"scheduled\",\"publish_at\":\"2000-01-01T00:00:00Z\"}", &in, &ds);
	ok(has(m, "in the past") && !ds.set_schedule, "publish_at in the past refused");
	m = req(&a, arena_printf(&a, "{\"status\":\"scheduled\",\"publish_at\":\"%s\"}",
				 iso(&a, clock_now() - 3600)), &in, &ds);
	ok(has(m, "in the past") && !ds.set_schedule, "an hour ago is in the past");

	m = req(&a, "{\"status\":\"scheduled\",\"publish_at\":\"2099-01-01T02:00:00+02:00\","
		    "\"base_revision\":\"00000000000000ff\"}", &in, &ds);
	ok(!m, "a future schedule is accepted");
	ok(ds.set_schedule && ds.publish_at == 4070908800, "schedule set to 2099-01-01T00:00:00Z");
	is_str(in.status, "draft", "a scheduled story is saved as a draft");
	is_str(ds.base_revision, "00000000000000ff", "base_revision kept alongside the schedule");
	int64_t soon = clock_now() - 60;
	m = req(&a, arena_printf(&a, "{\"status\":\"scheduled\",\"publish_at\":\"%s\"}", iso(&a, soon)),
		&in, &ds);
	ok(!m && ds.set_schedule && ds.publish_at == soon,
	   "a minute ago is within the slack: publishes at once");
	arena_release(&a);
}

int main(void)
{
	test_rfc3339_valid();
	test_rfc3339_invalid();
	test_diff();
	test_input();
	return tap_done();
}
