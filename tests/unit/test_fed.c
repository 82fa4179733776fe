/*
 * test_fed.c - the rules of federation (fed/fed.h) that need no network:
 * the Accept header's negotiation, WebFinger resources, URLs and
 * origins, activities and actor documents as servers send them (and as
 * they must not be), and taking a Follow and its Undo into the store
 * (follower, Accept queued, replay refused, nothing written on a
 * replay), on every backend the build has.
 */
#include "core/arena.h"
#include "core/crypto.h"
#include "fed/fed.h"
#include "store/store_fed.h"
#include "tap.h"
#include "store_backends.h"
#include "store_rows.h"

#include <stdio.h>
#include <string.h>

static struct arena A;
static int64_t NOW = 1790000000;

static void accept_header(void)
{
	static const struct {
		const char *accept;
		bool ap;
	} cases[] = {
		{"application/activity+json", true},
		{"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"", true},
		{"application/activity+json, application/ld+json", true},
		{"Application/Activity+JSON", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"*/*", false},
		{"", false},
		{NULL, false},
		{"application/json", false},
		{"text/html;q=0.5, application/activity+json", true},
		{"application/activity+json;q=0.4, text/html", false},
		{"application/activity+json;q=0", false},
		{"application/activity+json;q=bad", false},
		{"application/activity+json;q=1.5", false},
		{"application/activity+json , text/html", true},
		{"application/activity+jsonx", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(fed_accept_wants_ap(cases[i].accept) == cases[i].ap, "Accept '%s': %s",
		   cases[i].accept ? cases[i].accept : "(none)", cases[i].ap ? "the object" : "the page");
}

static void resources(void)
{
	const char *base = "http://127.0.0.1:8080";
	static const struct {
		const char *res, *handle;
	} cases[] = {
		{"acct:ann@127.0.0.1:8080", "ann"}, {"acct:ann@127.0.0.1", "ann"},
		{"ACCT:Ann@127.0.0.1:8080", "Ann"}, {"http://127.0.0.1:8080/@ann", "ann"},
		{"acct:ann@127.0.0.1:8081", NULL}, {"acct:ann@elsewhere", NULL},
		{"acct:ann", NULL}, {"acct:@127.0.0.1", NULL}, {"acct:a@b@127.0.0.1", NULL},
		{"acct:ann/x@127.0.0.1", NULL}, {"http://127.0.0.1:8080/@", NULL},
		{"http://127.0.0.1:8080/@ann/story", NULL}, {"https://127.0.0.1:8080/@ann", NULL},
		{"mailto:ann@127.0.0.1", NULL}, {"", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h = fed_resource_handle(&A, cases[i].res, base);
		ok(cases[i].handle ? h && !strcmp(h, cases[i].handle) : !h, "resource '%s' -> %s",
		   cases[i].res, cases[i].handle ? cases[i].handle : "nobody");
	}
}

static void urls(void)
{
	ok(fed_same_origin("https://m.example/users/a", "https://M.example/inbox") &&
		   fed_same_origin("http://127.0.0.1:9/a", "http://127.0.0.1:9") &&
		   !fed_same_origin("https://m.example/a", "https://m.example.evil/a") &&
		   !fed_same_origin("https://m.example/a", "http://m.example/a") &&
		   !fed_same_origin("https://m.example:444/a", "https://m.example/a") &&
		   !fed_same_origin("https://u@m.example/a", "https://m.example/a") &&
		   !fed_same_origin("ftp://m.example/a", "ftp://m.example/a") && !fed_same_origin(NULL, "x"),
	   "origins: scheme, host and port, case-insensitive; no user info");
	ok(fed_url_allowed("https://m.example/inbox", false) && !fed_url_allowed("http://m.example/inbox", false) &&
		   fed_url_allowed("http://127.0.0.1:9/inbox", true) && !fed_url_allowed("file:///etc/passwd", true) &&
		   !fed_url_allowed("https://", false),
	   "https only, http with allow-private-fetch");
	ok(!strcmp(fed_url_defrag(&A, "https://m.example/u/a#main-key"), "https://m.example/u/a") &&
		   !strcmp(fed_url_host(&A, "https://m.example:8443/u/a"), "m.example:8443") &&
		   !strcmp(fed_url_host(&A, "nope"), ""),
	   "fragments and hosts");
}

static void activities(void)
{
	struct fed_activity act;
	const char *follow = "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":\"https://m.example/f/1\","
			     "\"type\":\"Follow\",\"actor\":\"https://m.example/users/x\","
			     "\"object\":\"https://q.example/@ann\"}";
	ok(fed_activity_parse(&A, follow, strlen(follow), &act) == FED_OK && !strcmp(act.type, "Follow") &&
		   !strcmp(act.id, "https://m.example/f/1") && !strcmp(act.actor, "https://m.example/users/x") &&
		   !strcmp(act.object_id, "https://q.example/@ann") && !strcmp(act.object_type, ""),
	   "a Follow");
	const char *undo = "{\"id\":\"https://m.example/u/1\",\"type\":\"Undo\",\"actor\":{\"id\":\"https://m.example/users/x\"},"
			   "\"object\":{\"id\":\"https://m.example/f/1\",\"type\":\"Follow\","
			   "\"actor\":\"https://m.example/users/x\",\"object\":{\"id\":\"https://q.example/@ann\"}}}";
	ok(fed_activity_parse(&A, undo, strlen(undo), &act) == FED_OK && !strcmp(act.type, "Undo") &&
		   !strcmp(act.actor, "https://m.example/users/x") && !strcmp(act.object_id, "https://m.example/f/1") &&
		   !strcmp(act.object_type, "Follow") && !strcmp(act.object_actor, "https://m.example/users/x") &&
		   !strcmp(act.object_object, "https://q.example/@ann"),
	   "an Undo of a Follow, embedded actor and object");
	ok(!act.object_public && !strcmp(act.object_in_reply_to, "") && !strcmp(act.object_content, "") &&
		   !strcmp(act.object_attributed_to, ""),
	   "no Note in it");
	const char *reply = "{\"id\":\"https://m.example/c/1\",\"type\":\"Create\",\"actor\":\"https://m.example/users/x\","
			    "\"object\":{\"id\":\"https://m.example/n/1\",\"type\":\"Note\","
			    "\"attributedTo\":\"https://m.example/users/x\",\"inReplyTo\":\"https://q.example/ap/stories/s\","
			    "\"content\":\"<p>Hi &amp; bye</p>\",\"to\":[\"https://m.example/users/x/followers\"],"
			    "\"cc\":\"https://www.w3.org/ns/activitystreams#Public\"}}";
	ok(fed_activity_parse(&A, reply, strlen(reply), &act) == FED_OK && !strcmp(act.object_type, "Note") &&
		   !strcmp(act.object_in_reply_to, "https://q.example/ap/stories/s") &&
		   !strcmp(act.object_attributed_to, "https://m.example/users/x") &&
		   !strcmp(act.object_content, "<p>Hi &amp; bye</p>") && act.object_public,
	   "a reply: what it answers, its author, content, addressed to the public (in cc)");
	const char *direct = "{\"id\":\"https://m.example/c/2\",\"type\":\"Create\",\"actor\":\"https://m.example/users/x\","
			     "\"object\":{\"id\":\"https://m.example/n/2\",\"type\":\"Note\","
			     "\"inReplyTo\":\"https://q.example/ap/stories/s\",\"content\":5,"
			     "\"to\":[\"https://q.example/@ann\"]}}";
	ok(fed_activity_parse(&A, direct, strlen(direct), &act) == FED_OK && !act.object_public &&
		   !strcmp(act.object_content, ""),
	   "a direct message is not public; content that is no string is none");
	static const char *const domains[][2] = {
		{"social.example", "social.example"}, {" Social.Example ", "social.example"},
		{"https://m.EXAMPLE/@x", "m.example"}, {"@x@m.example", "m.example"},
		{"http://127.0.0.1:8080/users/x", "127.0.0.1:8080"}, {"a-b.c", "a-b.c"},
		{"m.example  ", "m.example"},
		{"", NULL}, {".", NULL}, {"a..b", NULL}, {".a", NULL}, {"a_b.example", NULL},
		{"a:", NULL}, {":80", NULL}, {"a:8x", NULL}, {"a%b", NULL}, {"exa mple.org", NULL},
		{"localhost", NULL}, {"not a server!", NULL}, {"localhost:8080", "localhost:8080"},
	};
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
		const char *d = fed_domain_normalise(&A, domains[i][0]);
		ok(domains[i][1] ? d && !strcmp(d, domains[i][1]) : !d, "server name '%s' -> %s",
		   domains[i][0], domains[i][1] ? domains[i][1] : "none");
	}
	static const char *const actors[][2] = {
		{"https://m.example/users/x", "https://m.example/users/x"},
		{" HTTPS://M.Example/users/X#main-key \n", "https://m.example/users/X"},
		{"http://127.0.0.1:8080/users/x", "http://127.0.0.1:8080/users/x"},
		{"https://m.example", "https://m.example"},
		{"m.example/users/x", NULL}, {"@x@m.example", NULL}, {"ftp://m.example/x", NULL},
		{"https://", NULL}, {"https:///x", NULL}, {"https://u@m.example/x", NULL},
		{"https://m.example/a b", NULL}, {"https://bad_host.example/x", NULL}, {"", NULL},
	};
	for (size_t i = 0; i < sizeof(actors) / sizeof(actors[0]); i++) {
		const char *u = fed_actor_normalise(&A, actors[i][0]);
		ok(actors[i][1] ? u && !strcmp(u, actors[i][1]) : !u, "actor '%s' -> %s", actors[i][0],
		   actors[i][1] ? actors[i][1] : "none");
	}
	static const char *const bad[] = {
		"", "[]", "\"x\"", "{}", "{\"id\":\"a\",\"type\":\"Follow\"}",
		"{\"id\":\"a\",\"type\":\"Follow\",\"actor\":5}", "{\"id\":\"\",\"type\":\"Follow\",\"actor\":\"b\"}",
		"{\"id\":\"a\",\"id\":\"b\",\"type\":\"Follow\",\"actor\":\"b\"}", "{\"id\":\"a\",\"type\":\"Follow\",\"actor\":\"b\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(fed_activity_parse(&A, bad[i], strlen(bad[i]), &act) == FED_BAD, "not an activity: %s", bad[i]);
	char *big = arena_alloc(&A, FED_DOC_MAX + 64);
	memset(big, ' ', FED_DOC_MAX + 63);
	memcpy(big, "{\"id\":\"a\",\"type\":\"T\",\"actor\":\"b\"}", 33);
	big[FED_DOC_MAX + 63] = '\0';
	ok(fed_activity_parse(&A, big, FED_DOC_MAX + 63, &act) == FED_BAD, "too large");
}

static void actor_docs(void)
{
	const char *key = "https://m.example/users/x#main-key";
	const char *doc = "{\"id\":\"https://m.example/users/x\",\"type\":\"Person\",\"preferredUsername\":\"x\","
			  "\"name\":\"X\",\"inbox\":\"https://m.example/users/x/inbox\","
			  "\"endpoints\":{\"sharedInbox\":\"https://m.example/inbox\"},"
			  "\"publicKey\":{\"id\":\"https://m.example/users/x#main-key\","
			  "\"owner\":\"https://m.example/users/x\",\"publicKeyPem\":\"PEM\"}}";
	struct fed_remote_actor ra;
	ok(fed_actor_parse(&A, doc, strlen(doc), key, &ra) == FED_OK && !strcmp(ra.id, "https://m.example/users/x") &&
		   !strcmp(ra.public_pem, "PEM") && !strcmp(ra.inbox, "https://m.example/users/x/inbox") &&
		   !strcmp(ra.shared_inbox, "https://m.example/inbox") && !strcmp(ra.handle, "x"),
	   "Mastodon's actor");
	const char *arr = "{\"id\":\"https://m.example/users/x\",\"inbox\":\"https://m.example/i\",\"publicKey\":["
			  "{\"id\":\"https://m.example/users/x#other\",\"owner\":\"https://m.example/users/x\",\"publicKeyPem\":\"NO\"},"
			  "{\"id\":\"https://m.example/users/x#main-key\",\"owner\":\"https://m.example/users/x\",\"publicKeyPem\":\"YES\"}]}";
	ok(fed_actor_parse(&A, arr, strlen(arr), key, &ra) == FED_OK && !strcmp(ra.public_pem, "YES") &&
		   !strcmp(ra.shared_inbox, ""),
	   "the key among several");
	const char *kdoc = "{\"id\":\"https://m.example/users/x#main-key\",\"owner\":\"https://m.example/users/x\","
			   "\"publicKeyPem\":\"PEM\"}";
	ok(fed_actor_parse(&A, kdoc, strlen(kdoc), key, &ra) == FED_KEY_DOC &&
		   !strcmp(ra.id, "https://m.example/users/x"),
	   "a key document points to its owner");
	static const char *const bad[] = {
		/* the key of another actor */
		"{\"id\":\"https://m.example/users/x\",\"inbox\":\"https://m.example/i\",\"publicKey\":{\"id\":"
		"\"https://m.example/users/x#main-key\",\"owner\":\"https://m.example/users/y\",\"publicKeyPem\":\"P\"}}",
		/* another key id */
		"{\"id\":\"https://m.example/users/x\",\"inbox\":\"https://m.example/i\",\"publicKey\":{\"id\":"
		"\"https://m.example/users/x#k2\",\"owner\":\"https://m.example/users/x\",\"publicKeyPem\":\"P\"}}",
		/* an actor elsewhere claiming the key */
		"{\"id\":\"https://evil.example/users/x\",\"inbox\":\"https://evil.example/i\",\"publicKey\":{\"id\":"
		"\"https://m.example/users/x#main-key\",\"owner\":\"https://evil.example/users/x\",\"publicKeyPem\":\"P\"}}",
		/* no inbox */
		"{\"id\":\"https://m.example/users/x\",\"publicKey\":{\"id\":"
		"\"https://m.example/users/x#main-key\",\"owner\":\"https://m.example/users/x\",\"publicKeyPem\":\"P\"}}",
		/* a key document owned elsewhere */
		"{\"id\":\"https://m.example/users/x#main-key\",\"owner\":\"https://evil.example/x\",\"publicKeyPem\":\"P\"}",
		"{\"id\":\"https://m.example/users/x\"}", "[]", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(fed_actor_parse(&A, bad[i], strlen(bad[i]), key, &ra) == FED_BAD, "refused actor document %zu", i);
}

static void changes(void)
{
	struct user_row ann;
	row_user(&ann, "ann", NOW);
	struct story_row pub, draft, unl, circ, priv, edited, renamed, noted, settings;
	row_story(&pub, &ann, "s", "published", "public", NOW, NULL);
	row_story(&draft, &ann, "s", "draft", "public", NOW, NULL);
	row_story(&unl, &ann, "s", "published", "unlisted", NOW, NULL);
	row_story(&circ, &ann, "s", "published", "circle", NOW, NULL);
	row_story(&priv, &ann, "s", "published", "private", NOW, NULL);
	edited = renamed = noted = settings = pub;
	edited.body = "new words";
	renamed.slug = "t";
	noted.content_note = "hard things";
	settings.responses = "off";
	const struct story_row *none = NULL;
	static const char *const names[] = {"none", "pub", "draft", "unlisted", "circle", "private"};
	const struct story_row *rows[] = {none, &pub, &draft, &unl, &circ, &priv};
	/* want[before][after] */
	static const char *const want[6][6] = {
		/* to:    none  pub       draft     unlisted  circle    private */
		/* none */ {0, "create", 0, 0, 0, 0},
		/* pub  */ {0, 0, "delete", "delete", "delete", "delete"},
		/* draft*/ {0, "create", 0, 0, 0, 0},
		/* unl  */ {0, "create", 0, 0, 0, 0},
		/* circ */ {0, "create", 0, 0, 0, 0},
		/* priv */ {0, "create", 0, 0, 0, 0},
	};
	for (int b = 0; b < 6; b++)
		for (int a = 1; a < 6; a++) {
			const char *got = fed_story_change(rows[b], rows[a]);
			ok(want[b][a] ? got && !strcmp(got, want[b][a]) : !got, "%s -> %s: %s", names[b],
			   names[a], want[b][a] ? want[b][a] : "nothing");
		}
	ok(!strcmp(fed_story_change(&pub, &edited), "update") &&
		   !strcmp(fed_story_change(&pub, &renamed), "update") &&
		   !strcmp(fed_story_change(&pub, &noted), "update") && !fed_story_change(&pub, &settings),
	   "a public story edited: update; only its response settings: nothing");
	struct story_row circ_edited = circ;
	circ_edited.body = "new words";
	ok(!fed_story_change(&circ, &circ_edited) && !fed_story_change(&unl, &unl),
	   "a story that is not public never sends an Update");
}

static void taking(const char *kind, const char *url)
{
	(void)kind;
	struct store *st;
	char err[256];
	if (!ok(store_open(url, &st, err, sizeof(err)) == STORE_OK, "open %s", url))
		return;
	struct user_row ann;
	row_user(&ann, "ann", NOW);
	if (!ok(store_user_insert(st, &ann) == STORE_OK, "a writer"))
		return;
	struct fed_activity f = {.id = "https://m.example/f/1", .type = "Follow",
				 .actor = "https://m.example/users/x", .object_id = "https://q.example/@ann"};
	struct fed_remote_actor ra = {.id = "https://m.example/users/x", .inbox = "https://m.example/users/x/inbox",
				      .shared_inbox = "https://m.example/inbox"};
	int64_t n = -1;
	struct fed_delivery_row *rows;
	size_t k;
	ok(fed_take_follow(st, &A, ann.id, &f, &ra, NOW, NULL) == FED_OK &&
		   store_fed_follower_count(st, ann.id, &n) == STORE_OK && n == 1 &&
		   store_fed_deliveries(st, &A, ann.id, 10, &rows, &k) == STORE_OK && k == 1 &&
		   !strcmp(rows[0].kind, "accept") && !strcmp(rows[0].inbox, ra.inbox) &&
		   !strcmp(rows[0].domain, "m.example") && strstr(rows[0].payload, "https://m.example/f/1") &&
		   rows[0].next_at == NOW,
	   "a Follow: a follower, and an Accept queued to her own inbox with the Follow");
	ok(fed_take_follow(st, &A, ann.id, &f, &ra, NOW + 1, NULL) == FED_REPLAY &&
		   store_fed_deliveries(st, &A, ann.id, 10, &rows, &k) == STORE_OK && k == 1,
	   "the same Follow again is a replay: nothing queued");
	struct fed_activity u = {.id = "https://m.example/u/1", .type = "Undo", .actor = ra.id};
	ok(fed_take_undo_follow(st, ann.id, &u, NULL, NOW + 2) == FED_OK &&
		   store_fed_follower_count(st, ann.id, &n) == STORE_OK && n == 0,
	   "its Undo removes her");
	ok(fed_take_undo_follow(st, ann.id, &u, NULL, NOW + 3) == FED_REPLAY, "the Undo again: a replay");
	u.id = "https://m.example/u/2";
	ok(fed_take_undo_follow(st, ann.id, &u, NULL, NOW + 3) == FED_OK, "an Undo of no follow: fine");
	struct fed_activity like = {.id = "https://m.example/l/1", .type = "Like", .actor = ra.id};
	ok(fed_take_other(st, &like, NOW) == FED_OK && fed_take_other(st, &like, NOW) == FED_REPLAY,
	   "anything else: its id remembered");

	/* Two followers on one server (one shared inbox) and one elsewhere. */
	struct fed_remote_actor r2 = {.id = "https://m.example/users/y", .inbox = "https://m.example/users/y/inbox",
				      .shared_inbox = "https://m.example/inbox"};
	struct fed_remote_actor r3 = {.id = "https://o.example/u/z", .inbox = "https://o.example/u/z/inbox",
				      .shared_inbox = ""};
	struct fed_activity f1 = f, f2 = f, f3 = f;
	f1.id = "https://m.example/f/10";
	f2.id = "https://m.example/f/11";
	f2.actor = r2.id;
	f3.id = "https://o.example/f/12";
	f3.actor = r3.id;
	ok(!fed_take_follow(st, &A, ann.id, &f1, &ra, NOW, NULL) && !fed_take_follow(st, &A, ann.id, &f2, &r2, NOW, NULL) &&
		   !fed_take_follow(st, &A, ann.id, &f3, &r3, NOW, NULL),
	   "three followers");
	struct story_row s, circle;
	row_story(&s, &ann, "pub", "published", "public", NOW, NULL);
	row_story(&circle, &ann, "circ", "published", "circle", NOW, NULL);
	int64_t q = -1;
	ok(fed_on_story_save(st, NULL, &s, NOW, &q) == FED_OK && q == 2,
	   "a public story goes to two inboxes (one shared)");
	ok(fed_on_story_save(st, NULL, &circle, NOW, &q) == FED_OK && q == 0 &&
		   fed_on_story_save(st, &circle, &circle, NOW, &q) == FED_OK && q == 0,
	   "a circle story to none");
	ok(fed_on_story_delete(st, &s, NOW, &q) == FED_OK && q == 2 &&
		   fed_on_story_delete(st, &circle, NOW, &q) == FED_OK && q == 0,
	   "deleting: a Delete for the public one only");
	ok(store_fed_deliveries(st, &A, ann.id, 20, &rows, &k) == STORE_OK && k == 8,
	   "eight deliveries in all (four Accepts, two Creates, two Deletes)");

	/* She approves her followers first. */
	bool held = false, on = true;
	ok(store_fed_approve_get(st, ann.id, &on) == STORE_OK && !on &&
		   store_fed_approve_set(st, ann.id, true) == STORE_OK &&
		   store_fed_approve_get(st, ann.id, &on) == STORE_OK && on,
	   "approval: off until she turns it on");
	struct fed_remote_actor r4 = {.id = "https://p.example/u/w", .inbox = "https://p.example/u/w/inbox",
				      .shared_inbox = ""};
	struct fed_remote_actor r5 = {.id = "https://p.example/u/v", .inbox = "https://p.example/u/v/inbox",
				      .shared_inbox = ""};
	struct fed_activity f4 = f, f5 = f;
	f4.id = "https://p.example/f/1";
	f4.actor = r4.id;
	f5.id = "https://p.example/f/2";
	f5.actor = r5.id;
	struct fed_follower_row *reqs;
	size_t nr;
	ok(fed_take_follow(st, &A, ann.id, &f4, &r4, NOW, &held) == FED_OK && held &&
		   fed_take_follow(st, &A, ann.id, &f5, &r5, NOW + 1, NULL) == FED_OK &&
		   store_fed_follower_count(st, ann.id, &n) == STORE_OK && n == 3 &&
		   store_fed_deliveries(st, &A, ann.id, 20, &rows, &k) == STORE_OK && k == 8 &&
		   store_fed_requests(st, &A, ann.id, 10, &reqs, &nr) == STORE_OK && nr == 2 &&
		   !strcmp(reqs[0].actor_id, r4.id) && !strcmp(reqs[0].follow_id, f4.id),
	   "a Follow waits: no follower, nothing sent, a request kept");
	ok(fed_approve_follower(st, &A, ann.id, r4.id, NOW + 2) == FED_OK &&
		   store_fed_follower_count(st, ann.id, &n) == STORE_OK && n == 4 &&
		   store_fed_deliveries(st, &A, ann.id, 20, &rows, &k) == STORE_OK && k == 9 &&
		   !strcmp(rows[0].kind, "accept") && !strcmp(rows[0].inbox, r4.inbox) &&
		   strstr(rows[0].payload, f4.id),
	   "approved: a follower, an Accept of her Follow queued");
	ok(fed_reject_follower(st, &A, ann.id, r5.id, NOW + 3) == FED_OK &&
		   store_fed_follower_count(st, ann.id, &n) == STORE_OK && n == 4 &&
		   store_fed_deliveries(st, &A, ann.id, 20, &rows, &k) == STORE_OK && k == 10 &&
		   !strcmp(rows[0].kind, "reject") && strstr(rows[0].payload, f5.id) &&
		   store_fed_requests(st, &A, ann.id, 10, &reqs, &nr) == STORE_OK && nr == 0,
	   "rejected: no follower, a Reject queued, no request left");
	ok(fed_approve_follower(st, &A, ann.id, r5.id, NOW + 4) == FED_BAD &&
		   fed_reject_follower(st, &A, ann.id, r5.id, NOW + 4) == FED_BAD,
	   "no request: nothing to approve or reject");
	f5.id = "https://p.example/f/3";
	struct fed_activity u5 = {.id = "https://p.example/u/3", .type = "Undo", .actor = r5.id};
	ok(fed_take_follow(st, &A, ann.id, &f5, &r5, NOW + 5, NULL) == FED_OK &&
		   fed_take_undo_follow(st, ann.id, &u5, NULL, NOW + 6) == FED_OK &&
		   store_fed_requests(st, &A, ann.id, 10, &reqs, &nr) == STORE_OK && nr == 0,
	   "an Undo withdraws a waiting Follow");
	int64_t gone = -1;
	f5.id = "https://p.example/f/4";
	ok(fed_take_follow(st, &A, ann.id, &f5, &r5, NOW + 7, NULL) == FED_OK &&
		   store_fed_requests(st, &A, ann.id, 10, &reqs, &nr) == STORE_OK && nr == 1 &&
		   fed_block_domain(st, &A, ann.id, "p.example", NOW + 8, &gone) == FED_OK && gone == 1 &&
		   store_fed_requests(st, &A, ann.id, 10, &reqs, &nr) == STORE_OK && nr == 0 &&
		   store_fed_follower_count(st, ann.id, &n) == STORE_OK && n == 3 &&
		   fed_blocked(st, &A, ann.id, "https://sub.P.example/u/q") &&
		   !fed_blocked(st, &A, ann.id, "https://m.example/u/q"),
	   "blocking a server: its follower and its waiting Follow go, the others stay");
	store_close(st);
}

int main(void)
{
	arena_init(&A);
	accept_header();
	resources();
	urls();
	activities();
	actor_docs();
	changes();
	store_for_each_backend(taking);
	arena_release(&A);
	return tap_done();
}
