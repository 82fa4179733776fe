/*
 * mail_send.c - the sender (mail_web.h): one thread that claims due
 * outbox rows, renders each as the reader it is for, hands it to the
 * SMTP server and records the answer. Several app servers may each run
 * one: claims are leased in the store, so no message has two senders.
 */
#include "mail/mail_web.h"

#include "audience/audience.h"
#include "core/clock.h"
#include "core/mem.h"
#include "core/wake.h"
#include "mail/mail.h"
#include "mail/mime.h"
#include "net/smtp.h"
#include "render/render.h"
#include "stories/stories.h"
#include "store/store_mail.h"
#include "web/web.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CLAIM_BATCH 4
#define LEASE_SECONDS 300
#define MAX_BACKOFF (6 * 3600)
#define RATE_SLOTS 64

static struct mail_sender_config cfg;
static pthread_t thread;
static struct wake wake = WAKE_INIT;
static bool started;
/* For /metrics: what this process sent, retried and gave up on, and the
 * outbox's depth as the sender last counted it (each idle second). */
static _Atomic uint64_t n_sent, n_retried, n_failed;
static _Atomic int64_t depth_queued = -1, depth_failed = -1;

/* Per recipient domain, a token bucket of cfg.domain_rate per second
 * (this thread only). */
static struct {
	char domain[80];
	double tokens;
	int64_t at_ms;
} rates[RATE_SLOTS];

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until domain may have one more message. */
static void rate_wait(const char *domain)
{
	if (!cfg.domain_rate)
		return;
	size_t slot = 0, oldest = 0;
	for (; slot < RATE_SLOTS; slot++) {
		if (!strcmp(rates[slot].domain, domain))
			break;
		if (rates[slot].at_ms < rates[oldest].at_ms)
			oldest = slot;
	}
	int64_t now = mono_ms();
	if (slot == RATE_SLOTS) {
		slot = oldest;
		snprintf(rates[slot].domain, sizeof(rates[slot].domain), "%s", domain);
		rates[slot].tokens = cfg.domain_rate;
		rates[slot].at_ms = now;
	}
	double rate = cfg.domain_rate;
	rates[slot].tokens += (double)(now - rates[slot].at_ms) * rate / 1000.0;
	if (rates[slot].tokens > rate)
		rates[slot].tokens = rate;
	rates[slot].at_ms = now;
	if (rates[slot].tokens < 1.0) {
		double wait_ms = (1.0 - rates[slot].tokens) * 1000.0 / rate;
		struct timespec ts = {(time_t)(wait_ms / 1000), (long)((int64_t)wait_ms % 1000) * 1000000};
		nanosleep(&ts, NULL);
		rates[slot].tokens = 1.0;
		rates[slot].at_ms = mono_ms();
	}
	rates[slot].tokens -= 1.0;
}

/* The host of the base URL, for Message-IDs and List-Id. */
static const char *site_host(struct arena *a)
{
	const char *h = strstr(web_cfg->base_url, "://");
	h = h ? h + 3 : web_cfg->base_url;
	size_t n = strcspn(h, "/:");
	return arena_strndup(a, h, n);
}

static const char *payload_token(struct arena *a, const char *payload)
{
	json_t *j = json_loads(payload ? payload : "", 0, NULL);
	const char *t = NULL;
	if (j && json_is_string(json_object_get(j, "token")))
		t = arena_strdup(a, json_string_value(json_object_get(j, "token")));
	json_decref(j);
	return t;
}

/* What a message is, before it becomes text. */
struct draft {
	const char *subject;
	const char *from_name;
	const char *text;      /* the plain-text part */
	json_t *ctx;           /* for templates/mail.mustache */
	const char *unsub_url; /* List-Unsubscribe, for bulk mail */
	const char *list_id;
	bool auto_generated;
};

static void add_link(struct draft *d, struct buf *text, const char *heading,
		     const char *const *paras, size_t np, const char *button, const char *url,
		     const char *after)
{
	json_object_set_new(d->ctx, "heading", json_string(heading));
	json_t *ps = json_array();
	buf_addf(text, "%s\n\n", heading);
	for (size_t i = 0; i < np; i++) {
		json_array_append_new(ps, json_string(paras[i]));
		buf_addf(text, "%s\n\n", paras[i]);
	}
	json_object_set_new(d->ctx, "paras", ps);
	if (url) {
		json_object_set_new(d->ctx, "button", json_string(button));
		json_object_set_new(d->ctx, "button_url", json_string(url));
		buf_addf(text, "%s:\n%s\n\n", button, url);
	}
	if (after) {
		json_object_set_new(d->ctx, "after", json_string(after));
		buf_addf(text, "%s\n", after);
	}
}

