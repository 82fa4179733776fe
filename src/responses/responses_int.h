/*
 * responses_int.h - shared between the responses module's files.
 */
#ifndef QUIRE_RESPONSES_INT_H
#define QUIRE_RESPONSES_INT_H

#include "responses/responses.h"

bool response_is_writer(const char *viewer_id, const struct story_row *s);
bool response_visible_to(const char *viewer_id, const struct story_row *s,
			 const struct response_row *r);
bool response_may_moderate(const struct user_row *viewer, const struct story_row *s);
enum resp_err response_render(struct arena *a, const char *body, const char **html);
/* Create a response; on RESP_RATE_LIMITED *retry_after is set. */
enum resp_err response_create(struct store *st, struct arena *a, const struct user_row *viewer,
			      const struct story_row *s, const char *body, const char *parent_id,
			      const char *addr, struct response_row *out, int64_t *retry_after);
enum resp_err response_edit(struct store *st, struct arena *a, const struct story_row *s,
			    struct response_row *r, const char *body);
bool muted_list_ok(const char *const *phrases, size_t n);

#endif
