/*
 * test_book_xhtml.c - a story's HTML into a book's XHTML pages
 * (src/porting/book_xhtml.c): well-formed XML every time (checked with
 * libxml2), escaping, void elements closed, headings nested under the
 * title, the body cut after each block holding a sensitive photo, photos
 * written in place, links made absolute, followed across pages, or left
 * out; what a book cannot hold dropped.
 */
#include "porting/book.h"
#include "tap.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

static struct arena A;

/* Photos 0 and 2 are sensitive. */
static bool sens(void *ctx, unsigned n)
{
	(void)ctx;
	return n == 0 || n == 2;
}

static void photo(void *ctx, unsigned n, bool block, struct buf *out)
{
	(void)ctx;
	buf_addf(out, block ? "<figure id=\"ph%u\"/>" : "<img alt=\"ph%u\"/>", n);
}

static const char *href(void *ctx, size_t seg)
{
	(void)ctx;
	return arena_printf(&A, "page%zu.xhtml", seg);
}

static const struct book_conv CONV = {
	.base_url = "https://site.example", .sensitive = sens, .photo = photo, .seg_href = href,
};

static bool well_formed(const char *x)
{
	const char *doc = arena_printf(&A, "<body xmlns=\"http://www.w3.org/1999/xhtml\">%s</body>", x);
	xmlDocPtr d = xmlReadMemory(doc, (int)strlen(doc), "seg.xhtml", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (d)
		xmlFreeDoc(d);
	return d != NULL;
}

/* The segments of html, each checked well-formed. */
static struct book_seg *conv(const char *html, size_t *n)
{
	struct book_seg *s = NULL;
	*n = 0;
	if (!book_xhtml(&A, html, strlen(html), &CONV, &s, n)) {
		ok(0, "converted: %s", html);
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		if (!well_formed(s[i].xhtml))
			ok(0, "segment %zu well-formed: %s", i, s[i].xhtml);
	return s;
}

static const char *one(const char *html)
{
	size_t n;
	struct book_seg *s = conv(html, &n);
	return s && n == 1 ? s[0].xhtml : "(not one segment)";
}

int main(void)
{
	arena_init(&A);
	is_str(one("<p>Tom &amp; Jerry &lt;3 &quot;hi&quot;</p>"),
	       "<p>Tom &amp; Jerry &lt;3 \"hi\"</p>", "text escaped as XML");
	is_str(one("<p>a<br>b</p><hr>"), "<p>a<br/>b</p><hr/>", "void elements closed");
	is_str(one("<p title='say \"x\" &amp; y'>t</p>"), "<p title=\"say &quot;x&quot; &amp; y\">t</p>",
	       "attributes quoted and escaped");
	is_str(one("<p>a\x01" "b\x1f" "c\xef\xbf\xbe" "d</p>"),
	       "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd" "d</p>",
	       "characters XML cannot hold never reach the page (U+FFFD instead)");
	is_str(one("<h4>a</h4><h6>b</h6><h2>c</h2><h5>d</h5><h1>e</h1>"),
	       "<h2>a</h2><h3>b</h3><h2>c</h2><h3>d</h3><h2>e</h2>",
	       "headings nest under the title, one level at a time");
	is_str(one("<h2>a</h2><h3>b</h3><h4>c</h4><h5>d</h5><h6>e</h6>"),
	       "<h2>a</h2><h3>b</h3><h4>c</h4><h5>d</h5><h6>e</h6>", "every level kept when it nests");
	is_str(one("<p onclick=\"x()\" style=\"color:red\" class=\"k\">a</p>"), "<p class=\"k\">a</p>",
	       "only the attributes a page may hold");
	is_str(one("<script>alert(1)</script><p>a<img src=\"https://x/y.png\"></p><video>v</video>"),
	       "<p>a</p>", "scripts, outside images and media dropped");
	is_str(one("<custom-el>in</custom-el><font>f</font>"), "inf",
	       "unknown elements unwrapped, their text kept");
	is_str(one("<p><a href=\"/@ann/x\">a</a> <a href=\"https://e.example/?a=1&amp;b=2\">b</a> "
		   "<a href=\"mailto:a@b.example\">c</a></p>"),
	       "<p><a href=\"https://site.example/@ann/x\">a</a> "
	       "<a href=\"https://e.example/?a=1&amp;b=2\">b</a> <a href=\"mailto:a@b.example\">c</a></p>",
	       "site links absolute, web and mail links kept");
	is_str(one("<p><a href=\"javascript:x()\">a</a><a href=\"//evil.example/\">b</a>"
		   "<a href=\"rel/x\">c</a><a href=\"#nowhere\">d</a></p>"),
	       "<p><a>a</a><a>b</a><a>c</a><a>d</a></p>",
	       "other schemes, protocol-relative, relative and dangling links left out");
	is_str(one("<p id=\"x\">a</p><p id=\"x\">b</p><p id=\"9bad\">c</p><a href=\"#x\">l</a>"),
	       "<p id=\"x\">a</p><p>b</p><p>c</p><a href=\"#x\">l</a>",
	       "an id once, only well-formed ones; a link to it on its page stays");
	is_str(one("<table><tr><th align=\"center\">h</th><td align=\"evil\">d</td></tr></table>"),
	       "<table><tbody><tr><th style=\"text-align: center\">h</th><td>d</td></tr></tbody></table>",
	       "table alignment as style, nothing else");
	is_str(one("<p>x<img data-book=\"1\">y</p><img data-book=\"3\">"),
	       "<p>x<img alt=\"ph1\"/>y</p><figure id=\"ph3\"/>",
	       "photos in place: inline in text, a figure at the top level");

	size_t n;
	struct book_seg *s = conv("<p id=\"r\">a<a href=\"#n\">1</a></p><img data-book=\"0\">"
				  "<p>b</p><ul><li>c<img data-book=\"2\"></li></ul><p id=\"n\">d"
				  "<a href=\"#r\">back</a></p>", &n);
	ok(s && n == 3, "cut after each block with a sensitive photo (%zu)", n);
	if (s && n == 3) {
		is_str(s[0].xhtml, "<p id=\"r\">a<a href=\"page2.xhtml#n\">1</a></p>",
		       "a link follows its target to another page");
		ok(s[0].nafter == 1 && s[0].after[0] == 0 && !s[0].empty, "the photo after the first");
		is_str(s[1].xhtml, "<p>b</p><ul><li>c</li></ul>",
		       "a sensitive photo inside a block leaves it and follows it");
		ok(s[1].nafter == 1 && s[1].after[0] == 2, "photo 2 after the second");
		is_str(s[2].xhtml, "<p id=\"n\">d<a href=\"page0.xhtml#r\">back</a></p>", "and back");
		ok(s[2].nafter == 0, "nothing after the last");
	}
	s = conv("<p>a</p><img data-book=\"0\"><img data-book=\"2\">", &n);
	ok(s && n == 3 && s[0].nafter == 1 && s[1].empty && s[1].nafter == 1 && s[2].empty,
	   "two sensitive photos in a row, the story ending with them: empty segments between");
	s = conv("", &n);
	ok(s && n == 1 && s[0].empty && !strcmp(s[0].xhtml, ""), "an empty body: one empty segment");

	/* Nesting deeper than the converter goes is cut, still well-formed. */
	struct buf deep;
	buf_init(&deep, 0);
	for (int i = 0; i < 400; i++)
		buf_adds(&deep, "<blockquote>");
	buf_adds(&deep, "deep");
	s = conv(buf_str(&deep), &n);
	ok(s && n == 1, "deep nesting converted");
	buf_release(&deep);

	struct book_seg *big;
	ok(!book_xhtml(&A, "x", ((size_t)8 << 20) + 1, &CONV, &big, &n), "too large refused");
	arena_release(&A);
	return tap_done();
}