/* Why a row cannot be sent, or NULL when d is ready. */
static const char *draft_story(struct http_req *req, const struct outbox_row *o, struct draft *d,
			       struct buf *text)
{
	struct store *st = web_store(req);
	struct arena *a = &req->arena;
	struct story_row s;
	if (store_story_get(st, a, o->story_id, &s))
		return "not sent: the story is gone";
	struct user_row writer;
	if (store_user_by_id(st, a, s.author_id, &writer))
		return "not sent: the writer is gone";
	const char *viewer = NULL;
	bool member = s.audience == AUDIENCE_CIRCLE;
	if (member) {
		struct web_req *sr = web_req(req);
		if (store_user_by_id(st, a, o->ref_id, &sr->viewer.user))
			return "not sent: the reader's account is gone";
		sr->viewer.signed_in = true;
		viewer = sr->viewer.user.id;
		sr->photo_reader = viewer; /* her photos load in her mail */
		const char *want = "1";
		if (store_mail_pref_get(st, a, viewer, "circle_mail", "1", &want) ||
		    strcmp(want, "0") == 0)
			return "not sent: the reader turned circle mail off";
	} else {
		struct subscriber_row sub;
		if (store_subscriber_by_id(st, a, o->ref_id, &sub) ||
		    strcmp(sub.status, "confirmed") != 0)
			return "not sent: the reader unsubscribed";
		if (s.audience != AUDIENCE_PUBLIC)
			return "not sent: the story is no longer public";
	}
	if (s.status != STATUS_PUBLISHED || !audience_may_see_story(st, viewer, &s))
		return "not sent: the story is no longer for this reader";
	const char *url = web_url(req, story_path(a, &s));
	const char *excerpt_pref = "0";
	if (store_mail_pref_get(st, a, writer.id, "mail_excerpt", "0", &excerpt_pref))
		excerpt_pref = "0";
	bool excerpt = !strcmp(excerpt_pref, "1");
	json_t *sj = json_object();
	json_object_set_new(sj, "title", json_string(s.title));
	if (s.subtitle[0])
		json_object_set_new(sj, "subtitle", json_string(s.subtitle));
	json_object_set_new(sj, "author_name", json_string(writer.name));
	json_object_set_new(sj, "url", json_string(url));
	buf_addf(text, "%s\n", s.title);
	if (s.subtitle[0])
		buf_addf(text, "%s\n", s.subtitle);
	buf_addf(text, "by %s\n\n", writer.name);
	if (s.content_note[0])
		buf_addf(text, "Content note: %s\n\n", s.content_note);
	if (excerpt) {
		if (s.content_note[0])
			json_object_set_new(sj, "content_note", json_string(s.content_note));
		else
			json_object_set_new(sj, "excerpt", json_string(s.excerpt));
		json_object_set_new(sj, "more_url", json_string(url));
		if (!s.content_note[0])
			buf_addf(text, "%s\n\n", s.excerpt);
		buf_addf(text, "Read the whole story:\n%s\n", url);
	} else {
		/* The one rendering rule, for this reader, by mail. */
		json_object_set_new(sj, "body_html", json_string(render_story_html(req, &s, RENDER_MAIL)));
		render_plain(s.body, strlen(s.body), RENDER_SEARCH, 0, text);
		buf_addf(text, "\n\nRead it on the site:\n%s\n", url);
	}
	json_object_set_new(d->ctx, "story", sj);
	d->subject = s.title;
	d->from_name = writer.name;
	d->unsub_url = web_url(req, arena_printf(a, "/unsubscribe/%s",
						 mail_unsub_token(a, o->ref_id, member)));
	d->list_id = arena_printf(a, "<%s.%s>", writer.handle, site_host(a));
	json_object_set_new(d->ctx, "footer",
			    json_string(member ? arena_printf(a, "You receive this as a member of "
							      "%s's circle.", writer.name) :
					arena_printf(a, "You receive this because you subscribed "
						     "to %s's stories.", writer.name)));
	return NULL;
}

/* What one notice to a writer says (MAIL_KIND_NOTIFY, or an item of her
 * digest); false when there is nothing to say any more. */
struct notice {
	const char *subject, *para, *button, *url;
};

