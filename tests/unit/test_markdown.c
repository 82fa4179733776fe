/*
 * test_markdown.c - unit tests for src/stories/markdown.c: Markdown basics,
 * the heading shift, each GFM extension, removal of raw HTML, refusal of
 * dangerous URLs in many spellings, the image hook, size limits, the
 * table guards against cmark-gfm's blow-ups, bad UTF-8, excerpts, and
 * rendering from several threads at once.
 *
 * Expected HTML is spelled out exactly where the exact form is the point;
 * elsewhere every output also goes through md_html_problem(), the
 * independent checker from the fuzz target (included below), so a test
 * fails if anything unsafe or malformed slips through.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../fuzz/fuzz_markdown.c"
#include "tap.h"

static struct buf html;

/* Render s (NUL-terminated) into the shared buffer; "(error: ...)" on error. */
static const char *render(const char *s)
{
	buf_release(&html);
	buf_init(&html, 0);
	enum md_err e = md_render(s, strlen(s), &html);
	if (e != MD_OK) {
		buf_reset(&html);
		buf_adds(&html, "(error: ");
		buf_adds(&html, md_strerror(e));
		buf_adds(&html, ")");
	}
	return buf_str(&html);
}

/* Render and run the independent checker; the checker's complaint or NULL. */
static const char *render_problem(const char *s)
{
	const char *out = render(s);
	return md_html_problem(out, strlen(out));
}

static bool has(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static bool has_nocase(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* s with control characters shown as \xNN, so that a TAP line stays one
 * line; the result lives until the next call. */
static const char *printable(const char *s)
{
	static struct buf p;
	buf_reset(&p);
	if (!p.max)
		buf_init(&p, 0);
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20)
			buf_addf(&p, "\\x%02X", (unsigned)(unsigned char)*s);
		else
			buf_addch(&p, *s);
	}
	return buf_str(&p);
}

static const char *excerpt(const char *s, size_t max)
{
	buf_release(&html);
	buf_init(&html, 0);
	md_excerpt(s, strlen(s), max, &html);
	return buf_str(&html);
}

static const char *plain_text(const char *s)
{
	buf_release(&html);
	buf_init(&html, 0);
	md_text(s, strlen(s), &html);
	return buf_str(&html);
}

/* Search text: everything a reader reads, nothing of a photo. */
static void test_plain_text(void)
{
	is_str(plain_text("# Head\n\nSome *words* and `code`."), "Head Some words and code.",
	       "headings and code are text");
	is_str(plain_text("Before\n\n![My grandmother in the bed](photo:0123456789abcdef \"cap\")\n\nAfter"),
	       "Before After", "a photo leaves no alt text or caption");
	is_str(plain_text("![alt](http://x/y.png) text"), "text", "no alt text of any image");
	is_str(plain_text("a <b>raw</b> <!-- c --> b"), "a raw b", "raw HTML is not text");
	is_str(plain_text("| a | b |\n|---|---|\n| c | d |\n"), "a b c d", "table cells are text");
	is_str(plain_text("```\nfenced\n```\n"), "fenced", "code blocks are text");
	is_str(plain_text("bad \xff"), "", "invalid UTF-8 gives nothing");
}

static void test_basics(void)
{
	is_str(render(""), "", "empty body renders nothing");
	is_str(render("*em* **strong** _u_ __uu__"),
	       "<p><em>em</em> <strong>strong</strong> <em>u</em> <strong>uu</strong></p>\n",
	       "emphasis and strong");
	is_str(render("- a\n- b\n"), "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n", "bullet list");
	is_str(render("3. c\n4. d\n"), "<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n",
	       "ordered list keeps its start");
	is_str(render("a `x < y && z` b"), "<p>a <code>x &lt; y &amp;&amp; z</code> b</p>\n",
	       "code span is escaped");
	is_str(render("```c\nif (a<b) {}\n```\n"),
	       "<pre><code class=\"language-c\">if (a&lt;b) {}\n</code></pre>\n",
	       "fenced code block is escaped and keeps its language");
	is_str(render("> quoted\n> text\n"), "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>\n",
	       "blockquote");
	is_str(render("a\n\n---\n\nb  \nc"), "<p>a</p>\n<hr />\n<p>b<br />\nc</p>\n",
	       "thematic break and hard line break");
	is_str(render("\"Hi\" -- she said --- 'ok'..."),
	       "<p>\xE2\x80\x9CHi\xE2\x80\x9D \xE2\x80\x93 she said \xE2\x80\x94 "
	       "\xE2\x80\x98ok\xE2\x80\x99\xE2\x80\xA6</p>\n",
	       "smart punctuation: curly quotes, en and em dash, ellipsis");
	is_str(render("AT&T <3 5 > 4"), "<p>AT&amp;T &lt;3 5 &gt; 4</p>\n",
	       "text special characters are escaped");
}

