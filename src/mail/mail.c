/*
 * mail.c - the rules of email (mail.h).
 */
#include "mail/mail.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "core/tz.h"
#include "mail/mime.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool enabled;
static unsigned char mac_key[32];

void mail_configure(bool on, const unsigned char key[32])
{
	enabled = on;
	if (key)
		memcpy(mac_key, key, sizeof(mac_key));
}

bool mail_enabled(void)
{
	return enabled;
}

/* The address typed (NULL: none) as kept, or NULL. */
static const char *addr_of(struct arena *a, const char *in)
{
	return mail_addr_normalise(a, in ? in : "", in ? strlen(in) : 0);
}

static const char *domain_of(const char *email)
{
	const char *at = strchr(email, '@');
	return at ? at + 1 : "";
}

/* A new link token (32 hex) and its hash. */
static void new_token(char tok[33], char hash[65])
{
	random_hex(tok, 16);
	hash_token(tok, 32, hash);
}

static bool token_shape(const char *t)
{
	if (!t || strlen(t) != 32)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static enum store_err queue(struct store *st, struct arena *a, const char *kind, const char *to,
			    const char *writer_id, const char *story_id, const char *ref_id,
			    const char *token, int64_t now)
{
	struct outbox_row o = {0};
	id_new(o.id);
	o.kind = kind;
	o.to_addr = to;
	o.domain = domain_of(to);
	snprintf(o.writer_id, sizeof(o.writer_id), "%s", writer_id ? writer_id : "");
	snprintf(o.story_id, sizeof(o.story_id), "%s", story_id ? story_id : "");
	snprintf(o.ref_id, sizeof(o.ref_id), "%s", ref_id ? ref_id : "");
	o.payload = token ? arena_printf(a, "{\"token\":\"%s\"}", token) : "";
	o.next_at = now;
	o.created_at = now;
	return store_outbox_add(st, &o);
}

enum mail_err mail_subscribe(struct store *st, struct arena *a, const struct user_row *writer,
			     const char *email_in, const char *source)
{
	if (!enabled)
		return MAIL_OFF;
	const char *email = addr_of(a, email_in);
	if (!email)
		return MAIL_BAD_ADDRESS;
	int64_t now = clock_now();
	char tok[33], hash[65];
	new_token(tok, hash);
	if (store_begin(st))
		return MAIL_STORE;
	struct subscriber_row r;
	enum store_err e = store_subscriber_get(st, a, writer->id, email, &r);
	if (e == STORE_NOT_FOUND) {
		memset(&r, 0, sizeof(r));
		id_new(r.id);
		memcpy(r.writer_id, writer->id, sizeof(r.writer_id));
		r.email = email;
		r.status = "pending";
		r.created_at = now;
		r.asked_at = now;
		r.source = source;
		e = store_subscriber_insert(st, &r, hash);
	} else if (e == STORE_OK) {
		/* Confirmed: nothing to do. Asked within the hour: no second
		 * mail (a form cannot be used to flood an inbox). */
		if (!strcmp(r.status, "confirmed") || r.asked_at > now - 3600) {
			store_rollback(st);
			return MAIL_OK;
		}
		e = store_subscriber_set(st, r.id, "pending", now, hash, now);
	}
	if (e || queue(st, a, MAIL_KIND_CONFIRM, email, writer->id, NULL, r.id, tok, now) ||
	    store_commit(st)) {
		store_rollback(st);
		return MAIL_STORE;
	}
	return MAIL_OK;
}

static enum mail_err sub_by_token(struct store *st, struct arena *a, const char *token,
				  struct subscriber_row *out)
{
	if (!token_shape(token))
		return MAIL_NOT_FOUND;
	char hash[65];
	hash_token(token, 32, hash);
	enum store_err e = store_subscriber_by_token(st, a, hash, out);
	if (e == STORE_NOT_FOUND || (!e && (strcmp(out->status, "pending") != 0 ||
					    out->asked_at + MAIL_CONFIRM_TTL < clock_now())))
		return MAIL_NOT_FOUND;
	return e ? MAIL_STORE : MAIL_OK;
}

enum mail_err mail_confirm_peek(struct store *st, struct arena *a, const char *token,
				struct subscriber_row *out)
{
	return sub_by_token(st, a, token, out);
}

enum mail_err mail_confirm(struct store *st, struct arena *a, const char *token,
			   struct subscriber_row *out)
{
	if (store_begin(st))
		return MAIL_STORE;
	enum mail_err m = sub_by_token(st, a, token, out);
	if (m) {
		store_rollback(st);
		return m;
	}
	int64_t now = clock_now();
	if (store_subscriber_set(st, out->id, "confirmed", now, NULL, 0) ||
	    (enabled && mail_notify(st, a, out->writer_id, "subscriber", NULL) == MAIL_STORE) ||
	    store_commit(st)) {
		store_rollback(st);
		return MAIL_STORE;
	}
	out->status = "confirmed";
	out->confirmed_at = now;
	return MAIL_OK;
}

/* Unsubscribe tokens: 's' or 'm', the id, 32 hex of MAC. */
static void unsub_mac(const char *id, bool member, char out[65])
{
	char msg[64];
	int n = snprintf(msg, sizeof(msg), "unsubscribe:%c:%s", member ? 'm' : 's', id);
	mac_hex(mac_key, msg, n > 0 ? (size_t)n : 0, out);
}

const char *mail_unsub_token(struct arena *a, const char *id, bool member)
{
	char mac[65];
	unsub_mac(id, member, mac);
	mac[32] = '\0';
	return arena_printf(a, "%c%s%s", member ? 'm' : 's', id, mac);
}

bool mail_unsub_parse(const char *token, char id[17], bool *member)
{
	if (!token || strlen(token) != 1 + 16 + 32 || (token[0] != 's' && token[0] != 'm'))
		return false;
	memcpy(id, token + 1, 16);
	id[16] = '\0';
	if (!id_valid(id))
		return false;
	*member = token[0] == 'm';
	char mac[65];
	unsub_mac(id, *member, mac);
	return ct_equal(mac, token + 17, 32);
}

enum mail_err mail_unsubscribe(struct store *st, struct arena *a, const char *token,
			       const char **who)
{
	char id[17];
	bool member;
	if (!mail_unsub_parse(token, id, &member))
		return MAIL_NOT_FOUND;
	if (member) {
		struct user_row u;
		enum store_err e = store_user_by_id(st, a, id, &u);
		if (e)
			return e == STORE_NOT_FOUND ? MAIL_NOT_FOUND : MAIL_STORE;
		*who = u.handle;
		return store_mail_pref_set(st, id, "circle_mail", "0") ? MAIL_STORE : MAIL_OK;
	}
	struct subscriber_row r;
	enum store_err e = store_subscriber_by_id(st, a, id, &r);
	if (e)
		return e == STORE_NOT_FOUND ? MAIL_NOT_FOUND : MAIL_STORE;
	*who = r.email;
	if (!strcmp(r.status, "unsubscribed"))
		return MAIL_OK;
	return store_subscriber_set(st, id, "unsubscribed", clock_now(), NULL, 0) ? MAIL_STORE :
										    MAIL_OK;
}

static bool mailable(const struct story_row *s)
{
	return s && s->status == STATUS_PUBLISHED &&
	       (s->audience == AUDIENCE_PUBLIC || (s->audience == AUDIENCE_CIRCLE && s->circle_id[0]));
}

enum mail_err mail_on_story_save(struct store *st, struct arena *a,
				 const struct story_row *before, const struct story_row *after,
				 int email)
{
	(void)a;
	if (!enabled)
		return MAIL_OFF;
	if (email && store_story_mail_skip(st, after->id, email < 0))
		return MAIL_STORE;
	if (!mailable(after))
		return MAIL_OK;
	/* Only the save that makes it reach its readers; an edit of a story
	 * already out never sends. */
	if (mailable(before) && before->audience == after->audience &&
	    !strcmp(before->circle_id, after->circle_id))
		return MAIL_OK;
	int64_t now = clock_now();
	bool first = false;
	if (store_story_mail_mark(st, after->id, now, &first))
		return MAIL_STORE;
	if (!first)
		return MAIL_OK;
	int64_t n = 0;
	const char *circle = after->audience == AUDIENCE_CIRCLE ? after->circle_id : NULL;
	return store_outbox_fanout(st, MAIL_KIND_STORY, after->id, after->author_id, circle, now, &n) ?
		       MAIL_STORE : MAIL_OK;
}

static bool links_limited(struct store *st, const char *kind, const char *email, int64_t now)
{
	int64_t n = 0;
	return store_mail_token_count(st, kind, email, now - 3600, &n) != STORE_OK ||
	       n >= MAIL_LINKS_PER_HOUR;
}

/* A single-use link of kind for user_id, stored by hash and mailed to
 * email in one transaction; quietly nothing past the hourly limit. */
static enum mail_err send_link(struct store *st, struct arena *a, const char *kind,
			       const char *user_id, const char *email, int64_t ttl)
{
	int64_t now = clock_now();
	if (links_limited(st, kind, email, now))
		return MAIL_OK;
	char tok[33], hash[65];
	new_token(tok, hash);
	struct mail_token_row t = {0};
	t.kind = kind;
	snprintf(t.user_id, sizeof(t.user_id), "%s", user_id);
	t.email = email;
	t.created_at = now;
	t.expires_at = now + ttl;
	if (store_begin(st))
		return MAIL_STORE;
	if (store_mail_token_add(st, hash, &t) ||
	    queue(st, a, kind, email, NULL, NULL, user_id, tok, now) || store_commit(st)) {
		store_rollback(st);
		return MAIL_STORE;
	}
	return MAIL_OK;
}

enum mail_err mail_circle_invite(struct store *st, struct arena *a, const struct circle_row *c,
				 const char *email_in, const char *token)
{
	if (!enabled)
		return MAIL_OFF;
	const char *email = addr_of(a, email_in);
	if (!email)
		return MAIL_BAD_ADDRESS;
	int64_t now = clock_now();
	char hash[65];
	hash_token(token, strlen(token), hash);
	struct mail_token_row t = {0};
	t.kind = MAIL_KIND_INVITE;
	t.email = email;
	snprintf(t.ref_id, sizeof(t.ref_id), "%s", c->id);
	t.created_at = now;
	t.expires_at = now + MAIL_INVITE_TTL;
	if (store_mail_token_add(st, hash, &t) ||
	    queue(st, a, MAIL_KIND_INVITE, email, c->owner_id, NULL, c->id, token, now))
		return MAIL_STORE;
	return MAIL_OK;
}

const char *mail_invite_address(struct store *st, struct arena *a, const char *token)
{
	if (!token_shape(token))
		return NULL;
	char hash[65];
	hash_token(token, 32, hash);
	struct mail_token_row t;
	if (store_mail_token_get(st, a, hash, MAIL_KIND_INVITE, clock_now(), &t))
		return NULL;
	return t.email;
}

enum mail_err mail_reset_link(struct store *st, struct arena *a, const struct user_row *u,
			      int64_t ttl, char tok[33], bool *mailed)
{
	*mailed = false;
	const char *email = "";
	if (store_user_email_get(st, a, u->id, &email))
		return MAIL_STORE;
	int64_t now = clock_now();
	char hash[65];
	new_token(tok, hash);
	struct mail_token_row t = {0};
	t.kind = MAIL_KIND_RESET;
	snprintf(t.user_id, sizeof(t.user_id), "%s", u->id);
	t.email = email;
	t.created_at = now;
	t.expires_at = now + ttl;
	if (store_mail_token_add(st, hash, &t))
		return MAIL_STORE;
	if (enabled && *email) {
		if (queue(st, a, MAIL_KIND_ADMIN_RESET, email, NULL, NULL, u->id, tok, now))
			return MAIL_STORE;
		*mailed = true;
	}
	return MAIL_OK;
}

enum mail_err mail_verify_request(struct store *st, struct arena *a, const struct user_row *u,
				  const char *email_in)
{
	if (!enabled)
		return MAIL_OFF;
	const char *email = addr_of(a, email_in);
	if (!email)
		return MAIL_BAD_ADDRESS;
	struct user_row other;
	enum store_err e = store_user_by_email(st, a, email, &other);
	if (e == STORE_OK)
		return strcmp(other.id, u->id) ? MAIL_TAKEN : MAIL_OK;
	if (e != STORE_NOT_FOUND)
		return MAIL_STORE;
	return send_link(st, a, MAIL_KIND_VERIFY, u->id, email, MAIL_VERIFY_TTL);
}

enum mail_err mail_verify(struct store *st, struct arena *a, const char *token,
			  struct user_row *out)
{
	if (!token_shape(token))
		return MAIL_NOT_FOUND;
	char hash[65];
	hash_token(token, 32, hash);
	int64_t now = clock_now();
	struct mail_token_row t;
	if (store_begin(st))
		return MAIL_STORE;
	enum store_err e = store_mail_token_get(st, a, hash, MAIL_KIND_VERIFY, now, &t);
	if (!e)
		e = store_mail_token_use(st, hash, MAIL_KIND_VERIFY, now);
	if (!e)
		e = store_user_by_id(st, a, t.user_id, out);
	if (!e)
		e = store_user_email_set(st, t.user_id, t.email, now);
	if (e || store_commit(st)) {
		store_rollback(st);
		return e == STORE_NOT_FOUND ? MAIL_NOT_FOUND : e == STORE_CONFLICT ? MAIL_TAKEN :
										  MAIL_STORE;
	}
	return MAIL_OK;
}

enum mail_err mail_link_request(struct store *st, struct arena *a, const char *kind,
				const char *email_in)
{
	if (!enabled)
		return MAIL_OFF;
	const char *email = addr_of(a, email_in);
	if (!email)
		return MAIL_BAD_ADDRESS;
	struct user_row u;
	enum store_err e = store_user_by_email(st, a, email, &u);
	if (e == STORE_NOT_FOUND || (!e && u.suspended_at))
		return MAIL_OK;
	if (e)
		return MAIL_STORE;
	return send_link(st, a, kind, u.id, email, MAIL_SIGNIN_TTL);
}

static enum mail_err link_get(struct store *st, struct arena *a, const char *kind,
			      const char *token, bool use, struct user_row *out)
{
	if (!token_shape(token))
		return MAIL_NOT_FOUND;
	char hash[65];
	hash_token(token, 32, hash);
	int64_t now = clock_now();
	struct mail_token_row t;
	enum store_err e = store_mail_token_get(st, a, hash, kind, now, &t);
	if (!e && use)
		e = store_mail_token_use(st, hash, kind, now);
	if (!e)
		e = store_user_by_id(st, a, t.user_id, out);
	return e == STORE_NOT_FOUND ? MAIL_NOT_FOUND : e ? MAIL_STORE : MAIL_OK;
}

enum mail_err mail_link_peek(struct store *st, struct arena *a, const char *kind,
			     const char *token, struct user_row *out)
{
	return link_get(st, a, kind, token, false, out);
}

enum mail_err mail_link_use(struct store *st, struct arena *a, const char *kind,
			    const char *token, struct user_row *out)
{
	return link_get(st, a, kind, token, true, out);
}

/* The notice, with payload (JSON, what is in it) when not NULL. */
static enum mail_err notify(struct store *st, struct arena *a, const char *writer_id,
			    const char *what, const char *story_id, const char *payload);

enum mail_err mail_notify(struct store *st, struct arena *a, const char *writer_id,
			  const char *what, const char *story_id)
{
	return notify(st, a, writer_id, what, story_id, NULL);
}

enum mail_err mail_notify_joined(struct store *st, struct arena *a, const struct circle_row *c,
				 const char *handle)
{
	json_t *j = json_pack("{s:s,s:s,s:s}", "what", "joined", "handle", handle, "circle", c->name);
	char *p = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	const char *payload = p ? arena_strdup(a, p) : NULL;
	free(p);
	return payload ? notify(st, a, c->owner_id, "joined", NULL, payload) : MAIL_STORE;
}

static enum mail_err notify(struct store *st, struct arena *a, const char *writer_id,
			    const char *what, const char *story_id, const char *payload)
{
	if (!enabled)
		return MAIL_OFF;
	const char *email, *want;
	char pref[40];
	snprintf(pref, sizeof(pref), "notify_%s", what);
	if (store_user_email_get(st, a, writer_id, &email) ||
	    store_mail_pref_get(st, a, writer_id, pref, "1", &want))
		return MAIL_STORE;
	if (!email[0] || strcmp(want, "1") != 0)
		return MAIL_OK;
	int64_t now = clock_now();
	struct outbox_row o = {0};
	id_new(o.id);
	o.kind = MAIL_KIND_NOTIFY;
	o.to_addr = email;
	o.domain = domain_of(email);
	memcpy(o.writer_id, writer_id, sizeof(o.writer_id));
	snprintf(o.story_id, sizeof(o.story_id), "%s", story_id ? story_id : "");
	o.payload = payload ? payload : arena_printf(a, "{\"what\":\"%s\"}", what);
	o.next_at = now;
	o.created_at = now;
	const char *digest = "0";
	if (store_mail_pref_get(st, a, writer_id, "notify_digest", "0", &digest))
		return MAIL_STORE;
	if (!strcmp(digest, "1")) {
		/* Kept for the day's digest: never due on its own. */
		o.kind = MAIL_KIND_DIGEST_ITEM;
		o.next_at = MAIL_NEVER;
		if (store_outbox_add(st, &o))
			return MAIL_STORE;
		return mail_digest_ensure(st, a, writer_id, email, now) ? MAIL_STORE : MAIL_OK;
	}
	return store_outbox_add(st, &o) ? MAIL_STORE : MAIL_OK;
}

/* 08:00 on the writer's clock (her time zone, else UTC), the next one
 * after now. */
static int64_t digest_due(struct store *st, struct arena *a, const char *writer_id, int64_t now)
{
	struct user_row u;
	struct tz z;
	bool zoned = store_user_by_id(st, a, writer_id, &u) == STORE_OK && u.time_zone[0] &&
		     tz_load(a, u.time_zone, &z);
	int64_t off = zoned ? tz_offset_at(&z, now) : 0;
	int64_t local = now + off;
	int64_t due = local - (local % 86400 + 86400) % 86400 + 8 * 3600;
	if (due <= local)
		due += 86400;
	return zoned ? tz_to_utc(&z, due) : due;
}

enum store_err mail_digest_ensure(struct store *st, struct arena *a, const char *writer_id,
				  const char *email, int64_t now)
{
	struct outbox_row *rows;
	size_t n = 0, ni = 0;
	enum store_err e = store_outbox_queued_kind(st, a, writer_id, MAIL_KIND_DIGEST, 1, &rows, &n);
	if (!e && !n)
		e = store_outbox_queued_kind(st, a, writer_id, MAIL_KIND_DIGEST_ITEM, 1, &rows, &ni);
	/* One digest waits already (it takes them all), or nothing is kept. */
	if (e || n || !ni)
		return e;
	struct outbox_row o = {0};
	id_new(o.id);
	o.kind = MAIL_KIND_DIGEST;
	o.to_addr = email;
	o.domain = domain_of(email);
	memcpy(o.writer_id, writer_id, sizeof(o.writer_id));
	o.payload = "";
	o.next_at = digest_due(st, a, writer_id, now);
	o.created_at = now;
	return store_outbox_add(st, &o);
}

int mail_on_response(struct store *st, struct arena *a, const struct story_row *s,
		     const struct response_row *r)
{
	if (!enabled || !strcmp(r->author_id, s->author_id) || r->status == RESPONSE_HIDDEN)
		return 0;
	const char *what = r->status == RESPONSE_PENDING ? "pending" : "response";
	return mail_notify(st, a, s->author_id, what, s->id) == MAIL_STORE ? -1 : 0;
}
