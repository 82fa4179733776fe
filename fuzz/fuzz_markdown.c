/*
 * fuzz_markdown.c - libFuzzer target for the Markdown renderer
 * (src/stories/markdown.h): md_render_opts() with an image hook, and
 * md_excerpt().
 *
 * Beyond crashes and sanitizer reports it aborts when a result breaks a
 * promise of markdown.h. md_html_problem() below is an independent reading
 * of the HTML, not a copy of the renderer's logic: every tag and attribute
 * must be on a short allow-list (so no <script>, no <h1>, no on...=
 * handler), tags must nest and close, text must have its '<', '>' and '&'
 * escaped, href/src values (entities decoded, case and whitespace ignored)
 * may only use http(s), mailto (links) or no scheme, and exactly the
 * absolute http(s) links carry rel="nofollow noopener".
 *
 * tests/unit/test_markdown.c includes this file to run the same checks on
 * its own inputs. Build, from the repository root:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_markdown.c \
 *     src/stories/markdown.c src/core/{buf,mem,text,arena}.c \
 *     -lcmark-gfm-extensions -lcmark-gfm -lpthread -o fuzz_markdown
 *   ./fuzz_markdown -max_len=4096 -dict=fuzz/markdown.dict CORPUS_COPY fuzz/corpus/markdown
 * (max_len keeps the fuzzer off cmark-gfm's known quadratic inputs.)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/text.h"
#include "stories/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const html_tags[] = {
	"p", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "code", "pre",
	"a", "img", "br", "hr", "ul", "ol", "li", "blockquote", "table", "thead",
	"tbody", "tr", "th", "td", "section", "sup",
};
static const char *const html_void_tags[] = {"img", "br", "hr"};
static const char *const html_attrs[] = {
	"href", "title", "rel", "src", "alt", "id", "class", "align", "start",
	"aria-label", "data-footnotes", "data-footnote-ref", "data-footnote-backref",
};

static int html_find(const char *const *list, size_t count, const char *s, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && memcmp(list[i], s, n) == 0)
			return (int)i;
	return -1;
}
#define HTML_FIND(list, s, n) html_find(list, sizeof list / sizeof list[0], s, n)

static bool html_is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Length of a well-formed character reference at s[0..n) (s[0] == '&'),
 * or 0. */
