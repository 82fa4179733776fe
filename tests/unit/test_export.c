/*
 * test_export.c - the pure parts of Quire's own export and its import
 * (src/porting/export.h, frontmatter.h): the YAML emitter (every hard
 * string read back the same by our parser and by PyYAML, a real YAML 1.1
 * reader, when /usr/bin/python3 has it), the parser of the subset on hand
 * written front matter and its refusals, times, paths inside the export,
 * photo references both ways, and a story file read into its record.
 */
#include "porting/export.h"
#include "porting/frontmatter.h"
#include "render/plain.h"
#include "tap.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct arena A;

static struct fm_node *parse_ok(const char *text, const char **body, const char *what)
{
	struct fm_node *root = NULL;
	size_t blen = 0;
	char err[300] = "";
	const char *b = NULL;
	bool okp = fm_parse(&A, text, strlen(text), &root, &b, &blen, err, sizeof(err));
	ok(okp, "%s parses (%s)", what, err);
	if (body)
		*body = b;
	return okp ? root : NULL;
}

static void refused(const char *text, const char *want, const char *what)
{
	struct fm_node *root = NULL;
	size_t blen = 0;
	char err[300] = "";
	const char *b = NULL;
	bool okp = fm_parse(&A, text, strlen(text), &root, &b, &blen, err, sizeof(err));
	ok(!okp && root == NULL, "%s is refused", what);
	ok(strstr(err, want) != NULL, "%s: the error says '%s' (%s)", what, want, err);
}

static const char *const hard[] = {
	"He said \"no\": #1 of 2",
	"line one\nline two\r\nand a tab\there",
	"# not a comment",
	"- not a list",
	"yes",
	"null",
	"~",
	"3.14",
	"2024-03-01",
	"ünïcödé, 日本語, עברית, emoji 🙂",
	"back\\slash \\n not an escape",
	"key: value",
	"[not, a, list]",
	"{not: a map}",
	"&anchor *alias !tag %dir @at `tick`",
	"bell\a esc\x1b del\x7f",
	"next line \xc2\x85 and nbsp \xc2\xa0",
	"line sep \xe2\x80\xa8 para sep \xe2\x80\xa9 bom \xef\xbb\xbf",
	"  leading and trailing spaces  ",
	"'single' ''quotes''",
	"",
};
#define NHARD (sizeof(hard) / sizeof(hard[0]))

static void test_emit_roundtrip(void)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "---\n");
	for (size_t i = 0; i < NHARD; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%zu", i);
		fm_put_key_str(&b, 0, key, hard[i]);
	}
	buf_adds(&b, "list:\n");
	for (size_t i = 0; i < NHARD; i++) {
		buf_adds(&b, "  - ");
		fm_put_str(&b, hard[i]);
		buf_addch(&b, '\n');
	}
	buf_adds(&b, "---\nThe body\n---\nstays as it is.\n");
	const char *text = arena_strdup(&A, buf_str(&b));
	buf_release(&b);
	/* Every line of the front matter is one key or item: nothing spills. */
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	ok(lines == 2 * NHARD + 6, "one line per string (%zu lines)", lines);
	ok(!strstr(text, "\xe2\x80\xa8") && !strstr(text, "\xc2\x85") && !strstr(text, "\x7f"),
	   "line and paragraph separators, NEL and DEL are escaped");
	ok(strstr(text, "日本語") != NULL, "other scripts are written as they are");
	const char *body = NULL;
	struct fm_node *root = parse_ok(text, &body, "the emitted front matter");
	if (!root)
		return;
	is_str(body, "The body\n---\nstays as it is.\n", "the body is what follows, untouched");
	for (size_t i = 0; i < NHARD; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%zu", i);
		is_str(fm_str(root, key), hard[i], "string %zu reads back the same", i);
	}
	const struct fm_node *l = fm_get(root, "list");
	ok(l && l->type == FM_LIST && l->n == NHARD, "the list reads back whole");
	for (size_t i = 0; l && i < l->n && i < NHARD; i++)
		ok(l->items[i]->type == FM_SCALAR && l->items[i]->quoted &&
		   !strcmp(l->items[i]->text, hard[i]), "list item %zu", i);

	/* The same file read by PyYAML (YAML 1.1, as Jekyll's Psych and older
	 * Hugo read it). */
	if (access("/usr/bin/python3", X_OK) != 0) {
		ok(1, "# SKIP no /usr/bin/python3");
		return;
	}
	char path[] = "/tmp/quire-fm-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!ok(f != NULL, "temporary file"))
		return;
	size_t fm_end = (size_t)(strstr(text + 4, "\n---\n") - text) + 1;
	fwrite(text + 4, 1, fm_end - 4, f);
	fclose(f);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import json,sys,yaml; "
		 "print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding=\"utf-8\"))))' %s", path);
	FILE *py = popen(cmd, "r");
	struct buf out;
	buf_init(&out, 0);
	char chunk[4096];
	size_t n;
	while (py && (n = fread(chunk, 1, sizeof(chunk), py)) > 0)
		buf_add(&out, chunk, n);
	int st = py ? pclose(py) : -1;
	unlink(path);
	if (st != 0) {
		ok(1, "# SKIP PyYAML is not there (python3-yaml)");
		buf_release(&out);
		return;
	}
	json_error_t je;
	json_t *j = json_loads(buf_str(&out), 0, &je);
	buf_release(&out);
	ok(json_is_object(j), "PyYAML read it (%s)", j ? "" : je.text);
	for (size_t i = 0; j && i < NHARD; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%zu", i);
		json_t *v = json_object_get(j, key);
		ok(json_is_string(v) && !strcmp(json_string_value(v), hard[i]),
		   "PyYAML reads string %zu the same", i);
	}
	json_decref(j);
}