static bool notice_of(struct http_req *req, const struct outbox_row *o, struct notice *nt)
{
	struct store *st = web_store(req);
	struct arena *a = &req->arena;
	json_t *j = json_loads(o->payload ? o->payload : "", 0, NULL);
	const char *what = j && json_is_string(json_object_get(j, "what")) ?
				   arena_strdup(a, json_string_value(json_object_get(j, "what"))) : "";
	const char *h = json_string_value(json_object_get(j, "handle"));
	const char *cn = json_string_value(json_object_get(j, "circle"));
	h = arena_strdup(a, h ? h : "");
	cn = arena_strdup(a, cn ? cn : "");
	json_decref(j);
	struct story_row s;
	bool has_story = o->story_id[0] && !store_story_get(st, a, o->story_id, &s);
	if (!strcmp(what, "subscriber")) {
		int64_t n = 0;
		if (store_subscriber_count(st, o->writer_id, "confirmed", &n))
			n = 0;
		nt->subject = "You have a new subscriber";
		nt->para = arena_printf(a, "Someone confirmed a subscription to your stories. You now "
					"have %lld confirmed subscribers.", (long long)n);
		nt->button = "See your subscribers";
		nt->url = web_url(req, "/settings/subscribers");
	} else if (!strcmp(what, "joined")) {
		nt->subject = arena_printf(a, "@%s joined your circle “%s”", h, cn);
		nt->para = arena_printf(a, "@%s accepted your invitation and can now read the stories "
					"you share with “%s”.", h, cn);
		nt->button = "See your circles";
		nt->url = web_url(req, "/circles");
	} else if (!strcmp(what, "pending") && has_story) {
		nt->subject = arena_printf(a, "A response to “%s” waits for you", s.title);
		nt->para = "A reader responded to your story. Nobody else sees the response until you "
			   "approve it.";
		nt->button = "Review it";
		nt->url = web_url(req, "/moderation");
	} else if (!strcmp(what, "response") && has_story) {
		nt->subject = arena_printf(a, "A new response to “%s”", s.title);
		nt->para = "A reader responded to your story.";
		nt->button = "Read it";
		nt->url = web_url(req, arena_printf(a, "%s#responses", story_path(a, &s)));
	} else {
		return false;
	}
	return true;
}

/* Most notices one digest carries (more wait for the next one). */
#define DIGEST_MAX 200

/* The day's notices in one message: each kept item a line and its link.
 * The items it carries are marked sent with it (digest_done). */
static __thread struct {
	char (*ids)[17];
	size_t n;
} digest_carried;

static const char *draft_digest(struct http_req *req, const struct outbox_row *o,
				struct draft *d, struct buf *text)
{
	struct arena *a = &req->arena;
	struct outbox_row *items;
	size_t n;
	if (store_outbox_queued_kind(web_store(req), a, o->writer_id, MAIL_KIND_DIGEST_ITEM, DIGEST_MAX,
				     &items, &n))
		return "not sent: the notices could not be read";
	digest_carried.ids = arena_alloc(a, (n ? n : 1) * sizeof(*digest_carried.ids));
	digest_carried.n = 0;
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		memcpy(digest_carried.ids[digest_carried.n++], items[i].id, 17);
		struct notice nt;
		if (!notice_of(req, &items[i], &nt))
			continue; /* nothing to say any more: carried all the same */
		json_array_append_new(list, json_pack("{s:s,s:s}", "line", nt.subject, "url", nt.url));
	}
	size_t said = json_array_size(list);
	if (!said) {
		json_decref(list);
		return "not sent: nothing to say any more";
	}
	d->subject = said == 1 ? "Today on your stories: 1 notice" :
				 arena_printf(a, "Today on your stories: %zu notices", said);
	buf_addf(text, "%s\n\n", d->subject);
	for (size_t i = 0; i < said; i++) {
		json_t *it = json_array_get(list, i);
		buf_addf(text, "- %s\n  %s\n", json_string_value(json_object_get(it, "line")),
			 json_string_value(json_object_get(it, "url")));
	}
	json_object_set_new(d->ctx, "heading", json_string(d->subject));
	json_object_set_new(d->ctx, "digest", list);
	json_object_set_new(d->ctx, "has_digest", json_true());
	return NULL;
}

