/*
 * test_porting.c - other platforms' exports read into post records
 * (src/porting/): WordPress WXR fixtures from tests/data/import/wordpress
 * (WordPress/wordpress-importer's own test data, see its README), a
 * malformed one refused with its line, entities refused, and the HTML to
 * Markdown conversion they go through.
 */
#include "porting/porting.h"
#include "porting/zip.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct arena A;

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "tests/data/import/wordpress/%s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = arena_alloc(&A, (size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static bool read_file(const char *name, struct port_export *out, char *err)
{
	size_t len = 0;
	char *xml = slurp(name, &len);
	if (!ok(xml != NULL, "fixture %s", name))
		return false;
	return port_read_wxr(&A, xml, len, out, err, 300);
}

static bool has_tag(const struct port_post *p, const char *t)
{
	for (size_t i = 0; i < p->tags.n; i++)
		if (!strcmp(p->tags.items[i], t))
			return true;
	return false;
}

static void test_simple(void)
{
	struct port_export e;
	char err[300] = "";
	ok(read_file("wxr-simple.xml", &e, err), "wxr-simple reads (%s)", err);
	if (!ok(e.n == 1, "one post"))
		return;
	const struct port_post *p = &e.posts[0];
	is_str(p->title, "\"The Road Not Taken\" by Robert Frost", "title, CDATA kept as text");
	is_str(p->source_id, "https://playground.internal/path#post-10", "the source's id, of its site");
	is_str(p->slug, "hello-world", "slug");
	is_str(p->canonical_url, "https://playground.internal/path/?p=1", "canonical URL from <link>");
	ok(p->published_at == 1717603488, "post_date_gmt 2024-06-05 16:04:48 (%lld)",
	   (long long)p->published_at);
	ok(!p->draft, "published");
	ok(p->tags.n == 0, "Uncategorized is no tag");
	ok(strstr(p->body.md, "Two roads diverged in a yellow wood,") != NULL, "the text");
	ok(strstr(p->body.md, "[the other](https://playground.internal/path-not-taken)") != NULL,
	   "links kept");
	ok(strstr(p->body.md, "wp:paragraph") == NULL, "block comments gone");
}

static void test_every_fixture(void)
{
	static const char *const files[] = {"slashes.xml", "valid-wxr-1.1.xml", "wxr-utf-8-challenges.xml",
					    "wxr-with-sub-data.xml", "cdata-edge.xml"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct port_export e;
		char err[300] = "";
		ok(read_file(files[i], &e, err), "%s reads (%s)", files[i], err);
		for (size_t k = 0; k < e.n; k++) {
			ok(e.posts[k].source_id && e.posts[k].source_id[0] && e.posts[k].title[0] &&
				   e.posts[k].body.md,
			   "%s post %zu: id, title, body", files[i], k);
		}
	}
	struct port_export e;
	char err[300];
	if (read_file("cdata-edge.xml", &e, err) && ok(e.n == 1, "cdata-edge: one post"))
		ok(strstr(e.posts[0].body.md, "ends with sequence \\]\\] \\>") != NULL,
		   "CDATA's edge kept (Markdown-escaped): %s", e.posts[0].body.md);
	if (read_file("valid-wxr-1.1.xml", &e, err)) {
		size_t drafts = 0, tagged = 0;
		for (size_t k = 0; k < e.n; k++) {
			drafts += e.posts[k].draft;
			tagged += e.posts[k].tags.n > 0;
		}
		ok(e.n >= 1, "valid-wxr-1.1: posts (%zu), notes %zu", e.n, e.notes.n);
		printf("# valid-wxr-1.1: %zu drafts, %zu with tags\n", drafts, tagged);
		for (size_t k = 0; k < e.n; k++)
			if (e.posts[k].tags.n)
				ok(has_tag(&e.posts[k], e.posts[k].tags.items[0]), "tags listed");
	}
	if (read_file("wxr-utf-8-challenges.xml", &e, err) && e.n)
		ok(strlen(e.posts[0].title) > 0 && strlen(e.posts[0].body.md) > 0, "UTF-8: title %s",
		   e.posts[0].title);
}

