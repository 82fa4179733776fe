/*
 * store_fns.h - every function of the store contract once, as a list for
 * the dispatch: STORE_FN(return type, name, (parameters), (arguments)) and
 * STORE_FN_VOID(name, (parameters), (arguments)); STORE_FN_OWN is a
 * STORE_FN whose store_NAME() does more than pass the call on and is
 * written out (session_memo.c). The documented
 * prototypes are in store.h and store_media.h (the compiler checks the two
 * agree); this list makes the backend table (store/backend.h), each
 * backend's prototypes and the store_NAME() calls (store/store.c). A new
 * store function is a prototype there and a line here.
 *
 * No include guard: included with different definitions of the macros.
 */
STORE_FN(int, schema_version, (struct store *s), (s))
STORE_FN(enum store_err, ping, (struct store *s), (s))
STORE_FN(enum store_err, change_stamp, (struct store *s, struct store_stamp *out), (s, out))
STORE_FN_VOID(read_begin, (struct store *s), (s))
STORE_FN_VOID(read_end, (struct store *s), (s))
STORE_FN(enum store_err, begin, (struct store *s), (s))
STORE_FN(enum store_err, commit, (struct store *s), (s))
STORE_FN_VOID(rollback, (struct store *s), (s))
STORE_FN(enum store_err, setting_get, (struct store *s, struct arena *a, const char *key,
	 char **val), (s, a, key, val))
STORE_FN(enum store_err, setting_set, (struct store *s, const char *key, const char *val), (s,
	 key, val))
STORE_FN(enum store_err, setting_init, (struct store *s, struct arena *a, const char *key,
	 const char *proposed, char **val), (s, a, key, proposed, val))
STORE_FN(enum store_err, user_insert, (struct store *s, const struct user_row *u), (s, u))
STORE_FN(enum store_err, user_by_handle, (struct store *s, struct arena *a, const char *handle,
	 struct user_row *out), (s, a, handle, out))
STORE_FN(enum store_err, user_by_id, (struct store *s, struct arena *a, const char *id,
	 struct user_row *out), (s, a, id, out))
STORE_FN(enum store_err, user_count, (struct store *s, int64_t *n), (s, n))
STORE_FN(enum store_err, user_set_time_zone, (struct store *s, const char *id, const char *zone),
	 (s, id, zone))
STORE_FN(enum store_err, user_update_profile, (struct store *s, const char *id, const char *name,
	 const char *bio), (s, id, name, bio))
STORE_FN(enum store_err, user_set_password, (struct store *s, const char *id, const char *hash),
	 (s, id, hash))
STORE_FN(enum store_err, user_book_share_get, (struct store *s, const char *id, bool *on),
	 (s, id, on))
STORE_FN(enum store_err, user_book_share_set, (struct store *s, const char *id, bool on),
	 (s, id, on))
STORE_FN(enum store_err, session_insert, (struct store *s, const char *token_hash,
	 const char *user_id, const char *kind, int64_t now, int64_t expires_at), (s, token_hash,
	 user_id, kind, now, expires_at))
STORE_FN_OWN(enum store_err, session_user, (struct store *s, struct arena *a, const char *token_hash,
	 struct session_row *sess, struct user_row *user), (s, a, token_hash, sess, user))
STORE_FN(enum store_err, session_touch, (struct store *s, const char *token_hash, int64_t now),
	 (s, token_hash, now))
STORE_FN(enum store_err, session_delete, (struct store *s, const char *token_hash), (s,
	 token_hash))
STORE_FN(enum store_err, session_prune, (struct store *s, int64_t now), (s, now))
STORE_FN(enum store_err, session_delete_others, (struct store *s, const char *user_id,
	 const char *keep), (s, user_id, keep))
STORE_FN(enum store_err, invite_insert, (struct store *s, const char *token_hash, const char *by,
	 int64_t now, int64_t expires_at), (s, token_hash, by, now, expires_at))
STORE_FN(enum store_err, invite_check, (struct store *s, const char *token_hash, int64_t now), (s,
	 token_hash, now))
STORE_FN(enum store_err, invite_use, (struct store *s, const char *token_hash,
	 const char *user_id, int64_t now), (s, token_hash, user_id, now))
STORE_FN(enum store_err, signin_counts, (struct store *s, const char *handle, const char *addr,
	 int64_t since, int64_t slow_since, int64_t known_since, struct signin_counts *out), (s, handle,
	 addr, since, slow_since, known_since, out))
STORE_FN(enum store_err, signin_add, (struct store *s, const char *handle, const char *addr,
	 int64_t now, int64_t *id), (s, handle, addr, now, id))
