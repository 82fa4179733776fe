/*
 * circles.c - the rules of circles (circles.h): names, invitation tokens,
 * joining. Takes the store and the clock; no web code here (the pages
 * and API are circle_pages.c and circle_api.c).
 */
#include "circles/circles.h"
#include "core/crypto.h"
#include "core/text.h"
#include "core/clock.h"
#include "mail/mail.h"

#include <stdio.h>
#include <string.h>

bool circle_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	return n > 0 && utf8_valid(name, n) && !text_has_controls(name, n, false) &&
	       utf8_count(name, n) <= CIRCLE_NAME_MAX;
}

bool circle_token_ok(const char *t)
{
	if (!t || strlen(t) != 32)
		return false;
	for (size_t i = 0; i < 32; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return true;
}

bool circle_invite_live(struct store *st, struct arena *a, const char *token, int64_t now,
			struct circle_row *c)
{
	if (!circle_token_ok(token))
		return false;
	char hash[65];
	hash_token(token, 32, hash);
	struct circle_invite_row inv;
	if (store_circle_invite_get(st, a, hash, &inv) || inv.revoked ||
	    inv.expires_at <= now || inv.uses_left == 0)
		return false;
	return store_circle_get(st, a, inv.circle_id, c) == STORE_OK;
}

/* The writer's notice that user_id joined c, in the joining's own
 * transaction (the outbox row lands with the membership). */
static bool joined_notice(struct store *st, struct arena *a, const struct circle_row *c,
			  const char *user_id)
{
	struct user_row u;
	if (store_user_by_id(st, a, user_id, &u))
		return false;
	return mail_notify_joined(st, a, c, u.handle) != MAIL_STORE;
}

bool circle_invite_accept(struct store *st, struct arena *a, const char *token,
			  const char *user_id, int64_t now, struct circle_row *c)
{
	if (!circle_invite_live(st, a, token, now, c))
		return false;
	if (strcmp(c->owner_id, user_id) == 0)
		return true;
	char hash[65];
	hash_token(token, 32, hash);
	/* One transaction decides: already a member (no use spent), or spend
	 * a use and join - never a use spent twice, never two joins on a
	 * single-use link, however many arrive at once. */
	if (store_begin(st))
		return false;
	bool member = false;
	if (store_circle_is_member(st, c->id, user_id, &member)) {
		store_rollback(st);
		return false;
	}
	if (member) {
		store_rollback(st);
		return true;
	}
	if (store_circle_invite_use(st, hash, now) ||
	    store_circle_member_add(st, c->id, user_id, now) ||
	    store_follow_add(st, user_id, c->owner_id, now) || !joined_notice(st, a, c, user_id) ||
	    store_commit(st)) {
		store_rollback(st);
		return false;
	}
	return true;
}

bool circle_of_token(struct store *st, struct arena *a, const char *token, struct circle_row *c)
{
	if (!circle_token_ok(token))
		return false;
	char hash[65];
	hash_token(token, 32, hash);
	struct circle_invite_row inv;
	return store_circle_invite_get(st, a, hash, &inv) == STORE_OK &&
	       store_circle_get(st, a, inv.circle_id, c) == STORE_OK;
}

bool circle_follow_owner(struct store *st, const struct circle_row *c, const char *user_id,
			 int64_t now)
{
	bool member = false;
	if (strcmp(c->owner_id, user_id) == 0 ||
	    store_circle_is_member(st, c->id, user_id, &member) || !member)
		return false;
	return store_follow_add(st, user_id, c->owner_id, now) == STORE_OK;
}

enum store_err circle_create(struct store *st, const char *owner, const char *name, int64_t now,
			     struct circle_row *out)
{
	memset(out, 0, sizeof(*out));
	id_new(out->id);
	snprintf(out->owner_id, sizeof(out->owner_id), "%s", owner);
	out->name = name;
	out->created_at = now;
	return store_circle_insert(st, out);
}

enum store_err circle_invite_create(struct store *st, struct arena *a, const char *circle_id,
				    int64_t uses, int64_t expires_in, int64_t now, const char **token)
{
	char raw[33], hash[65];
	random_hex(raw, 16);
	hash_token(raw, 32, hash);
	struct circle_invite_row r = {0};
	r.token_hash = hash;
	snprintf(r.circle_id, sizeof(r.circle_id), "%s", circle_id);
	r.token_tail = raw + 26;
	r.uses_left = uses < 0 ? -1 : uses;
	r.created_at = now;
	r.expires_at = r.created_at + expires_in;
	*token = arena_strdup(a, raw);
	return store_circle_invite_insert(st, &r);
}


enum store_err circle_invite_by_mail(struct store *st, struct arena *a, const struct circle_row *c,
				     const char *email)
{
	const char *token;
	if (store_begin(st))
		return STORE_ERROR;
	if (circle_invite_create(st, a, c->id, 1, MAIL_INVITE_TTL, clock_now(), &token) ||
	    mail_circle_invite(st, a, c, email, token) || store_commit(st)) {
		store_rollback(st);
		return STORE_ERROR;
	}
	return STORE_OK;
}

enum circle_invite_result circle_invite_handle(struct store *st, struct arena *a,
					       const struct circle_row *c, const char *handle,
					       int64_t now, struct user_row *who)
{
	if (!handle || store_user_by_handle(st, a, handle, who))
		return CIRCLE_NO_SUCH_READER;
	if (strcmp(who->id, c->owner_id) == 0)
		return CIRCLE_IS_OWNER;
	bool member = false;
	if (store_circle_is_member(st, c->id, who->id, &member))
		return CIRCLE_INVITE_FAILED;
	if (member)
		return CIRCLE_IS_MEMBER;
	return store_circle_invitee_add(st, c->id, who->id, now) ? CIRCLE_INVITE_FAILED :
								    CIRCLE_INVITED;
}

bool circle_invitation_accept(struct store *st, struct arena *a, const char *circle_id,
			      const char *user_id, int64_t now, struct circle_row *c)
{
	if (store_circle_get(st, a, circle_id, c) || store_begin(st))
		return false;
	if (store_circle_invitee_remove(st, c->id, user_id) ||
	    store_circle_member_add(st, c->id, user_id, now) ||
	    store_follow_add(st, user_id, c->owner_id, now) || !joined_notice(st, a, c, user_id) ||
	    store_commit(st)) {
		store_rollback(st);
		return false;
	}
	return true;
}
