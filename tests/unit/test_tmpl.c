/*
 * test_tmpl.c - the template engine against every case of the Mustache
 * spec files (comments, delimiters, interpolation, inverted, partials,
 * sections), then Quire's own rules: TMPL_STRICT_RAW, escaping, compile
 * errors with line numbers, and the limits that keep rendering bounded.
 *
 * The spec files are read from $MUSTACHE_SPEC_DIR, by default
 * tests/data/mustache-spec relative to the project root (the
 * working directory when tests run).
 */
#include "tmpl/tmpl.h"
#include "core/buf.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Compile src as "t" in s; on failure print the error. */
static int add(struct tmpl_set *s, const char *name, const char *src)
{
	char err[160];
	if (tmpl_set_add(s, name, src, strlen(src), err, sizeof(err)) < 0) {
		printf("# %s: %s\n", name, err);
		return -1;
	}
	return 0;
}

/* Render name with ctx (JSON text, may be NULL) into a fresh string, or
 * NULL on failure. The caller frees. */
static char *render(const struct tmpl_set *s, const char *name, const char *ctx_json)
{
	json_t *ctx = NULL;
	if (ctx_json) {
		json_error_t je;
		ctx = json_loads(ctx_json, 0, &je);
		if (!ctx) {
			printf("# bad test JSON: %s\n", je.text);
			return NULL;
		}
	}
	struct buf out;
	buf_init(&out, 0);
	int rc = tmpl_render(s, name, ctx, &out);
	json_decref(ctx);
	if (rc < 0) {
		buf_release(&out);
		return NULL;
	}
	return buf_detach(&out, NULL);
}

/* One template, one context, one expected string (NULL: render fails). */
static void check(unsigned flags, const char *src, const char *ctx, const char *want,
		  const char *what)
{
	struct tmpl_set *s = tmpl_set_new(flags);
	char *got = NULL;
	if (add(s, "t", src) == 0)
		got = render(s, "t", ctx);
	is_str(got, want, "%s", what);
	free(got);
	tmpl_set_free(s);
}

/* Compile must fail with exactly this message. */
static void check_error(unsigned flags, const char *src, const char *want, const char *what)
{
	struct tmpl_set *s = tmpl_set_new(flags);
	char err[160] = "";
	int rc = tmpl_set_add(s, "t", src, strlen(src), err, sizeof(err));
	ok(rc == -1 && !tmpl_set_has(s, "t"), "%s: rejected", what);
	is_str(err, want, "%s: message", what);
	tmpl_set_free(s);
}

static void spec_file(const char *dir, const char *base)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s.json", dir, base);
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	json_t *tests = json_object_get(doc, "tests");
	if (!ok(json_is_array(tests) && json_array_size(tests) > 0, "spec %s loads", path)) {
		printf("#   %s\n", doc ? "no tests array" : je.text);
		json_decref(doc);
		return;
	}
	size_t i;
	json_t *tc;
	json_array_foreach(tests, i, tc) {
		const char *name = json_string_value(json_object_get(tc, "name"));
		json_t *tsrc = json_object_get(tc, "template");
		const char *want = json_string_value(json_object_get(tc, "expected"));
		struct tmpl_set *s = tmpl_set_new(0);
		char err[160] = "";
		int rc = 0;
		const char *pname;
		json_t *psrc;
		json_object_foreach(json_object_get(tc, "partials"), pname, psrc) {
			if (tmpl_set_add(s, pname, json_string_value(psrc), json_string_length(psrc),
					 err, sizeof(err)) < 0)
				rc = -1;
		}
		if (rc == 0 && tmpl_set_add(s, "__spec_test", json_string_value(tsrc),
					    json_string_length(tsrc), err, sizeof(err)) < 0)
			rc = -1;
		struct buf out;
		buf_init(&out, 0);
		if (rc == 0)
			rc = tmpl_render(s, "__spec_test", json_object_get(tc, "data"), &out);
		if (rc < 0)
			printf("# %s / %s: %s\n", base, name, err[0] ? err : "render failed");
		is_str(rc == 0 ? buf_str(&out) : NULL, want, "spec %s: %s", base, name);
		buf_release(&out);
		tmpl_set_free(s);
	}
	json_decref(doc);
}