STORE_FN(enum store_err, signin_finish, (struct store *s, int64_t id, const char *state), (s, id,
	 state))
STORE_FN(enum store_err, signin_prune, (struct store *s, int64_t failed_before,
	 int64_t ok_before), (s, failed_before, ok_before))
STORE_FN(enum store_err, story_insert, (struct store *s, const struct story_row *r), (s, r))
STORE_FN(enum store_err, story_update, (struct store *s, const struct story_row *r), (s, r))
STORE_FN(enum store_err, story_get, (struct store *s, struct arena *a, const char *id,
	 struct story_row *out), (s, a, id, out))
STORE_FN(enum store_err, story_by_slug, (struct store *s, struct arena *a, const char *author_id,
	 const char *slug, struct story_row *out), (s, a, author_id, slug, out))
STORE_FN(enum store_err, story_old_slug, (struct store *s, const char *author_id,
	 const char *slug, char story_id[17]), (s, author_id, slug, story_id))
STORE_FN(enum store_err, story_slug_taken, (struct store *s, const char *author_id,
	 const char *slug, const char *except_id, bool *taken), (s, author_id, slug, except_id, taken))
STORE_FN(enum store_err, story_slug_remember, (struct store *s, const char *author_id,
	 const char *slug, const char *story_id), (s, author_id, slug, story_id))
STORE_FN(enum store_err, story_by_share_key, (struct store *s, struct arena *a, const char *key,
	 struct story_row *out), (s, a, key, out))
STORE_FN(enum store_err, story_share_key_set, (struct store *s, const char *id,
	 const char *author_id, const char *key), (s, id, author_id, key))
STORE_FN(enum store_err, story_delete, (struct store *s, const char *id, int64_t now), (s, id,
	 now))
STORE_FN(enum store_err, story_list, (struct store *s, struct arena *a,
	 const struct story_query *q, struct story_list *out), (s, a, q, out))
STORE_FN(enum store_err, circle_insert, (struct store *s, const struct circle_row *c), (s, c))
STORE_FN(enum store_err, circle_get, (struct store *s, struct arena *a, const char *id,
	 struct circle_row *out), (s, a, id, out))
STORE_FN(enum store_err, circle_list, (struct store *s, struct arena *a, const char *owner_id,
	 struct circle_row **rows, size_t *n), (s, a, owner_id, rows, n))
STORE_FN(enum store_err, circle_delete, (struct store *s, const char *id), (s, id))
STORE_FN(enum store_err, circle_member_add, (struct store *s, const char *circle_id,
	 const char *user_id, int64_t now), (s, circle_id, user_id, now))
STORE_FN(enum store_err, circle_member_remove, (struct store *s, const char *circle_id,
	 const char *user_id), (s, circle_id, user_id))
STORE_FN(enum store_err, circle_members, (struct store *s, struct arena *a, const char *circle_id,
	 struct member_row **rows, size_t *n), (s, a, circle_id, rows, n))
STORE_FN(enum store_err, circle_is_member, (struct store *s, const char *circle_id,
	 const char *user_id, bool *member), (s, circle_id, user_id, member))
STORE_FN(enum store_err, circle_invite_insert, (struct store *s,
	 const struct circle_invite_row *r), (s, r))
STORE_FN(enum store_err, circle_invite_get, (struct store *s, struct arena *a,
	 const char *token_hash, struct circle_invite_row *out), (s, a, token_hash, out))
STORE_FN(enum store_err, circle_invite_use, (struct store *s, const char *token_hash,
	 int64_t now), (s, token_hash, now))
STORE_FN(enum store_err, circle_invite_revoke, (struct store *s, const char *circle_id,
	 const char *token_hash), (s, circle_id, token_hash))
STORE_FN(enum store_err, circle_invites, (struct store *s, struct arena *a, const char *circle_id,
	 struct circle_invite_row **rows, size_t *n), (s, a, circle_id, rows, n))
STORE_FN(enum store_err, circle_invitee_add, (struct store *s, const char *circle_id,
	 const char *user_id, int64_t now), (s, circle_id, user_id, now))
STORE_FN(enum store_err, circle_invitee_remove, (struct store *s, const char *circle_id,
	 const char *user_id), (s, circle_id, user_id))
STORE_FN(enum store_err, circle_invitees, (struct store *s, struct arena *a, const char *circle_id,
	 struct member_row **rows, size_t *n), (s, a, circle_id, rows, n))
STORE_FN(enum store_err, circle_invitations_for, (struct store *s, struct arena *a,
	 const char *user_id, struct circle_row **rows, size_t *n), (s, a, user_id, rows, n))