static const char *draft_of(struct http_req *req, const struct outbox_row *o, struct draft *d,
			    struct buf *text)
{
	struct store *st = web_store(req);
	struct arena *a = &req->arena;
	const char *site = web_site(req)->name;
	d->from_name = site;
	if (!strcmp(o->kind, MAIL_KIND_STORY))
		return draft_story(req, o, d, text);
	d->auto_generated = true;
	if (!strcmp(o->kind, MAIL_KIND_NOTIFY) || !strcmp(o->kind, MAIL_KIND_DIGEST)) {
		const char *settings = web_url(req, "/settings/email");
		if (!strcmp(o->kind, MAIL_KIND_NOTIFY)) {
			struct notice nt;
			if (!notice_of(req, o, &nt))
				return "not sent: nothing to say any more";
			d->subject = nt.subject;
			const char *p[] = {nt.para};
			add_link(d, text, d->subject, p, 1, nt.button, nt.url, NULL);
		} else {
			const char *why = draft_digest(req, o, d, text);
			if (why)
				return why;
		}
		buf_addf(text, "\nTurn these notices off: %s\n", settings);
		json_object_set_new(d->ctx, "footer",
				    json_string("You can turn these notices off in your email "
						"settings."));
		json_object_set_new(d->ctx, "footer_url", json_string(settings));
		return NULL;
	}
	const char *tok = payload_token(a, o->payload);
	if (!tok)
		return "not sent: the link is missing";
	if (!strcmp(o->kind, MAIL_KIND_CONFIRM)) {
		struct user_row w;
		if (store_user_by_id(st, a, o->writer_id, &w))
			return "not sent: the writer is gone";
		d->subject = arena_printf(a, "Confirm your subscription to %s", w.name);
		const char *p[] = {arena_printf(a, "Someone, we hope you, asked to receive the stories "
						"of %s on %s at this address.", w.name, site),
				   "If it was not you, ignore this message: nothing more will be "
				   "sent."};
		add_link(d, text, d->subject, p, 2, "Confirm my subscription",
			 web_url(req, arena_printf(a, "/subscribe/confirm/%s", tok)), NULL);
	} else if (!strcmp(o->kind, MAIL_KIND_SIGNIN)) {
		d->subject = arena_printf(a, "Sign in to %s", site);
		const char *p[] = {"Press the button to sign in. The link works once, for 15 "
				   "minutes.",
				   "If you did not ask for it, ignore this message."};
		add_link(d, text, d->subject, p, 2, "Sign in",
			 web_url(req, arena_printf(a, "/login/link/%s", tok)), NULL);
	} else if (!strcmp(o->kind, MAIL_KIND_RESET)) {
		d->subject = arena_printf(a, "Choose a new password for %s", site);
		const char *p[] = {"Press the button to choose a new password. The link works once, "
				   "for 15 minutes, and signs you out everywhere else.",
				   "If you did not ask for it, ignore this message: your password "
				   "stays as it is."};
		add_link(d, text, d->subject, p, 2, "Choose a new password",
			 web_url(req, arena_printf(a, "/login/reset/%s", tok)), NULL);
	} else if (!strcmp(o->kind, MAIL_KIND_ADMIN_RESET)) {
		d->subject = arena_printf(a, "Choose a new password for %s", site);
		const char *p[] = {arena_printf(a, "An administrator of %s reset the sign-in of your "
						"account: your old password no longer works, and you "
						"were signed out everywhere.", site),
				   "Press the button to choose a new password. The link works once, "
				   "for 7 days."};
		add_link(d, text, d->subject, p, 2, "Choose a new password",
			 web_url(req, arena_printf(a, "/login/reset/%s", tok)), NULL);
	} else if (!strcmp(o->kind, MAIL_KIND_INVITE)) {
		struct user_row w;
		struct circle_row c;
		if (store_user_by_id(st, a, o->writer_id, &w) || w.suspended_at)
			return "not sent: the writer is gone";
		if (store_circle_get(st, a, o->ref_id, &c))
			return "not sent: the circle is gone";
		d->from_name = w.name;
		d->subject = arena_printf(a, "%s invites you to read stories on %s", w.name, site);
		const char *p[] = {arena_printf(a, "%s writes on %s and shares some stories only with "
						"the people they choose: you are one of them.", w.name,
						site),
				   "Press the button to join: you only need to give your name, no "
				   "password. The link works once, for 14 days.",
				   "If you do not know who sent it, ignore this message."};
		add_link(d, text, d->subject, p, 3, "Join",
			 web_url(req, arena_printf(a, "/c/%s", tok)), NULL);
	} else if (!strcmp(o->kind, MAIL_KIND_VERIFY)) {
		d->subject = arena_printf(a, "Confirm your address for %s", site);
		const char *p[] = {"Press the button to use this address for your account: for "
				   "sign-in links, circle stories and notices.",
				   "If you did not ask for it, ignore this message."};
		add_link(d, text, d->subject, p, 2, "Confirm this address",
			 web_url(req, arena_printf(a, "/settings/email/verify/%s", tok)), NULL);
	} else {
		return "not sent: unknown kind of message";
	}
	return NULL;
}