static void test_hand_written(void)
{
	const char *body = NULL;
	struct fm_node *r = parse_ok(
		"\xef\xbb\xbf---\r\n"
		"# a comment\r\n"
		"title: Plain words, a:b # and a comment\r\n"
		"single: 'it''s here'\r\n"
		"draft: yes\r\n"
		"nothing:\r\n"
		"tilde: ~\r\n"
		"tags: [grief, \"new year\", 'ok']\r\n"
		"empty: []\r\n"
		"map: {}\r\n"
		"date: 2024-03-01 10:00:00 +0100\r\n"
		"photos:\r\n"
		"- file: a.jpg\r\n"
		"  alt: \"A \\\"quoted\\\" alt \\u00e9\\U0001F642\"\r\n"
		"\r\n"
		"  sensitive: true\r\n"
		"- file: b.jpg\r\n"
		"nested:\r\n"
		"  deeper:\r\n"
		"    - - x\r\n"
		"      - y\r\n"
		"literal: |\r\n"
		"  one\r\n"
		"\r\n"
		"    two\r\n"
		"folded: >-\r\n"
		"  a\r\n"
		"  b\r\n"
		"\r\n"
		"  c\r\n"
		"last: end\r\n"
		"...\r\n"
		"Body.\r\n", &body, "hand-written front matter");
	if (!r)
		return;
	is_str(body, "Body.\r\n", "body after a '...' line");
	is_str(fm_str(r, "title"), "Plain words, a:b", "a plain value to its comment");
	is_str(fm_str(r, "single"), "it's here", "single quotes");
	ok(fm_bool(r, "draft", 0) == 1, "yes is true");
	ok(fm_get(r, "nothing")->type == FM_NULL && fm_get(r, "tilde")->type == FM_NULL, "nulls");
	ok(fm_str(r, "nothing") == NULL, "a null is no string");
	const struct fm_node *t = fm_get(r, "tags");
	ok(t && t->type == FM_LIST && t->n == 3 && !strcmp(t->items[1]->text, "new year") &&
	   !strcmp(t->items[2]->text, "ok"), "a flow list");
	ok(fm_get(r, "empty")->type == FM_LIST && fm_get(r, "empty")->n == 0, "[]");
	ok(fm_get(r, "map")->type == FM_MAP && fm_get(r, "map")->n == 0, "{}");
	ok(fm_time(r, "date") == 1709283600, "a Jekyll-style date with its offset (%lld)",
	   (long long)fm_time(r, "date"));
	const struct fm_node *ph = fm_get(r, "photos");
	ok(ph && ph->type == FM_LIST && ph->n == 2, "a list of mappings at the key's indent");
	if (ph && ph->n == 2) {
		is_str(fm_str(ph->items[0], "alt"), "A \"quoted\" alt \xc3\xa9\xf0\x9f\x99\x82",
		       "escapes: \\\" \\u \\U");
		ok(fm_bool(ph->items[0], "sensitive", 0) == 1, "a key after a blank line");
		is_str(fm_str(ph->items[1], "file"), "b.jpg", "the second mapping");
	}
	const struct fm_node *d = fm_get(fm_get(r, "nested"), "deeper");
	ok(d && d->type == FM_LIST && d->n == 1 && d->items[0]->type == FM_LIST &&
	   d->items[0]->n == 2, "a list in a list");
	is_str(fm_str(r, "literal"), "one\n\n  two\n", "a literal block");
	is_str(fm_str(r, "folded"), "a b\nc", "a folded block, stripped");
	is_str(fm_str(r, "last"), "end", "the key after the blocks");
	ok(fm_bool(r, "missing", 7) == 7 && fm_bool(r, "title", 0) == -1, "fm_bool defaults");
	ok(fm_time(r, "missing") == 0 && fm_time(r, "title") == -1, "fm_time defaults");

	r = parse_ok("---\n---\n", &body, "an empty block");
	ok(r && r->type == FM_MAP && r->n == 0 && body && !*body, "is an empty mapping");
}