STORE_FN(enum store_err, response_insert, (struct store *s, const struct response_row *r), (s, r))
STORE_FN(enum store_err, response_get, (struct store *s, struct arena *a, const char *id,
	 struct response_row *out), (s, a, id, out))
STORE_FN(enum store_err, response_edit, (struct store *s, const char *id, const char *body,
	 const char *html, enum response_status status, const char *held_for, int64_t now), (s, id, body, html,
	 status, held_for, now))
STORE_FN(enum store_err, response_set_status, (struct store *s, const char *id,
	 enum response_status status), (s, id, status))
STORE_FN(enum store_err, response_delete, (struct store *s, const char *id), (s, id))
STORE_FN(enum store_err, responses_for_story, (struct store *s, struct arena *a,
	 const char *story_id, const char *writer_id, bool everything, struct response_list *out), (s, a,
	 story_id, writer_id, everything, out))
STORE_FN(enum store_err, response_count_visible, (struct store *s, const char *story_id,
	 const char *writer_id, int64_t *n), (s, story_id, writer_id, n))
STORE_FN(enum store_err, moderation_queue, (struct store *s, struct arena *a,
	 const char *writer_id, struct response_list *out), (s, a, writer_id, out))
STORE_FN(enum store_err, response_report, (struct store *s, const char *id,
	 const char *reporter_id, int64_t now), (s, id, reporter_id, now))
STORE_FN(enum store_err, block_add, (struct store *s, const char *writer_id,
	 const char *blocked_id, int64_t now), (s, writer_id, blocked_id, now))
STORE_FN(enum store_err, block_remove, (struct store *s, const char *writer_id,
	 const char *blocked_id), (s, writer_id, blocked_id))
STORE_FN(enum store_err, block_check, (struct store *s, const char *writer_id,
	 const char *blocked_id, bool *blocked), (s, writer_id, blocked_id, blocked))
STORE_FN(enum store_err, reader_ties, (struct store *s, const char *reader_id,
	 const char *writer_id, struct reader_ties *out), (s, reader_id, writer_id, out))
STORE_FN(enum store_err, block_list, (struct store *s, struct arena *a, const char *writer_id,
	 struct member_row **rows, size_t *n), (s, a, writer_id, rows, n))
STORE_FN(enum store_err, muted_get, (struct store *s, struct arena *a, const char *writer_id,
	 const char ***phrases, size_t *n), (s, a, writer_id, phrases, n))
STORE_FN(enum store_err, muted_set, (struct store *s, const char *writer_id,
	 const char *const *phrases, size_t n), (s, writer_id, phrases, n))
STORE_FN(enum store_err, response_defaults, (struct store *s, struct arena *a,
	 const char *user_id, const char **responses, const char **responders), (s, a, user_id,
	 responses, responders))
STORE_FN(enum store_err, response_defaults_set, (struct store *s, const char *user_id,
	 const char *responses, const char *responders), (s, user_id, responses, responders))
STORE_FN(enum store_err, rate_add, (struct store *s, const char *scope, int64_t now), (s, scope,
	 now))
STORE_FN(enum store_err, rate_count, (struct store *s, const char *scope, int64_t since,
	 int64_t *count, int64_t *oldest), (s, scope, since, count, oldest))
STORE_FN(enum store_err, revision_add, (struct store *s, const struct revision_row *r), (s, r))
STORE_FN(enum store_err, revision_rewrite, (struct store *s, const char *old_id,
	 const struct revision_row *r), (s, old_id, r))
STORE_FN(enum store_err, revision_current, (struct store *s, struct arena *a,
	 const char *story_id, struct revision_row *out), (s, a, story_id, out))
STORE_FN(enum store_err, revision_get, (struct store *s, struct arena *a, const char *id,
	 struct revision_row *out), (s, a, id, out))
STORE_FN(enum store_err, revision_list, (struct store *s, struct arena *a, const char *story_id,
	 struct revision_row **rows, size_t *n), (s, a, story_id, rows, n))
STORE_FN(enum store_err, schedule_set, (struct store *s, const char *story_id,
	 int64_t publish_at), (s, story_id, publish_at))
STORE_FN(enum store_err, schedule_get, (struct store *s, const char *story_id,
	 int64_t *publish_at), (s, story_id, publish_at))
STORE_FN(enum store_err, schedule_next, (struct store *s, int64_t *at), (s, at))
STORE_FN(enum store_err, schedule_due, (struct store *s, int64_t now, char (*ids)[17], size_t max,
	 size_t *n), (s, now, ids, max, n))
