/*
 * seed.c - fills a fresh Quire data directory with a synthetic site for
 * the benchmark: N writers, M published stories, one signed-in reader.
 *
 * Rows are written directly through store.h in one transaction, so a
 * 100k-story site takes seconds, not the hours that the editor or the
 * API would take (each story there is its own durable transaction and
 * its own Markdown render). Bodies are rendered with the real Markdown
 * renderer, but only a handful of distinct bodies are rendered and then
 * reused; titles, slugs, dates and authors differ per story.
 *
 * One "featured" story (the newest, by writer w1) is a full-length essay
 * whose page is about 13 KB; it is the page the benchmark reads. The
 * other stories are short, to keep a 100k-story database near 150 MB.
 *
 * Not part of the product and not linked into quire: built by
 * bench/run.sh against build/bench/libquire.a.
 *
 * Output (stdout), one KEY=VALUE per line, for the shell to eval:
 *   STORY_PATH=/@w1/...      the featured story
 *   PROFILE_PATH=/@w1
 *   STORY_ID=<16 hex>        its id
 *   SESSION_COOKIE=quire_session=<64 hex>   a signed-in reader's session
 *   WRITER_TOKEN=<64 hex>    an API token of the featured story's writer
 */
#include "accounts/accounts.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/text.h"
#include "render/plain.h"
#include "stories/markdown.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const WORDS[] = {
	"the", "morning", "light", "came", "through", "kitchen", "window", "and", "my",
	"grandmother", "was", "already", "awake", "folding", "letters", "she", "never",
	"sent", "river", "house", "winter", "quiet", "remember", "summer", "long", "road",
	"home", "father", "garden", "years", "later", "we", "found", "a", "box", "of",
	"photographs", "under", "stairs", "nobody", "spoke", "about", "it", "again", "until",
	"spring", "when", "snow", "melted", "town", "small", "station", "train", "waiting",
	"for", "someone", "who", "did", "not", "come", "in", "that", "year", "learned",
	"how", "to", "listen", "slowly", "every", "evening", "walked", "along", "harbour",
};
#define NWORDS (sizeof(WORDS) / sizeof(WORDS[0]))

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void sentence(struct buf *b)
{
	unsigned n = 8 + rnd(14);
	for (unsigned i = 0; i < n; i++) {
		const char *w = WORDS[rnd(NWORDS)];
		if (i == 0) {
			buf_addch(b, (char)(w[0] - 'a' + 'A'));
			buf_adds(b, w + 1);
		} else {
			buf_addch(b, ' ');
			if (rnd(23) == 0) {
				buf_addch(b, '*');
				buf_adds(b, w);
				buf_addch(b, '*');
			} else {
				buf_adds(b, w);
			}
		}
	}
	buf_adds(b, rnd(9) == 0 ? "? " : ". ");
}

/* Markdown of roughly target bytes: paragraphs, a heading now and then,
 * a quotation and a list in long ones. */
static void essay(struct buf *b, size_t target)
{
	int para = 0;
	while (b->len < target) {
		if (para && para % 6 == 0) {
			buf_adds(b, "## ");
			sentence(b);
			buf_adds(b, "\n\n");
		}
		if (para == 3 && target > 4000) {
			buf_adds(b, "> ");
			sentence(b);
			buf_adds(b, "\n\n");
		}
		if (para == 8 && target > 4000) {
			for (int i = 0; i < 4; i++) {
				buf_adds(b, "- ");
				sentence(b);
				buf_addch(b, '\n');
			}
			buf_addch(b, '\n');
		}
		unsigned ns = 3 + rnd(4);
		for (unsigned i = 0; i < ns; i++)
			sentence(b);
		buf_adds(b, "\n\n");
		para++;
	}
}

struct body {
	char *md, *html, *excerpt, *text;
	int64_t words;
};