static void test_refused(void)
{
	struct port_export e;
	char err[300] = "";
	ok(!read_file("malformed-simple.xml", &e, err), "the malformed file is refused");
	ok(!strncmp(err, "line ", 5) && strtol(err + 5, NULL, 10) > 0, "with its line: %s", err);
	static const char lol[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"
		"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><wp:wxr_version>1.2</wp:wxr_version>"
		"<item><title>&c;</title><wp:post_id>1</wp:post_id></item></channel></rss>";
	ok(!port_read_wxr(&A, lol, strlen(lol), &e, err, sizeof(err)) && err[0],
	   "a billion laughs is refused: %s", err);
	static const char one[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"x\">]>\n"
		"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><wp:wxr_version>1.2</wp:wxr_version>"
		"<item><title>&a;</title><wp:post_id>1</wp:post_id></item></channel></rss>";
	ok(!port_read_wxr(&A, one, strlen(one), &e, err, sizeof(err)) && strstr(err, "entities"),
	   "any declared entity is refused: %s", err);
	static const char ext[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><wp:wxr_version>1.2</wp:wxr_version>"
		"<item><title>&x;</title><wp:post_id>1</wp:post_id></item></channel></rss>";
	ok(!port_read_wxr(&A, ext, strlen(ext), &e, err, sizeof(err)), "an external entity is refused");
	static const char rss[] = "<rss><channel><item><title>x</title></item></channel></rss>";
	ok(!port_read_wxr(&A, rss, strlen(rss), &e, err, sizeof(err)) && strstr(err, "not a WordPress"),
	   "plain RSS is not WXR: %s", err);
	static const char page[] =
		"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\" "
		"xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>"
		"<item><title>About</title><wp:post_id>2</wp:post_id><wp:post_type>page</wp:post_type></item>"
		"<item><title>Draft</title><wp:post_id>3</wp:post_id><wp:status>draft</wp:status>"
		"<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>"
		"<category domain=\"post_tag\" nicename=\"grief\">Grief</category>"
		"<content:encoded>&lt;p&gt;Hi&lt;/p&gt;</content:encoded></item></channel></rss>";
	ok(port_read_wxr(&A, page, strlen(page), &e, err, sizeof(err)), "a page and a draft (%s)", err);
	ok(e.n == 1 && e.notes.n == 1 && strstr(e.notes.items[0], "page"), "the page is skipped, noted");
	if (e.n == 1) {
		ok(e.posts[0].draft && e.posts[0].published_at == 0, "the draft stays a draft, undated");
		ok(has_tag(&e.posts[0], "Grief"), "its tag");
		ok(strstr(e.posts[0].body.md, "Hi") != NULL, "escaped HTML read as HTML");
	}
}


/* ---- Substack ---- */

static const char *fixture_file(void *ctx, struct arena *a, const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "tests/data/import/substack/%s", name);
	(void)ctx;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = arena_alloc(a, (size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void test_csv(void)
{
	static const char csv[] = "a,\"b,c\",\"d \"\"q\"\"\nline\"\r\nx,,\n\"open";
	const char *p = csv, *end = csv + strlen(csv);
	unsigned line = 1;
	struct port_list f;
	ok(port_csv_record(&A, &p, end, &f, &line) && f.n == 3 && !strcmp(f.items[1], "b,c") &&
		   !strcmp(f.items[2], "d \"q\"\nline"),
	   "quoted commas, quotes and a line end in a field");
	ok(port_csv_record(&A, &p, end, &f, &line) && f.n == 3 && !f.items[1][0] && !f.items[2][0],
	   "empty fields");
	ok(line == 4, "lines counted (%u)", line);
	ok(!port_csv_record(&A, &p, end, &f, &line), "an unclosed quote is no record");
}

static void test_substack(void)
{
	size_t len = 0;
	FILE *f = fopen("tests/data/import/substack/posts.csv", "rb");
	char buf[8192];
	if (f) {
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
	}
	struct port_export e;
	char err[300] = "";
	ok(port_read_substack(&A, buf, len, fixture_file, NULL, &e, err, sizeof(err)),
	   "the Substack export reads (%s)", err);
	ok(e.n == 3 && e.notes.n == 2, "3 posts; the thread and the page skipped (%zu, %zu)", e.n,
	   e.notes.n);
	if (e.n == 3) {
		is_str(e.posts[0].title, "Plain Text", "title");
		is_str(e.posts[0].subtitle, "\xe2\x80\x9cThis quote\xe2\x80\x99s rather short\xe2\x80\x9d",
		       "subtitle with its character references decoded");
		is_str(e.posts[0].source_id, "substack:123401.plain-text", "id");
		is_str(e.posts[0].slug, "plain-text", "slug");
		ok(e.posts[0].published_at == 1564174099, "date (%lld)", (long long)e.posts[0].published_at);
		ok(strstr(e.posts[0].body.md, "Lorem ipsum dolor sit amet") != NULL, "body");
		ok(e.posts[2].draft && e.posts[2].published_at == 0, "the unpublished one is a draft");
		ok(e.posts[1].body.notes.n >= 1 && strstr(e.posts[1].body.notes.items[e.posts[1].body.notes.n - 1],
							 "podcast"), "the podcast's audio noted");
	}
	static const char paid[] = "post_id,post_date,is_published,type,audience,title,subtitle\n"
				   "9.secret,2020-01-02T03:04:05Z,TRUE,newsletter,only_paid,Paid one,\n";
	ok(port_read_substack(&A, paid, strlen(paid), fixture_file, NULL, &e, err, sizeof(err)) &&
		   e.n == 1 && e.posts[0].circle && !strcmp(e.posts[0].circle, "Paid subscribers"),
	   "a paid post comes for a circle");
	ok(e.n == 1 && e.posts[0].body.notes.n >= 1, "its missing text noted");
	static const char bad[] = "title,body\nx,y\n";
	ok(!port_read_substack(&A, bad, strlen(bad), fixture_file, NULL, &e, err, sizeof(err)) &&
		   !strncmp(err, "line 1:", 7),
	   "not posts.csv: %s", err);
	static const char open[] = "post_id,title\n1.a,\"never closed\n";
	ok(!port_read_substack(&A, open, strlen(open), fixture_file, NULL, &e, err, sizeof(err)) &&
		   !strncmp(err, "line 2:", 7),
	   "an unclosed quote names its line: %s", err);
}

/* ---- Medium ---- */

static void test_medium(void)
{
	static const char *const files[] = {"advanced-post.html", "basic-post.html", "comment.html",
					    "draft-post.html", "no-date-post.html", "no-slug-post.html"};
	struct port_export e = {0};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[300];
		snprintf(path, sizeof(path), "tests/data/import/medium/posts/%s", files[i]);
		FILE *f = fopen(path, "rb");
		char *buf = arena_alloc(&A, 1 << 16);
		size_t len = f ? fread(buf, 1, (1 << 16) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[len] = '\0';
		ok(len > 0, "fixture %s", files[i]);
		port_read_medium_post(&A, files[i], buf, len, false, &e);
	}
	ok(e.n == 5 && e.notes.n == 1 && strstr(e.notes.items[0], "a response"),
	   "five posts; the response skipped (%zu, %zu)", e.n, e.notes.n);
	if (e.n != 5)
		return;
	const struct port_post *adv = &e.posts[0];
	is_str(adv->title, "Advanced Post Title", "title");
	is_str(adv->subtitle, "This is a subtitle of some sort", "subtitle");
	is_str(adv->canonical_url, "https://medium.com/@JoeBloggs/testpost-efefef12121212", "canonical");
	is_str(adv->slug, "testpost", "slug from the canonical URL, its id cut");
	ok(adv->published_at == 1533986614, "date (%lld)", (long long)adv->published_at);
	ok(adv->tags.n == 2 && !strcmp(adv->tags.items[0], "Things"), "tags");
	ok(strncmp(adv->body.md, "![This is image alt text]", 25) == 0,
	   "the repeated title, subtitle and the divider are not in the body: %.60s", adv->body.md);
	ok(adv->body.images.n >= 1, "its images listed");
	ok(e.posts[2].draft && e.posts[2].published_at == 0, "no date and no address: a draft");
	ok(!e.posts[3].draft && e.posts[3].published_at == 0, "no date but an address: published");
	is_str(e.posts[4].slug, "", "an address with no slug gives none");
	struct port_export r = {0};
	static const char resp[] = "<h1 class=\"p-name\">Reply</h1><section data-field=\"body\"><p>Yes."
				   "</p></section>";
	port_read_medium_post(&A, "r.html", resp, strlen(resp), true, &r);
	ok(r.n == 1 && strstr(r.posts[0].body.md, "Yes."), "--include-responses takes a response");
	port_read_medium_post(&A, "x.html", "<p>no sections</p>", 18, true, &r);
	ok(r.n == 1 && r.notes.n == 1, "a file with no body section is skipped, noted");
}


/* Each image's URL in the converted Markdown becomes photo:ID, in order,
 * even when a link to the same address precedes it or wraps it. */
static void test_swap_images(void)
{
	static const char html[] = "<p><a href=\"https://x.test/a.jpg\">the file</a></p>"
		"<p><a href=\"https://x.test/a.jpg\"><img src=\"https://x.test/a.jpg\" alt=\"A\"></a></p>"
		"<figure><img src=\"https://x.test/b (1).jpg\" alt=\"B\"><figcaption>Cap \"q\"</figcaption></figure>";
	struct port_md md;
	port_html_to_md(&A, html, sizeof(html) - 1, &md);
	ok(md.images.n == 2, "two images (%zu)", md.images.n);
	const char *ids[] = {"aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"};
	size_t n = 0;
	const char *out = port_md_swap_images(&A, md.md, &md.images, ids, &n);
	ok(n == 2, "both swapped (%zu)", n);
	ok(strstr(out, "[the file](https://x.test/a.jpg)") != NULL, "the link before stays: %s", out);
	ok(strstr(out, "[![A](photo:aaaaaaaaaaaaaaaa)](https://x.test/a.jpg)") != NULL,
	   "the wrapped image is the photo, its link stays");
	ok(strstr(out, "![B](photo:bbbbbbbbbbbbbbbb \"Cap \\\"q\\\"\")") != NULL,
	   "an escaped address with its caption");
	ok(!strstr(out, "b%20(1)") && !strstr(out, "b (1)"), "no trace of the old address");
	struct port_images none = {0};
	out = port_md_swap_images(&A, "text ![x](https://y.test/z.png)", &md.images, ids, &n);
	ok(n == 0 && !strcmp(out, "text ![x](https://y.test/z.png)"), "absent ones leave it as it was");
	out = port_md_swap_images(&A, "plain", &none, ids, &n);
	ok(n == 0 && !strcmp(out, "plain"), "no images, no change");
}

/* A zip written with zip_out reads back with zip_in; refused names and
 * limits hold; a corrupt zip is refused. */
static void test_zip(void)
{
	char dir[] = "/tmp/quire-zip-XXXXXX";
	if (!ok(mkdtemp(dir) != NULL, "a directory"))
		return;
	const char *path = arena_printf(&A, "%s/t.zip", dir);
	char err[300];
	struct zip_out *zo = zip_out_open(path, err, sizeof(err));
	ok(zo != NULL, "a new zip");
	ok(zip_out_add(zo, "mimetype", "application/epub+zip", 20, true, err, sizeof(err)), "stored");
	char big[70000];
	memset(big, 'x', sizeof(big));
	ok(zip_out_add(zo, "root/posts/a.html", big, sizeof(big), false, err, sizeof(err)), "deflated");
	ok(zip_out_add(zo, "root/empty", "", 0, false, err, sizeof(err)), "empty");
	ok(!zip_out_add(zo, "../up", "x", 1, false, err, sizeof(err)), "a name climbing out refused");
	ok(!zip_out_add(zo, "/abs", "x", 1, false, err, sizeof(err)), "an absolute name refused");
	ok(access(path, F_OK) != 0, "nothing at the path before it is closed");
	ok(zip_out_close(zo, err, sizeof(err)), "closed: %s", err);
	struct zip_in *zi = zip_in_open(path, err, sizeof(err));
	if (!ok(zi != NULL, "opened: %s", err))
		return;
	ok(zip_in_count(zi) == 3 && !strcmp(zip_in_name(zi, 0), "mimetype"), "three, mimetype first");
	ok(!strcmp(zip_in_root(zi, &A), ""), "two tops: no root");
	size_t len;
	const char *m = zip_in_read(zi, &A, "mimetype", 0, &len, err, sizeof(err));
	ok(m && len == 20 && !strcmp(m, "application/epub+zip"), "read back");
	const char *b = zip_in_read(zi, &A, "root/posts/a.html", 0, &len, err, sizeof(err));
	ok(b && len == sizeof(big) && b[len] == '\0' && b[69999] == 'x', "the deflated one");
	ok(!zip_in_read(zi, &A, "root/posts/a.html", 1000, &len, err, sizeof(err)) &&
		   strstr(err, "larger"), "over max: refused (%s)", err);
	ok(!zip_in_read(zi, &A, "nope", 0, &len, err, sizeof(err)), "absent");
	ok(!zip_in_read(zi, &A, "root/../mimetype", 0, &len, err, sizeof(err)), "climbing: refused");
	zip_in_close(zi);
	/* The same bytes from memory; then cut in half: refused. */
	FILE *f = fopen(path, "rb");
	char buf[200000];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	zi = zip_in_open_mem(buf, n, err, sizeof(err));
	ok(zi && zip_in_count(zi) == 3, "from memory");
	zip_in_close(zi);
	zi = zip_in_open_mem(buf, n / 2, err, sizeof(err));
	ok(!zi, "half a zip is refused: %s", err);
	zip_in_close(zi);
	zi = zip_in_open_mem("PK\3\4 not really", 16, err, sizeof(err));
	ok(!zi, "junk is refused");
	zip_in_close(zi);
	/* One folder around everything is the root. */
	const char *p2 = arena_printf(&A, "%s/r.zip", dir);
	zo = zip_out_open(p2, err, sizeof(err));
	ok(zo && zip_out_add(zo, "export/posts/a.html", "a", 1, false, err, sizeof(err)) &&
		   zip_out_add(zo, "export/README", "r", 1, false, err, sizeof(err)) &&
		   zip_out_add(zo, "__MACOSX/export/._a", "m", 1, false, err, sizeof(err)) &&
		   zip_out_close(zo, err, sizeof(err)), "a zip with one folder");
	zi = zip_in_open(p2, err, sizeof(err));
	ok(zi && !strcmp(zip_in_root(zi, &A), "export/"), "its root");
	zip_in_close(zi);
	zo = zip_out_open(arena_printf(&A, "%s/d.zip", dir), err, sizeof(err));
	zip_out_discard(zo);
	ok(access(arena_printf(&A, "%s/d.zip", dir), F_OK) != 0, "a discarded zip leaves nothing");
	unlink(path);
	unlink(p2);
	rmdir(dir);
}

int main(void)
{
	arena_init(&A);
	test_simple();
	test_every_fixture();
	test_refused();
	test_csv();
	test_substack();
	test_medium();
	test_swap_images();
	test_zip();
	arena_release(&A);
	return tap_done();
}