STORE_FN(enum store_err, trash_list, (struct store *s, struct arena *a, const char *author_id,
	 struct trash_row **rows, size_t *n), (s, a, author_id, rows, n))
STORE_FN(enum store_err, trash_restore, (struct store *s, const char *id, const char *author_id),
	 (s, id, author_id))
STORE_FN(enum store_err, trash_oldest, (struct store *s, int64_t *at), (s, at))
STORE_FN(enum store_err, trash_mark, (struct store *s, int64_t cutoff, const char *author_id,
	 const char *only_id, int64_t *n), (s, cutoff, author_id, only_id, n))
STORE_FN(enum store_err, trash_drop, (struct store *s), (s))
STORE_FN(enum store_err, draft_get, (struct store *s, struct arena *a, const char *story_id,
	 struct story_draft_row *out), (s, a, story_id, out))
STORE_FN(enum store_err, draft_put, (struct store *s, const struct story_draft_row *d), (s, d))
STORE_FN(enum store_err, draft_delete, (struct store *s, const char *story_id), (s, story_id))
STORE_FN(enum store_err, story_text_missing, (struct store *s, struct arena *a, char (*ids)[17],
	 const char **bodies, size_t max, size_t *n), (s, a, ids, bodies, max, n))
STORE_FN(enum store_err, story_text_set, (struct store *s, const char *id, const char *text), (s,
	 id, text))
STORE_FN(enum store_err, follow_add, (struct store *s, const char *follower_id,
	 const char *writer_id, int64_t now), (s, follower_id, writer_id, now))
STORE_FN(enum store_err, follow_remove, (struct store *s, const char *follower_id,
	 const char *writer_id), (s, follower_id, writer_id))
STORE_FN(enum store_err, follow_check, (struct store *s, const char *follower_id,
	 const char *writer_id, bool *follows), (s, follower_id, writer_id, follows))
STORE_FN(enum store_err, following, (struct store *s, struct arena *a, const char *user_id,
	 struct member_row **rows, size_t *n), (s, a, user_id, rows, n))
STORE_FN(enum store_err, followers, (struct store *s, struct arena *a, const char *writer_id,
	 struct member_row **rows, size_t *n), (s, a, writer_id, rows, n))
STORE_FN(enum store_err, story_share_photo, (struct store *s, const char *story_id,
	 int64_t max_width, char photo_id[17], int64_t *width), (s, story_id, max_width, photo_id,
	 width))
STORE_FN(enum store_err, tags_get, (struct store *s, struct arena *a, const char *story_id,
	 const char ***tags, size_t *n), (s, a, story_id, tags, n))
STORE_FN(enum store_err, tags_set, (struct store *s, const char *story_id,
	 const char *const *tags, size_t n), (s, story_id, tags, n))
STORE_FN(enum store_err, search, (struct store *s, struct arena *a, const char *viewer_id,
	 const char *query, int limit, struct story_list *out, const char ***snippets), (s, a,
	 viewer_id, query, limit, out, snippets))
STORE_FN(enum store_err, photo_insert, (struct store *s, const struct photo_row *p), (s, p))
STORE_FN(enum store_err, photo_get, (struct store *s, struct arena *a, const char *id,
	 struct photo_row *out), (s, a, id, out))
STORE_FN(enum store_err, photo_update, (struct store *s, const struct photo_row *p), (s, p))
STORE_FN(enum store_err, photo_list, (struct store *s, struct arena *a, const char *story_id,
	 struct photo_row *out, size_t max, size_t *n), (s, a, story_id, out, max, n))
STORE_FN(enum store_err, photo_count, (struct store *s, const char *story_id, int64_t *n), (s,
	 story_id, n))
STORE_FN(enum store_err, photo_delete, (struct store *s, const char *id, char (*hashes)[65],
	 size_t max, size_t *n), (s, id, hashes, max, n))
STORE_FN(enum store_err, photo_orphan, (struct store *s, char id[17]), (s, id))
STORE_FN(enum store_err, hash_unused, (struct store *s, const char *hash, bool *unused), (s, hash,
	 unused))
STORE_FN(enum store_err, dump, (struct store *s,
	 bool (*row)(void *ctx, const char *table, const char *json), void *ctx), (s, row, ctx))
STORE_FN(enum store_err, load_row, (struct store *s, const char *table, const char *json), (s,
	 table, json))
STORE_FN(enum store_err, load_done, (struct store *s), (s))
STORE_FN(enum store_err, table_count, (struct store *s, const char *table, int64_t *n), (s,
	 table, n))