static void test_spec(void)
{
	static const char *const files[] = {
		"comments", "delimiters", "interpolation", "inverted", "partials", "sections",
	};
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	if (!dir || !*dir)
		dir = "tests/data/mustache-spec";
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		spec_file(dir, files[i]);
}

static void test_strict_raw(void)
{
	const unsigned S = TMPL_STRICT_RAW;
	check_error(S, "a\n{{{x}}}", "line 2: raw tag 'x' not allowed: name must end in _html",
		    "strict: {{{x}}}");
	check_error(S, "{{& x }}", "line 1: raw tag 'x' not allowed: name must end in _html",
		    "strict: {{& x}}");
	check_error(S, "{{{x_html.y}}}",
		    "line 1: raw tag 'x_html.y' not allowed: name must end in _html",
		    "strict: only the last segment counts");
	check_error(S, "{{{.}}}", "line 1: raw tag '.' not allowed: name must end in _html",
		    "strict: {{{.}}}");
	check_error(S, "{{{html}}}", "line 1: raw tag 'html' not allowed: name must end in _html",
		    "strict: bare 'html' is not '_html'");
	check_error(S, "{{=<% %>=}}<%{x}%>",
		    "line 1: raw tag 'x' not allowed: name must end in _html",
		    "strict: raw under custom delimiters");
	check(S, "{{{x_html}}}|{{& story.body_html }}|{{x}}",
	      "{\"x_html\":\"<p>a</p>\",\"story\":{\"body_html\":\"<em>b</em>\"},\"x\":\"<s>\"}",
	      "<p>a</p>|<em>b</em>|&lt;s&gt;", "strict: _html names render raw, others escape");
	check(0, "{{{x}}}{{&x}}", "{\"x\":\"<b>\"}", "<b><b>", "no flag: raw unrestricted");
}

static void test_escaping(void)
{
	check(0, "{{v}}", "{\"v\":\"& < > \\\" '\"}", "&amp; &lt; &gt; &quot; &#39;",
	      "escapes & < > \" '");
	check(0, "<a title=\"{{v}}\">", "{\"v\":\"\\\" onmouseover='x'\"}",
	      "<a title=\"&quot; onmouseover=&#39;x&#39;\">", "attribute breakout escaped");
	check(0, "{{#l}}{{.}}{{/l}}", "{\"l\":[\"<\",\">\"]}", "&lt;&gt;",
	      "implicit iterator escapes");
	check(0, "{{=[ ]=}}[v]", "{\"v\":\"<\"}", "&lt;", "custom delimiters escape");
}

static void test_errors(void)
{
	check_error(0, "a\nb\n{{#items}}\nx\n", "line 3: unclosed section 'items'",
		    "unclosed section");
	check_error(0, "{{#a}}\n{{#b}}\n{{/a}}\n",
		    "line 3: section end 'a' does not match 'b' opened on line 2",
		    "mismatched section end");
	check_error(0, "x\n\n{{/a}}", "line 3: unexpected section end 'a'", "stray section end");
	check_error(0, "x\n{{y", "line 2: unclosed tag", "unclosed tag");
	check_error(0, "{{{y}}", "line 1: unclosed tag", "unclosed triple mustache");
	check_error(0, "{{!\n\n}}\n{{ }}", "line 4: empty tag name",
		    "empty name, line counted through a comment");
	check_error(0, "{{a..b}}", "line 1: invalid name 'a..b'", "empty name segment");
	check_error(0, "{{>  }}", "line 1: empty partial name", "empty partial name");
	check_error(0, "{{=<%=}}", "line 1: invalid set-delimiters tag", "one delimiter");
	check_error(0, "{{=<% %> x=}}", "line 1: invalid set-delimiters tag", "three delimiters");
	check_error(0, "{{=a= b=}}", "line 1: invalid set-delimiters tag", "'=' in delimiter");

	/* Deepest allowed nesting compiles; one more is an error. */
	struct buf src;
	buf_init(&src, 0);
	for (int i = 0; i < TMPL_MAX_NESTING; i++)
		buf_adds(&src, "{{#a}}");
	buf_adds(&src, "{{a}}");
	for (int i = 0; i < TMPL_MAX_NESTING; i++)
		buf_adds(&src, "{{/a}}");
	check(0, buf_str(&src), "{\"a\":1}", "1", "sections nested TMPL_MAX_NESTING deep");
	buf_reset(&src);
	for (int i = 0; i <= TMPL_MAX_NESTING; i++)
		buf_adds(&src, "{{#a}}");
	check_error(0, buf_str(&src), "line 1: sections nested deeper than 64",
		    "nesting limit");
	buf_release(&src);

	/* A failed add leaves an existing template of that name in place. */
	struct tmpl_set *s = tmpl_set_new(0);
	char err[64];
	ok(add(s, "t", "old") == 0, "add t");
	ok(tmpl_set_add(s, "t", "{{#x}}", 6, err, sizeof(err)) == -1, "bad replacement fails");
	char *got = render(s, "t", NULL);
	is_str(got, "old", "old t still there");
	free(got);
	ok(add(s, "t", "new") == 0, "good replacement");
	got = render(s, "t", NULL);
	is_str(got, "new", "replaced");
	free(got);
	ok(tmpl_set_add(s, "u", "{{", 2, NULL, 0) == -1, "err may be NULL");
	ok(tmpl_set_add(s, "u", "{{x}}", 3, err, 1) == -1 && err[0] == '\0',
	   "errlen 1 truncates to empty");
	ok(!tmpl_set_has(s, "u") && tmpl_set_has(s, "t"), "tmpl_set_has");
	got = render(s, "nope", NULL);
	ok(got == NULL, "unknown template renders -1");
	tmpl_set_free(s);
}

