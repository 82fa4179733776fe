/*
 * fed.c - the rules of federation (fed.h): a writer's key pair, made
 * lazily and kept once.
 */
#include "fed/fed.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "fed/keys.h"
#include "store/store_fed.h"

#include <jansson.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *fed_strerror(enum fed_err e)
{
	switch (e) {
	case FED_OK: return "ok";
	case FED_STORE: return "the database failed";
	case FED_CRYPTO: return "a key could not be made or read";
	case FED_BAD: return "not an ActivityPub document Quire can read";
	case FED_REPLAY: return "that activity was received before";
	case FED_KEY_DOC: return "a key document: its owner has the actor";
	}
	return "unknown error";
}

/* Making a key pair takes a tenth of a second or so: requests of this
 * process that all find none take turns, so only the first makes one
 * (the store settles races between app servers). Synchronisation, not
 * state. */
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;

enum fed_err fed_key_for(struct store *st, struct arena *a, const char *user_id,
			 const char **public_pem, const char **private_pem)
{
	enum store_err e = store_fed_key_get(st, a, user_id, public_pem, private_pem);
	if (e != STORE_NOT_FOUND)
		return e ? FED_STORE : FED_OK;
	pthread_mutex_lock(&key_mu);
	e = store_fed_key_get(st, a, user_id, public_pem, private_pem);
	enum fed_err r = e == STORE_OK ? FED_OK : FED_STORE;
	if (e == STORE_NOT_FOUND) {
		struct buf pub, priv;
		buf_init(&pub, 16 << 10);
		buf_init(&priv, 16 << 10);
		if (!fed_key_generate(&pub, &priv))
			r = FED_CRYPTO;
		else if (store_fed_key_init(st, a, user_id, buf_str(&pub), buf_str(&priv),
					    clock_now(), public_pem, private_pem))
			r = FED_STORE;
		else
			r = FED_OK;
		buf_release(&pub);
		if (priv.data)
			explicit_bzero(priv.data, priv.alloc);
		buf_release(&priv);
	}
	pthread_mutex_unlock(&key_mu);
	return r;
}

/* ---- Accept ---- */

/* The quality of one media range's parameters p[0..n) ("q=0.5"); 1 when
 * it has none. */