STORE_FN(enum store_err, blob_put, (struct store *s, const char *hash, const void *data,
	 size_t len), (s, hash, data, len))
STORE_FN(enum store_err, blob_get, (struct store *s, const char *hash, unsigned char **data,
	 size_t *len), (s, hash, data, len))
STORE_FN(enum store_err, blob_delete, (struct store *s, const char *hash), (s, hash))
STORE_FN(enum store_err, variant_hashes, (struct store *s,
	 bool (*row)(void *ctx, const char *hash, const char *format), void *ctx), (s, row, ctx))
/* ---- email (issue 18): store_mail.h ---- */
STORE_FN(enum store_err, user_email_set, (struct store *s, const char *user_id,
	 const char *email, int64_t verified_at), (s, user_id, email, verified_at))
STORE_FN(enum store_err, user_email_get, (struct store *s, struct arena *a, const char *user_id,
	 const char **email), (s, a, user_id, email))
STORE_FN(enum store_err, user_by_email, (struct store *s, struct arena *a, const char *email,
	 struct user_row *out), (s, a, email, out))
STORE_FN(enum store_err, subscriber_insert, (struct store *s, const struct subscriber_row *r,
	 const char *token_hash), (s, r, token_hash))
STORE_FN(enum store_err, subscriber_get, (struct store *s, struct arena *a,
	 const char *writer_id, const char *email, struct subscriber_row *out), (s, a, writer_id,
	 email, out))
STORE_FN(enum store_err, subscriber_by_id, (struct store *s, struct arena *a, const char *id,
	 struct subscriber_row *out), (s, a, id, out))
STORE_FN(enum store_err, subscriber_by_token, (struct store *s, struct arena *a,
	 const char *token_hash, struct subscriber_row *out), (s, a, token_hash, out))
STORE_FN(enum store_err, subscriber_set, (struct store *s, const char *id, const char *status,
	 int64_t now, const char *token_hash, int64_t asked_at), (s, id, status, now, token_hash,
	 asked_at))
STORE_FN(enum store_err, subscriber_delete, (struct store *s, const char *id), (s, id))
STORE_FN(enum store_err, subscribers_of, (struct store *s, struct arena *a,
	 const char *writer_id, size_t max, struct subscriber_row **rows, size_t *n), (s, a,
	 writer_id, max, rows, n))
STORE_FN(enum store_err, subscriber_count, (struct store *s, const char *writer_id,
	 const char *status, int64_t *n), (s, writer_id, status, n))
STORE_FN(enum store_err, outbox_add, (struct store *s, const struct outbox_row *r), (s, r))
STORE_FN(enum store_err, outbox_fanout, (struct store *s, const char *kind,
	 const char *story_id, const char *writer_id, const char *circle_id, int64_t now,
	 int64_t *n), (s, kind, story_id, writer_id, circle_id, now, n))
STORE_FN(enum store_err, outbox_claim, (struct store *s, struct arena *a, const char *who,
	 int64_t now, int64_t lease_until, size_t max, struct outbox_row **rows, size_t *n), (s, a,
	 who, now, lease_until, max, rows, n))
STORE_FN(enum store_err, outbox_release, (struct store *s, const char *who), (s, who))
STORE_FN(enum store_err, outbox_sent, (struct store *s, const char *id, int64_t now), (s, id,
	 now))
STORE_FN(enum store_err, outbox_retry, (struct store *s, const char *id, int64_t next_at,
	 const char *error), (s, id, next_at, error))
STORE_FN(enum store_err, outbox_fail, (struct store *s, const char *id, int64_t now,
	 const char *error), (s, id, now, error))
STORE_FN(enum store_err, outbox_counts, (struct store *s, int64_t *queued, int64_t *sent,
	 int64_t *failed), (s, queued, sent, failed))
STORE_FN(enum store_err, outbox_next, (struct store *s, int64_t *at), (s, at))
STORE_FN(enum store_err, outbox_of, (struct store *s, struct arena *a, const char *writer_id,
	 const char *status, size_t max, struct outbox_row **rows, size_t *n), (s, a, writer_id,
	 status, max, rows, n))
STORE_FN(enum store_err, mail_token_add, (struct store *s, const char *hash,
	 const struct mail_token_row *r), (s, hash, r))
STORE_FN(enum store_err, mail_token_get, (struct store *s, struct arena *a, const char *hash,
	 const char *kind, int64_t now, struct mail_token_row *out), (s, a, hash, kind, now, out))
STORE_FN(enum store_err, mail_token_use, (struct store *s, const char *hash, const char *kind,
	 int64_t now), (s, hash, kind, now))