/* The message of row o as text into out, or the reason it is not sent. */
static const char *compose(struct http_req *req, const struct outbox_row *o, struct buf *out)
{
	struct arena *a = &req->arena;
	struct draft d = {0};
	d.ctx = json_object();
	struct buf text;
	buf_init(&text, 4 << 20);
	const char *why = draft_of(req, o, &d, &text);
	if (!why) {
		if (d.unsub_url) {
			json_object_set_new(d.ctx, "unsub_url", json_string(d.unsub_url));
			buf_addf(&text, "\n--\nUnsubscribe: %s\n", d.unsub_url);
		}
		json_object_set_new(d.ctx, "site_name", json_string(web_site(req)->name));
		json_object_set_new(d.ctx, "site_url", json_string(web_cfg->base_url));
		json_object_set_new(d.ctx, "subject", json_string(d.subject));
		struct buf html;
		buf_init(&html, 16 << 20);
		if (!web_render(req, "mail", d.ctx, &html)) {
			why = "not sent: the message could not be rendered";
		} else {
			struct mime_msg m = {0};
			m.from_name = d.from_name;
			m.from_addr = cfg.from_addr;
			m.to_addr = o->to_addr;
			m.subject = d.subject;
			m.message_id = arena_printf(a, "<%s.%s@%s>", o->id, o->kind, site_host(a));
			m.date = clock_now();
			m.list_unsubscribe = d.unsub_url;
			m.list_id = d.list_id;
			m.auto_generated = d.auto_generated;
			m.text = buf_str(&text);
			m.html = buf_str(&html);
			if (!mime_build(&m, out))
				why = "not sent: the message could not be built";
		}
		buf_release(&html);
	}
	buf_release(&text);
	json_decref(d.ctx);
	return why;
}

/* Record an answer; a lost database is tried again for a while, since
 * a message the server took must not be sent twice. */
static void record(struct store *st, const struct outbox_row *o, enum smtp_result r,
		   const char *err)
{
	int64_t now = clock_now();
	for (int tries = 0; tries < 50; tries++) {
		enum store_err e;
		if (r == SMTP_SENT) {
			e = store_outbox_sent(st, o->id, now);
			if (!e)
				n_sent++;
		} else if (r == SMTP_PERMFAIL || now - o->created_at >= (int64_t)cfg.give_up) {
			e = store_outbox_fail(st, o->id, now, err);
			if (!e)
				n_failed++;
		} else {
			int64_t delay = cfg.retry_base;
			for (int64_t i = 0; i < o->attempts && delay < MAX_BACKOFF; i++)
				delay *= 2;
			if (delay > MAX_BACKOFF)
				delay = MAX_BACKOFF;
			e = store_outbox_retry(st, o->id, now + delay, err);
			if (!e)
				n_retried++;
		}
		if (e == STORE_OK || e == STORE_NOT_FOUND)
			return;
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "quire: mail: could not record the answer for message %s\n", o->id);
}

/* After a digest: the notices it carried are sent with it (why NULL) or
 * failed with it; a digest is queued for any kept since. */
static void digest_done(struct store *st, struct arena *a, const struct outbox_row *row,
			const char *why)
{
	if (strcmp(row->kind, MAIL_KIND_DIGEST) != 0)
		return;
	int64_t now = clock_now();
	bool ok = !store_begin(st);
	for (size_t i = 0; ok && i < digest_carried.n; i++)
		ok = !(why ? store_outbox_fail(st, digest_carried.ids[i], now, why) :
			     store_outbox_sent(st, digest_carried.ids[i], now));
	ok = ok && !mail_digest_ensure(st, a, row->writer_id, row->to_addr, now) && !store_commit(st);
	if (!ok) {
		store_rollback(st);
		fprintf(stderr, "quire: mail: could not record the notices of digest %s\n", row->id);
	}
	digest_carried.n = 0;
}