static void test_refusals(void)
{
	refused("title: x\n", "no front matter", "no opening ---");
	refused("---\ntitle: x\n", "does not end", "no closing ---");
	refused("---\ntitle: &a x\n---\n", "anchors", "an anchor");
	refused("---\ntitle: *a\n---\n", "anchors", "an alias");
	refused("---\ntitle: !!str x\n---\n", "anchors", "a tag");
	refused("---\ntitle: \"open\n---\n", "end on its line", "an unclosed quote");
	refused("---\ntitle: 'open\n---\n", "end on its line", "an unclosed single quote");
	refused("---\ntitle: \"a\\\n  b\"\n---\n", "end on its line", "a quoted line continued");
	refused("---\ntitle: x\ntitle: y\n---\n", "twice", "a duplicate key");
	refused("---\n\ttitle: x\n---\n", "tab", "a tab as indentation");
	refused("---\ntitle: \"a\\0b\"\n---\n", "NUL", "a NUL escape");
	refused("---\ntitle: \"\\ud800\"\n---\n", "cannot hold", "a surrogate escape");
	refused("---\ntitle: \"\\q\"\n---\n", "unknown escape", "an unknown escape");
	refused("---\ntitle: a: b\n---\n", "quote it", "': ' in a plain value");
	refused("---\ntitle: x\n  more: y\n---\n", "indentation", "a stray indented line");
	refused("---\n- a\n- b\n---\n", "is a list", "a list at the top");
	refused("---\ntags: [a, [b]]\n---\n", "nested", "a nested flow list");
	refused("---\ntags: [a, b\n---\n", "close on its line", "an unclosed flow list");
	refused("---\nm: {a: b}\n---\n", "mappings are not read", "a flow mapping");
	refused("---\n\"title\": x\n---\n", "keys are not read", "a quoted key");
	refused("---\ntitle: \xff\n---\n", "UTF-8", "bytes that are not UTF-8");
	refused("---\njust words\n---\n", "key: value", "a line without a key");
	refused("---\nt: - a\n---\n", "own line", "a list item after a key");
	/* Nesting beyond FM_MAX_DEPTH. */
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "---\n");
	for (int i = 0; i < FM_MAX_DEPTH + 2; i++) {
		for (int k = 0; k < i; k++)
			buf_adds(&b, "  ");
		buf_addf(&b, "k%d:\n", i);
	}
	buf_adds(&b, "---\n");
	refused(buf_str(&b), "deeper", "nesting too deep");
	buf_release(&b);
}

static void test_times(void)
{
	int64_t t;
	ok(fm_time_parse("2024-03-01T10:00:00Z", &t) && t == 1709287200, "RFC 3339 UTC");
	ok(fm_time_parse("2024-03-01T12:00:00+02:00", &t) && t == 1709287200, "an offset");
	ok(fm_time_parse("2024-03-01t10:00:00.125z", &t) && t == 1709287200, "fractions, lowercase");
	ok(fm_time_parse("2024-03-01", &t) && t == 1709251200, "a bare date");
	ok(fm_time_parse("2024-02-29T00:00:00Z", &t), "a leap day");
	ok(!fm_time_parse("2023-02-29T00:00:00Z", &t), "no leap day in 2023");
	ok(!fm_time_parse("2024-13-01", &t) && !fm_time_parse("2024-03-01T25:00:00Z", &t) &&
	   !fm_time_parse("2024-03-01T10:00Z", &t) && !fm_time_parse("yesterday", &t) &&
	   !fm_time_parse("2024-03-01T10:00:00+2", &t) && !fm_time_parse("2024-03-01T10:00:00Zx", &t),
	   "what is not a time");
	struct buf b;
	buf_init(&b, 0);
	fm_put_time(&b, 1709287200);
	is_str(buf_str(&b), "2024-03-01T10:00:00Z", "written as RFC 3339 UTC");
	buf_release(&b);
}

