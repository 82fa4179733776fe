/*
 * admin.h - what a site administrator may do to accounts and
 * invitations, and the audit log that records each action (issue 21).
 * Rules only: the pages are accounts/admin_pages.c.
 *
 * Every action here runs in one transaction with its audit-log row, so
 * an action and its record land together or not at all. No
 * administrator acts on her own account (suspend, delete, reset), so
 * the site always keeps the one who acts.
 */
#ifndef QUIRE_ACCOUNTS_ADMIN_H
#define QUIRE_ACCOUNTS_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "store/store.h"
#include "store/store_admin.h"

enum admin_err {
	ADMIN_OK = 0,
	ADMIN_NO_SUCH_USER, /* no account with that handle */
	ADMIN_SELF,         /* an administrator's own account */
	ADMIN_BAD_HEIR,     /* the account to hand stories to is missing, the same, or suspended */
	ADMIN_NO_SUCH_INVITE,
	ADMIN_STORE,
};
const char *admin_strerror(enum admin_err e);

/* Admin password links work for a week: the administrator passes them on. */
#define ADMIN_RESET_TTL (7 * 86400)

/* Record an action by actor (in the caller's transaction). */
enum store_err admin_log(struct store *st, const struct user_row *actor, const char *action,
			 const char *target, const char *detail) __attribute__((warn_unused_result));

/* The suspend hook (main.c wires federation's): called inside the
 * transaction that suspends (on) or unsuspends account u, when that
 * changes it: u as it was, before the change is written. A non-zero
 * return fails the change. NULL: none. */
typedef int (*admin_suspend_hook)(struct store *st, struct arena *a, const struct user_row *u,
				  bool on);
void admin_set_suspend_hook(admin_suspend_hook fn);

/* Suspend (on) or unsuspend the account with handle; suspending ends its
 * sessions and tokens. reason (may be "") goes to the log. */
enum admin_err admin_suspend(struct store *st, struct arena *a, const struct user_row *actor,
			     const char *handle, bool on, const char *reason)
	__attribute__((warn_unused_result));

/* Delete the account with handle. heir NULL or "": with everything it
 * wrote (stories, photos, responses). Else the handle of the writer its
 * stories, circles and blocks go to. collect, called between the two
 * steps, removes the photos of purged stories (media_collect()). */
enum admin_err admin_delete(struct store *st, struct arena *a, const struct user_row *actor,
			    const char *handle, const char *heir, void (*collect)(struct store *))
	__attribute__((warn_unused_result));

/* Reset the sign-in of the account with handle: its password stops
 * working, its sessions and tokens end, and a password link valid for
 * ADMIN_RESET_TTL is made (token in tok; mailed to its verified
 * address when mail is on: *mailed). */
enum admin_err admin_reset_signin(struct store *st, struct arena *a, const struct user_row *actor,
				  const char *handle, char tok[33], bool *mailed)
	__attribute__((warn_unused_result));

/* A sign-up invitation valid for 7 days; its token in tok (also kept for
 * copying from /admin). */
enum admin_err admin_invite(struct store *st, const struct user_row *actor, char tok[33])
	__attribute__((warn_unused_result));
/* Revoke the open invitation whose token hash begins with hash_prefix
 * (at least 16 hex characters, as /admin shows them). */
enum admin_err admin_invite_revoke(struct store *st, struct arena *a, const struct user_row *actor,
				   const char *hash_prefix) __attribute__((warn_unused_result));

#endif