static void test_headings(void)
{
	is_str(render("# One"), "<h2>One</h2>\n", "# becomes h2 (never a second h1)");
	is_str(render("## Two"), "<h2>Two</h2>\n", "## is h2, the first level under the title");
	is_str(render("### Three"), "<h3>Three</h3>\n", "### is h3");
	is_str(render("#### Four"), "<h4>Four</h4>\n", "#### is h4");
	is_str(render("##### Five"), "<h5>Five</h5>\n", "##### is h5");
	is_str(render("###### Six"), "<h6>Six</h6>\n", "###### is h6");
	is_str(render("Setext\n======\n\nTwo\n---\n"), "<h2>Setext</h2>\n<h2>Two</h2>\n",
	       "setext headings: both levels are sections");
	ok(!has(render("# a\n## b\n### c\n#### d\n##### e\n###### f\n"), "<h1"),
	   "no <h1> ever in a body");
}

static void test_gfm(void)
{
	is_str(render("| a | b |\n|:--|--:|\n| 1 | 2 |\n"),
	       "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n"
	       "</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n"
	       "<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n",
	       "table with alignment");
	is_str(render("| a |\n|---|\n| [x](http://e.com) [y](/y) |\n"),
	       "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
	       "<td><a href=\"http://e.com\" rel=\"nofollow noopener\">x</a> "
	       "<a href=\"/y\">y</a></td>\n</tr>\n</tbody>\n</table>\n",
	       "links inside table cells keep their <a> and rel");
	is_str(render("~~gone~~ and ~~**bold gone**~~"),
	       "<p><del>gone</del> and <del><strong>bold gone</strong></del></p>\n",
	       "double-tilde strikethrough");
	is_str(render("walk ~5 km to ~10 km"), "<p>walk ~5 km to ~10 km</p>\n",
	       "single tildes in prose are not strikethrough");
	is_str(render("see www.example.com now"),
	       "<p>see <a href=\"http://www.example.com\" rel=\"nofollow noopener\">"
	       "www.example.com</a> now</p>\n",
	       "autolink: www.");
	is_str(render("at https://example.org/a?b=1&c=2."),
	       "<p>at <a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener\">"
	       "https://example.org/a?b=1&amp;c=2</a>.</p>\n",
	       "autolink: bare URL, trailing period left out");
	is_str(render("mail me@example.com"),
	       "<p>mail <a href=\"mailto:me@example.com\">me@example.com</a></p>\n",
	       "autolink: e-mail, no rel");
	is_str(render("<https://a.example/x>"),
	       "<p><a href=\"https://a.example/x\" rel=\"nofollow noopener\">"
	       "https://a.example/x</a></p>\n",
	       "CommonMark autolink");

	const char *fn = render("Claim.[^1]\n\n[^1]: Source *here*.\n");
	ok(has(fn, "<p>Claim.<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\""),
	   "footnote reference rendered as a superscript link");
	ok(has(fn, "<section class=\"footnotes\"") && has(fn, "<li id=\"fn-1\">") &&
	   has(fn, "Source <em>here</em>.") && has(fn, "href=\"#fnref-1\""),
	   "footnote definition rendered at the end with a back link");
	ok(!render_problem("Claim.[^1]\n\n[^1]: Source *here*.\n"), "footnote HTML passes the checker");
	fn = render("x[^a\"><script>]\n\n[^a\"><script>]: y\n");
	ok(!has_nocase(fn, "<script") && !md_html_problem(fn, strlen(fn)),
	   "hostile footnote label is escaped");
}