static double range_q(const char *p, size_t n)
{
	double q = 1.0;
	size_t i = 0;
	while (i < n) {
		while (i < n && (p[i] == ';' || p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t start = i;
		while (i < n && p[i] != ';')
			i++;
		if (i - start >= 2 && (p[start] == 'q' || p[start] == 'Q') && p[start + 1] == '=') {
			char num[16];
			size_t len = i - start - 2;
			if (len >= sizeof(num))
				return 0;
			memcpy(num, p + start + 2, len);
			num[len] = '\0';
			char *end;
			q = strtod(num, &end);
			while (*end == ' ' || *end == '\t')
				end++;
			if (end == num || *end || !(q >= 0 && q <= 1))
				return 0;
		}
	}
	return q;
}

static bool type_is(const char *t, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(t, want, n) == 0;
}

bool fed_accept_wants_ap(const char *accept)
{
	if (!accept)
		return false;
	double ap = 0, html = 0;
	const char *p = accept;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *r = p;
		size_t rn = len;
		while (rn && (*r == ' ' || *r == '\t')) {
			r++;
			rn--;
		}
		size_t tn = strcspn(r, ";,");
		if (tn > rn)
			tn = rn;
		while (tn && (r[tn - 1] == ' ' || r[tn - 1] == '\t'))
			tn--;
		size_t semi = strcspn(r, ";,");
		double q = semi < rn ? range_q(r + semi, rn - semi) : 1.0;
		if (type_is(r, tn, "application/activity+json") || type_is(r, tn, "application/ld+json")) {
			if (q > ap)
				ap = q;
		} else if (type_is(r, tn, "text/html") || type_is(r, tn, "application/xhtml+xml")) {
			if (q > html)
				html = q;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return ap > 0 && ap >= html;
}

/* ---- WebFinger resources ---- */

/* The handle at s[0..n) if it is one as written (letters, digits, _). */
static const char *handle_part(struct arena *a, const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return NULL;
	return arena_strndup(a, s, n);
}

const char *fed_resource_handle(struct arena *a, const char *resource, const char *base_url)
{
	if (!resource || !base_url)
		return NULL;
	const char *host = strstr(base_url, "://");
	host = host ? host + 3 : base_url;
	size_t hl = strcspn(host, "/");
	size_t bare = strcspn(host, ":/");
	if (hl == 0)
		return NULL;
	if (strncasecmp(resource, "acct:", 5) == 0) {
		const char *r = resource + 5;
		const char *at = strchr(r, '@');
		if (!at || strchr(at + 1, '@'))
			return NULL;
		const char *h = at + 1;
		size_t n = strlen(h);
		if (!((n == hl && strncasecmp(h, host, hl) == 0) ||
		      (n == bare && strncasecmp(h, host, bare) == 0)))
			return NULL;
		return handle_part(a, r, (size_t)(at - r));
	}
	size_t bl = strlen(base_url);
	if (strncasecmp(resource, base_url, bl) == 0 && resource[bl] == '/' && resource[bl + 1] == '@')
		return handle_part(a, resource + bl + 2, strlen(resource + bl + 2));
	return NULL;
}

/* ---- URLs ---- */

/* Length of url's scheme and authority ("https://host:port"), 0 when it
 * is not an http(s) URL with a host. */
static size_t origin_len(const char *url)
{
	size_t skip;
	if (!strncasecmp(url, "https://", 8))
		skip = 8;
	else if (!strncasecmp(url, "http://", 7))
		skip = 7;
	else
		return 0;
	size_t h = strcspn(url + skip, "/?#");
	if (!h || memchr(url + skip, '@', h))
		return 0;
	return skip + h;
}

bool fed_same_origin(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t la = origin_len(a), lb = origin_len(b);
	return la && la == lb && strncasecmp(a, b, la) == 0;
}

bool fed_url_allowed(const char *url, bool allow_private)
{
	if (!url || !origin_len(url) || strlen(url) > 2048)
		return false;
	return !strncasecmp(url, "https://", 8) || allow_private;
}

const char *fed_url_defrag(struct arena *a, const char *url)
{
	return arena_strndup(a, url, strcspn(url, "#"));
}

const char *fed_url_host(struct arena *a, const char *url)
{
	size_t o = origin_len(url);
	if (!o)
		return "";
	const char *h = strstr(url, "://") + 3;
	return arena_strndup(a, h, o - (size_t)(h - url));
}

/* ---- parsing what arrives ---- */

#define FIELD_MAX 2048

/* A string member at most FIELD_MAX bytes, into a; NULL when absent or
 * not a string. */
static const char *str_of(struct arena *a, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v) || json_string_length(v) > FIELD_MAX)
		return NULL;
	return arena_strndup(a, json_string_value(v), json_string_length(v));
}

/* A member that is a URL or an object with an id: the URL or the id. */
static const char *id_of(struct arena *a, const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (json_is_object(v))
		return str_of(a, v, "id");
	return str_of(a, o, key);
}

static json_t *load(const char *body, size_t len)
{
	if (!body || len == 0 || len > FED_DOC_MAX)
		return NULL;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

enum fed_err fed_activity_parse(struct arena *a, const char *body, size_t len,
				struct fed_activity *out)
{
	memset(out, 0, sizeof(*out));
	json_t *j = load(body, len);
	if (!j)
		return FED_BAD;
	out->id = str_of(a, j, "id");
	out->type = str_of(a, j, "type");
	out->actor = id_of(a, j, "actor");
	out->object_id = id_of(a, j, "object");
	const json_t *obj = json_object_get(j, "object");
	out->object_type = json_is_object(obj) ? str_of(a, obj, "type") : NULL;
	out->object_actor = json_is_object(obj) ? id_of(a, obj, "actor") : NULL;
	out->object_object = json_is_object(obj) ? id_of(a, obj, "object") : NULL;
	out->object_in_reply_to = json_is_object(obj) ? id_of(a, obj, "inReplyTo") : NULL;
	out->object_attributed_to = json_is_object(obj) ? id_of(a, obj, "attributedTo") : NULL;
	const json_t *content = json_is_object(obj) ? json_object_get(obj, "content") : NULL;
	out->object_content = json_is_string(content) && json_string_length(content) <= FED_CONTENT_MAX ?
				      arena_strndup(a, json_string_value(content),
						    json_string_length(content)) : "";
	out->object_public = false;
	static const char *const fields[] = {"to", "cc"};
	for (size_t f = 0; json_is_object(obj) && f < 2; f++) {
		const json_t *v = json_object_get(obj, fields[f]);
		const json_t *e;
		size_t i;
		if (json_is_string(v))
			out->object_public |= !strcmp(json_string_value(v), FED_PUBLIC) ||
					      !strcmp(json_string_value(v), "as:Public") ||
					      !strcmp(json_string_value(v), "Public");
		else if (json_is_array(v))
			json_array_foreach(v, i, e)
				if (json_is_string(e))
					out->object_public |= !strcmp(json_string_value(e), FED_PUBLIC) ||
							      !strcmp(json_string_value(e), "as:Public") ||
							      !strcmp(json_string_value(e), "Public");
	}
	json_decref(j);
	if (!out->object_in_reply_to)
		out->object_in_reply_to = "";
	if (!out->object_attributed_to)
		out->object_attributed_to = "";
	if (!out->object_id)
		out->object_id = "";
	if (!out->object_type)
		out->object_type = "";
	if (!out->object_actor)
		out->object_actor = "";
	if (!out->object_object)
		out->object_object = "";
	return out->id && *out->id && out->type && *out->type && out->actor && *out->actor ?
		       FED_OK : FED_BAD;
}

enum fed_err fed_actor_parse(struct arena *a, const char *body, size_t len, const char *key_id,
			     struct fed_remote_actor *out)
{
	memset(out, 0, sizeof(*out));
	json_t *j = load(body, len);
	if (!j)
		return FED_BAD;
	enum fed_err e = FED_BAD;
	const char *id = str_of(a, j, "id");
	if (!id || !key_id || !fed_same_origin(id, key_id))
		goto out;
	/* The key on its own: its owner is the actor. */
	const char *owner = str_of(a, j, "owner");
	if (owner && json_is_string(json_object_get(j, "publicKeyPem"))) {
		if (!strcmp(id, key_id) && fed_same_origin(owner, key_id)) {
			out->id = owner;
			e = FED_KEY_DOC;
		}
		goto out;
	}
	const json_t *pk = json_object_get(j, "publicKey");
	if (json_is_array(pk)) {
		const json_t *k;
		size_t i;
		const json_t *found = NULL;
		json_array_foreach(pk, i, k) {
			const char *kid = json_is_object(k) ? str_of(a, k, "id") : NULL;
			if (kid && !strcmp(kid, key_id)) {
				found = k;
				break;
			}
		}
		pk = found;
	}
	if (!json_is_object(pk))
		goto out;
	const char *kid = str_of(a, pk, "id");
	const char *kowner = str_of(a, pk, "owner");
	const json_t *pem = json_object_get(pk, "publicKeyPem");
	if (!kid || strcmp(kid, key_id) != 0 || !kowner || strcmp(kowner, id) != 0 ||
	    !json_is_string(pem) || json_string_length(pem) > 16384)
		goto out;
	out->id = id;
	out->key_id = kid;
	out->public_pem = arena_strdup(a, json_string_value(pem));
	out->inbox = str_of(a, j, "inbox");
	const json_t *ep = json_object_get(j, "endpoints");
	out->shared_inbox = json_is_object(ep) ? str_of(a, ep, "sharedInbox") : NULL;
	out->handle = str_of(a, j, "preferredUsername");
	out->name = str_of(a, j, "name");
	if (!out->shared_inbox)
		out->shared_inbox = "";
	if (!out->handle)
		out->handle = "";
	if (!out->name)
		out->name = "";
	if (out->inbox && origin_len(out->inbox))
		e = FED_OK;
out:
	json_decref(j);
	return e;
}

/* ---- taking it in ---- */

static enum fed_err seen_err(enum store_err e)
{
	return e == STORE_CONFLICT ? FED_REPLAY : e ? FED_STORE : FED_OK;
}

/* Queue kind ("accept" or "reject") of follow f to its inbox, due now. */
static enum store_err queue_answer(struct store *st, struct arena *a, const char *kind,
				   const struct fed_follower_row *f, int64_t now)
{
	json_t *p = json_pack("{s:s,s:s}", "actor", f->actor_id, "follow", f->follow_id);
	char *payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (!payload)
		return STORE_ERROR;
	struct fed_delivery_row d = {.kind = kind, .inbox = f->inbox,
				     .domain = fed_url_host(a, f->inbox), .payload = payload,
				     .next_at = now, .created_at = now};
	id_new(d.id);
	memcpy(d.writer_id, f->writer_id, sizeof(d.writer_id));
	enum store_err e = store_fed_delivery_add(st, &d);
	free(payload);
	return e;
}

enum fed_err fed_take_follow(struct store *st, struct arena *a, const char *writer_id,
			     const struct fed_activity *act, const struct fed_remote_actor *actor,
			     int64_t now, bool *held)
{
	struct fed_follower_row f = {.actor_id = actor->id, .follow_id = act->id,
				     .inbox = actor->inbox, .shared_inbox = actor->shared_inbox,
				     .created_at = now};
	snprintf(f.writer_id, sizeof(f.writer_id), "%s", writer_id);
	bool approve = false;
	if (store_begin(st))
		return FED_STORE;
	enum fed_err r = seen_err(store_fed_seen_add(st, act->id, now));
	if (!r && store_fed_approve_get(st, writer_id, &approve))
		r = FED_STORE;
	if (!r && approve && store_fed_request_add(st, &f))
		r = FED_STORE;
	if (!r && !approve && (store_fed_follower_add(st, &f) || queue_answer(st, a, "accept", &f, now)))
		r = FED_STORE;
	if (!r && store_commit(st))
		r = FED_STORE;
	if (r)
		store_rollback(st);
	if (held)
		*held = approve;
	return r;
}

/* Approve (or reject) actor_id's waiting Follow of writer_id. */
static enum fed_err answer(struct store *st, struct arena *a, const char *writer_id,
			   const char *actor_id, bool approve, int64_t now)
{
	struct fed_follower_row f;
	if (store_begin(st))
		return FED_STORE;
	enum store_err e = store_fed_request_get(st, a, writer_id, actor_id, &f);
	if (!e && approve)
		e = store_fed_follower_add(st, &f);
	if (!e)
		e = store_fed_request_remove(st, writer_id, actor_id, NULL);
	if (!e)
		e = queue_answer(st, a, approve ? "accept" : "reject", &f, now);
	if (e || store_commit(st)) {
		store_rollback(st);
		return e == STORE_NOT_FOUND ? FED_BAD : FED_STORE;
	}
	return FED_OK;
}

enum fed_err fed_approve_follower(struct store *st, struct arena *a, const char *writer_id,
				  const char *actor_id, int64_t now)
{
	return answer(st, a, writer_id, actor_id, true, now);
}

enum fed_err fed_reject_follower(struct store *st, struct arena *a, const char *writer_id,
				 const char *actor_id, int64_t now)
{
	return answer(st, a, writer_id, actor_id, false, now);
}

enum fed_err fed_take_undo_follow(struct store *st, const char *writer_id,
				  const struct fed_activity *act, const char *follow_id,
				  int64_t now)
{
	if (store_begin(st))
		return FED_STORE;
	enum fed_err r = seen_err(store_fed_seen_add(st, act->id, now));
	if (!r) {
		enum store_err e = store_fed_follower_remove(st, writer_id, act->actor, follow_id);
		if (e && e != STORE_NOT_FOUND)
			r = FED_STORE;
		e = r ? STORE_OK : store_fed_request_remove(st, writer_id, act->actor, follow_id);
		if (e && e != STORE_NOT_FOUND)
			r = FED_STORE;
	}
	if (!r && store_commit(st))
		r = FED_STORE;
	if (r)
		store_rollback(st);
	return r;
}

const char *fed_domain_normalise(struct arena *a, const char *in)
{
	if (!in)
		return NULL;
	while (*in == ' ' || *in == '\t')
		in++;
	if (!strncasecmp(in, "https://", 8))
		in += 8;
	else if (!strncasecmp(in, "http://", 7))
		in += 7;
	/* "@user@server" or "user@server": the part after the last '@'
	 * before any path. */
	size_t head = strcspn(in, "/");
	for (size_t i = head; i > 0; i--)
		if (in[i - 1] == '@') {
			in += i;
			break;
		}
	size_t n = strcspn(in, "/ \t\r\n?#");
	if (n == 0 || n > 253 || in[n] == ' ' || in[n] == '\t' || in[n] == '\r' || in[n] == '\n') {
		/* Only blanks may follow a bare name. */
		for (const char *q = in + n; n && *q; q++)
			if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
				return NULL;
		if (n == 0 || n > 253)
			return NULL;
	}
	char *d = arena_strndup(a, in, n);
	bool port = false, label_empty = true;
	for (char *p = d; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (port) {
			if (!isdigit((unsigned char)*p))
				return NULL;
		} else if (*p == ':') {
			if (label_empty || !p[1])
				return NULL;
			port = true;
		} else if (*p == '.') {
			if (label_empty)
				return NULL;
			label_empty = true;
		} else if (isalnum((unsigned char)*p) || *p == '-') {
			label_empty = false;
		} else {
			return NULL;
		}
	}
	/* A name with a dot (or a port, for a test's loopback server). */
	return (port || !label_empty) && (port || strchr(d, '.')) ? d : NULL;
}

bool fed_blocked(struct store *st, struct arena *a, const char *writer_id, const char *url)
{
	const char *host = fed_url_host(a, url ? url : "");
	bool blocked = false;
	if (!*host)
		return false;
	for (char *p = (char *)host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (store_fed_domain_blocked(st, writer_id, host, &blocked) != STORE_OK || blocked)
		return true;
	return store_fed_actor_blocked(st, writer_id, url, &blocked) != STORE_OK || blocked;
}

const char *fed_actor_normalise(struct arena *a, const char *in)
{
	if (!in)
		return NULL;
	while (*in == ' ' || *in == '\t')
		in++;
	size_t n = strlen(in);
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\r' || in[n - 1] == '\n'))
		n--;
	size_t scheme = !strncasecmp(in, "https://", 8) ? 8 : !strncasecmp(in, "http://", 7) ? 7 : 0;
	if (!scheme || n > 2048)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] <= ' ' || in[i] == 0x7f)
			return NULL;
	char *u = arena_strndup(a, in, n);
	n = strcspn(u, "#"); /* the actor, not a part of its document */
	u[n] = 0;
	size_t host = strcspn(u + scheme, "/?");
	/* The host as a server's name: letters, digits, dots, hyphens, a port. */
	const char *h = arena_strndup(a, u + scheme, host);
	const char *d = fed_domain_normalise(a, h);
	if (!d || strlen(d) != host)
		return NULL;
	for (size_t i = 0; i < scheme + host; i++)
		u[i] = (char)tolower((unsigned char)u[i]);
	return u;
}

enum fed_err fed_block_actor(struct store *st, const char *writer_id, const char *actor_id,
			     int64_t now, int64_t *removed)
{
	if (store_begin(st))
		return FED_STORE;
	int64_t n = 0;
	enum store_err e = store_fed_actor_block_add(st, writer_id, actor_id, now);
	if (!e) {
		e = store_fed_follower_remove(st, writer_id, actor_id, NULL);
		n += e == STORE_OK;
		if (e == STORE_NOT_FOUND)
			e = STORE_OK;
	}
	if (!e) {
		e = store_fed_request_remove(st, writer_id, actor_id, NULL);
		if (e == STORE_NOT_FOUND)
			e = STORE_OK;
	}
	if (e || store_commit(st)) {
		store_rollback(st);
		return e == STORE_CONFLICT ? FED_BAD : FED_STORE;
	}
	if (removed)
		*removed = n;
	return FED_OK;
}

enum fed_err fed_block_domain(struct store *st, struct arena *a, const char *writer_id,
			      const char *domain, int64_t now, int64_t *removed)
{
	int64_t n = 0;
	if (store_begin(st))
		return FED_STORE;
	enum store_err e = store_fed_domain_block_add(st, writer_id, domain, now);
	struct fed_follower_row *rows = NULL;
	size_t k = 0;
	if (!e)
		e = store_fed_followers(st, a, writer_id, 100000, &rows, &k);
	for (size_t i = 0; !e && i < k; i++) {
		bool blocked = false;
		const char *host = fed_url_host(a, rows[i].actor_id);
		for (char *p = (char *)host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		e = store_fed_domain_blocked(st, writer_id, host, &blocked);
		if (!e && blocked) {
			e = store_fed_follower_remove(st, writer_id, rows[i].actor_id, NULL);
			n++;
		}
	}
	/* ... and those waiting for her approval there: not hers to approve. */
	if (!e)
		e = store_fed_requests(st, a, writer_id, 100000, &rows, &k);
	for (size_t i = 0; !e && i < k; i++) {
		bool blocked = false;
		const char *host = fed_url_host(a, rows[i].actor_id);
		for (char *p = (char *)host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		e = store_fed_domain_blocked(st, writer_id, host, &blocked);
		if (!e && blocked)
			e = store_fed_request_remove(st, writer_id, rows[i].actor_id, NULL);
	}
	if (e || store_commit(st)) {
		store_rollback(st);
		return e == STORE_CONFLICT ? FED_BAD : FED_STORE;
	}
	if (removed)
		*removed = n;
	return FED_OK;
}

enum fed_err fed_take_seen(struct store *st, const struct fed_activity *act, int64_t now)
{
	return seen_err(store_fed_seen_add(st, act->id, now));
}

enum fed_err fed_take_delete(struct store *st, const struct fed_activity *act, int64_t now,
			     int64_t *removed)
{
	bool whole = !strcmp(act->object_id, act->actor);
	int64_t n1 = 0, n2 = 0;
	if (store_begin(st))
		return FED_STORE;
	enum fed_err e = seen_err(store_fed_seen_add(st, act->id, now));
	if (!e && store_fed_responses_delete(st, act->actor, whole ? NULL : act->object_id, &n1))
		e = FED_STORE;
	if (!e && whole && store_fed_follows_remove_actor(st, act->actor, &n2))
		e = FED_STORE;
	int64_t n3 = 0;
	if (!e && whole && store_fed_reaction_remove(st, act->actor, NULL, &n3))
		e = FED_STORE;
	n2 += n3;
	if (e || store_commit(st)) {
		store_rollback(st);
		return e ? e : FED_STORE;
	}
	if (removed)
		*removed = n1 + n2;
	return FED_OK;
}

enum fed_err fed_take_reaction(struct store *st, const struct fed_activity *act,
			       const char *story_id, const char *kind, int64_t now)
{
	if (store_begin(st))
		return FED_STORE;
	enum fed_err e = seen_err(store_fed_seen_add(st, act->id, now));
	if (!e && store_fed_reaction_add(st, story_id, act->actor, kind, act->id, now))
		e = FED_STORE;
	if (e || store_commit(st)) {
		store_rollback(st);
		return e ? e : FED_STORE;
	}
	return FED_OK;
}

enum fed_err fed_take_undo_reaction(struct store *st, const struct fed_activity *act, int64_t now)
{
	if (store_begin(st))
		return FED_STORE;
	enum fed_err e = seen_err(store_fed_seen_add(st, act->id, now));
	if (!e && *act->object_id && store_fed_reaction_remove(st, act->actor, act->object_id, NULL))
		e = FED_STORE;
	if (e || store_commit(st)) {
		store_rollback(st);
		return e ? e : FED_STORE;
	}
	return FED_OK;
}

enum fed_err fed_take_other(struct store *st, const struct fed_activity *act, int64_t now)
{
	return seen_err(store_fed_seen_add(st, act->id, now));
}

/* ---- what leaves ---- */

bool fed_story_out(const struct story_row *s)
{
	return s && s->status == STATUS_PUBLISHED && s->audience == AUDIENCE_PUBLIC;
}

static bool same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

const char *fed_story_change(const struct story_row *before, const struct story_row *after)
{
	bool was = fed_story_out(before), is = fed_story_out(after);
	if (!was)
		return is ? "create" : NULL;
	if (!is)
		return "delete";
	bool changed = !same(before->title, after->title) || !same(before->subtitle, after->subtitle) ||
		       !same(before->body, after->body) || !same(before->content_note, after->content_note) ||
		       !same(before->slug, after->slug);
	return changed ? "update" : NULL;
}

static enum fed_err fan_out(struct store *st, const struct story_row *s, const char *kind,
			    int64_t now, int64_t *queued)
{
	*queued = 0;
	return store_fed_delivery_fanout(st, s->author_id, kind, s->id, NULL, now, queued) ?
		       FED_STORE : FED_OK;
}

enum fed_err fed_on_story_save(struct store *st, const struct story_row *before,
			       const struct story_row *after, int64_t now, int64_t *queued)
{
	*queued = 0;
	const char *kind = fed_story_change(before, after);
	return kind ? fan_out(st, after, kind, now, queued) : FED_OK;
}

enum fed_err fed_on_story_delete(struct store *st, const struct story_row *s, int64_t now,
				 int64_t *queued)
{
	*queued = 0;
	return fed_story_out(s) ? fan_out(st, s, "delete", now, queued) : FED_OK;
}

enum fed_err fed_on_story_restore(struct store *st, const struct story_row *s, int64_t now,
				  int64_t *queued)
{
	*queued = 0;
	return fed_story_out(s) ? fan_out(st, s, "create", now, queued) : FED_OK;
}

enum fed_err fed_on_story_retag(struct store *st, const struct story_row *before,
				const struct story_row *after, int64_t now, int64_t *queued)
{
	*queued = 0;
	if (!fed_story_out(before) || !fed_story_out(after) || fed_story_change(before, after))
		return FED_OK;
	return fan_out(st, after, "update", now, queued);
}

enum fed_err fed_on_writer_suspend(struct store *st, struct arena *a, const char *writer_id,
				   bool on, int64_t now, int64_t *queued)
{
	*queued = 0;
	/* As she sees them herself: a suspended writer's stories are listed
	 * for nobody else. */
	struct story_query q = {.viewer_id = writer_id, .author_id = writer_id,
				.published_only = true, .public_only = true, .limit = 100};
	for (;;) {
		struct story_list l;
		if (store_story_list(st, a, &q, &l))
			return FED_STORE;
		for (size_t i = 0; i < l.n; i++) {
			int64_t k = 0;
			if (fed_story_out(&l.items[i]) &&
			    fan_out(st, &l.items[i], on ? "delete" : "create", now, &k))
				return FED_STORE;
			*queued += k;
		}
		if (!l.more || !l.n)
			return FED_OK;
		const struct story_row *last = &l.items[l.n - 1];
		q.before_at = last->published_at ? last->published_at : last->created_at;
		q.before_id = last->id;
	}
}
