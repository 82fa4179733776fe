/*
 * mail.h - the rules of email (issue 18): who is mailed what, and the
 * single-use links mail carries. Rules only: they take the store and the
 * clock, write outbox rows in the same transaction as the event that
 * causes them, and never include web code. The messages are rendered and
 * sent later by the sender (mail_web.h), which reads each row back.
 *
 * Without an SMTP server configured (mail_configure() not called with
 * enabled), every function here is a no-op that reports MAIL_OFF, and no
 * row is ever written.
 *
 * Links: a mailed link's token is 32 random hex characters, kept in the
 * store only by its SHA-256; the raw token travels in the outbox row's
 * payload until the message is accepted, then the payload is cleared.
 * Unsubscribe links need no row: they are the subscriber's id and a MAC
 * with the server key, so every message can carry one.
 */
#ifndef QUIRE_MAIL_MAIL_H
#define QUIRE_MAIL_MAIL_H

#include <stdbool.h>

#include "core/arena.h"
#include "store/store.h"
#include "store/store_mail.h"

/* Outbox kinds (outbox_row.kind). */
#define MAIL_KIND_STORY "story"          /* a story, to a subscriber or circle member */
#define MAIL_KIND_CONFIRM "confirm"      /* confirm a subscription */
#define MAIL_KIND_SIGNIN "signin"        /* a sign-in link */
#define MAIL_KIND_RESET "reset"          /* a password reset link */
#define MAIL_KIND_VERIFY "verify"        /* confirm an account's address */
#define MAIL_KIND_NOTIFY "notify"        /* a notice to a writer */
#define MAIL_KIND_INVITE "invite"        /* a circle invitation to an address */
#define MAIL_KIND_ADMIN_RESET "admin_reset" /* a password link an administrator made */
#define MAIL_KIND_DIGEST "digest"        /* a writer's notices of the day, in one message */
#define MAIL_KIND_DIGEST_ITEM "digest_item" /* a notice kept for it (never sent alone) */
/* next_at of what is never due by itself. */
#define MAIL_NEVER ((int64_t)4102444800) /* 2100-01-01 */

/* A circle invitation mailed to an address works for two weeks. */
#define MAIL_INVITE_TTL (14 * 24 * 3600)

/* Lifetimes of mailed links (seconds). */
#define MAIL_SIGNIN_TTL (15 * 60)
#define MAIL_VERIFY_TTL (24 * 3600)
#define MAIL_CONFIRM_TTL (7 * 24 * 3600)
/* At most this many links of one kind to one address per hour, and one
 * subscription confirmation per address and writer per hour. */
#define MAIL_LINKS_PER_HOUR 5

enum mail_err {
	MAIL_OK = 0,
	MAIL_OFF,          /* no SMTP server configured */
	MAIL_BAD_ADDRESS,  /* not an address (mail_addr_normalise) */
	MAIL_NOT_FOUND,    /* no such link, or it was used or expired */
	MAIL_TAKEN,        /* the address belongs to another account */
	MAIL_STORE,
};

/* Called once by main.c before serving: enabled when --smtp is set; key
 * is the server MAC key (32 bytes, copied). */
void mail_configure(bool enabled, const unsigned char key[32]);
bool mail_enabled(void);

/* A reader asks to receive writer's stories at the address in[0..).
 * Whatever the address (new, pending, confirmed, unsubscribed, invalid
 * but well-formed), the caller answers the same: nobody can learn who
 * subscribes. A confirmation message is queued for a new or pending or
 * unsubscribed address (at most one per hour per address). MAIL_BAD_ADDRESS
 * only when it is not an address at all. */
enum mail_err mail_subscribe(struct store *st, struct arena *a, const struct user_row *writer,
			     const char *email, const char *source)
	__attribute__((warn_unused_result));

/* The pending subscription a confirmation token names (nothing changes). */
enum mail_err mail_confirm_peek(struct store *st, struct arena *a, const char *token,
				struct subscriber_row *out) __attribute__((warn_unused_result));
/* Confirm it (pressing the page's button): the address is confirmed,
 * the writer notified if she wants to be. */
enum mail_err mail_confirm(struct store *st, struct arena *a, const char *token,
			   struct subscriber_row *out) __attribute__((warn_unused_result));

/* The unsubscribe token of subscriber id, or of circle mail to a member
 * (member true: id is a user id), in a; and the other way round: what a
 * token names, or false when it is not one of ours. */