static void test_links(void)
{
	is_str(render("[a](https://e.com/p \"T\")"),
	       "<p><a href=\"https://e.com/p\" rel=\"nofollow noopener\" title=\"T\">a</a></p>\n",
	       "absolute https link gets rel and keeps title");
	is_str(render("[a](http://e.com)"),
	       "<p><a href=\"http://e.com\" rel=\"nofollow noopener\">a</a></p>\n",
	       "absolute http link gets rel");
	is_str(render("[a](HTTPS://e.com)"),
	       "<p><a href=\"HTTPS://e.com\" rel=\"nofollow noopener\">a</a></p>\n",
	       "scheme is matched without regard to case");
	is_str(render("[a](//e.com/x)"),
	       "<p><a href=\"//e.com/x\" rel=\"nofollow noopener\">a</a></p>\n",
	       "protocol-relative link counts as absolute");
	is_str(render("[a](/about) [b](../x#y) [c](#top) [d](?q=1)"),
	       "<p><a href=\"/about\">a</a> <a href=\"../x#y\">b</a> <a href=\"#top\">c</a> "
	       "<a href=\"?q=1\">d</a></p>\n",
	       "relative links have no rel");
	is_str(render("[m](mailto:a@b.example)"), "<p><a href=\"mailto:a@b.example\">m</a></p>\n",
	       "mailto link kept without rel");
	is_str(render("[a](/x?q=\"><script>)"),
	       "<p><a href=\"/x?q=%22%3E%3Cscript%3E\">a</a></p>\n",
	       "quotes and angle brackets in a URL are encoded");
	is_str(render("[a](/p \"t\\\" onmouseover=\\\"x\")"),
	       "<p><a href=\"/p\" title=\"t&quot; onmouseover=&quot;x\">a</a></p>\n",
	       "quotes in a title cannot open an attribute");
	is_str(render("[<scr@ipt>x](/p) [a <http://b.example> c](/q)"),
	       "<p><a href=\"/p\">scr@iptx</a> <a href=\"/q\">a http://b.example c</a></p>\n",
	       "autolinks inside link text lose their tag: no <a> in <a> (found by fuzzing)");
	is_str(render("[see[^1] it](/x) end\n\n[^1]: n\n"),
	       "<p><a href=\"/x\">see it</a><sup class=\"footnote-ref\"><a href=\"#fn-1\" "
	       "id=\"fnref-1\" data-footnote-ref>1</a></sup> end</p>\n"
	       "<section class=\"footnotes\" data-footnotes>\n<ol>\n<li id=\"fn-1\">\n"
	       "<p>n <a href=\"#fnref-1\" class=\"footnote-backref\" data-footnote-backref "
	       "aria-label=\"Back to content\">\xE2\x86\xA9</a></p>\n</li>\n</ol>\n</section>\n",
	       "a footnote reference in link text moves after the link");
	is_str(render("[x][r]\n\n[r]: https://e.com \"t\"\n"),
	       "<p><a href=\"https://e.com\" rel=\"nofollow noopener\" title=\"t\">x</a></p>\n",
	       "reference link");
}

/* Each of these must lose its link entirely and keep only the text "x". */
static const char *const bad_links[] = {
	"[x](javascript:alert(1))",
	"[x](JaVaScRiPt:alert(1))",
	"[x](<java\tscript:alert(1)>)",
	"[x](<  javascript:alert(1)>)",
	"[x](<\x01javascript:alert(1)>)",
	"[x](&#106;avascript:alert(1))",
	"[x](&#x6A;avascript&#x3A;alert(1))",
	"[x](javascript&colon;alert(1))",
	"[x](jav&#x09;ascript:alert(1))",
	"[x](javascript\\:alert(1))",
	"[x](\\javascript:alert(1))",
	"[x](<\tjavascript:alert(1)>)",
	"[x](vbscript:msgbox(1))",
	"[x](VBScript:msgbox(1))",
	"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
	"[x](DATA:text/html,<script>alert(1)</script>)",
	"[x](data:image/png;base64,iVBORw0KGgo=)",
	"[x](file:///etc/passwd)",
	"[x](%6Aavascript:alert(1))",
	"[x][r]\n\n[r]: javascript:alert(1)\n",
	"[x][r]\n\n[r]: <java\tscript:alert(1)>\n",
};

