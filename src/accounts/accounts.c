/*
 * accounts.c - accounts, sign-in checks with rate limits, sessions and
 * the first-start setup link.
 */
#include "accounts/accounts.h"
#include "core/crypto.h"
#include "core/mem.h"
#include "core/text.h"
#include "mail/mail.h"
#include "store/store_mail.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *acct_strerror(enum acct_err e)
{
	switch (e) {
	case ACCT_OK: return "ok";
	case ACCT_BAD_HANDLE:
		return "A handle is 2 to 30 characters: lowercase letters, digits and underscores.";
	case ACCT_HANDLE_TAKEN: return "That handle is taken.";
	case ACCT_BAD_NAME: return "A name is 1 to 80 characters, on one line.";
	case ACCT_PASSWORD_SHORT: return "A password needs at least 12 characters.";
	case ACCT_PASSWORD_LONG:
		return "A password can be at most 256 bytes long (UTF-8; an accented letter takes 2). "
		       "Longer ones are refused, never cut short.";
	case ACCT_BAD_PASSWORD: return "That handle and password do not match.";
	case ACCT_RATE_LIMITED:
		return "Too many failed sign-in attempts. Please wait a moment (see Retry-After) and try again.";
	case ACCT_BUSY: return "The server is busy. Please try again in a moment.";
	case ACCT_INVITE_USED: return "This invitation link is used, expired or revoked.";
	case ACCT_EMAIL_TAKEN:
		return "That address belongs to an account already: sign in, then follow the link again.";
	case ACCT_SUSPENDED:
		return "This account is suspended: it cannot sign in. The site's administrators can say why.";
	case ACCT_STORE: return "The account could not be saved. Please try again.";
	}
	return "unknown error";
}

static const char *const reserved_handles[] = {
	"admin", "api", "static", "login", "logout", "signup", "setup", "settings", "write",
	"edit", "me", "healthz", "feed", "search", "tag", "root", "quire", "help", "about",
};

const char *handle_normalise(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t' || *s == '@')) {
		s++;
		n--;
	}
	if (n < HANDLE_MIN || n > HANDLE_MAX)
		return NULL;
	char *h = arena_strndup(a, s, n);
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (c >= 'A' && c <= 'Z')
			h[i] = (char)(c - 'A' + 'a');
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return NULL;
	}
	return h;
}

static bool handle_reserved(const char *h)
{
	for (size_t i = 0; i < sizeof(reserved_handles) / sizeof(reserved_handles[0]); i++)
		if (strcmp(h, reserved_handles[i]) == 0)
			return true;
	return false;
}

enum acct_err password_check(const char *password)
{
	if (!password)
		return ACCT_PASSWORD_SHORT;
	size_t pl = strlen(password);
	if (pl > PASSWORD_MAX)
		return ACCT_PASSWORD_LONG;
	if (!utf8_valid(password, pl) || utf8_count(password, pl) < PASSWORD_MIN)
		return ACCT_PASSWORD_SHORT;
	return ACCT_OK;
}

enum acct_err account_set_password(struct store *st, const struct user_row *u,
				   const char *password, const char *keep_session)
{
	enum acct_err e = password_check(password);
	if (e)
		return e;
	char hash[128];
	if ((e = password_hash(password, strlen(password), hash, sizeof(hash))))
		return e;
	if (store_begin(st) || store_user_set_password(st, u->id, hash) ||
	    store_session_delete_others(st, u->id, keep_session) || store_commit(st)) {
		store_rollback(st);
		return ACCT_STORE;
	}
	return ACCT_OK;
}

/* Spend what the claim names, inside the transaction that inserted u:
 * ACCT_INVITE_USED if it is not (any more) there to spend. */