static void test_partial_limits(void)
{
	struct tmpl_set *s = tmpl_set_new(0);
	ok(add(s, "loop", "x{{>loop}}") == 0, "self-recursive partial compiles");
	char *got = render(s, "loop", "{}");
	ok(got == NULL, "endless partial recursion returns -1");
	free(got);
	ok(add(s, "fan", "{{>fan}}{{>fan}}{{>fan}}") == 0, "fan-out recursion compiles");
	got = render(s, "fan", "{}");
	ok(got == NULL, "fan-out recursion returns -1 promptly");
	free(got);

	/* A chain p0 -> p1 -> ... : TMPL_MAX_PARTIAL_DEPTH nested partials
	 * are fine, one more is not. */
	char name[16], src[32];
	for (int i = 0; i <= TMPL_MAX_PARTIAL_DEPTH + 1; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(src, sizeof(src), "{{>p%d}}", i + 1);
		if (add(s, name, src) < 0)
			break;
	}
	snprintf(name, sizeof(name), "p%d", TMPL_MAX_PARTIAL_DEPTH);
	ok(add(s, name, "end") == 0, "chain end");
	got = render(s, "p0", NULL);
	is_str(got, "end", "partials nested TMPL_MAX_PARTIAL_DEPTH deep render");
	free(got);
	ok(add(s, name, "{{>p0}}") == 0, "chain loop");
	got = render(s, "p1", NULL);
	ok(got == NULL, "one level deeper returns -1");
	free(got);

	/* Recursion that data ends is fine. */
	ok(add(s, "tree", "{{n}}({{#kids}}{{>tree}}{{/kids}})") == 0, "tree partial");
	got = render(s, "tree",
		      "{\"n\":1,\"kids\":[{\"n\":2,\"kids\":[{\"n\":3,\"kids\":[]}]},{\"n\":4,\"kids\":[]}]}");
	is_str(got, "1(2(3())4())", "data-bounded recursion");
	free(got);
	tmpl_set_free(s);
}

