/*
 * test_store_mail.c - the store conformance suite, the email part
 * (store_mail.h): addresses, subscribers, the outbox and its claims,
 * mailed links, a story's mailing and preferences. Runs on every backend
 * the build has (store_backends.h), each time on a new database.
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "store/store_mail.h"
#include "tap.h"
#include "store_backends.h"

#include <stdio.h>
#include <string.h>

static struct store *st;
static struct arena A;
static int64_t NOW = 1790000000;

#define HASH(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static bool new_user(struct user_row *u, const char *handle)
{
	memset(u, 0, sizeof(*u));
	id_new(u->id);
	u->handle = handle;
	u->name = arena_printf(&A, "Name of %s", handle);
	u->bio = "";
	u->password_hash = "x";
	u->created_at = NOW;
	u->time_zone = "";
	return store_user_insert(st, u) == STORE_OK;
}

static bool new_story(struct story_row *s, const struct user_row *author)
{
	memset(s, 0, sizeof(*s));
	id_new(s->id);
	memcpy(s->author_id, author->id, sizeof(s->author_id));
	s->slug = arena_printf(&A, "s-%s", s->id);
	s->title = "Title";
	s->subtitle = "";
	s->body = "body";
	s->body_html = "<p>body</p>";
	s->excerpt = "body";
	s->search_text = "body";
	s->word_count = 1;
	s->status = STATUS_PUBLISHED;
	s->published_at = NOW;
	s->created_at = s->updated_at = NOW++;
	s->audience = AUDIENCE_PUBLIC;
	s->content_note = "";
	s->responses = "open";
	s->responders = "signed_in";
	return store_story_insert(st, s) == STORE_OK;
}

static struct user_row ann, bea, cal, dee;

static void test_addresses(void)
{
	const char *e;
	ok(store_user_email_get(st, &A, ann.id, &e) == STORE_OK && !strcmp(e, ""),
	   "no address: OK and empty");
	ok(store_user_email_set(st, ann.id, "ann@example.org", NOW) == STORE_OK, "address set");
	ok(store_user_email_get(st, &A, ann.id, &e) == STORE_OK && !strcmp(e, "ann@example.org"),
	   "address read back");
	ok(store_user_email_set(st, bea.id, "ann@example.org", NOW) == STORE_CONFLICT,
	   "another account cannot take it");
	ok(store_user_email_set(st, ann.id, "ann@example.net", NOW) == STORE_OK,
	   "an account changes its own");
	struct user_row u;
	ok(store_user_by_email(st, &A, "ann@example.net", &u) == STORE_OK &&
	   !strcmp(u.handle, "ann"), "account by address");
	ok(store_user_by_email(st, &A, "ann@example.org", &u) == STORE_NOT_FOUND,
	   "the old address finds nobody");
	ok(store_user_email_set(st, bea.id, "bea@example.org", NOW) == STORE_OK &&
	   store_user_email_set(st, cal.id, "cal@example.com", NOW) == STORE_OK, "more addresses");
}

static void test_subscribers(void)
{
	struct subscriber_row r = {0}, g;
	id_new(r.id);
	memcpy(r.writer_id, ann.id, 17);
	r.email = "reader@example.com";
	r.status = "pending";
	r.created_at = NOW;
	r.asked_at = NOW;
	ok(store_subscriber_insert(st, &r, HASH("a")) == STORE_OK, "pending subscriber");
	struct subscriber_row dup = r;
	id_new(dup.id);
	ok(store_subscriber_insert(st, &dup, HASH("b")) == STORE_CONFLICT,
	   "one row per writer and address");
	ok(store_subscriber_get(st, &A, ann.id, "reader@example.com", &g) == STORE_OK &&
	   !strcmp(g.status, "pending") && !strcmp(g.source, "form") && g.asked_at == NOW,
	   "read back by address");
	ok(store_subscriber_by_token(st, &A, HASH("a"), &g) == STORE_OK && !strcmp(g.id, r.id),
	   "found by its link");
	ok(store_subscriber_by_token(st, &A, HASH("c"), &g) == STORE_NOT_FOUND, "another link: none");
	ok(store_subscriber_set(st, r.id, "pending", NOW, HASH("c"), NOW + 5) == STORE_OK &&
	   store_subscriber_by_token(st, &A, HASH("c"), &g) == STORE_OK && g.asked_at == NOW + 5 &&
	   store_subscriber_by_token(st, &A, HASH("a"), &g) == STORE_NOT_FOUND,
	   "a new link replaces the old");
	ok(store_subscriber_set(st, r.id, "confirmed", NOW + 9, NULL, 0) == STORE_OK &&
	   store_subscriber_by_id(st, &A, r.id, &g) == STORE_OK && !strcmp(g.status, "confirmed") &&
	   g.confirmed_at == NOW + 9, "confirmed");
	ok(store_subscriber_by_token(st, &A, HASH("c"), &g) == STORE_NOT_FOUND,
	   "confirming forgets the link");
	char nobody[17];
	id_new(nobody);
	ok(store_subscriber_set(st, nobody, "confirmed", NOW, NULL, 0) == STORE_NOT_FOUND,
	   "set on nobody: NOT_FOUND");
	/* Two more: one confirmed, one unsubscribed; and bea's own. */
	const char *mails[] = {"two@example.com", "three@example.org"};
	const char *states[] = {"confirmed", "unsubscribed"};
	for (int i = 0; i < 2; i++) {
		struct subscriber_row x = {0};
		id_new(x.id);
		memcpy(x.writer_id, ann.id, 17);
		x.email = mails[i];
		x.status = states[i];
		x.created_at = NOW + 1 + i;
		x.source = "import";
		ok(store_subscriber_insert(st, &x, NULL) == STORE_OK, "subscriber %s", mails[i]);
	}
	struct subscriber_row y = {0};
	id_new(y.id);
	memcpy(y.writer_id, bea.id, 17);
	y.email = "reader@example.com";
	y.status = "confirmed";
	y.created_at = NOW;
	ok(store_subscriber_insert(st, &y, NULL) == STORE_OK, "the same address for another writer");
	struct subscriber_row *rows;
	size_t n;
	ok(store_subscribers_of(st, &A, ann.id, 100, &rows, &n) == STORE_OK && n == 3 &&
	   !strcmp(rows[0].email, "three@example.org") && !strcmp(rows[0].source, "import"),
	   "a writer's list, newest first");
	ok(store_subscribers_of(st, &A, ann.id, 2, &rows, &n) == STORE_OK && n == 2, "at most max");
	int64_t c;
	ok(store_subscriber_count(st, ann.id, "confirmed", &c) == STORE_OK && c == 2,
	   "two confirmed");
	ok(store_subscriber_delete(st, y.id) == STORE_OK &&
	   store_subscriber_delete(st, y.id) == STORE_NOT_FOUND, "delete, then NOT_FOUND");
}