STORE_FN(enum store_err, mail_token_count, (struct store *s, const char *kind,
	 const char *email, int64_t since, int64_t *n), (s, kind, email, since, n))
STORE_FN(enum store_err, story_mail_mark, (struct store *s, const char *story_id, int64_t now,
	 bool *first), (s, story_id, now, first))
STORE_FN(enum store_err, story_mail_skip, (struct store *s, const char *story_id, bool skip),
	 (s, story_id, skip))
STORE_FN(enum store_err, mail_pref_get, (struct store *s, struct arena *a, const char *user_id,
	 const char *name, const char *def, const char **val), (s, a, user_id, name, def, val))
STORE_FN(enum store_err, mail_pref_set, (struct store *s, const char *user_id, const char *name,
	 const char *val), (s, user_id, name, val))
/* ---- running the site (issue 21): store_admin.h ---- */
STORE_FN(enum store_err, admin_users, (struct store *s, struct arena *a, const char *query,
	 const char *from, size_t max, struct admin_user_row **rows, size_t *n), (s, a, query,
	 from, max, rows, n))
STORE_FN(enum store_err, user_set_suspended, (struct store *s, const char *id, int64_t at), (s,
	 id, at))
STORE_FN(enum store_err, user_stories_purge, (struct store *s, const char *id, int64_t *n), (s,
	 id, n))
STORE_FN(enum store_err, user_hand_over, (struct store *s, const char *from, const char *to),
	 (s, from, to))
STORE_FN(enum store_err, user_delete, (struct store *s, const char *id), (s, id))
STORE_FN(enum store_err, admin_count, (struct store *s, int64_t *n), (s, n))
STORE_FN(enum store_err, invites_open, (struct store *s, struct arena *a, int64_t now,
	 struct invite_row **rows, size_t *n), (s, a, now, rows, n))
STORE_FN(enum store_err, invite_keep_link, (struct store *s, const char *token_hash,
	 const char *token), (s, token_hash, token))
STORE_FN(enum store_err, invite_revoke, (struct store *s, const char *token_hash), (s,
	 token_hash))
STORE_FN(enum store_err, reports_open, (struct store *s, struct arena *a, size_t max,
	 struct report_row **rows, size_t *n), (s, a, max, rows, n))
STORE_FN(enum store_err, storage, (struct store *s, struct storage_row *out), (s, out))
STORE_FN(enum store_err, audit_add, (struct store *s, const struct audit_row *r), (s, r))
STORE_FN(enum store_err, audit_list, (struct store *s, struct arena *a, int64_t before,
	 size_t max, struct audit_row **rows, size_t *n), (s, a, before, max, rows, n))
/* ---- private feeds (issue 18): store_mail.h ---- */
STORE_FN(enum store_err, feed_token_set, (struct store *s, const char *user_id, const char *hash,
	 int64_t now), (s, user_id, hash, now))
STORE_FN(enum store_err, feed_token_user, (struct store *s, struct arena *a, const char *hash,
	 struct user_row *out), (s, a, hash, out))
STORE_FN(enum store_err, feed_token_made, (struct store *s, const char *user_id, int64_t *at),
	 (s, user_id, at))
STORE_FN(enum store_err, feed_token_delete, (struct store *s, const char *user_id), (s, user_id))
STORE_FN(enum store_err, outbox_queued_kind, (struct store *s, struct arena *a,
	 const char *writer_id, const char *kind, size_t max, struct outbox_row **rows, size_t *n),
	 (s, a, writer_id, kind, max, rows, n))
/* ---- imports (issue 19): store.h ---- */
STORE_FN(enum store_err, import_source_get, (struct store *s, const char *user_id,
	 const char *source, const char *source_id, char story_id[17]), (s, user_id, source,
	 source_id, story_id))
STORE_FN(enum store_err, import_source_add, (struct store *s, const char *user_id,
	 const char *source, const char *source_id, const char *story_id, int64_t now), (s, user_id,
	 source, source_id, story_id, now))
STORE_FN(enum store_err, import_photo_put, (struct store *s, const struct import_photo_row *p),
	 (s, p))
STORE_FN(enum store_err, import_photo_get, (struct store *s, struct arena *a, const char *id,
	 struct import_photo_row *out), (s, a, id, out))
STORE_FN(enum store_err, import_photo_list, (struct store *s, struct arena *a,
	 const char *user_id, size_t max, struct import_photo_row **rows, size_t *n),
	 (s, a, user_id, max, rows, n))