static size_t html_entity_len(const char *s, size_t n)
{
	size_t i = 1;
	bool num = i < n && s[i] == '#';
	bool hex = false;
	if (num) {
		i++;
		hex = i < n && (s[i] == 'x' || s[i] == 'X');
		if (hex)
			i++;
	}
	size_t start = i;
	while (i < n && i - start < 32) {
		char c = s[i];
		bool digit = c >= '0' && c <= '9';
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		bool hexa = (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		if (!(digit || (hex && hexa) || (!num && alpha)))
			break;
		i++;
	}
	return i > start && i < n && s[i] == ';' ? i + 1 : 0;
}

/*
 * Decode the few references an attribute value can hold, drop bytes a
 * browser ignores in a scheme, lowercase, and return the scheme (up to
 * ':' before any '/', '?' or '#') in scheme[], or "" when there is none.
 */
static void html_url_scheme(const char *v, size_t n, char *scheme, size_t cap)
{
	char seen[64];
	size_t len = 0;
	scheme[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned c = (unsigned char)v[i];
		if (c == '&') {
			size_t e = html_entity_len(v + i, n - i);
			if (e > 2 && v[i + 1] == '#') {
				bool hex = v[i + 2] == 'x' || v[i + 2] == 'X';
				c = (unsigned)strtoul(v + i + (hex ? 3 : 2), NULL, hex ? 16 : 10);
			} else if (e == 5 && memcmp(v + i, "&amp;", 5) == 0) {
				c = '&';
			} else if (e) {
				c = '?';	/* any other named reference: not a scheme char */
			}
			if (e)
				i += e - 1;
		}
		if (c <= 0x20 || c == 0x7F)
			continue;
		if (c == '/' || c == '\\' || c == '?' || c == '#')
			return;
		if (c == ':') {
			/* A scheme too long to hold is reported by its start. */
			size_t k = len < cap - 1 ? len : cap - 1;
			memcpy(scheme, seen, k < sizeof seen ? k : sizeof seen);
			scheme[k] = '\0';
			return;
		}
		if (len < sizeof seen)
			seen[len] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		len++;
	}
}

/* True when v starts (ignoring spaces) with two slashes or backslashes. */
static bool html_url_netpath(const char *v, size_t n)
{
	size_t i = 0, seen = 0;
	for (; i < n && seen < 2; i++) {
		if ((unsigned char)v[i] <= 0x20)
			continue;
		if (v[i] != '/' && v[i] != '\\')
			return false;
		seen++;
	}
	return seen == 2;
}

/*
 * NULL when html[0..n) keeps every promise listed at the top of this file,
 * else a short description of the first broken one.
 */
static const char *md_html_problem(const char *h, size_t n)
{
	static char why[160];
	int *stack = malloc((n / 2 + 1) * sizeof *stack);
	size_t depth = 0, in_a = 0;
	const char *err = NULL;
	size_t i = 0;

	if (!utf8_valid(h, n))
		err = "not UTF-8";
	for (size_t k = 0; !err && k + 7 <= n; k++)
		if (h[k] == '<' && strncasecmp(h + k, "<script", 7) == 0)
			err = "<script";

	while (!err && i < n) {
		char c = h[i];
		if (c == '>') {
			err = "bare '>' in text";
			break;
		}
		if (c == '&') {
			size_t e = html_entity_len(h + i, n - i);
			if (!e)
				err = "bare '&' in text";
			i += e;
			continue;
		}
		if (c != '<') {
			i++;
			continue;
		}
		/* A tag. */
		i++;
		bool closing = i < n && h[i] == '/';
		if (closing)
			i++;
		size_t name = i;
		while (i < n && html_is_name(h[i]))
			i++;
		int tag = HTML_FIND(html_tags, h + name, i - name);
		if (tag < 0) {
			snprintf(why, sizeof why, "tag not allowed: <%s%.*s", closing ? "/" : "",
				 (int)(i - name < 20 ? i - name : 20), h + name);
			err = why;
			break;
		}
		bool is_a = strcmp(html_tags[tag], "a") == 0;
		bool is_void = HTML_FIND(html_void_tags, h + name, i - name) >= 0;
		if (closing) {
			if (i >= n || h[i] != '>') {
				err = "junk in closing tag";
			} else if (!depth || stack[depth - 1] != tag) {
				snprintf(why, sizeof why, "</%s> does not close the open tag",
					 html_tags[tag]);
				err = why;
			} else {
				depth--;
				if (is_a)
					in_a--;
			}
			i++;
			continue;
		}
		if (is_a && in_a) {
			err = "link inside link";
			break;
		}
		/* Attributes. */
		int web = -1;	/* a: href is absolute http(s) */
		bool rel_ok = false, has_rel = false;
		for (;;) {
			while (i < n && h[i] == ' ')
				i++;
			if (i >= n) {
				err = "unterminated tag";
				break;
			}
			if (h[i] == '>') {
				i++;
				break;
			}
			if (h[i] == '/' && i + 1 < n && h[i + 1] == '>') {
				if (!is_void)
					err = "self-closed non-void tag";
				i += 2;
				break;
			}
			size_t an = i;
			while (i < n && html_is_name(h[i]))
				i++;
			size_t alen = i - an;
			if (alen >= 2 && strncasecmp(h + an, "on", 2) == 0 &&
			    HTML_FIND(html_attrs, h + an, alen) < 0) {
				err = "event handler attribute";
				break;
			}
			if (!alen || HTML_FIND(html_attrs, h + an, alen) < 0) {
				snprintf(why, sizeof why, "attribute not allowed: %.*s",
					 (int)(alen < 20 ? alen : 20), h + an);
				err = why;
				break;
			}
			if (i >= n || h[i] != '=')
				continue;	/* boolean attribute */
			if (++i >= n || h[i] != '"') {
				err = "unquoted attribute value";
				break;
			}
			size_t v = ++i;
			while (i < n && h[i] != '"') {
				if (h[i] == '<' || h[i] == '>') {
					err = "'<' or '>' in attribute value";
					break;
				}
				if (h[i] == '&' && !html_entity_len(h + i, n - i)) {
					err = "bare '&' in attribute value";
					break;
				}
				i++;
			}
			if (err)
				break;
			if (i >= n) {
				err = "unterminated attribute value";
				break;
			}
			size_t vlen = i - v;
			i++;
			bool href = alen == 4 && memcmp(h + an, "href", 4) == 0;
			bool src = alen == 3 && memcmp(h + an, "src", 3) == 0;
			if (href || src) {
				char scheme[16];
				html_url_scheme(h + v, vlen, scheme, sizeof scheme);
				bool http = !strcmp(scheme, "http") || !strcmp(scheme, "https");
				if (*scheme && !http && !(href && !strcmp(scheme, "mailto"))) {
					snprintf(why, sizeof why, "%s with scheme '%s:'",
						 href ? "href" : "src", scheme);
					err = why;
					break;
				}
				if (src && !vlen) {
					err = "empty src";
					break;
				}
				if (href && is_a)
					web = http || html_url_netpath(h + v, vlen);
			}
			if (alen == 3 && memcmp(h + an, "rel", 3) == 0) {
				has_rel = true;
				rel_ok = vlen == 17 && memcmp(h + v, "nofollow noopener", 17) == 0;
			}
		}
		if (err)
			break;
		if (is_a && web == 1 && !rel_ok)
			err = "absolute link without rel=\"nofollow noopener\"";
		else if (has_rel && web != 1)
			err = "rel on a tag that is not an absolute link";
		else if (!is_void) {
			stack[depth++] = tag;
			if (is_a)
				in_a++;
		}
	}
	if (!err && depth) {
		snprintf(why, sizeof why, "<%s> left open", html_tags[stack[depth - 1]]);
		err = why;
	}
	free(stack);
	return err;
}

/* NULL when an excerpt is plain single-line text of at most max code points
 * with no leading, trailing or doubled spaces. */
static const char *md_excerpt_problem(const char *t, size_t n, size_t max)
{
	if (!utf8_valid(t, n))
		return "excerpt not UTF-8";
	if (utf8_count(t, n) > max)
		return "excerpt too long";
	if (n && (t[0] == ' ' || t[n - 1] == ' '))
		return "excerpt has outer spaces";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c < 0x20 || c == 0x7F)
			return "excerpt has control characters";
		if (c == ' ' && i + 1 < n && t[i + 1] == ' ')
			return "excerpt has doubled spaces";
	}
	return NULL;
}