static void test_outbox(void)
{
	struct story_row s;
	ok(new_story(&s, &ann), "a story");
	int64_t n = -1;
	ok(store_outbox_fanout(st, "story", s.id, ann.id, NULL, NOW, &n) == STORE_OK && n == 2,
	   "fan-out to the two confirmed subscribers (not pending, not unsubscribed)");
	/* A circle: bea (address), cal (address, turned circle mail off),
	 * dee (no address), ann herself; ann blocks nobody yet. */
	struct circle_row c = {0};
	id_new(c.id);
	memcpy(c.owner_id, ann.id, 17);
	c.name = "family";
	c.created_at = NOW;
	ok(store_circle_insert(st, &c) == STORE_OK, "a circle");
	ok(store_circle_member_add(st, c.id, bea.id, NOW) == STORE_OK &&
	   store_circle_member_add(st, c.id, cal.id, NOW) == STORE_OK &&
	   store_circle_member_add(st, c.id, dee.id, NOW) == STORE_OK, "three members");
	ok(store_mail_pref_set(st, cal.id, "circle_mail", "0") == STORE_OK, "cal turns it off");
	ok(store_outbox_fanout(st, "story", s.id, ann.id, c.id, NOW, &n) == STORE_OK && n == 1,
	   "circle fan-out: members with an address who want it");
	ok(store_block_add(st, ann.id, bea.id, NOW) == STORE_OK, "ann blocks bea");
	ok(store_outbox_fanout(st, "story", s.id, ann.id, c.id, NOW, &n) == STORE_OK && n == 0,
	   "a blocked member gets nothing");
	struct outbox_row one = {0};
	id_new(one.id);
	one.kind = "confirm";
	one.to_addr = "x@example.net";
	one.domain = "example.net";
	one.payload = "{\"token\":\"abc\"}";
	one.next_at = NOW + 100;
	one.created_at = NOW;
	ok(store_outbox_add(st, &one) == STORE_OK, "one message, due later");
	int64_t q, se, f, at;
	ok(store_outbox_counts(st, &q, &se, &f) == STORE_OK && q == 4 && se == 0 && f == 0,
	   "four queued");
	ok(store_outbox_next(st, &at) == STORE_OK && at == NOW, "next due now");
	struct outbox_row *rows;
	size_t k;
	ok(store_outbox_claim(st, &A, "node-a", NOW, NOW + 60, 10, &rows, &k) == STORE_OK && k == 3,
	   "claim the three due");
	bool fields = k == 3;
	for (size_t i = 0; i < k; i++)
		fields = fields && !strcmp(rows[i].kind, "story") && !strcmp(rows[i].story_id, s.id) &&
			 !strcmp(rows[i].writer_id, ann.id) && rows[i].ref_id[0] &&
			 strchr(rows[i].to_addr, '@') &&
			 !strcmp(rows[i].domain, strchr(rows[i].to_addr, '@') + 1) &&
			 !strcmp(rows[i].status, "queued") && id_valid(rows[i].id);
	ok(fields, "fan-out rows carry kind, story, writer, recipient, domain, a new id");
	struct outbox_row *again;
	size_t k2;
	ok(store_outbox_claim(st, &A, "node-a", NOW + 1, NOW + 61, 10, &again, &k2) == STORE_OK && k2 == 0,
	   "claimed rows are not claimed twice");
	ok(store_outbox_sent(st, rows[0].id, NOW + 2) == STORE_OK, "one sent");
	ok(store_outbox_retry(st, rows[1].id, NOW + 30, "451 try later") == STORE_OK, "one retried");
	ok(store_outbox_fail(st, rows[2].id, NOW + 2, "550 no such user") == STORE_OK, "one failed");
	ok(store_outbox_retry(st, rows[0].id, NOW + 30, "x") == STORE_NOT_FOUND,
	   "a sent message cannot be retried");
	ok(store_outbox_counts(st, &q, &se, &f) == STORE_OK && q == 2 && se == 1 && f == 1,
	   "counts follow");
	ok(store_outbox_claim(st, &A, "node-a", NOW + 29, NOW + 90, 10, &again, &k2) == STORE_OK && k2 == 0,
	   "the retry is not due before its time");
	ok(store_outbox_claim(st, &A, "node-a", NOW + 100, NOW + 160, 1, &again, &k2) == STORE_OK && k2 == 1 &&
	   !strcmp(again[0].id, rows[1].id) && again[0].attempts == 1 &&
	   !strcmp(again[0].last_error, "451 try later"), "then due, oldest first, at most max");
	ok(store_outbox_claim(st, &A, "node-a", NOW + 100, NOW + 160, 5, &again, &k2) == STORE_OK && k2 == 1 &&
	   !strcmp(again[0].id, one.id) && !strcmp(again[0].payload, "{\"token\":\"abc\"}"),
	   "the single message with its payload");
	ok(store_outbox_claim(st, &A, "node-a", NOW + 161, NOW + 200, 5, &again, &k2) == STORE_OK && k2 == 2,
	   "an expired claim is claimed again (a sender that died)");
	ok(store_outbox_release(st, "node-b") == STORE_OK &&
	   store_outbox_claim(st, &A, "node-b", NOW + 162, NOW + 300, 5, &again, &k2) == STORE_OK &&
	   k2 == 0, "another sender's release frees nothing of node-a's");
	ok(store_outbox_release(st, "node-a") == STORE_OK &&
	   store_outbox_claim(st, &A, "node-b", NOW + 162, NOW + 300, 5, &again, &k2) == STORE_OK &&
	   k2 == 2, "node-a starting again frees its claims at once");
	ok(store_outbox_sent(st, one.id, NOW + 162) == STORE_OK, "sent");
	ok(store_outbox_of(st, &A, ann.id, "failed", 10, &rows, &k) == STORE_OK && k == 1 &&
	   !strcmp(rows[0].last_error, "550 no such user") && !strcmp(rows[0].status, "failed"),
	   "the writer's failed messages");
	ok(store_outbox_claim(st, &A, "node-a", NOW + 300, NOW + 360, 5, &again, &k2) == STORE_OK && k2 == 1,
	   "only the retried one is left");
	struct outbox_row *sent;
	size_t ks;
	ok(store_outbox_of(st, &A, "", "sent", 10, &sent, &ks) == STORE_OK && ks == 0,
	   "messages of no writer are not listed for one");
	int64_t tbl;
	ok(store_table_count(st, "outbox", &tbl) == STORE_OK && tbl == 4, "table counted");
}

