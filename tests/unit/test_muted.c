/* test_muted.c - Unicode folding and whole-word matching of muted words. */
#include "responses/muted.h"
#include "tap.h"

#include <string.h>

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
	return tap_done();
}