static void body_make(struct body *out, size_t target)
{
	struct buf md, html, ex;
	buf_init(&md, 0);
	buf_init(&html, 8 * MD_MAX_BYTES);
	buf_init(&ex, 4096);
	essay(&md, target);
	if (md_render(buf_str(&md), md.len, &html) != MD_OK) {
		fprintf(stderr, "seed: markdown render failed\n");
		exit(1);
	}
	md_excerpt(buf_str(&md), md.len, 220, &ex);
	out->words = (int64_t)text_word_count(buf_str(&md), md.len);
	/* The search text, as saving a story makes it (stories.c): without
	 * it every start would fill it in, story by story. */
	struct buf txt;
	buf_init(&txt, 2 * MD_MAX_BYTES);
	render_plain(buf_str(&md), md.len, RENDER_SEARCH, 0, &txt);
	size_t n;
	out->text = buf_detach(&txt, &n);
	out->md = buf_detach(&md, &n);
	out->html = buf_detach(&html, &n);
	out->excerpt = buf_detach(&ex, &n);
	buf_release(&ex);
}

static long arg_long(const char *v, long lo, long hi, const char *what)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < lo || n > hi) {
		fprintf(stderr, "seed: %s must be %ld..%ld\n", what, lo, hi);
		exit(2);
	}
	return n;
}

#define CHECK(call, what)                                                  \
	do {                                                               \
		if ((call) != STORE_OK) {                                  \
			fprintf(stderr, "seed: %s failed\n", what);        \
			store_rollback(st);                                \
			return 1;                                          \
		}                                                          \
	} while (0)