STORE_FN(enum store_err, import_photo_delete, (struct store *s, const char *id), (s, id))
STORE_FN(enum store_err, import_job_add, (struct store *s, const struct import_job_row *j), (s, j))
STORE_FN(enum store_err, import_job_get, (struct store *s, struct arena *a, const char *id,
	 struct import_job_row *out), (s, a, id, out))
STORE_FN(enum store_err, import_job_list, (struct store *s, struct arena *a,
	 const char *user_id, size_t max, struct import_job_row **rows, size_t *n),
	 (s, a, user_id, max, rows, n))
STORE_FN(enum store_err, import_job_claim, (struct store *s, struct arena *a, const char *who,
	 int64_t now, int64_t lease_until, struct import_job_row *out),
	 (s, a, who, now, lease_until, out))
STORE_FN(enum store_err, import_job_progress, (struct store *s, const char *id, const char *who,
	 int64_t done, int64_t total, int64_t lease_until), (s, id, who, done, total, lease_until))
STORE_FN(enum store_err, import_job_finish, (struct store *s, const char *id, const char *who,
	 const char *status, const char *report, int64_t now), (s, id, who, status, report, now))
STORE_FN(enum store_err, import_job_release, (struct store *s, const char *id, const char *who),
	 (s, id, who))
STORE_FN(enum store_err, profile_get, (struct store *s, struct arena *a, const char *user_id,
	 struct profile_row *out), (s, a, user_id, out))
STORE_FN(enum store_err, profile_avatar_set, (struct store *s, const char *user_id,
	 const char *hash, int64_t width, int64_t height, int64_t now, char old[65]),
	 (s, user_id, hash, width, height, now, old))
STORE_FN(enum store_err, profile_links_set, (struct store *s, const char *user_id,
	 const char *links, int64_t now), (s, user_id, links, now))
/* ---- federation (issue 20): store_fed.h ---- */
STORE_FN(enum store_err, fed_key_get, (struct store *s, struct arena *a, const char *user_id,
	 const char **public_pem, const char **private_pem), (s, a, user_id, public_pem,
	 private_pem))
STORE_FN(enum store_err, fed_key_init, (struct store *s, struct arena *a, const char *user_id,
	 const char *proposed_public, const char *proposed_private, int64_t now,
	 const char **public_pem, const char **private_pem), (s, a, user_id, proposed_public,
	 proposed_private, now, public_pem, private_pem))
STORE_FN(enum store_err, fed_counts, (struct store *s, const char *author_id, int64_t *users,
	 int64_t *public_stories), (s, author_id, users, public_stories))
STORE_FN(enum store_err, fed_actor_put, (struct store *s, const struct fed_actor_row *r), (s, r))
STORE_FN(enum store_err, fed_actor_get, (struct store *s, struct arena *a, const char *id,
	 struct fed_actor_row *out), (s, a, id, out))
STORE_FN(enum store_err, fed_actor_by_key, (struct store *s, struct arena *a, const char *key_id,
	 struct fed_actor_row *out), (s, a, key_id, out))
STORE_FN(enum store_err, fed_follower_add, (struct store *s, const struct fed_follower_row *r),
	 (s, r))
STORE_FN(enum store_err, fed_follower_remove, (struct store *s, const char *writer_id,
	 const char *actor_id, const char *follow_id), (s, writer_id, actor_id, follow_id))
STORE_FN(enum store_err, fed_responses_delete, (struct store *s, const char *actor_id,
	 const char *note_id, int64_t *n), (s, actor_id, note_id, n))
STORE_FN(enum store_err, fed_follows_remove_actor, (struct store *s, const char *actor_id,
	 int64_t *n), (s, actor_id, n))
STORE_FN(enum store_err, fed_domain_block_add, (struct store *s, const char *writer_id,
	 const char *domain, int64_t now), (s, writer_id, domain, now))
STORE_FN(enum store_err, fed_domain_block_remove, (struct store *s, const char *writer_id,
	 const char *domain), (s, writer_id, domain))
STORE_FN(enum store_err, fed_domain_blocks, (struct store *s, struct arena *a,
	 const char *writer_id, const char ***domains, size_t *n), (s, a, writer_id, domains, n))
STORE_FN(enum store_err, fed_domain_blocked, (struct store *s, const char *writer_id,
	 const char *host, bool *blocked), (s, writer_id, host, blocked))
STORE_FN(enum store_err, fed_approve_get, (struct store *s, const char *writer_id, bool *on),
	 (s, writer_id, on))
STORE_FN(enum store_err, fed_approve_set, (struct store *s, const char *writer_id, bool on),
	 (s, writer_id, on))