static enum acct_err claim_spend(struct store *st, struct arena *a, const struct acct_claim *c,
				 const struct user_row *u, int64_t now)
{
	enum store_err se = STORE_OK;
	switch (c->kind) {
	case CLAIM_NONE:
		return ACCT_OK;
	case CLAIM_INVITE:
		se = store_invite_use(st, c->token_hash, u->id, now);
		break;
	case CLAIM_CIRCLE: {
		struct circle_invite_row inv;
		se = store_circle_invite_get(st, a, c->token_hash, &inv);
		if (!se)
			se = store_circle_invite_use(st, c->token_hash, now);
		if (!se)
			se = store_circle_member_add(st, inv.circle_id, u->id, now);
		struct circle_row circ;
		if (!se)
			se = store_circle_get(st, a, inv.circle_id, &circ);
		if (!se && mail_notify_joined(st, a, &circ, u->handle) == MAIL_STORE)
			se = STORE_ERROR;
		break;
	}
	case CLAIM_CIRCLE_MAIL: {
		struct circle_invite_row inv;
		struct circle_row circ;
		struct mail_token_row t;
		se = store_mail_token_get(st, a, c->token_hash, "invite", now, &t);
		if (!se)
			se = store_mail_token_use(st, c->token_hash, "invite", now);
		if (!se)
			se = store_circle_invite_get(st, a, c->token_hash, &inv);
		if (!se)
			se = store_circle_get(st, a, inv.circle_id, &circ);
		if (!se)
			se = store_circle_invite_use(st, c->token_hash, now);
		if (!se)
			se = store_circle_member_add(st, inv.circle_id, u->id, now);
		if (!se)
			se = store_follow_add(st, u->id, circ.owner_id, now);
		/* The address may have become another account's meanwhile. */
		if (!se && store_user_email_set(st, u->id, t.email, now))
			return ACCT_EMAIL_TAKEN;
		if (!se && mail_notify_joined(st, a, &circ, u->handle) == MAIL_STORE)
			se = STORE_ERROR;
		break;
	}
	case CLAIM_SETUP: {
		/* The first account only: ours is the one row, and the link is
		 * still the live one. */
		int64_t n = 0;
		char *want = NULL, *exp = NULL;
		se = store_user_count(st, &n);
		if (!se && n != 1)
			se = STORE_NOT_FOUND;
		if (!se)
			se = store_setting_get(st, a, "setup_token_hash", &want);
		if (!se)
			se = store_setting_get(st, a, "setup_token_expires", &exp);
		if (!se && (strlen(want) != 64 || !ct_equal(want, c->token_hash, 64) ||
			    strtoll(exp, NULL, 10) <= now))
			se = STORE_NOT_FOUND;
		if (!se)
			se = store_setting_set(st, "setup_token_hash", "");
		if (!se)
			se = store_setting_set(st, "setup_token_expires", "0");
		break;
	}
	}
	return se == STORE_NOT_FOUND ? ACCT_INVITE_USED : se ? ACCT_STORE : ACCT_OK;
}

enum acct_err account_create(struct store *st, struct arena *a, const char *handle,
			     const char *name, const char *password, bool admin,
			     struct user_row *out)
{
	return account_create_claimed(st, a, handle, name, password, admin, NULL, out);
}