static void deliver(void *ts, struct smtp *c, const struct outbox_row *row)
{
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.arena);
	req.thread = ts;
	req.path = "/";
	struct store *st = web_store(&req);
	struct buf msg;
	buf_init(&msg, 32 << 20);
	digest_carried.n = 0;
	const char *why = compose(&req, row, &msg);
	if (why) {
		if (store_outbox_fail(st, row->id, clock_now(), why))
			fprintf(stderr, "quire: mail: could not record message %s\n", row->id);
		else
			n_failed++;
		digest_done(st, &req.arena, row, why);
	} else {
		rate_wait(row->domain);
		char err[512] = "";
		enum smtp_result r = smtp_send(c, cfg.from_addr, row->to_addr, buf_str(&msg), msg.len,
					       err, sizeof(err));
		if (r != SMTP_SENT)
			fprintf(stderr, "quire: mail: message %s to %s: %s\n", row->id, row->domain,
				err);
		record(st, row, r, err);
		if (r == SMTP_SENT)
			digest_done(st, &req.arena, row, NULL);
	}
	buf_release(&msg);
	arena_release(&req.arena);
}

static void *sender_main(void *arg)
{
	(void)arg;
	void *ts = web_thread_init();
	char err[256];
	struct smtp *c = smtp_new(cfg.smtp_url, cfg.password, cfg.insecure, err, sizeof(err));
	if (!ts || !c) {
		fprintf(stderr, "quire: mail sender cannot start: %s\n", c ? "no database" : err);
		smtp_free(c);
		web_thread_done(ts);
		return NULL;
	}
	/* What this node's earlier process held when it died is due now. */
	{
		struct http_req req;
		memset(&req, 0, sizeof(req));
		req.thread = ts;
		if (store_outbox_release(web_store(&req), cfg.node))
			fprintf(stderr, "quire: mail: could not release earlier claims\n");
	}
	uint64_t seen;
	while (wake_running(&wake, &seen)) {
		struct http_req req;
		memset(&req, 0, sizeof(req));
		arena_init(&req.arena);
		req.thread = ts;
		int64_t now = clock_now();
		struct outbox_row *rows = NULL;
		size_t n = 0;
		if (store_outbox_claim(web_store(&req), &req.arena, cfg.node, now, now + LEASE_SECONDS,
				       CLAIM_BATCH, &rows, &n))
			n = 0;
		for (size_t i = 0; i < n; i++)
			deliver(ts, c, &rows[i]);
		arena_release(&req.arena);
		if (n == CLAIM_BATCH)
			continue;
		int64_t q = 0, f = 0;
		if (store_outbox_counts(web_store(&req), &q, NULL, &f) == STORE_OK) {
			depth_queued = q;
			depth_failed = f;
		}
		/* Nothing more due: sleep until poked, or a second (another app
		 * server may have queued, or a retry come due). */
		wake_sleep(&wake, seen, 1);
	}
	smtp_free(c);
	web_thread_done(ts);
	return NULL;
}

bool mail_sender_start(const struct mail_sender_config *c)
{
	cfg = *c;
	cfg.smtp_url = xstrdup(c->smtp_url);
	cfg.password = c->password ? xstrdup(c->password) : NULL;
	cfg.from_addr = xstrdup(c->from_addr);
	cfg.node = xstrdup(c->node ? c->node : "");
	if (!cfg.retry_base)
		cfg.retry_base = 60;
	if (!cfg.give_up)
		cfg.give_up = 3 * 24 * 3600;
	wake_start(&wake);
	if (pthread_create(&thread, NULL, sender_main, NULL) != 0) {
		fprintf(stderr, "quire: cannot start the mail sender\n");
		wake_stop(&wake);
		return false;
	}
	started = true;
	return true;
}

void mail_sender_stop(void)
{
	if (!started)
		return;
	wake_stop(&wake);
	pthread_join(thread, NULL);
	started = false;
}

void mail_sender_stats(struct mail_sender_stats *out)
{
	out->sent = n_sent;
	out->retried = n_retried;
	out->failed = n_failed;
	out->queued_now = depth_queued;
	out->failed_now = depth_failed;
}

void mail_sender_poke(void)
{
	wake_poke(&wake);
}

int mail_story_hook(struct store *st, struct arena *a, const struct story_row *before,
		    const struct story_row *after, int email)
{
	enum mail_err e = mail_on_story_save(st, a, before, after, email);
	if (e == MAIL_OK)
		mail_sender_poke(); /* early: the sender looks again after its claim */
	return e == MAIL_STORE ? -1 : 0;
}