/* photo:X -> /media/X; evil: tries to smuggle a script URL through the
 * hook (the renderer must refuse it); refuse: and long: are refused. */
static enum md_image_verdict fuzz_image_hook(void *ctx, const char *url,
					     struct buf *rewritten)
{
	(void)ctx;
	if (strncmp(url, "photo:", 6) == 0) {
		buf_adds(rewritten, "/media/");
		buf_add_urlenc(rewritten, url + 6, strlen(url + 6));
		return MD_IMAGE_REWRITE;
	}
	if (strncmp(url, "evil:", 5) == 0) {
		buf_adds(rewritten, " JavaScript:alert(1)");
		return MD_IMAGE_REWRITE;
	}
	if (strncmp(url, "long:", 5) == 0) {
		for (int i = 0; i < 300; i++)
			buf_adds(rewritten, "/abcdefghi");
		return MD_IMAGE_REWRITE;
	}
	if (strncmp(url, "refuse:", 7) == 0)
		return MD_IMAGE_REFUSE;
	return MD_IMAGE_DEFAULT;
}

static void fuzz_fail(const char *what, const char *detail, size_t n)
{
	fprintf(stderr, "fuzz_markdown: %s\n--- output ---\n%.*s\n---\n", what,
		(int)(n < 4000 ? n : 4000), detail);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "<p>before</p>\n";
	const char *src = (const char *)data;
	bool valid = utf8_valid(src, size);
	struct md_options opts = {.image = fuzz_image_hook, .image_ctx = NULL};
	struct buf out;

	buf_init(&out, 0);
	buf_adds(&out, prefix);
	enum md_err e = md_render_opts(src, size, &opts, &out);
	enum md_err want = size > MD_MAX_BYTES ? MD_TOO_LARGE : valid ? MD_OK : MD_BAD_UTF8;
	if (e != want)
		fuzz_fail(md_strerror(e), buf_str(&out), out.len);
	if (out.len < sizeof prefix - 1 || memcmp(out.data, prefix, sizeof prefix - 1) != 0)
		fuzz_fail("prefix changed", buf_str(&out), out.len);
	if (e != MD_OK && out.len != sizeof prefix - 1)
		fuzz_fail("output changed on error", buf_str(&out), out.len);
	if (e == MD_OK) {
		const char *why = md_html_problem(out.data, out.len);
		if (why)
			fuzz_fail(why, out.data, out.len);
	}
	buf_release(&out);

	size_t max = size ? data[size - 1] % 160 : 10;
	buf_init(&out, 0);
	md_excerpt(src, size, max, &out);
	if (!valid && out.len)
		fuzz_fail("excerpt of invalid UTF-8", buf_str(&out), out.len);
	const char *why = md_excerpt_problem(buf_str(&out), out.len, max);
	if (why)
		fuzz_fail(why, buf_str(&out), out.len);
	buf_release(&out);

	/* Search text: valid UTF-8, no NUL, nothing for invalid input. */
	buf_init(&out, 2 * MD_MAX_BYTES);
	md_text(src, size, &out);
	if (!valid && out.len)
		fuzz_fail("search text of invalid UTF-8", buf_str(&out), out.len);
	if (out.len && (!utf8_valid(buf_str(&out), out.len) || memchr(out.data, 0, out.len)))
		fuzz_fail("search text is not clean UTF-8", buf_str(&out), out.len);
	buf_release(&out);
	return 0;
}
