/* test_core.c - arena, buf, UTF-8, slugs, word counts, ids, opened libraries,
 * the background threads' bell. */
#include "core/arena.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/dl.h"
#include "core/text.h"
#include "core/wake.h"
#include "tap.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int deferred_runs[3];
static int defer_order[3], defer_pos;

static void on_release(void *p)
{
	int *slot = p;
	(*slot)++;
	defer_order[defer_pos++] = (int)(slot - deferred_runs);
}

static void test_arena(void)
{
	struct arena a;
	arena_init(&a);
	char *p = arena_alloc(&a, 10);
	ok(p && ((uintptr_t)p % 16) == 0, "arena alloc is 16-byte aligned");
	ok(p[0] == 0 && p[9] == 0, "arena memory is zeroed");
	char *big = arena_alloc(&a, 100000);
	memset(big, 'x', 100000);
	char *after = arena_alloc(&a, 16);
	ok(after != NULL && a.total >= 100000 + 16, "large allocation gets its own block, total counted");
	is_str(arena_strndup(&a, "hello world", 5), "hello", "strndup copies n bytes");
	is_str(arena_printf(&a, "%d-%s", 42, "x"), "42-x", "printf formats");
	char *many = NULL;
	for (int i = 0; i < 10000; i++)
		many = arena_alloc(&a, 24);
	ok(many != NULL, "many small allocations");
	arena_defer(&a, on_release, &deferred_runs[0]);
	arena_defer(&a, on_release, &deferred_runs[1]);
	arena_release(&a);
	ok(deferred_runs[0] == 1 && deferred_runs[1] == 1, "destructors run once on release");
	ok(defer_order[0] == 1 && defer_order[1] == 0, "destructors run in reverse order");
	ok(a.head == NULL && a.total == 0, "release leaves an empty, reusable arena");
	arena_release(&a);
	ok(deferred_runs[0] == 1, "second release runs nothing again");
}