static void test_bad_links(void)
{
	for (size_t i = 0; i < sizeof bad_links / sizeof bad_links[0]; i++)
		is_str(render(bad_links[i]), "<p>x</p>\n", "link refused: %s", printable(bad_links[i]));

	const char *out = render("<javascript:alert(1)> <vbscript:x> <data:text/html,x>");
	ok(!has(out, "<a") && !has_nocase(out, "href"), "autolinks with bad schemes refused");
	ok(!md_html_problem(out, strlen(out)), "refused autolinks pass the checker");
	is_str(render("[*a* `b`](javascript:x)"), "<p><em>a</em> <code>b</code></p>\n",
	       "a refused link keeps its formatted text");
	is_str(render("[![i](/i.png)](javascript:x)"), "<p><img src=\"/i.png\" alt=\"i\" /></p>\n",
	       "an image inside a refused link stays");
	is_str(render("[x](<\x1bht\x1btp://e.com>)"), "<p>x</p>\n",
	       "control bytes inside an allowed scheme refuse the link (found by fuzzing)");
	is_str(render("[x](/a:b) [y](?q=javascript:1) [z](#javascript:1)"),
	       "<p><a href=\"/a:b\">x</a> <a href=\"?q=javascript:1\">y</a> "
	       "<a href=\"#javascript:1\">z</a></p>\n",
	       "a colon after '/', '?' or '#' is not a scheme");
}

static const char *const bad_images[] = {
	"![x](javascript:alert(1))",
	"![x](JaVaScRiPt:alert(1))",
	"![x](<java\tscript:alert(1)>)",
	"![x](&#106;avascript:alert(1))",
	"![x](vbscript:x)",
	"![x](data:text/html,<script>alert(1)</script>)",
	"![x](data:image/png;base64,iVBORw0KGgo=)",
	"![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
	"![x](mailto:a@b.c)",
	"![x](file:///etc/passwd)",
	"![x](photo:12)",
	"![x]()",
};

static void test_images(void)
{
	is_str(render("![a cat](https://e.com/c.jpg \"T\")"),
	       "<p><img src=\"https://e.com/c.jpg\" alt=\"a cat\" title=\"T\" /></p>\n",
	       "https image kept");
	is_str(render("![a](http://e.com/a.png) ![b](/m/b.png) ![c](c.png) ![d](//cdn/d.png)"),
	       "<p><img src=\"http://e.com/a.png\" alt=\"a\" /> <img src=\"/m/b.png\" alt=\"b\" /> "
	       "<img src=\"c.png\" alt=\"c\" /> <img src=\"//cdn/d.png\" alt=\"d\" /></p>\n",
	       "http, relative and protocol-relative images kept");
	is_str(render("![*alt* `t` 5 > 4 & 3](/i.png)"),
	       "<p><img src=\"/i.png\" alt=\"alt t 5 &gt; 4 &amp; 3\" /></p>\n",
	       "alt text is plain and escaped");
	for (size_t i = 0; i < sizeof bad_images / sizeof bad_images[0]; i++)
		is_str(render(bad_images[i]), "<p>x</p>\n", "image refused: %s", printable(bad_images[i]));
	is_str(render("![*x*](javascript:y)"), "<p><em>x</em></p>\n",
	       "a refused image becomes its alt text");
}