enum acct_err account_create_claimed(struct store *st, struct arena *a, const char *handle,
				     const char *name, const char *password, bool admin,
				     const struct acct_claim *claim, struct user_row *out)
{
	const char *h = handle_normalise(a, handle);
	if (!h || handle_reserved(h))
		return h ? ACCT_HANDLE_TAKEN : ACCT_BAD_HANDLE;
	if (!name || !*name)
		name = h;
	size_t nl = strlen(name);
	if (!utf8_valid(name, nl) || text_has_controls(name, nl, false) ||
	    utf8_count(name, nl) > NAME_MAX_CHARS)
		return ACCT_BAD_NAME;
	bool nopw = !password && claim && claim->kind == CLAIM_CIRCLE_MAIL;
	enum acct_err pe = nopw ? ACCT_OK : password_check(password);
	if (pe)
		return pe;

	struct user_row existing;
	enum store_err se = store_user_by_handle(st, a, h, &existing);
	if (se == STORE_OK)
		return ACCT_HANDLE_TAKEN;
	if (se != STORE_NOT_FOUND)
		return ACCT_STORE;

	/* The slow hash first, outside any transaction; then the account and
	 * what it spends are written together or not at all. */
	char hash[128] = "!"; /* no password: none verifies against it */
	enum acct_err e = nopw ? ACCT_OK : password_hash(password, strlen(password), hash, sizeof(hash));
	if (e)
		return e;
	struct user_row u = {0};
	id_new(u.id);
	u.handle = h;
	u.name = arena_strdup(a, name);
	u.bio = "";
	u.password_hash = arena_strdup(a, hash);
	u.is_admin = admin;
	u.created_at = clock_now();
	static const struct acct_claim none = {CLAIM_NONE, NULL};
	if (store_begin(st))
		return ACCT_STORE;
	se = store_user_insert(st, &u);
	e = se == STORE_CONFLICT ? ACCT_HANDLE_TAKEN : se ? ACCT_STORE :
	    claim_spend(st, a, claim ? claim : &none, &u, u.created_at);
	if (e || store_commit(st)) {
		store_rollback(st);
		return e ? e : ACCT_STORE;
	}
	if (out)
		*out = u;
	return ACCT_OK;
}

/*
 * Sign-in throttling (issue 14; OWASP ASVS 4.0.3 V2.2.1). Failures are
 * counted per (account, client address) and per address, over
 * login_fail_window (15 min): 10 and 50, then 429 for that pair or that
 * address only - a flood from one address never locks the owner out
 * from another. Past that, an account gets a slow-down, never a lock:
 * once failures on it in the last hour come from two or more addresses
 * and number SLOW_AFTER or more, each verification from an address that
 * has not signed into it in KNOWN_DAYS waits 1 s after the last failure,
 * doubling with each failure up to SLOW_MAX (about 100 guesses an hour at
 * most). The owner's usual addresses are never slowed.
 *
 * The check and the count are one transaction: the attempt's row is
 * written, 'pending', before the hash is verified, so concurrent attempts
 * see it; afterwards it becomes 'failed' or 'ok'. Refused attempts are
 * not counted (they verify nothing), so waiting always ends the refusal.
 */
#define SLOW_AFTER 10
#define SLOW_WINDOW 3600
#define SLOW_MAX 60
#define KNOWN_DAYS 30

static int64_t slow_delay(int64_t failures)
{
	int64_t k = failures - SLOW_AFTER;
	return k < 0 ? 0 : k >= 6 ? SLOW_MAX : (int64_t)1 << k;
}

/* Reserve a verification for (handle, addr) or say how long to wait. */
static enum acct_err signin_reserve(struct store *st, const char *handle, const char *addr,
				    int64_t now, int64_t *id, int64_t *retry_after)
{
	int64_t window = web_cfg ? web_cfg->login_fail_window : 900;
	int64_t lim_pair = web_cfg ? web_cfg->login_fail_account : 10;
	int64_t lim_addr = web_cfg ? web_cfg->login_fail_address : 50;
	struct signin_counts c;
	if (store_begin(st))
		return ACCT_STORE;
	if (store_signin_counts(st, handle, addr, now - window, now - SLOW_WINDOW,
				now - KNOWN_DAYS * 86400, &c)) {
		store_rollback(st);
		return ACCT_STORE;
	}
	int64_t until = 0;
	if (c.addr >= lim_addr)
		until = c.addr_oldest + window;
	if (c.pair >= lim_pair && c.pair_oldest + window > until)
		until = c.pair_oldest + window;
	if (!c.known && c.account_addrs >= 2 && c.account >= SLOW_AFTER &&
	    c.account_last + slow_delay(c.account) > until)
		until = c.account_last + slow_delay(c.account);
	if (until > now) {
		store_rollback(st);
		*retry_after = until - now;
		return ACCT_RATE_LIMITED;
	}
	if (store_signin_add(st, handle, addr, now, id) || store_commit(st)) {
		store_rollback(st);
		return ACCT_STORE;
	}
	return ACCT_OK;
}

