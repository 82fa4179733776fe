/* test_muted.c - Unicode folding and whole-word matching of muted words. */
#include "responses/muted.h"
#include "responses/responses_int.h"
#include "tap.h"

#include <string.h>

/* As the server decides: the response body rendered the way readers get
 * it, then matched on its visible text. */
static int seen(const char *phrase, const char *body)
{
	struct arena a;
	arena_init(&a);
	const char *list[1] = {phrase};
	const char *html = NULL;
	int r = response_render(&a, body, &html) == RESP_OK &&
		muted_match_html(&a, html, strlen(html), list, 1);
	arena_release(&a);
	return r;
}

static const char *visible(struct arena *a, const char *html)
{
	return muted_visible_text(a, html, strlen(html));
}

static int m(const char *phrase, const char *text)
{
	struct arena a;
	arena_init(&a);
	const char *list[1] = {phrase};
	int r = muted_match(&a, text, strlen(text), list, 1);
	arena_release(&a);
	return r;
}

int main(void)
{
	struct arena a;
	arena_init(&a);
	is_str(muted_fold(&a, "UGLY", 4), "ugly", "case folded");
	is_str(muted_fold(&a, "ugl\xc3\xbd", 5), "ugly", "accent stripped (precomposed)");
	is_str(muted_fold(&a, "ugly\xcc\x81", 6), "ugly", "combining mark stripped");
	is_str(muted_fold(&a, "\xef\xbc\xb5\xef\xbc\xa7\xef\xbc\xac\xef\xbc\xb9", 12), "ugly",
	       "fullwidth folded by compatibility");
	is_str(muted_fold(&a, "  go \t\n away  ", 14), "go away", "white space runs collapse, ends trimmed");
	is_str(muted_fold(&a, "Stra\xc3\x9f" "e", 7), "strasse", "sharp s case-folds to ss");
	ok(muted_fold(&a, "\xff", 1) == NULL, "invalid UTF-8 refused");
	arena_release(&a);

	ok(m("ugly", "UGLY truth"), "upper case matches");
	ok(m("ugly", "so Ugly."), "title case with punctuation matches");
	ok(m("ugly", "ugl\xc3\xbd"), "accented matches");
	ok(m("ugly", "\xef\xbc\xb5\xef\xbc\xa7\xef\xbc\xac\xef\xbc\xb9!"), "fullwidth matches");
	ok(!m("ugly", "smugly"), "no match inside a word (prefix)");
	ok(!m("ugly", "uglyish"), "no match inside a word (suffix)");
	ok(!m("ugly", "ugly_name"), "underscore joins words");
	ok(m("ugly", "smugly but ugly"), "a later whole-word occurrence matches");
	ok(m("go  away", "just GO\tAWAY\nnow"), "phrase with white space runs");
	ok(!m("go away", "go awayward"), "phrase needs a word boundary at its end");
	ok(!m("", "anything"), "empty phrase never matches");
	ok(!m("   ", "anything"), "blank phrase never matches");
	ok(m("caf\xc3\xa9", "CAFE"), "accent on the phrase side is folded too");
	ok(!m("ugly", ""), "empty text");

	/* Issue 14, item 4: invisible characters and markup do not hide a
	 * muted word from the filter when readers would see it. */
	ok(m("badword", "a bad\xe2\x80\x8bword here"), "zero-width space removed");
	ok(m("badword", "bad\xc2\xadword"), "soft hyphen removed");
	ok(m("badword", "bad\xe2\x81\xa0word"), "word joiner removed");
	ok(m("badword", "bad\xe2\x80\x8dword and bad\xe2\x80\x8cword"), "ZWJ / ZWNJ removed");
	ok(m("badword", "bad\xe2\x80\xaeword"), "bidi override removed");
	ok(m("badword", "bad\xe2\x81\xa6word\xe2\x81\xa9"), "bidi isolates removed");
	ok(m("badword", "\xef\xbb\xbf" "badword"), "BOM removed");
	ok(m("bad\xe2\x80\x8bword", "badword"), "the phrase side is cleaned the same way");
	ok(seen("badword", "b&#97;dword"), "decimal character reference decoded");
	ok(seen("badword", "b&#x61;dword"), "hex character reference decoded");
	ok(seen("badword", "bad<!-- -->word"), "HTML comment removed");
	ok(seen("badword", "bad<span>word</span>"), "raw inline HTML removed");
	ok(seen("badword", "bad**word**"), "emphasis joins what readers see as one word");
	ok(seen("badword", "[badword](https://example.com/)"), "link text is seen");
	ok(seen("ugly", "so &amp; ugly"), "named references decoded");
	ok(!seen("badword", "bad\n\nword"), "two paragraphs are two words");
	ok(!seen("badword", "- bad\n- word"), "two list items are two words");
	ok(!seen("badword", "harmless words"), "clean text stays visible");
	{
		struct arena b;
		arena_init(&b);
		is_str(visible(&b, "<p>a &lt;b&gt; &quot;c&quot; &#39;d&#39;</p>\n<p>e</p>"),
		       "a <b> \"c\" 'd' \n e ", "visible text of rendered HTML");
		is_str(visible(&b, "x&#0;y&#xD800;z&#99999999;"), "x\xef\xbf\xbdy\xef\xbf\xbdz\xef\xbf\xbd",
		       "invalid references become U+FFFD");
		is_str(visible(&b, "a&bogus;b&#;c&#x;"), "a&bogus;b&#;c&#x;", "non-references stay as text");
		is_str(visible(&b, "<a href=\"x>y\">t</a>"), "t", "a '>' inside a quoted attribute");
		is_str(visible(&b, "a<!-- never closed"), "a", "unclosed comment");
		arena_release(&b);
	}
	return tap_done();
}