STORE_FN(enum store_err, fed_actor_block_add, (struct store *s, const char *writer_id,
	 const char *actor_id, int64_t now), (s, writer_id, actor_id, now))
STORE_FN(enum store_err, fed_actor_block_remove, (struct store *s, const char *writer_id,
	 const char *actor_id), (s, writer_id, actor_id))
STORE_FN(enum store_err, fed_actor_blocks, (struct store *s, struct arena *a, const char *writer_id,
	 const char ***actors, size_t *n), (s, a, writer_id, actors, n))
STORE_FN(enum store_err, fed_actor_blocked, (struct store *s, const char *writer_id,
	 const char *url, bool *blocked), (s, writer_id, url, blocked))
STORE_FN(enum store_err, fed_show_followers_get, (struct store *s, const char *writer_id, bool *on),
	 (s, writer_id, on))
STORE_FN(enum store_err, fed_show_followers_set, (struct store *s, const char *writer_id, bool on),
	 (s, writer_id, on))
STORE_FN(enum store_err, fed_request_add, (struct store *s, const struct fed_follower_row *r),
	 (s, r))
STORE_FN(enum store_err, fed_request_get, (struct store *s, struct arena *a,
	 const char *writer_id, const char *actor_id, struct fed_follower_row *out),
	 (s, a, writer_id, actor_id, out))
STORE_FN(enum store_err, fed_request_remove, (struct store *s, const char *writer_id,
	 const char *actor_id, const char *follow_id), (s, writer_id, actor_id, follow_id))
STORE_FN(enum store_err, fed_requests, (struct store *s, struct arena *a, const char *writer_id,
	 size_t max, struct fed_follower_row **rows, size_t *n), (s, a, writer_id, max, rows, n))
STORE_FN(enum store_err, fed_reaction_add, (struct store *s, const char *story_id,
	 const char *actor_id, const char *kind, const char *activity_id, int64_t now),
	 (s, story_id, actor_id, kind, activity_id, now))
STORE_FN(enum store_err, fed_reaction_remove, (struct store *s, const char *actor_id,
	 const char *activity_id, int64_t *n), (s, actor_id, activity_id, n))
STORE_FN(enum store_err, fed_reaction_counts, (struct store *s, const char *story_id,
	 int64_t *likes, int64_t *announces), (s, story_id, likes, announces))
STORE_FN(enum store_err, fed_followers, (struct store *s, struct arena *a, const char *writer_id,
	 size_t max, struct fed_follower_row **rows, size_t *n), (s, a, writer_id, max, rows, n))
STORE_FN(enum store_err, fed_follower_count, (struct store *s, const char *writer_id,
	 int64_t *n), (s, writer_id, n))
STORE_FN(enum store_err, fed_seen_add, (struct store *s, const char *activity_id, int64_t now),
	 (s, activity_id, now))
STORE_FN(enum store_err, fed_seen_prune, (struct store *s, int64_t before), (s, before))
STORE_FN(enum store_err, fed_delivery_add, (struct store *s, const struct fed_delivery_row *r),
	 (s, r))
STORE_FN(enum store_err, fed_delivery_fanout, (struct store *s, const char *writer_id,
	 const char *kind, const char *story_id, const char *payload, int64_t now, int64_t *n),
	 (s, writer_id, kind, story_id, payload, now, n))
STORE_FN(enum store_err, fed_delivery_claim, (struct store *s, struct arena *a, const char *who,
	 int64_t now, int64_t lease_until, size_t max, size_t per_domain,
	 struct fed_delivery_row **rows, size_t *n),
	 (s, a, who, now, lease_until, max, per_domain, rows, n))
STORE_FN(enum store_err, fed_delivery_release, (struct store *s, const char *who), (s, who))
STORE_FN(enum store_err, fed_delivery_sent, (struct store *s, const char *id, int64_t now),
	 (s, id, now))
STORE_FN(enum store_err, fed_delivery_retry, (struct store *s, const char *id, int64_t next_at,
	 const char *error), (s, id, next_at, error))
STORE_FN(enum store_err, fed_delivery_fail, (struct store *s, const char *id, int64_t now,
	 const char *error), (s, id, now, error))
STORE_FN(enum store_err, fed_deliveries, (struct store *s, struct arena *a, const char *writer_id,
	 size_t max, struct fed_delivery_row **rows, size_t *n), (s, a, writer_id, max, rows, n))
STORE_FN(enum store_err, fed_delivery_counts, (struct store *s, int64_t *queued, int64_t *sent,
	 int64_t *failed), (s, queued, sent, failed))