static void test_buf_cap(void)
{
	struct tmpl_set *s = tmpl_set_new(0);
	ok(add(s, "t", "{{#l}}{{.}},{{/l}}") == 0, "list template");
	json_t *ctx = json_loads("{\"l\":[\"aaaa\",\"bbbb\",\"cccc\",\"dddd\",\"eeee\"]}", 0, NULL);
	struct buf out;
	buf_init(&out, 16);
	ok(tmpl_render(s, "t", ctx, &out) == -1, "render past the buf cap returns -1");
	ok(buf_failed(&out) && out.len <= 16, "buf reports too_large and stays capped");
	buf_release(&out);
	buf_init(&out, 25);
	ok(tmpl_render(s, "t", ctx, &out) == 0, "exactly at the cap is fine");
	is_str(buf_str(&out), "aaaa,bbbb,cccc,dddd,eeee,", "full output at the cap");
	buf_release(&out);

	buf_init(&out, 8);
	buf_adds(&out, "123456789");
	ok(tmpl_render(s, "t", ctx, &out) == -1, "a buf already failed returns -1");
	buf_release(&out);
	json_decref(ctx);

	/* Work that writes nothing is bounded too. */
	ok(add(s, "w", "{{#l}}{{#l}}{{#no}}{{/no}}{{/l}}{{/l}}") == 0, "busy template");
	json_t *l = json_array();
	for (int i = 0; i < 4100; i++)
		json_array_append_new(l, json_integer(i));
	ctx = json_pack("{so}", "l", l);
	buf_init(&out, 0);
	ok(tmpl_render(s, "w", ctx, &out) == -1, "more than TMPL_MAX_STEPS returns -1");
	buf_release(&out);
	json_decref(ctx);
	tmpl_set_free(s);
}

static void test_values(void)
{
	check(0, "{{i}} {{n}} {{big}} {{r}} {{e}} {{w}} {{t}} {{f}} [{{z}}{{o}}{{a}}]",
	      "{\"i\":0,\"n\":-17,\"big\":9007199254740993,\"r\":0.1,\"e\":1e300,"
	      "\"w\":3.0,\"t\":true,\"f\":false,\"z\":null,\"o\":{},\"a\":[1]}",
	      "0 -17 9007199254740993 0.1 1e+300 3 true false []", "value formatting");
	check(0, "{{#s}}S{{/s}}{{^s}}no-s{{/s}} {{#z}}Z{{/z}} {{#o}}O{{/o}} {{#n}}{{.}}{{/n}}",
	      "{\"s\":\"\",\"z\":0,\"o\":{},\"n\":7}", "no-s Z O 7",
	      "empty string is falsey; 0 and {} are not; scalars are pushed");
	check(0, "{{#a}}{{#b}}{{c}}{{/b}}{{/a}}", "{\"a\":{\"c\":\"up\"},\"b\":true}", "up",
	      "lookup walks up past non-objects");
	check(0, "{{.}}|{{#x}}{{.}}{{/x}}", "{\"x\":\"s\"}", "|s", "implicit iterator at the root");
	check(0, "{{a}}", NULL, "", "NULL context");

	/* Templates may hold any bytes, NUL included. */
	struct tmpl_set *s = tmpl_set_new(0);
	char err[64];
	ok(tmpl_set_add(s, "t", "a\0b{{x}}\0", 9, err, sizeof(err)) == 0, "NUL in source");
	json_t *ctx = json_pack("{ss}", "x", "X");
	struct buf out;
	buf_init(&out, 0);
	ok(tmpl_render(s, "t", ctx, &out) == 0 && out.len == 5 &&
	   memcmp(out.data, "a\0bX\0", 5) == 0, "NUL bytes pass through");
	buf_release(&out);
	json_decref(ctx);
	tmpl_set_free(s);
}

static void test_whitespace(void)
{
	struct tmpl_set *s = tmpl_set_new(0);
	ok(add(s, "item", "<li>\n  {{#x}}\n  <b>{{x}}</b>\n  {{/x}}\n</li>\n") == 0, "item");
	ok(add(s, "list", "<ul>\n  {{#items}}\n  {{>item}}\n  {{/items}}\n</ul>\n") == 0, "list");
	char *got = render(s, "list", "{\"items\":[{\"x\":\"a\"},{}]}");
	is_str(got, "<ul>\n  <li>\n    <b>a</b>\n  </li>\n  <li>\n  </li>\n</ul>\n",
	       "standalone partials indent nested lines, not values");
	free(got);
	ok(add(s, "inl", "[{{>item}}]") == 0, "inline partial");
	got = render(s, "inl", "{\"x\":1}");
	is_str(got, "[<li>\n  <b>1</b>\n</li>\n]", "inline partial is not indented");
	free(got);
	tmpl_set_free(s);
}

int main(void)
{
	test_spec();
	test_strict_raw();
	test_escaping();
	test_errors();
	test_partial_limits();
	test_buf_cap();
	test_values();
	test_whitespace();
	return tap_done();
}