static void test_raw_html(void)
{
	const char *out = render("<script>alert(1)</script>\n\nafter");
	ok(!has_nocase(out, "<script") && !has(out, "alert"), "<script> block removed");
	is_str(out, "<p>after</p>\n", "text after a removed block stays");

	out = render("a <script>alert(1)</script> b");
	ok(!has_nocase(out, "<script"), "inline <script> removed: %s", out);

	out = render("<img src=x onerror=alert(1)>");
	ok(!has(out, "<img") && !has(out, "onerror"), "<img onerror> removed");

	out = render("x <img src=x onerror=alert(1)> y");
	is_str(out, "<p>x  y</p>\n", "inline <img onerror> removed");

	out = render("<iframe src=\"https://evil.example\"></iframe>");
	ok(!has(out, "<iframe") && !has(out, "evil"), "<iframe> removed");

	is_str(render("a <b onclick=\"steal()\">bold</b> c"), "<p>a bold c</p>\n",
	       "inline <b onclick> removed, text kept");
	is_str(render("<!-- hidden --> <?php echo 1; ?> <![CDATA[x]]> <!DOCTYPE html>"),
	       "", "comments, processing instructions, CDATA and declarations removed");
	is_str(render("<div>\n\n*md*\n\n</div>"), "<p><em>md</em></p>\n",
	       "block HTML removed, Markdown inside it kept");
	is_str(render("<style>p{}</style>\n\n<textarea>x</textarea>\n\n<plaintext>"),
	       "<p>x</p>\n", "tagfilter's tags removed as well (inline ones keep their text)");
	is_str(render("<a href=\"javascript:x\">t</a>"), "<p>t</p>\n", "raw <a> removed");
	is_str(render("`<script>` and\n\n    <script>\n"),
	       "<p><code>&lt;script&gt;</code> and</p>\n<pre><code>&lt;script&gt;\n</code></pre>\n",
	       "tags in code are shown escaped");

	static const char *const mixed =
		"# T\n\n<script>x</script>\n\n> <b onmouseover=x>q</b> [a](javascript:1)\n\n"
		"| <i>c</i> | ![i](data:x) |\n|--|--|\n| <svg onload=x> | [b](http://b) |\n\n"
		"- <details open ontoggle=x>\n- ~~<u>s</u>~~[^n]\n\n[^n]: <img src=x onerror=y>\n";
	ok(!render_problem(mixed), "mixed hostile document passes the checker: %s",
	   render_problem(mixed) ? render_problem(mixed) : "");
}

