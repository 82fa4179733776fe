/*
 * accounts.h - people and their proof of identity: password hashing
 * (argon2id, with a cap on hashes running at once), accounts, sign-in
 * rate limits, web sessions and API tokens, and the pages and API routes
 * that create and end them.
 *
 * Sessions and tokens are random 256-bit values; only their SHA-256 is
 * stored. A new session is made at every sign-in.
 */
#ifndef QUIRE_ACCOUNTS_ACCOUNTS_H
#define QUIRE_ACCOUNTS_ACCOUNTS_H

#include <stdbool.h>

#include "http/http.h"
#include "web/web.h"
#include "store/store.h"

#define PASSWORD_MIN 12   /* code points */
#define PASSWORD_MAX 256  /* bytes */
#define HANDLE_MIN 2
#define HANDLE_MAX 30
#define NAME_MAX_CHARS 80
#define BIO_MAX_CHARS 500

enum acct_err {
	ACCT_OK = 0,
	ACCT_BAD_HANDLE,
	ACCT_HANDLE_TAKEN,
	ACCT_BAD_NAME,
	ACCT_PASSWORD_SHORT,
	ACCT_PASSWORD_LONG,
	ACCT_BAD_PASSWORD,  /* wrong handle or password */
	ACCT_RATE_LIMITED,
	ACCT_BUSY,          /* too many hashes waiting */
	ACCT_INVITE_USED,   /* the claim was spent (or expired) meanwhile */
	ACCT_SUSPENDED,     /* right password, but an administrator suspended the account */
	ACCT_EMAIL_TAKEN,   /* a mailed invitation's address is another account's */
	ACCT_STORE,
};
const char *acct_strerror(enum acct_err e);

/* Call once before serving: sets the concurrency cap and prepares the
 * hash used to make an unknown handle cost as much as a wrong password. */
bool password_init(unsigned concurrency) __attribute__((warn_unused_result));
void password_shutdown(void);
/* out holds at least 128 bytes. */
enum acct_err password_hash(const char *pw, size_t n, char *out, size_t outlen)
	__attribute__((warn_unused_result));
/* ACCT_OK when pw matches; hash NULL verifies against a dummy (for
 * unknown handles) and always fails. */
enum acct_err password_verify(const char *hash, const char *pw, size_t n)
	__attribute__((warn_unused_result));

/* Lowercased, validated handle into the arena, or NULL. */
const char *handle_normalise(struct arena *a, const char *s);

/* ACCT_OK when password may be one: valid UTF-8, PASSWORD_MIN code
 * points to PASSWORD_MAX bytes (longer is ACCT_PASSWORD_LONG, never cut). */
enum acct_err password_check(const char *password) __attribute__((warn_unused_result));

/* Give u a new password and end all its sessions and API tokens except
 * the one whose hash is keep_session (may be NULL). Nothing changes on
 * error. */
enum acct_err account_set_password(struct store *st, const struct user_row *u,
				   const char *password, const char *keep_session)
	__attribute__((warn_unused_result));

/* Create an account; on success out (optional) is the new row. */
enum acct_err account_create(struct store *st, struct arena *a, const char *handle,
			     const char *name, const char *password, bool admin,
			     struct user_row *out) __attribute__((warn_unused_result));

/* What a new account spends: a sign-up invitation, a circle invitation
 * (the account also joins the circle) or the first-start setup link,
 * each named by its token's SHA-256 (hex). */
enum acct_claim_kind { CLAIM_NONE, CLAIM_INVITE, CLAIM_CIRCLE, CLAIM_SETUP, CLAIM_CIRCLE_MAIL };
struct acct_claim {
	enum acct_claim_kind kind;
	const char *token_hash;
};
/* account_create() that spends claim (NULL: nothing) in the same
 * transaction that inserts the account: of N parallel sign-ups with one
 * single-use token exactly one succeeds, the others get ACCT_INVITE_USED
 * and leave nothing behind. CLAIM_CIRCLE_MAIL is a circle invitation
 * mailed to an address (issue 18): the account joins the circle, follows
 * its writer and has that address, verified (she followed the link); it
 * alone may come with no password (NULL): she signs in with links, or
 * chooses one later. */
enum acct_err account_create_claimed(struct store *st, struct arena *a, const char *handle,
				     const char *name, const char *password, bool admin,
				     const struct acct_claim *claim, struct user_row *out)
	__attribute__((warn_unused_result));

/* Check a sign-in with rate limiting per account and address. On
 * ACCT_RATE_LIMITED *retry_after holds seconds to wait. */
enum acct_err account_login(struct store *st, struct arena *a, const char *handle,
			    const char *password, const char *addr, struct user_row *out,
			    int64_t *retry_after) __attribute__((warn_unused_result));

/* Work out the viewer from the session cookie or bearer token. Always
 * sets a CSRF token for forms (session-bound, or pre-session). */
void session_load(struct http_req *req);
/* Write the sessions' activity that waits for its next batch (their
 * last_seen): at stop, once no request runs, so that none is lost. */
void session_activity_flush(struct store *st);
/* Start a web session for user: sets the cookie on res. */
bool session_start(struct http_req *req, struct http_res *res, const struct user_row *u)
	__attribute__((warn_unused_result));
void session_end(struct http_req *req, struct http_res *res);
/* Page shows a form to an anonymous visitor: give it a CSRF cookie. */
void session_need_pre(struct http_req *req, struct http_res *res);

/* Pages. */
void page_login(struct http_req *req, struct http_res *res);
void page_login_post(struct http_req *req, struct http_res *res);
void page_logout_post(struct http_req *req, struct http_res *res);
void page_signup(struct http_req *req, struct http_res *res);
void page_signup_post(struct http_req *req, struct http_res *res);
void page_setup(struct http_req *req, struct http_res *res);
void page_setup_post(struct http_req *req, struct http_res *res);
void page_settings(struct http_req *req, struct http_res *res);
/* What u's profile shows besides her name and bio, for templates:
 * {"avatar_url", "has_links", "links": [{"url", "label"}]}; an empty
 * object when she set neither. New reference. */
json_t *profile_extras(struct http_req *req, const struct user_row *u);
void page_settings_post(struct http_req *req, struct http_res *res);
/* POST /settings/password: current, password, password2. */
void page_password_post(struct http_req *req, struct http_res *res);
void page_settings_feed_post(struct http_req *req, struct http_res *res);
void page_admin(struct http_req *req, struct http_res *res);
void page_admin_post(struct http_req *req, struct http_res *res);
void page_about(struct http_req *req, struct http_res *res);

/* JSON API. */
void api_token_create(struct http_req *req, struct http_res *res);
void api_token_delete(struct http_req *req, struct http_res *res);
void api_me(struct http_req *req, struct http_res *res);
/* PATCH /api/v1/me {"time_zone"}: the signed-in user's settings. */
void api_me_patch(struct http_req *req, struct http_res *res);

/* First start: print a one-time setup link if there are no accounts. */
bool setup_announce(struct store *st, const char *base_url) __attribute__((warn_unused_result));

#endif