static void test_paths(void)
{
	is_str(quire_path_join(&A, "content/_posts/x.md", "../../static/photos/a.jpg"),
	       "static/photos/a.jpg", "up two folders");
	is_str(quire_path_join(&A, "content/_posts/x.md", "./b/../c.jpg"), "content/_posts/c.jpg",
	       ". and .. inside");
	is_str(quire_path_join(&A, "x.md", "c.jpg"), "c.jpg", "at the top");
	ok(quire_path_join(&A, "content/_posts/x.md", "../../../etc/passwd") == NULL, "no climbing out");
	ok(quire_path_join(&A, "content/_posts/x.md", "/etc/passwd") == NULL, "nothing absolute");
	ok(quire_path_join(&A, "content/_posts/x.md", "https://example.com/a.jpg") == NULL, "no URLs");
	ok(quire_path_join(&A, "content/_posts/x.md", "photo:0123456789abcdef") == NULL, "no photo:");
	ok(quire_path_join(&A, "content/_posts/x.md", "a\\b.jpg") == NULL, "no backslashes");
	ok(quire_path_join(&A, "content/_posts/x.md", "a//b.jpg") == NULL, "no empty parts");
	ok(quire_path_join(&A, "content/_posts/x.md", "../..") == NULL, "not the top itself");
}

static const char *file_of(void *ctx, const char *id)
{
	(void)ctx;
	return !strcmp(id, "0123456789abcdef") ? "../../static/photos/0123456789abcdef.jpg" : NULL;
}

static void test_refs(void)
{
	const char *md = "A ![alt](photo:0123456789abcdef \"cap\") and ![b](photo:fedcba9876543210) "
			 "and [a link](photo:0123) and ![c](photo:0123456789abcdef)";
	struct buf b;
	buf_init(&b, 0);
	ok(render_export_refs(md, file_of, NULL, &b), "references rewritten");
	is_str(buf_str(&b), "A ![alt](../../static/photos/0123456789abcdef.jpg \"cap\") and "
	       "![b](photo:fedcba9876543210) and [a link](photo:0123) and "
	       "![c](../../static/photos/0123456789abcdef.jpg)",
	       "each known photo points at its file; the rest are left");
	const char *files[] = {"static/photos/0123456789abcdef.jpg"};
	const char *ids[] = {"aaaaaaaaaaaaaaaa"};
	size_t n = 0;
	const char *back = quire_swap_photos(&A, buf_str(&b), "content/_posts/x.md", files, ids, 1, &n);
	ok(n == 2, "both references found again (%zu)", n);
	is_str(back, "A ![alt](photo:aaaaaaaaaaaaaaaa \"cap\") and ![b](photo:fedcba9876543210) and "
	       "[a link](photo:0123) and ![c](photo:aaaaaaaaaaaaaaaa)", "and named by the new ids");
	back = quire_swap_photos(&A, "![x](<../../static/photos/0123456789abcdef.jpg>) "
				 "![y](../../static/photos/0123456789abcdef.jpgx) ](",
				 "content/_posts/x.md", files, ids, 1, &n);
	is_str(back, "![x](photo:aaaaaaaaaaaaaaaa) ![y](../../static/photos/0123456789abcdef.jpgx) ](",
	       "an <angle> target; a longer name is not the file");
	buf_release(&b);
}