static void test_checker(void)
{
	/* The checker must itself catch what it is there to catch. */
	static const char *const bad[] = {
		"<script>x</script>", "<p onclick=\"x\">a</p>", "<p>a", "<p>a</em>",
		"<a href=\"javascript:x\">a</a>", "<a href=\"  JaVa&#83;cript:x\">a</a>",
		"<a href=\"&#106;avascript:x\">a</a>", "<img src=\"data:image/png,x\" />",
		"<a href=\"http://x\">a</a>", "<a href=\"/x\" rel=\"nofollow noopener\">a</a>",
		"<h1>t</h1>", "a > b", "a & b", "<p title=\"a<b\">x</p>",
		"<a href=\"/a\"><a href=\"/b\">x</a></a>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ok(md_html_problem(bad[i], strlen(bad[i])) != NULL, "checker rejects %s", bad[i]);
	const char *good = "<p><a href=\"https://x\" rel=\"nofollow noopener\">a</a> &amp; <br /></p>\n";
	ok(md_html_problem(good, strlen(good)) == NULL, "checker accepts good HTML");
}

static enum md_image_verdict photo_hook(void *ctx, const char *url, struct buf *rewritten)
{
	int *calls = ctx;
	(*calls)++;
	if (strncmp(url, "photo:", 6) == 0) {
		buf_adds(rewritten, "/media/");
		buf_add_urlenc(rewritten, url + 6, strlen(url + 6));
		return MD_IMAGE_REWRITE;
	}
	if (strcmp(url, "evil") == 0) {
		buf_adds(rewritten, "javascript:alert(1)");
		return MD_IMAGE_REWRITE;
	}
	if (strcmp(url, "huge") == 0 || strcmp(url, "max") == 0) {
		for (int i = 0; i < MD_URL_MAX; i++)
			buf_addch(rewritten, 'a');
		if (url[0] == 'h')
			buf_addch(rewritten, 'a');
		return MD_IMAGE_REWRITE;
	}
	if (strcmp(url, "/refused.png") == 0)
		return MD_IMAGE_REFUSE;
	return MD_IMAGE_DEFAULT;
}

static const char *render_hook(const char *s, int *calls)
{
	struct md_options opts = {.image = photo_hook, .image_ctx = calls};
	buf_release(&html);
	buf_init(&html, 0);
	if (md_render_opts(s, strlen(s), &opts, &html) != MD_OK)
		return "(error)";
	return buf_str(&html);
}

static void test_image_hook(void)
{
	int calls = 0;
	is_str(render_hook("![me](photo:42 \"t\") ![b](/b.png)", &calls),
	       "<p><img src=\"/media/42\" alt=\"me\" title=\"t\" /> "
	       "<img src=\"/b.png\" alt=\"b\" /></p>\n",
	       "hook rewrites photo: URLs, others keep the default policy");
	ok(calls == 2, "hook called once per image (%d)", calls);
	is_str(render_hook("![a](evil)", &calls), "<p>a</p>\n",
	       "a hook cannot produce a javascript: image");
	is_str(render_hook("![a](huge)", &calls), "<p>a</p>\n",
	       "a rewrite longer than MD_URL_MAX is refused");
	ok(has(render_hook("![a](max)", &calls), "<img src=\"aaaa"),
	   "a rewrite of exactly MD_URL_MAX bytes is used");
	is_str(render_hook("![a](/refused.png)", &calls), "<p>a</p>\n", "hook can refuse an image");
	is_str(render_hook("![a](javascript:x)", &calls), "<p>a</p>\n",
	       "default policy still applies with a hook");
	is_str(render_hook("[l](photo:1)", &calls), "<p>l</p>\n", "the hook is for images, not links");
}

static void test_limits(void)
{
	struct buf out;
	buf_init(&out, 0);
	buf_adds(&out, "keep");
	char *big = malloc(MD_MAX_BYTES + 1);
	memset(big, 'a', MD_MAX_BYTES + 1);
	ok(md_render(big, MD_MAX_BYTES + 1, &out) == MD_TOO_LARGE, "body over MD_MAX_BYTES refused");
	is_str(buf_str(&out), "keep", "out unchanged after MD_TOO_LARGE");
	ok(!buf_failed(&out), "out not marked failed by a refused body");
	ok(md_render(big, MD_MAX_BYTES, &out) == MD_OK, "body of exactly MD_MAX_BYTES accepted");
	ok(out.len == 4 + MD_MAX_BYTES + 8, "and rendered (%zu bytes)", out.len);
	free(big);
	buf_release(&out);

	buf_init(&out, 16);
	buf_adds(&out, "keep");
	ok(md_render("a long enough paragraph", 23, &out) == MD_TOO_LARGE,
	   "HTML over out's cap is MD_TOO_LARGE");
	is_str(buf_str(&out), "keep", "out unchanged when the HTML does not fit");
	ok(md_render("short", 5, &out) == MD_TOO_LARGE && !strcmp(buf_str(&out), "keep"),
	   "\"<p>short</p>\\n\" is 13 bytes, does not fit in the 12 left");
	ok(md_render("sh", 2, &out) == MD_OK && !strcmp(buf_str(&out), "keep<p>sh</p>\n"),
	   "exactly filling the cap is fine");
	buf_release(&out);
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A table of cols columns and rows one-cell rows (padded by GFM). */
static void make_table(struct buf *b, size_t cols, size_t rows, const char *eol)
{
	for (size_t i = 0; i < cols; i++)
		buf_adds(b, "|h");
	buf_addf(b, "|%s", eol);
	for (size_t i = 0; i < cols; i++)
		buf_adds(b, "|-");
	buf_addf(b, "|%s", eol);
	for (size_t i = 0; i < rows; i++)
		buf_addf(b, "|c|%s", eol);
}

static void test_table_limits(void)
{
	struct buf src, out;
	buf_init(&src, 0);
	buf_init(&out, 0);

	make_table(&src, 20, 200, "\n");
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<table>") &&
	   !md_html_problem(out.data, out.len), "20 x 200 table (4,000 cells) is a table");

	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, 10, 3, "\r\n");
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<td>c</td>\n<td></td>"),
	   "CRLF table is a table, short rows padded");

	/* 200 columns over 1,000 one-cell rows: 200,000 padded cells, about
	 * 2 MB of HTML from 5 KB, if tables were on. */
	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, 200, 1000, "\n");
	ok(md_render(src.data, src.len, &out) == MD_OK, "padding bomb renders");
	ok(!has(buf_str(&out), "<table") && out.len < 2 * src.len,
	   "padding bomb over MD_TABLE_MAX_FILL is left as text (%zu bytes of HTML)", out.len);

	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, 100, 600, "\n");
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<table"),
	   "100 columns over 600 one-cell rows (59,400 padded cells) is a table");
	buf_reset(&out);
	buf_adds(&src, "\n");
	make_table(&src, 100, 600, "\n");
	ok(md_render(src.data, src.len, &out) == MD_OK && !has(buf_str(&out), "<table"),
	   "padding of several tables adds up past MD_TABLE_MAX_FILL");

	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, 3, 0, "\n");
	for (int i = 0; i < 5000; i++)
		buf_adds(&src, "| - | - | - |\n");
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<td>-</td>"),
	   "5,000 rows that look like delimiter rows are still table rows");

	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, 200, 0, "\n");
	for (int i = 0; i < 1000; i++) {
		for (int k = 0; k < 200; k++)
			buf_adds(&src, "|c");
		buf_adds(&src, "|\n");
	}
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<table"),
	   "200 x 1,000 table written out in full (no padding) is a table");

	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, 200, 0, "\n");
	for (int i = 0; i < 1000; i++) {
		for (int k = 0; k < 200; k++)
			buf_adds(&src, "\\|");
		buf_adds(&src, "\n");
	}
	ok(md_render(src.data, src.len, &out) == MD_OK && !has(buf_str(&out), "<table"),
	   "escaped pipes do not count as cells");

	/* Blank lines end tables: the padding of many tables adds up, and
	 * nothing else does (50 x 29 x 30 = 43,500 padded cells). */
	buf_reset(&src);
	buf_reset(&out);
	for (int i = 0; i < 50; i++) {
		make_table(&src, 30, 30, "\n");
		buf_adds(&src, "\n");
	}
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<table") &&
	   !has(buf_str(&out), "<p>|"),
	   "50 tables of 30 columns over 30 one-cell rows are all tables");

	/* A 40,000-cell header row over a delimiter row takes cmark seconds. */
	buf_reset(&src);
	buf_reset(&out);
	for (int i = 0; i < 40000; i++)
		buf_addch(&src, '|');
	buf_adds(&src, "\n|-|\n");
	double t0 = seconds();
	ok(md_render(src.data, src.len, &out) == MD_OK, "wide header renders");
	double dt = seconds() - t0;
	ok(dt < 1.0, "wide header over MD_TABLE_MAX_PIPES is fast (%.3f s)", dt);

	buf_reset(&src);
	buf_reset(&out);
	make_table(&src, MD_TABLE_MAX_PIPES - 1, 1, "\n");
	ok(md_render(src.data, src.len, &out) == MD_OK && has(buf_str(&out), "<table"),
	   "header of MD_TABLE_MAX_PIPES pipes is still a table");
	buf_release(&src);
	buf_release(&out);
}