enum acct_err account_login(struct store *st, struct arena *a, const char *handle,
			    const char *password, const char *addr, struct user_row *out,
			    int64_t *retry_after)
{
	size_t pl = password ? strlen(password) : 0;
	/* Never verify a prefix: a longer password is simply not one. */
	if (pl > PASSWORD_MAX)
		return ACCT_PASSWORD_LONG;
	int64_t now = clock_now();
	const char *h = handle_normalise(a, handle);
	int64_t id = 0;
	enum acct_err e = signin_reserve(st, h ? h : "-", addr ? addr : "-", now, &id, retry_after);
	if (e)
		return e;
	struct user_row u;
	bool found = h && store_user_by_handle(st, a, h, &u) == STORE_OK;
	e = password_verify(found ? u.password_hash : NULL, password ? password : "", pl);
	const char *state = e == ACCT_OK ? "ok" : e == ACCT_BUSY ? NULL : "failed";
	if (store_signin_finish(st, id, state))
		return ACCT_STORE;
	if ((now & 63) == 0 && store_signin_prune(st, now - 86400, now - KNOWN_DAYS * 86400))
		fprintf(stderr, "quire: could not prune old sign-in attempts\n");
	if (e == ACCT_BUSY)
		return e;
	if (e != ACCT_OK)
		return ACCT_BAD_PASSWORD;
	/* Said only to whoever knows the password. */
	if (u.suspended_at)
		return ACCT_SUSPENDED;
	*out = u;
	return ACCT_OK;
}

/* ---- sessions ---- */

static const char *pre_cookie_name(void)
{
	return web_cfg->https ? "__Host-quire_pre" : "quire_pre";
}

/* The CSRF token of a session (kind "csrf") or pre-session ("pre"). */
static void csrf_mac(const char *kind, const char *value, char out[33])
{
	char mac[65];
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "%s:%s", kind, value);
	mac_hex(web_cfg->key, msg, n > 0 ? (size_t)n : 0, mac);
	memcpy(out, mac, 32);
	out[32] = '\0';
}

static void csrf_for(struct arena *a, const char *kind, const char *value, const char **out)
{
	char mac[33];
	csrf_mac(kind, value, mac);
	*out = arena_strdup(a, mac);
}

static bool session_valid(const struct session_row *s, int64_t now, int64_t idle)
{
	return s->expires_at > now && s->last_seen + idle > now;
}

/*
 * Session activity is recorded coarsely (last_seen moves at most every
 * SESSION_TOUCH_EVERY seconds of a session's use) and in batches. Every
 * write anywhere empties every thread's page cache and session memo
 * (store_change_stamp()), so one write per reader, with many readers,
 * would keep them empty: a site with 10,000 readers signed in would drop
 * every cached page thirty times a second. Touches wait in this table
 * and are written together, in one transaction, at most every
 * TOUCH_BATCH_SECONDS, by whichever request comes next (the first at
 * once), and at stop (session_activity_flush()). A session's idle limit
 * is days or weeks; a minute's delay in its last_seen changes nothing a
 * person sees.
 */
#define SESSION_TOUCH_EVERY 300
#define TOUCH_BATCH_SECONDS 60
#define TOUCH_SLOTS 1024 /* a power of two; a full table is written at once */
static pthread_mutex_t touch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct touch {
	char hash[65]; /* "" when the slot is free */
	int64_t at;
} touches[TOUCH_SLOTS];
static size_t ntouches;
static int64_t touches_written; /* when the last batch was written */