static void test_tokens_and_marks(void)
{
	struct mail_token_row t = {0}, g;
	t.kind = "signin";
	memcpy(t.user_id, ann.id, 17);
	t.email = "ann@example.net";
	t.created_at = NOW;
	t.expires_at = NOW + 900;
	ok(store_mail_token_add(st, HASH("d"), &t) == STORE_OK, "link stored by hash");
	ok(store_mail_token_get(st, &A, HASH("d"), "signin", NOW + 1, &g) == STORE_OK &&
	   !strcmp(g.user_id, ann.id) && !strcmp(g.email, "ann@example.net") && !g.ref_id[0],
	   "read while live");
	ok(store_mail_token_get(st, &A, HASH("d"), "reset", NOW + 1, &g) == STORE_NOT_FOUND,
	   "not as another kind");
	ok(store_mail_token_get(st, &A, HASH("d"), "signin", NOW + 900, &g) == STORE_NOT_FOUND,
	   "not once expired");
	ok(store_mail_token_use(st, HASH("d"), "signin", NOW + 2) == STORE_OK, "used once");
	ok(store_mail_token_use(st, HASH("d"), "signin", NOW + 3) == STORE_NOT_FOUND,
	   "never twice");
	ok(store_mail_token_get(st, &A, HASH("d"), "signin", NOW + 3, &g) == STORE_NOT_FOUND,
	   "a used link is gone");
	int64_t n;
	ok(store_mail_token_count(st, "signin", "ann@example.net", NOW, &n) == STORE_OK && n == 1 &&
	   store_mail_token_count(st, "signin", "ann@example.net", NOW + 1, &n) == STORE_OK &&
	   n == 0, "links counted by address and time");

	struct story_row s, s2;
	ok(new_story(&s, &ann) && new_story(&s2, &ann), "two stories");
	bool first = false;
	ok(store_story_mail_mark(st, s.id, NOW, &first) == STORE_OK && first, "first mailing");
	ok(store_story_mail_mark(st, s.id, NOW + 5, &first) == STORE_OK && !first,
	   "never a second");
	ok(store_story_mail_skip(st, s2.id, true) == STORE_OK &&
	   store_story_mail_mark(st, s2.id, NOW, &first) == STORE_OK && !first,
	   "a skipped story is not mailed");
	ok(store_story_mail_skip(st, s.id, true) == STORE_OK, "skipping a mailed story is harmless");

	const char *v;
	ok(store_mail_pref_get(st, &A, ann.id, "notify_response", "1", &v) == STORE_OK &&
	   !strcmp(v, "1"), "default when unset");
	ok(store_mail_pref_set(st, ann.id, "notify_response", "0") == STORE_OK &&
	   store_mail_pref_set(st, ann.id, "notify_response", "0") == STORE_OK &&
	   store_mail_pref_get(st, &A, ann.id, "notify_response", "1", &v) == STORE_OK &&
	   !strcmp(v, "0"), "set, set again, read");
}

static void suite(const char *kind, const char *url)
{
	(void)kind;
	char err[256];
	if (!ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "open %s", url)) {
		printf("# %s\n", err);
		return;
	}
	if (!ok(new_user(&ann, "ann") && new_user(&bea, "bea") && new_user(&cal, "cal") &&
		new_user(&dee, "dee"), "four accounts"))
		return;
	test_addresses();
	test_subscribers();
	test_outbox();
	test_tokens_and_marks();
	store_close(st);
	st = NULL;
}

int main(void)
{
	arena_init(&A);
	store_for_each_backend(suite);
	arena_release(&A);
	return tap_done();
}