static void test_utf8(void)
{
	static const struct {
		const char *s;
		size_t n;
		const char *what;
	} bad[] = {
		{"a\xff", 2, "0xFF byte"},
		{"\xc0\xaf", 2, "overlong /"},
		{"\xe2\x82", 2, "truncated sequence"},
		{"\xed\xa0\x80", 3, "UTF-16 surrogate"},
		{"\xf4\x90\x80\x80", 4, "above U+10FFFF"},
		{"a\0b", 3, "NUL byte"},
		{"[x](/\x80)", 7, "bad byte inside a URL"},
	};
	struct buf out;
	buf_init(&out, 0);
	buf_adds(&out, "keep");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ok(md_render(bad[i].s, bad[i].n, &out) == MD_BAD_UTF8, "MD_BAD_UTF8: %s", bad[i].what);
	}
	is_str(buf_str(&out), "keep", "out unchanged after MD_BAD_UTF8");
	buf_release(&out);
	is_str(render("caf\xc3\xa9 \xf0\x9f\x98\x80 [\xc3\xa9](/\xc3\xa9)"),
	       "<p>caf\xc3\xa9 \xf0\x9f\x98\x80 <a href=\"/%C3%A9\">\xc3\xa9</a></p>\n",
	       "valid UTF-8 passes, URLs are percent-encoded");
	ok(strcmp(md_strerror(MD_OK), md_strerror(MD_TOO_LARGE)) != 0 &&
	   strcmp(md_strerror(MD_TOO_LARGE), md_strerror(MD_BAD_UTF8)) != 0 &&
	   md_strerror((enum md_err)99) != NULL, "md_strerror gives distinct messages");
}