static size_t touch_slot(const char *hash)
{
	/* The hash is hex of a cryptographic hash: its first digits spread. */
	size_t h = 0;
	for (int i = 0; i < 6; i++)
		h = h * 16 + (size_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
	return h & (TOUCH_SLOTS - 1);
}

/* Take every waiting touch and write them in one transaction (one change
 * for the caches, one sync), unless another thread is writing a batch. */
static void touches_write(struct store *st, int64_t now)
{
	static struct touch batch[TOUCH_SLOTS]; /* under batch_lock */
	static pthread_mutex_t batch_lock = PTHREAD_MUTEX_INITIALIZER;
	size_t n = 0;
	pthread_mutex_lock(&touch_lock);
	bool write = pthread_mutex_trylock(&batch_lock) == 0;
	if (write) {
		for (size_t k = 0; k < TOUCH_SLOTS; k++)
			if (touches[k].hash[0]) {
				batch[n++] = touches[k];
				touches[k].hash[0] = '\0';
			}
		ntouches = 0;
		touches_written = now;
	}
	pthread_mutex_unlock(&touch_lock);
	if (!write)
		return;
	bool ok = true;
	if (n) {
		ok = store_begin(st) == STORE_OK;
		for (size_t k = 0; ok && k < n; k++)
			ok = store_session_touch(st, batch[k].hash, batch[k].at) == STORE_OK;
		if (ok)
			ok = store_commit(st) == STORE_OK;
		else
			store_rollback(st);
	}
	pthread_mutex_unlock(&batch_lock);
	if (!ok)
		fprintf(stderr, "quire: could not record session activity\n");
}

static void session_touch_later(struct store *st, const char *hash, int64_t now)
{
	pthread_mutex_lock(&touch_lock);
	size_t i = touch_slot(hash);
	while (touches[i].hash[0] && strcmp(touches[i].hash, hash) != 0)
		i = (i + 1) & (TOUCH_SLOTS - 1);
	if (!touches[i].hash[0]) {
		memcpy(touches[i].hash, hash, 65);
		touches[i].at = now;
		ntouches++;
	}
	bool due = now - touches_written >= TOUCH_BATCH_SECONDS || ntouches >= TOUCH_SLOTS / 2;
	pthread_mutex_unlock(&touch_lock);
	if (due)
		touches_write(st, now); /* a thread that finds the table taken writes nothing */
}

void session_activity_flush(struct store *st)
{
	touches_write(st, clock_now());
}

/*
 * A signed-in request hashes its session token (SHA-256) to find the
 * session, and derives its CSRF token from the hash (a keyed BLAKE2b):
 * a third of the work of a shared signed-in page. Both are remembered per
 * thread for the last tokens seen. A hit compares the whole token; the
 * session itself is still looked up (and checked) every time.
 */
#define TOKEN_MEMO 256 /* a power of two */
struct token_memo {
	char token[64];
	char hash[65];
	char csrf[33];
	unsigned char key[32]; /* the site key the CSRF token was made with */
};

static pthread_key_t memo_key; /* frees a thread's memo when it ends */
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_key_make(void)
{
	(void)pthread_key_create(&memo_key, free);
}

static const struct token_memo *token_memo_of(const char *token)
{
	static _Thread_local struct token_memo *memo;
	if (!memo) {
		memo = xcalloc(TOKEN_MEMO, sizeof(*memo));
		pthread_once(&memo_once, memo_key_make);
		(void)pthread_setspecific(memo_key, memo);
	}
	size_t h = 0;
	for (int i = 0; i < 8; i++)
		h = h * 31 + (unsigned char)token[i];
	struct token_memo *m = &memo[h & (TOKEN_MEMO - 1)];
	if (memcmp(m->token, token, 64) != 0 || memcmp(m->key, web_cfg->key, 32) != 0) {
		memcpy(m->token, token, 64);
		hash_token(token, 64, m->hash);
		csrf_mac("csrf", m->hash, m->csrf);
		memcpy(m->key, web_cfg->key, 32);
	}
	return m;
}

void session_load(struct http_req *req)
{
	struct web_req *sr = web_req(req);
	struct viewer *v = &sr->viewer;
	struct store *st = web_store(req);
	int64_t now = clock_now();
	v->csrf = "";
	if (!st)
		return;

	const char *auth = http_req_header(req, "Authorization");
	const char *token = NULL;
	const char *kind = "web";
	if (auth && strncmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
		kind = "api";
	} else {
		token = http_req_cookie(req, web_cfg->session_cookie);
	}
	if (token && strlen(token) == 64) {
		const struct token_memo *tm = token_memo_of(token);
		const char *hash = tm->hash;
		struct session_row s;
		int64_t idle = strcmp(kind, "api") == 0 ? web_cfg->token_idle : web_cfg->session_idle;
		struct user_row u;
		if (store_session_user(st, &req->arena, hash, &s, &u) == STORE_OK &&
		    strcmp(s.kind, kind) == 0 && session_valid(&s, now, idle) && !u.suspended_at) {
			v->user = u;
			v->signed_in = true;
			v->via_token = strcmp(kind, "api") == 0;
			memcpy(v->session_hash, hash, 65);
			v->csrf = arena_strdup(&req->arena, tm->csrf);
			/* Record activity coarsely, not a write per request. */
			if (now - s.last_seen > SESSION_TOUCH_EVERY)
				session_touch_later(st, hash, now);
			return;
		}
	}
	const char *pre = http_req_cookie(req, pre_cookie_name());
	if (pre && strlen(pre) == 32)
		csrf_for(&req->arena, "pre", pre, &v->csrf);
}

static void set_cookie(struct http_req *req, struct http_res *res, const char *name,
		       const char *value, int64_t max_age)
{
	http_res_header(req, res, "Set-Cookie",
			arena_printf(&req->arena, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
				     name, value, (long long)max_age,
				     web_cfg->https ? "; Secure" : ""));
}

void session_need_pre(struct http_req *req, struct http_res *res)
{
	struct web_req *sr = web_req(req);
	if (sr->viewer.signed_in || sr->viewer.csrf[0])
		return;
	char value[33];
	random_hex(value, 16);
	set_cookie(req, res, pre_cookie_name(), value, 7200);
	csrf_for(&req->arena, "pre", value, &sr->viewer.csrf);
	sr->set_pre_cookie = true;
}

bool session_start(struct http_req *req, struct http_res *res, const struct user_row *u)
{
	struct store *st = web_store(req);
	char token[65], hash[65];
	random_hex(token, 32);
	hash_token(token, 64, hash);
	int64_t now = clock_now();
	/* The old session (if any) ends: a fresh token at every sign-in. */
	struct viewer *v = &web_req(req)->viewer;
	if (v->signed_in && !v->via_token && store_session_delete(st, v->session_hash))
		return false;
	if (store_session_insert(st, hash, u->id, "web", now, now + web_cfg->session_absolute))
		return false;
	if ((now & 31) == 0 && store_session_prune(st, now))
		fprintf(stderr, "quire: could not prune expired sessions\n");
	set_cookie(req, res, web_cfg->session_cookie, token, web_cfg->session_absolute);
	set_cookie(req, res, pre_cookie_name(), "", 0);
	v->signed_in = true;
	v->user = *u;
	memcpy(v->session_hash, hash, sizeof(hash));
	csrf_for(&req->arena, "csrf", hash, &v->csrf);
	return true;
}

void session_end(struct http_req *req, struct http_res *res)
{
	struct viewer *v = &web_req(req)->viewer;
	if (v->signed_in && store_session_delete(web_store(req), v->session_hash))
		fprintf(stderr, "quire: could not delete session\n");
	set_cookie(req, res, web_cfg->session_cookie, "", 0);
	v->signed_in = false;
}

/* ---- first start ---- */

bool setup_announce(struct store *st, const char *base_url)
{
	int64_t n;
	if (store_user_count(st, &n))
		return false;
	if (n > 0)
		return true;
	char token[33], hash[65], exp[32];
	random_hex(token, 16);
	hash_token(token, 32, hash);
	snprintf(exp, sizeof(exp), "%lld", (long long)(clock_now() + 86400));
	if (store_setting_set(st, "setup_token_hash", hash) ||
	    store_setting_set(st, "setup_token_expires", exp))
		return false;
	fprintf(stderr,
		"\n  No accounts yet. Open this one-time link to create the first (admin) account:\n"
		"\n    %s/setup/%s\n\n  (valid for 24 hours or until used; restart for a new one)\n\n",
		base_url, token);
	return true;
}