const char *mail_unsub_token(struct arena *a, const char *id, bool member);
bool mail_unsub_parse(const char *token, char id[17], bool *member);
/* Act on an unsubscribe token: the subscriber is unsubscribed, or the
 * member's circle mail turned off. *who gets the address or handle, for
 * the page. Idempotent. */
enum mail_err mail_unsubscribe(struct store *st, struct arena *a, const char *token,
			       const char **who) __attribute__((warn_unused_result));

/* The publish hook (stories.c calls it inside the transaction of every
 * save, before is NULL for a new story): when after is a published story
 * whose audience is public or a circle and this save made it so, and it
 * was never mailed nor skipped, queue it to the writer's confirmed
 * subscribers (public) or the circle's members with an address (circle).
 * Unlisted and private stories, drafts and scheduled drafts are never
 * mailed; editing a published story never sends again. email: the
 * writer's choice in this save (1 mail it, -1 do not, 0 not said). */
enum mail_err mail_on_story_save(struct store *st, struct arena *a,
				 const struct story_row *before, const struct story_row *after,
				 int email) __attribute__((warn_unused_result));

/* An account's address: ask to verify email for user (a link is mailed to
 * it); MAIL_TAKEN when another account has it. Then the link's token makes
 * it hers. */
enum mail_err mail_verify_request(struct store *st, struct arena *a, const struct user_row *u,
				  const char *email) __attribute__((warn_unused_result));
enum mail_err mail_verify(struct store *st, struct arena *a, const char *token,
			  struct user_row *out) __attribute__((warn_unused_result));

/* Sign-in links and password resets (kind MAIL_KIND_SIGNIN or
 * MAIL_KIND_RESET): queued only when an account has that verified
 * address; the caller answers the same either way. peek reads the link
 * without using it (the page with the button); use spends it (single use)
 * and gives the account. */
enum mail_err mail_link_request(struct store *st, struct arena *a, const char *kind,
				const char *email) __attribute__((warn_unused_result));
enum mail_err mail_link_peek(struct store *st, struct arena *a, const char *kind,
			     const char *token, struct user_row *out)
	__attribute__((warn_unused_result));
enum mail_err mail_link_use(struct store *st, struct arena *a, const char *kind,
			    const char *token, struct user_row *out)
	__attribute__((warn_unused_result));

/* A password link for account u that works for ttl seconds, made by an
 * administrator (accounts/admin.c) in the caller's transaction: its token
 * in tok; mailed too when mail is on and u has a verified address
 * (*mailed says so). Works with mail off: the administrator passes the
 * link on herself. */
enum mail_err mail_reset_link(struct store *st, struct arena *a, const struct user_row *u,
			      int64_t ttl, char tok[33], bool *mailed)
	__attribute__((warn_unused_result));

/* Mail circle circle's invitation link (token, made by
 * circle_invite_create for one use) to email, in the caller's
 * transaction: the link's hash also names a mailed-link row holding the
 * address, so that whoever follows it may join with just a name
 * (CLAIM_CIRCLE_MAIL). MAIL_BAD_ADDRESS for an address that is none. */
enum mail_err mail_circle_invite(struct store *st, struct arena *a, const struct circle_row *c,
				 const char *email, const char *token)
	__attribute__((warn_unused_result));
/* The address a circle invitation link was mailed to, or NULL (none,
 * used or expired). */
const char *mail_invite_address(struct store *st, struct arena *a, const char *token);
/* A notice to the circle's writer that handle joined it. */
enum mail_err mail_notify_joined(struct store *st, struct arena *a, const struct circle_row *c,
				 const char *handle) __attribute__((warn_unused_result));

/* A writer who chose one daily message ("notify_digest"): her notices
 * are kept (MAIL_KIND_DIGEST_ITEM) and one digest, due at 08:00 on her
 * clock, takes all of them. Queue that digest unless one waits already
 * or nothing is kept (the caller's transaction); the sender calls it
 * again after a digest, for what came meanwhile. */
enum store_err mail_digest_ensure(struct store *st, struct arena *a, const char *writer_id,
				  const char *email, int64_t now) __attribute__((warn_unused_result));

/* A notice to writer (what: "pending", "response", "subscriber"), if she
 * has an address and has not turned that notice off. */
enum mail_err mail_notify(struct store *st, struct arena *a, const char *writer_id,
			  const char *what, const char *story_id)
	__attribute__((warn_unused_result));

/* The response hook (responses.h): a notice to the story's writer of a
 * response held for her approval ("pending") or a new one ("response");
 * none for her own or a hidden one. 0, or -1 when the store failed. */
int mail_on_response(struct store *st, struct arena *a, const struct story_row *s,
		     const struct response_row *r);

#endif