static void test_read_story(void)
{
	const char *text =
		"---\n"
		"title: \"A \\\"hard\\\" year: #2\"\n"
		"subtitle: \"\"\n"
		"slug: \"a-hard-year\"\n"
		"date: 2024-03-01T10:00:00Z\n"
		"created: 2024-02-01T10:00:00Z\n"
		"updated: 2024-03-02T10:00:00Z\n"
		"edited: 2024-03-02T09:00:00Z\n"
		"status: \"published\"\n"
		"draft: true\n"
		"audience: \"circle\"\n"
		"circle: \"the ones who were there\"\n"
		"content_note: \"loss\"\n"
		"responses: \"approval\"\n"
		"responders: \"circle\"\n"
		"tags:\n  - \"grief\"\n  - \"family\"\n"
		"photos:\n"
		"  - file: \"../../_quire/photos/0123456789abcdef.jpg\"\n"
		"    id: \"0123456789abcdef\"\n"
		"    alt: \"\"\n"
		"    caption: \"c\"\n"
		"    audience: \"private\"\n"
		"    sensitive: true\n"
		"    note: \"hospital\"\n"
		"pending: \"../../_quire/pending/2024-03-01-a-hard-year.md\"\n"
		"quire_id: \"1111222233334444\"\n"
		"---\n"
		"Text ![](../../_quire/photos/0123456789abcdef.jpg \"c\")\n";
	struct quire_story s;
	char err[300] = "";
	bool r = quire_read_story(&A, "content/_drafts/2024-03-01-a-hard-year.md", text, strlen(text),
				  &s, err, sizeof(err));
	ok(r, "an exported story reads (%s)", err);
	if (!r)
		return;
	is_str(s.t.title, "A \"hard\" year: #2", "title");
	is_str(s.source_id, "1111222233334444", "its id on the old site");
	is_str(s.status, "published", "status wins over draft: true");
	ok(s.published_at == 1709287200 && s.created_at == 1706781600 &&
	   s.t.updated_at == 1709373600 && s.edited_at == 1709370000, "its dates");
	is_str(s.t.audience, "circle", "audience");
	is_str(s.t.circle, "the ones who were there", "circle by name");
	ok(s.t.tags.n == 2 && !strcmp(s.t.tags.items[1], "family"), "tags");
	ok(s.nphotos == 1 && s.photos[0].sensitive && !strcmp(s.photos[0].note, "hospital") &&
	   !strcmp(s.photos[0].audience, "private"), "the photo's fields");
	is_str(s.photos[0].file, "_quire/photos/0123456789abcdef.jpg", "the photo file, resolved");
	is_str(s.pending_path, "_quire/pending/2024-03-01-a-hard-year.md", "the pending draft's file");
	is_str(s.t.body, "Text ![](../../_quire/photos/0123456789abcdef.jpg \"c\")\n", "the body");

	const char *bad[][2] = {
		{"---\nsubtitle: x\n---\n", "no title"},
		{"---\ntitle: x\nstatus: gone\n---\n", "status should be"},
		{"---\ntitle: x\ndate: soon\n---\n", "should be a time"},
		{"---\ntitle: [x]\n---\n", "should be a string"},
		{"---\ntitle: x\nphotos:\n  - file: \"../../../x.jpg\"\n---\n", "not a path inside"},
		{"---\ntitle: x\nphotos:\n  - alt: a\n---\n", "without its file"},
		{"---\ntitle: x\nstatus: scheduled\n---\n", "publish_at"},
		{"---\ntitle: x\nphotos:\n  - file: a.jpg\n    sensitive: maybe\n---\n", "true or false"},
		{"---\ntitle: x\n---\n\xff", "not UTF-8"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		r = quire_read_story(&A, "content/_posts/x.md", bad[i][0], strlen(bad[i][0]), &s, err,
				     sizeof(err));
		ok(!r && strstr(err, bad[i][1]), "refused: %s (%s)", bad[i][1], err);
	}
	/* A Hugo or Jekyll post from elsewhere: no quire_id, tags as words. */
	const char *hugo = "---\ntitle: Elsewhere\ndate: 2020-01-01\ndraft: false\ntags: a b,c\n---\nHi\n";
	r = quire_read_story(&A, "content/_posts/2020-01-01-elsewhere.md", hugo, strlen(hugo), &s, err,
			     sizeof(err));
	ok(r && !strcmp(s.source_id, "file:content/_posts/2020-01-01-elsewhere.md") &&
	   !strcmp(s.status, "published") && s.t.tags.n == 3, "a post from elsewhere (%s)", err);
}

int main(void)
{
	arena_init(&A);
	test_emit_roundtrip();
	test_hand_written();
	test_refusals();
	test_times();
	test_paths();
	test_refs();
	test_read_story();
	arena_release(&A);
	return tap_done();
}