static void test_buf(void)
{
	struct buf b;
	buf_init(&b, 16);
	is_str(buf_str(&b), "", "empty buffer reads as empty string");
	buf_adds(&b, "0123456789");
	buf_addf(&b, "%s", "abcde");
	is_str(buf_str(&b), "0123456789abcde", "appends within the cap");
	ok(!buf_failed(&b), "no error within the cap");
	buf_adds(&b, "XY");
	ok(buf_failed(&b), "append past the cap sets too_large");
	is_str(buf_str(&b), "0123456789abcde", "contents unchanged by the failed append");
	buf_addch(&b, 'z');
	ok(b.len == 15, "later appends are ignored while failed (sticky)");
	buf_reset(&b);
	ok(!buf_failed(&b) && b.len == 0, "reset clears contents and error");
	buf_release(&b);

	buf_init(&b, 0);
	buf_add_html(&b, "<a href=\"x\">&'</a>", 18);
	is_str(buf_str(&b), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;", "html escaping");
	buf_reset(&b);
	buf_add_urlenc(&b, "a b/é~", 7);
	is_str(buf_str(&b), "a%20b%2F%C3%A9~", "url encoding");
	buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		buf_addch(&b, 'x');
	ok(b.len == 100000 && b.data[b.len] == '\0', "grows and stays NUL-terminated");
	size_t len;
	char *d = buf_detach(&b, &len);
	ok(len == 100000 && b.data == NULL, "detach hands over the memory");
	free(d);
	buf_release(&b);
}

static void test_utf8(void)
{
	ok(utf8_valid("héllo ✓ 😀", strlen("héllo ✓ 😀")), "valid UTF-8 accepted");
	ok(!utf8_valid("\xc3", 1), "truncated sequence rejected");
	ok(!utf8_valid("\xc0\xaf", 2), "overlong rejected");
	ok(!utf8_valid("\xed\xa0\x80", 3), "surrogate rejected");
	ok(!utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF rejected");
	ok(!utf8_valid("a\0b", 3), "NUL rejected");
	ok(!utf8_valid("\xff", 1), "0xFF rejected");
	ok(utf8_count("héllo", 6) == 5, "code point count");
	ok(text_has_controls("a\x01", 2, true), "control character detected");
	ok(!text_has_controls("a\tb\n", 4, true), "tab and newline allowed in multi-line");
	ok(text_has_controls("a\nb", 3, false), "newline refused in single-line");
	/* Issue 14, item 7: noncharacters are refused in every text field. */
	ok(text_has_controls("T\xef\xbf\xbf", 4, false), "U+FFFF refused");
	ok(text_has_controls("T\xef\xbf\xbe", 4, true), "U+FFFE refused");
	ok(text_has_controls("\xef\xb7\x90", 3, false), "U+FDD0 refused");
	ok(text_has_controls("\xef\xb7\xaf", 3, false), "U+FDEF refused");
	ok(!text_has_controls("\xef\xb7\xb0", 3, false), "U+FDF0 (a letter) allowed");
	ok(!text_has_controls("\xef\xbf\xbd", 3, false), "U+FFFD allowed");
	ok(text_has_controls("\xf0\x9f\xbf\xbf", 4, false), "U+1FFFF refused");
	ok(text_has_controls("\xf4\x8f\xbf\xbe", 4, false), "U+10FFFE refused");
	ok(!text_has_controls("\xf0\x9f\x98\x80", 4, false), "an emoji allowed");
	ok(text_has_controls("a\x7f", 2, true), "DEL refused");
	ok(text_has_controls("a\x0b", 2, true), "vertical tab refused even where newlines are allowed");
	{
		char x[] = "a\x01" "b\xef\xbf\xbf" "c\xef\xb7\x90" "d\xf0\x9f\xbf\xbf" "e\xff\xc3" "f\tg\nh\x7f\xc3\xa9";
		size_t n = text_xml_clean(x, sizeof(x) - 1);
		is_str(x, "abcdef\tg\nh\xc3\xa9", "XML clean drops controls, noncharacters, stray bytes");
		ok(n == strlen(x), "XML clean returns the new length");
		char y[] = "<p>plain &amp; fine \xe2\x9c\x93</p>";
		ok(text_xml_clean(y, sizeof(y) - 1) == sizeof(y) - 1, "XML clean keeps clean text as it is");
	}
}

static void test_slug(void)
{
	struct arena a;
	arena_init(&a);
	struct { const char *in, *out; } cases[] = {
		{"Hello, World!", "hello-world"},
		{"  The Year I Lost  ", "the-year-i-lost"},
		{"Crème brûlée à Noël", "creme-brulee-a-noel"},
		{"Straße", "strasse"},
		{"writer's block", "writers-block"},
		{"writer\xe2\x80\x99s block", "writers-block"},
		{"---", "story"},
		{"", "story"},
		{"日本語", "story"},
		{"日本語 and English", "and-english"},
		{"a--b__c", "a-b-c"},
		{"2026: a year", "2026-a-year"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = slug_from_title(&a, cases[i].in, strlen(cases[i].in));
		is_str(s, cases[i].out, "slug of '%s'", cases[i].in);
		ok(slug_valid(s), "slug '%s' is valid", s);
	}
	char longt[1000];
	memset(longt, 'a', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	for (int i = 5; i < 999; i += 7)
		longt[i] = ' ';
	const char *s = slug_from_title(&a, longt, strlen(longt));
	ok(strlen(s) <= SLUG_MAX && slug_valid(s), "long titles give slugs of at most %d bytes", SLUG_MAX);
	ok(!slug_valid("Bad Slug") && !slug_valid("-x") && !slug_valid("a--b") && !slug_valid(""),
	   "slug_valid refuses malformed slugs");
	arena_release(&a);
}

static void test_words_ids(void)
{
	ok(text_word_count("One two, three.\n\nFour-five", 26) == 5, "word count");
	ok(text_word_count("", 0) == 0, "no words in empty text");
	char id1[ID_LEN + 1], id2[ID_LEN + 1];
	id_new(id1);
	id_new(id2);
	ok(id_valid(id1) && id_valid(id2), "new ids are valid 16-hex ids");
	ok(strcmp(id1, id2) != 0, "two ids differ");
	ok(!id_valid("0123") && !id_valid("0123456789ABCDEF") && !id_valid("0123456789abcdeg"),
	   "malformed ids refused");
	char h1[65], h2[65];
	hash_token("secret", 6, h1);
	hash_token("secret", 6, h2);
	ok(strlen(h1) == 64 && strcmp(h1, h2) == 0, "token hashing is deterministic hex");
	is_str(h1, "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", "SHA-256 of 'secret'");
	ok(ct_equal("abc", "abc", 3) && !ct_equal("abc", "abd", 3), "constant-time compare");
}

static void test_dl(void)
{
	/* zlib is linked into every test: opening it again finds it. */
	void *version = NULL, *nothing = NULL;
	const char *const zlib[] = {"libquire-none.so.9", "libz.so.1"};
	const struct dl_sym good[] = {{"zlibVersion", &version}};
	struct dl_lib l = {zlib, 2, RTLD_LOCAL, "zlib1g", good, 1, .lock = PTHREAD_MUTEX_INITIALIZER};
	char err[256] = "";
	ok(dl_open(&l, "test", err, sizeof(err)) && version, "the second name opens, the symbol resolves");
	ok(!err[0], "no message when it opens");

	const char *const none[] = {"libquire-none.so.9"};
	struct dl_lib m = {none, 1, RTLD_LOCAL, "quire-none", good, 1, .lock = PTHREAD_MUTEX_INITIALIZER};
	ok(!dl_open(&m, "photos", err, sizeof(err)), "a library that is not there does not open");
	ok(strstr(err, "photos: libquire-none.so.9 is needed (package quire-none)") == err,
	   "the message names what needs it, the library and the package: %s", err);
	err[0] = '\0';
	ok(!dl_open(&m, "photos", err, sizeof(err)) && err[0], "asked again, the same answer");

	const struct dl_sym bad[] = {{"zlibVersion", &version}, {"quire_no_such_symbol", &nothing}};
	struct dl_lib n = {zlib + 1, 1, RTLD_LOCAL, "zlib1g", bad, 2, .lock = PTHREAD_MUTEX_INITIALIZER};
	ok(!dl_open(&n, "test", err, sizeof(err)) && strstr(err, "lacks quire_no_such_symbol"),
	   "a missing symbol refuses the library: %s", err);
}

/* A sleeper that notes the pokes, says so on ready, then sleeps for an
 * hour: only a poke or the stop can end its sleep before the test's own
 * time-out. */
struct sleeper {
	struct wake *w;
	struct wake ready;
	int woke;
	bool running_after;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *sl = arg;
	uint64_t seen;
	wake_running(sl->w, &seen);
	wake_poke(&sl->ready);
	wake_sleep(sl->w, seen, 3600);
	sl->running_after = wake_running(sl->w, NULL);
	sl->woke = 1;
	return NULL;
}

static void wait_ready(struct sleeper *sl, uint64_t before)
{
	uint64_t now;
	while (wake_running(&sl->ready, &now), now == before)
		wake_sleep(&sl->ready, before, 3600);
}

/* A sleep that is not ended is this test's failure, not a hung suite. */
static void wake_hung(int sig)
{
	(void)sig;
	static const char m[] = "not ok - a sleep was not ended by its poke or stop\n";
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void test_wake(void)
{
	signal(SIGALRM, wake_hung);
	alarm(60); /* bounds a broken build only: every sleep here ends on a condition */
	struct wake w = WAKE_INIT;
	uint64_t seen = 99;
	ok(!wake_running(&w, &seen) && seen == 0, "a bell not started is not running");
	wake_start(&w);
	ok(wake_running(&w, &seen) && seen == 0, "started: running, no pokes yet");
	wake_poke(&w);
	/* A poke after seen was noted: the sleep ends at once. */
	wake_sleep(&w, seen, 3600);
	ok(1, "a poke before the sleep is not slept past");
	wake_sleep_until(&w, seen, 4102444800); /* 2100 */
	ok(1, "nor by a sleep until a time");
	ok(wake_running(&w, &seen) && seen == 1, "the poke counted");
	wake_sleep(&w, seen, 0);
	ok(1, "a sleep of no time returns");

	/* Another thread's sleep, ended by a poke, then by the stop. */
	struct sleeper sl = {.w = &w, .ready = WAKE_INIT};
	wake_start(&sl.ready);
	pthread_t t;
	ok(pthread_create(&t, NULL, sleeper_main, &sl) == 0, "sleeper started");
	wait_ready(&sl, 0);
	wake_poke(&w);
	pthread_join(t, NULL);
	ok(sl.woke && sl.running_after, "a poke wakes a sleeping thread, still running");
	sl.woke = 0;
	ok(pthread_create(&t, NULL, sleeper_main, &sl) == 0, "sleeper started again");
	wait_ready(&sl, 1);
	wake_stop(&w);
	pthread_join(t, NULL);
	ok(sl.woke && !sl.running_after, "the stop wakes it, and it is not running");
	wake_running(&w, &seen);
	wake_sleep(&w, seen, 3600);
	ok(1, "once stopped, a sleep returns at once");
	alarm(0);
}

int main(void)
{
	if (!crypto_init())
		return 1;
	test_arena();
	test_buf();
	test_utf8();
	test_slug();
	test_words_ids();
	test_dl();
	test_wake();
	return tap_done();
}