static void test_excerpt(void)
{
	is_str(excerpt("# Title\n\nHello **world**, this is *it*.\n\n```\ncode()\n```\n", 100),
	       "Hello world, this is it.", "markup, headings and code blocks removed");
	is_str(excerpt("A [link](https://e.com) and ![img](/i.png) `code` <b>x</b>\n\n"
		       "<div>\nhtml\n</div>\n\n| t |\n|---|\n| cell |\n\nEnd.[^1]\n\n[^1]: note\n", 100),
	       "A link and code x End.",
	       "link text kept; URLs, images, raw HTML, tables and footnotes dropped");
	is_str(excerpt("- one\n- two\n\n> quote\nline", 100), "one two quote line",
	       "lists and quotes flattened with single spaces");
	is_str(excerpt("\"Smart\" -- quotes", 100), "\xE2\x80\x9CSmart\xE2\x80\x9D \xE2\x80\x93 quotes",
	       "excerpt has smart punctuation like the page");
	is_str(excerpt("Hello **world**, this is a *long* sentence.", 20), "Hello world, this\xE2\x80\xA6",
	       "cut at a word boundary with an ellipsis");
	is_str(excerpt("one two three", 13), "one two three", "text that fits is not cut");
	is_str(excerpt("one two three", 12), "one two\xE2\x80\xA6", "one code point short: cut");
	is_str(excerpt("one two, three", 13), "one two\xE2\x80\xA6",
	       "trailing comma dropped before the ellipsis");
	is_str(excerpt("abcdefghijkl", 5), "abcd\xE2\x80\xA6", "one long word is cut mid-word");
	is_str(excerpt("\xc3\xa9t\xc3\xa9 \xc3\xa0 \xc3\xa9t\xc3\xa9 ici", 8),
	       "\xc3\xa9t\xc3\xa9 \xc3\xa0\xE2\x80\xA6", "max counts code points, not bytes");
	is_str(excerpt("anything", 0), "", "max 0 gives nothing");
	is_str(excerpt("a\xff", 10), "", "invalid UTF-8 gives nothing");
	is_str(excerpt("   \n\n  ", 10), "", "blank body gives nothing");

	struct buf out;
	buf_init(&out, 0);
	char *big = malloc(MD_MAX_BYTES + 100);
	memset(big, 'w', MD_MAX_BYTES + 100);
	memcpy(big, "Start here. ", 12);
	md_excerpt(big, MD_MAX_BYTES + 100, 8, &out);
	is_str(buf_str(&out), "Start\xE2\x80\xA6", "over-long body: excerpt from its start");
	free(big);
	buf_release(&out);

	const char *e = excerpt("word word word word word word word word word word word", 30);
	ok(!md_excerpt_problem(e, strlen(e), 30), "excerpt within max and tidy: %s", e);
}

#define THREADS 4
#define ROUNDS 150

static const char *thread_doc = "~~gone~~ see www.example.com and ~~x~~ | [a](http://a)\n";

static void *thread_run(void *arg)
{
	const char *want = arg;
	long bad = 0;
	for (int i = 0; i < ROUNDS; i++) {
		struct buf out;
		buf_init(&out, 0);
		if (md_render(thread_doc, strlen(thread_doc), &out) != MD_OK ||
		    strcmp(buf_str(&out), want) != 0)
			bad++;
		buf_release(&out);
	}
	return (void *)bad;
}

static void test_threads(void)
{
	const char *want =
		"<p><del>gone</del> see <a href=\"http://www.example.com\" rel=\"nofollow noopener\">"
		"www.example.com</a> and <del>x</del> | <a href=\"http://a\" rel=\"nofollow noopener\">"
		"a</a></p>\n";
	is_str(render(thread_doc), want, "reference rendering for the thread test");
	pthread_t t[THREADS];
	long bad = 0;
	for (int i = 0; i < THREADS; i++)
		ok(pthread_create(&t[i], NULL, thread_run, (void *)want) == 0, "thread %d started", i);
	for (int i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	ok(bad == 0, "%d threads x %d renders all identical (%ld differed)", THREADS, ROUNDS, bad);
}

int main(void)
{
	buf_init(&html, 0);
	test_basics();
	test_headings();
	test_gfm();
	test_links();
	test_bad_links();
	test_images();
	test_raw_html();
	test_checker();
	test_image_hook();
	test_limits();
	test_table_limits();
	test_utf8();
	test_excerpt();
	test_plain_text();
	test_threads();
	buf_release(&html);
	return tap_done();
}
