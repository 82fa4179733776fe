/*
 * circles.h - a writer's circles of invited readers: the rules. Names,
 * invitation links (single- or multi-use, expiring, revocable), joining.
 * Pure of web code: takes the store and the clock (now, Unix seconds);
 * the pages and API are declared in circles_web.h.
 *
 * Invitation tokens are 128 random bits written as 32 lowercase hex
 * digits; only their SHA-256 is stored, and anything else is refused
 * before it reaches a hash, a page or a header. Removing a member or
 * deleting a circle takes effect on the next request: access is looked
 * up per request (audience/), never cached in a session.
 *
 * A writer can also invite an existing reader by handle. That is only an
 * invitation: the reader is not in the circle (and reads none of its
 * stories) until she accepts it herself, on her Circles page or by API;
 * she may decline, and the writer may withdraw it. Being put into a
 * group by someone else, unasked, is what a careful product never does
 * (the same rule as a link: joining is always the reader's act).
 * Accepting, like accepting a link, also follows the writer.
 */
#ifndef QUIRE_CIRCLES_CIRCLES_H
#define QUIRE_CIRCLES_CIRCLES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define CIRCLE_NAME_MAX 80
#define CIRCLE_INVITE_MAX_DAYS 365

/* A circle name: 1 to CIRCLE_NAME_MAX characters of one-line text. */
bool circle_name_ok(const char *name);
/* The shape of an invitation token (32 lowercase hex digits). */
bool circle_token_ok(const char *token);

/* Is token a live circle invitation at now? Fills *c (its circle) if so. */
bool circle_invite_live(struct store *st, struct arena *a, const char *token, int64_t now,
			struct circle_row *c);
/* Join the invitation's circle as user_id, consuming one use, and follow
 * its writer (her circle stories then reach the member's home), in one
 * transaction (a single-use link makes one member however many arrive at
 * once; a member joining again spends nothing). The circle's owner
 * joining her own circle is a no-op success. */
bool circle_invite_accept(struct store *st, struct arena *a, const char *token,
			  const char *user_id, int64_t now, struct circle_row *c)
	__attribute__((warn_unused_result));
/* The circle an invitation token is for, live or spent; false if none. */
bool circle_of_token(struct store *st, struct arena *a, const char *token, struct circle_row *c)
	__attribute__((warn_unused_result));
/* user_id, a member of c, follows c's writer (a sign-up through a
 * circle link joins in the account's own transaction, then this). False
 * when she is not a member or the store failed. */
bool circle_follow_owner(struct store *st, const struct circle_row *c, const char *user_id,
			 int64_t now) __attribute__((warn_unused_result));

/* A new circle of owner's named name (checked by the caller). */
enum store_err circle_create(struct store *st, const char *owner, const char *name, int64_t now,
			     struct circle_row *out) __attribute__((warn_unused_result));
/* A new invitation to circle_id: uses < 0 unlimited, valid expires_in
 * seconds; *token gets the raw token (in a), shown once. */
/* A single-use link to circle c mailed to email (normalised), in one
 * transaction (mail/mail.h: mail_circle_invite). STORE_OK, or the
 * failure. */
enum store_err circle_invite_by_mail(struct store *st, struct arena *a, const struct circle_row *c,
				     const char *email) __attribute__((warn_unused_result));
enum store_err circle_invite_create(struct store *st, struct arena *a, const char *circle_id,
				    int64_t uses, int64_t expires_in, int64_t now, const char **token)
	__attribute__((warn_unused_result));

enum circle_invite_result {
	CIRCLE_INVITED = 0,
	CIRCLE_NO_SUCH_READER, /* no account with that handle */
	CIRCLE_IS_OWNER,       /* the writer herself */
	CIRCLE_IS_MEMBER,      /* already in the circle */
	CIRCLE_INVITE_FAILED   /* the store failed */
};
/* Invite the account with handle (normalised) into c; *who is her row on
 * CIRCLE_INVITED (a second invitation of the same reader is CIRCLE_INVITED
 * and changes nothing). */
enum circle_invite_result circle_invite_handle(struct store *st, struct arena *a,
					       const struct circle_row *c, const char *handle,
					       int64_t now, struct user_row *who)
	__attribute__((warn_unused_result));
/* user_id accepts her invitation into circle_id: in one transaction the
 * invitation goes, she becomes a member and follows the writer. False
 * when there was no invitation (nothing changes) or the store failed;
 * *c is the circle on success. */
bool circle_invitation_accept(struct store *st, struct arena *a, const char *circle_id,
			      const char *user_id, int64_t now, struct circle_row *c)
	__attribute__((warn_unused_result));

#endif