int main(int argc, char **argv)
{
	const char *data = NULL, *sessions = NULL;
	long writers = 100, stories = 1000, readers = 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--data"))
			data = argv[i + 1];
		else if (!strcmp(argv[i], "--writers"))
			writers = arg_long(argv[i + 1], 1, 1000000, "--writers");
		else if (!strcmp(argv[i], "--stories"))
			stories = arg_long(argv[i + 1], 1, 10000000, "--stories");
		else if (!strcmp(argv[i], "--readers"))
			readers = arg_long(argv[i + 1], 1, 100000, "--readers");
		else if (!strcmp(argv[i], "--sessions"))
			sessions = argv[i + 1];
		else
			break;
	}
	if (!data) {
		fprintf(stderr, "usage: seed --data DIR [--writers N] [--stories M] [--readers R "
				"--sessions FILE]\n");
		return 2;
	}
	if (!crypto_init() || !password_init(1)) {
		fprintf(stderr, "seed: cannot initialise crypto\n");
		return 1;
	}
	if (mkdir(data, 0700) && errno != EEXIST) {
		perror(data);
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/tmp", data);
	if (mkdir(path, 0700) && errno != EEXIST) {
		perror(path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/quire.db", data);
	struct store *st;
	char err[512];
	if (store_open(path, &st, err, sizeof(err))) {
		fprintf(stderr, "seed: %s\n", err);
		return 1;
	}
	int64_t users = 0;
	if (store_user_count(st, &users) || users) {
		fprintf(stderr, "seed: %s is not empty; seed a fresh directory\n", data);
		store_close(st);
		return 1;
	}

	/* One argon2id hash shared by every seeded account: hashing is
	 * deliberately slow and the benchmark never signs in by password. */
	char pwhash[256];
	if (password_hash("bench password 1234", 19, pwhash, sizeof(pwhash))) {
		fprintf(stderr, "seed: cannot hash the password\n");
		return 1;
	}

	enum { NBODIES = 16 };
	struct body bodies[NBODIES], featured;
	for (int i = 0; i < NBODIES; i++)
		body_make(&bodies[i], 400 + rnd(900));
	body_make(&featured, 11000);

	struct arena a;
	arena_init(&a);
	int64_t now = (int64_t)time(NULL);
	if (store_begin(st)) {
		fprintf(stderr, "seed: cannot begin\n");
		return 1;
	}
	struct user_row *u = calloc((size_t)writers, sizeof(*u));
	if (!u)
		return 1;
	for (long i = 0; i < writers; i++) {
		id_new(u[i].id);
		u[i].handle = arena_printf(&a, "w%ld", i + 1);
		u[i].name = arena_printf(&a, "Writer %ld %s", i + 1, WORDS[rnd(NWORDS)]);
		u[i].bio = "Writes about rivers, kitchens and the years in between.";
		u[i].password_hash = pwhash;
		u[i].created_at = now - 400 * 86400;
		CHECK(store_user_insert(st, &u[i]), "user insert");
	}
	struct user_row reader = {.handle = "reader", .name = "A Reader", .bio = "",
				  .password_hash = pwhash, .created_at = now - 86400};
	id_new(reader.id);
	CHECK(store_user_insert(st, &reader), "reader insert");

	const char *featured_path = NULL, *featured_id = NULL, *featured_author = NULL;
	for (long i = 0; i < stories; i++) {
		bool feat = i == stories - 1;
		const struct user_row *w = feat ? &u[0] : &u[i % writers];
		const struct body *b = feat ? &featured : &bodies[i % NBODIES];
		struct arena ra;
		arena_init(&ra);
		struct story_row s = {0};
		id_new(s.id);
		memcpy(s.author_id, w->id, sizeof(s.author_id));
		s.title = feat ? "The house by the river, forty years on" :
			  arena_printf(&ra, "Essay %ld: the %s %s", i + 1, WORDS[rnd(NWORDS)],
				       WORDS[rnd(NWORDS)]);
		s.slug = slug_from_title(&ra, s.title, strlen(s.title));
		s.subtitle = feat ? "What a kitchen window remembers when nobody else does" : "";
		s.body = b->md;
		s.body_html = b->html;
		s.excerpt = b->excerpt;
		s.search_text = b->text;
		s.word_count = b->words;
		s.status = STATUS_PUBLISHED;
		s.audience = AUDIENCE_PUBLIC;
		s.content_note = "";
		s.created_at = s.updated_at = now - (stories - i) * 60 - 3600;
		s.published_at = s.created_at;
		if (store_story_insert(st, &s)) {
			fprintf(stderr, "seed: story insert failed\n");
			store_rollback(st);
			return 1;
		}
		if (feat) {
			featured_path = arena_printf(&a, "/@%s/%s", w->handle, s.slug);
			featured_id = arena_strdup(&a, s.id);
			featured_author = arena_strdup(&a, w->id);
		}
		arena_release(&ra);
	}

	char token[65], hash[65];
	random_hex(token, 32);
	hash_token(token, 64, hash);
	CHECK(store_session_insert(st, hash, reader.id, "web", now, now + 14 * 86400),
	      "session insert");
	/* More signed-in readers, each with her own session: one "Cookie:"
	 * header line per reader in FILE (the first is the reader's above),
	 * for bench/signed.lua, which sends each request as the next one. */
	FILE *sf = sessions ? fopen(sessions, "w") : NULL;
	if (sessions && !sf) {
		perror(sessions);
		store_rollback(st);
		return 1;
	}
	if (sf)
		fprintf(sf, "quire_session=%s\n", token);
	for (long i = 1; i < readers; i++) {
		struct user_row r = {.handle = arena_printf(&a, "r%ld", i + 1),
				     .name = arena_printf(&a, "Reader %ld", i + 1), .bio = "",
				     .password_hash = pwhash, .created_at = now - 86400};
		id_new(r.id);
		CHECK(store_user_insert(st, &r), "reader insert");
		char t2[65], h2[65];
		random_hex(t2, 32);
		hash_token(t2, 64, h2);
		CHECK(store_session_insert(st, h2, r.id, "web", now, now + 14 * 86400),
		      "session insert");
		if (sf)
			fprintf(sf, "quire_session=%s\n", t2);
	}
	if (sf && fclose(sf)) {
		perror(sessions);
		store_rollback(st);
		return 1;
	}
	/* An API token for the featured story's writer: the bench uploads a
	 * photo to it through the real ingest path. */
	char wtoken[65], whash[65];
	random_hex(wtoken, 32);
	hash_token(wtoken, 64, whash);
	CHECK(store_session_insert(st, whash, featured_author, "api", now, now + 14 * 86400),
	      "token insert");
	CHECK(store_commit(st), "commit");

	printf("STORY_PATH=%s\nSTORY_ID=%s\nPROFILE_PATH=/@%s\nSESSION_COOKIE=quire_session=%s\n"
	       "WRITER_TOKEN=%s\n",
	       featured_path, featured_id, u[0].handle, token, wtoken);
	for (int i = 0; i < NBODIES; i++) {
		free(bodies[i].md);
		free(bodies[i].html);
		free(bodies[i].excerpt);
	}
	free(featured.md);
	free(featured.html);
	free(featured.excerpt);
	free(u);
	arena_release(&a);
	store_close(st);
	password_shutdown();
	return 0;
}
