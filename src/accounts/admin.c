/*
 * admin.c - the rules of site administration (admin.h).
 */
#include "accounts/admin.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "mail/mail.h"

#include <stdio.h>
#include <string.h>

const char *admin_strerror(enum admin_err e)
{
	switch (e) {
	case ADMIN_OK: return "ok";
	case ADMIN_NO_SUCH_USER: return "There is no account with that handle.";
	case ADMIN_SELF: return "An administrator cannot do that to her own account.";
	case ADMIN_BAD_HEIR:
		return "Choose another writer's handle to hand the stories to (not this account, "
		       "nor a suspended one), or delete them with the account.";
	case ADMIN_NO_SUCH_INVITE: return "That invitation is used, expired or revoked already.";
	case ADMIN_STORE: return "The change could not be saved. Please try again.";
	}
	return "unknown error";
}

enum store_err admin_log(struct store *st, const struct user_row *actor, const char *action,
			 const char *target, const char *detail)
{
	struct audit_row r = {0};
	r.at = clock_now();
	r.actor_id = actor->id;
	r.actor_handle = actor->handle;
	r.action = action;
	r.target = target ? target : "";
	r.detail = detail ? detail : "";
	return store_audit_add(st, &r);
}

/* The account acted on: not the actor's own. */
static enum admin_err target_of(struct store *st, struct arena *a, const struct user_row *actor,
				const char *handle, struct user_row *u)
{
	enum store_err e = handle ? store_user_by_handle(st, a, handle, u) : STORE_NOT_FOUND;
	if (e == STORE_NOT_FOUND)
		return ADMIN_NO_SUCH_USER;
	if (e)
		return ADMIN_STORE;
	return strcmp(u->id, actor->id) == 0 ? ADMIN_SELF : ADMIN_OK;
}

/* Commit when e is STORE_OK, else roll back: ADMIN_STORE on failure. */
static enum admin_err finish(struct store *st, enum store_err e)
{
	if (!e && !store_commit(st))
		return ADMIN_OK;
	store_rollback(st);
	return ADMIN_STORE;
}

/* Set once at start, before any thread reads it. */
static admin_suspend_hook suspend_hook;

void admin_set_suspend_hook(admin_suspend_hook fn)
{
	suspend_hook = fn;
}

enum admin_err admin_suspend(struct store *st, struct arena *a, const struct user_row *actor,
			     const char *handle, bool on, const char *reason)
{
	struct user_row u;
	enum admin_err ae = target_of(st, a, actor, handle, &u);
	if (ae)
		return ae;
	if (store_begin(st))
		return ADMIN_STORE;
	enum store_err e = STORE_OK;
	if (suspend_hook && on != (u.suspended_at != 0) && suspend_hook(st, a, &u, on))
		e = STORE_ERROR;
	if (!e)
		e = store_user_set_suspended(st, u.id, on ? clock_now() : 0);
	if (!e)
		e = admin_log(st, actor, on ? "suspend" : "unsuspend", u.handle, reason);
	return finish(st, e);
}

enum admin_err admin_delete(struct store *st, struct arena *a, const struct user_row *actor,
			    const char *handle, const char *heir, void (*collect)(struct store *))
{
	struct user_row u, h;
	enum admin_err ae = target_of(st, a, actor, handle, &u);
	if (ae)
		return ae;
	bool hand = heir && *heir;
	if (hand) {
		enum store_err he = store_user_by_handle(st, a, heir, &h);
		if (he && he != STORE_NOT_FOUND)
			return ADMIN_STORE;
		if (he || strcmp(h.id, u.id) == 0 || h.suspended_at)
			return ADMIN_BAD_HEIR;
	}
	const char *detail = hand ? arena_printf(a, "stories handed to @%s", h.handle) :
				    "with everything it wrote";
	/* First step: the stories change hands, or are marked for purging
	 * and the account suspended, so that a crash before the second
	 * step leaves nothing of it showing. */
	if (store_begin(st))
		return ADMIN_STORE;
	int64_t n = 0;
	enum store_err e = hand ? store_user_hand_over(st, u.id, h.id) :
				  store_user_stories_purge(st, u.id, &n);
	if (!e && !hand)
		e = store_user_set_suspended(st, u.id, clock_now());
	if (!e)
		e = admin_log(st, actor, "delete", u.handle, detail);
	if ((ae = finish(st, e)))
		return ae;
	if (!hand && collect)
		collect(st); /* photos of the purged stories, and their files */
	if (store_begin(st))
		return ADMIN_STORE;
	e = hand ? STORE_OK : store_trash_drop(st);
	if (!e)
		e = store_user_delete(st, u.id);
	return finish(st, e);
}

enum admin_err admin_reset_signin(struct store *st, struct arena *a, const struct user_row *actor,
				  const char *handle, char tok[33], bool *mailed)
{
	struct user_row u;
	enum admin_err ae = target_of(st, a, actor, handle, &u);
	if (ae)
		return ae;
	if (store_begin(st))
		return ADMIN_STORE;
	/* "!" is no password hash: every password fails against it. */
	enum store_err e = store_user_set_password(st, u.id, "!");
	if (!e)
		e = store_session_delete_others(st, u.id, NULL);
	if (!e && mail_reset_link(st, a, &u, ADMIN_RESET_TTL, tok, mailed))
		e = STORE_ERROR;
	if (!e)
		e = admin_log(st, actor, "reset_signin", u.handle,
			      *mailed ? "password link mailed" : "password link given to the administrator");
	return finish(st, e);
}

enum admin_err admin_invite(struct store *st, const struct user_row *actor, char tok[33])
{
	char hash[65];
	random_hex(tok, 16);
	hash_token(tok, 32, hash);
	int64_t now = clock_now();
	if (store_begin(st))
		return ADMIN_STORE;
	enum store_err e = store_invite_insert(st, hash, actor->id, now, now + 7 * 86400);
	if (!e)
		e = store_invite_keep_link(st, hash, tok);
	char detail[40];
	snprintf(detail, sizeof(detail), "invitation %.16s", hash);
	if (!e)
		e = admin_log(st, actor, "invite", "", detail);
	return finish(st, e);
}

enum admin_err admin_invite_revoke(struct store *st, struct arena *a, const struct user_row *actor,
				   const char *hash_prefix)
{
	size_t pl = hash_prefix ? strlen(hash_prefix) : 0;
	if (pl < 16 || pl > 64 || strspn(hash_prefix, "0123456789abcdef") != pl)
		return ADMIN_NO_SUCH_INVITE;
	struct invite_row *rows;
	size_t n;
	if (store_invites_open(st, a, clock_now(), &rows, &n))
		return ADMIN_STORE;
	const char *hash = NULL;
	for (size_t i = 0; i < n && !hash; i++)
		if (strncmp(rows[i].token_hash, hash_prefix, pl) == 0)
			hash = rows[i].token_hash;
	if (!hash)
		return ADMIN_NO_SUCH_INVITE;
	if (store_begin(st))
		return ADMIN_STORE;
	enum store_err e = store_invite_revoke(st, hash);
	if (e == STORE_NOT_FOUND) {
		store_rollback(st);
		return ADMIN_NO_SUCH_INVITE;
	}
	char detail[40];
	snprintf(detail, sizeof(detail), "invitation %.16s", hash);
	if (!e)
		e = admin_log(st, actor, "revoke_invite", "", detail);
	return finish(st, e);
}
