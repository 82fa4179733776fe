/*
 * responses.h - readers' responses to a story, on the writer's terms:
 * per-story policy (open / held for approval / off; any signed-in reader
 * or circle members only), approval, hiding, deletion, blocking, muted
 * words, reports and rate limits (the rules, here; the pages and JSON API
 * are in responses_web.h).
 *
 * Who sees a response: the story's writer sees every response on her
 * stories. Everyone else sees a response only when they may see the story
 * (audience/), it is visible (not pending or hidden), its author is not
 * blocked by the writer, and its parent, for a reply, passes the same
 * test. Counts follow the same rule.
 */
#ifndef QUIRE_RESPONSES_RESPONSES_H
#define QUIRE_RESPONSES_RESPONSES_H

#include <jansson.h>
#include <stdbool.h>

#include "store/store.h"

#define RESPONSE_MAX_CHARS 5000
#define RESPONSE_MAX_BYTES 20000

enum resp_err {
	RESP_OK = 0,
	RESP_NOT_FOUND,    /* no such story/response for this viewer */
	RESP_SIGN_IN,      /* responding needs an account */
	RESP_CLOSED,       /* the writer turned responses off */
	RESP_NOT_ALLOWED,  /* circle members only, or blocked */
	RESP_EMPTY,
	RESP_TOO_LONG,
	RESP_BAD_TEXT,
	RESP_BAD_PARENT,   /* parent missing, on another story, or itself a reply */
	RESP_RATE_LIMITED,
	RESP_STORE,
};
const char *resp_strerror(enum resp_err e);

bool responses_policy_valid(const char *responses, const char *responders);

/* Whether viewer may respond to story s at all (not counting rate limits). */
enum resp_err response_may_post(struct store *st, const struct user_row *viewer,
				const struct story_row *s);

/* A reply from the fediverse: its actor's URL, user@domain, name, the
 * actor's domain (rate limits count per domain) and its Note's id. */
struct response_remote_author {
	const char *actor, *handle, *name, *domain, *note_id;
};
/*
 * A response on s by a remote author, through the same rules as a
 * reader's (response_create): refused when a reader who is not signed
 * in could not see s, when responses are off (RESP_CLOSED) or only for
 * circle members, or the actor's server is one the writer blocked
 * (RESP_NOT_ALLOWED); held when it holds a muted word or
 * the story takes responses for approval; rate limited per actor and per
 * domain. content_html is the Note's content: only its text is kept,
 * read as a response's Markdown. */
enum resp_err response_create_remote(struct store *st, struct arena *a,
				     const struct response_remote_author *who,
				     const struct story_row *s, const char *content_html,
				     struct response_row *out) __attribute__((warn_unused_result));

/* Visible responses on s for counts in lists and the API. */
int64_t responses_count(struct store *st, const struct story_row *s);

/* The limits on responses per minute, per reader and per client address
 * (set once at start; defaults 10 and 60). */
void responses_set_rate_limits(unsigned per_user, unsigned per_addr);

/* Called inside the transaction that saves a new response r on s (main.c
 * wires the writer's notices, mail_on_response); non-zero fails the
 * save. NULL: none. */
typedef int (*response_created_hook)(struct store *st, struct arena *a, const struct story_row *s,
				     const struct response_row *r);
void responses_set_created_hook(response_created_hook fn);

#endif
