/*
 * responses.c - the rules: who may respond, how a response is rendered,
 * when it is held, rate limits, and who may see or moderate it.
 */
#include "responses/responses_int.h"
#include "audience/audience.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/text.h"
#include "responses/muted.h"
#include "stories/markdown.h"
#include "store/store_fed.h"

#include <string.h>

const char *resp_strerror(enum resp_err e)
{
	switch (e) {
	case RESP_OK: return "ok";
	case RESP_NOT_FOUND: return "No such story or response.";
	case RESP_SIGN_IN: return "Sign in to respond.";
	case RESP_CLOSED: return "The writer has turned responses off for this story.";
	case RESP_NOT_ALLOWED: return "The writer does not take responses from you on this story.";
	case RESP_EMPTY: return "Write something first.";
	case RESP_TOO_LONG: return "A response is at most 5000 characters.";
	case RESP_BAD_TEXT: return "The response must be UTF-8 text without control characters.";
	case RESP_BAD_PARENT: return "You can reply to a response on the same story, one level deep.";
	case RESP_RATE_LIMITED: return "You are responding very fast. Please wait a moment and try again.";
	case RESP_STORE: return "The response could not be saved. Please try again.";
	}
	return "unknown error";
}

bool responses_policy_valid(const char *responses, const char *responders)
{
	bool a = !responses || !strcmp(responses, "open") || !strcmp(responses, "approval") ||
		 !strcmp(responses, "off");
	bool b = !responders || !strcmp(responders, "signed_in") || !strcmp(responders, "circle");
	return a && b;
}

bool response_is_writer(const char *viewer_id, const struct story_row *s)
{
	return viewer_id && strcmp(viewer_id, s->author_id) == 0;
}

/* Whether the reader viewer_id, or a remote author (viewer_id NULL: the
 * actor remote_actor on the server remote_domain, who sees what anyone
 * may see and is in no circle), may respond to s: the one rule for both.
 * A blocked reader, an actor the writer blocked, or one on a server she
 * blocked, may not. */
static enum resp_err may_post_as(struct store *st, const char *viewer_id, const char *remote_domain,
				 const char *remote_actor, const struct story_row *s)
{
	if (!audience_may_see_story(st, viewer_id, s) || s->status != STATUS_PUBLISHED)
		return RESP_NOT_FOUND;
	if (response_is_writer(viewer_id, s))
		return RESP_OK;
	if (strcmp(s->responses, "off") == 0)
		return RESP_CLOSED;
	bool blocked = false;
	if (viewer_id && store_block_check(st, s->author_id, viewer_id, &blocked))
		return RESP_STORE;
	if (!viewer_id && store_fed_domain_blocked(st, s->author_id, remote_domain ? remote_domain : "",
						   &blocked))
		return RESP_STORE;
	if (!viewer_id && !blocked &&
	    store_fed_actor_blocked(st, s->author_id, remote_actor ? remote_actor : "", &blocked))
		return RESP_STORE;
	if (blocked)
		return RESP_NOT_ALLOWED;
	if (strcmp(s->responders, "circle") == 0) {
		bool member = false;
		if (!viewer_id) {
			member = false;
		} else if (s->audience == AUDIENCE_CIRCLE && s->circle_id[0]) {
			if (store_circle_is_member(st, s->circle_id, viewer_id, &member))
				return RESP_STORE;
		} else {
			/* Not a circle story: members of any of the writer's circles. */
			struct arena a;
			arena_init(&a);
			struct circle_row *cs;
			size_t n = 0;
			if (store_circle_list(st, &a, s->author_id, &cs, &n) == STORE_OK)
				for (size_t i = 0; i < n && !member; i++)
					if (store_circle_is_member(st, cs[i].id, viewer_id, &member))
						member = false;
			arena_release(&a);
		}
		if (!member)
			return RESP_NOT_ALLOWED;
	}
	return RESP_OK;
}

enum resp_err response_may_post(struct store *st, const struct user_row *viewer,
				const struct story_row *s)
{
	if (!viewer)
		return RESP_SIGN_IN;
	return may_post_as(st, viewer->id, NULL, NULL, s);
}

/* Responses allow the prose subset: no images; headings read as bold. */
static enum md_image_verdict no_images(void *ctx, const char *url, struct buf *rewritten)
{
	(void)ctx;
	(void)url;
	(void)rewritten;
	return MD_IMAGE_REFUSE;
}

enum resp_err response_render(struct arena *a, const char *body, const char **html)
{
	size_t n = strlen(body);
	if (!utf8_valid(body, n) || text_has_controls(body, n, true))
		return RESP_BAD_TEXT;
	if (n > RESPONSE_MAX_BYTES || utf8_count(body, n) > RESPONSE_MAX_CHARS)
		return RESP_TOO_LONG;
	if (text_word_count(body, n) == 0)
		return RESP_EMPTY;
	struct md_options opts = {.image = no_images};
	struct buf out;
	buf_init(&out, MD_HTML_MAX);
	if (md_render_opts(body, n, &opts, &out)) {
		buf_release(&out);
		return RESP_BAD_TEXT;
	}
	/* The renderer's output holds no raw HTML, so its heading tags are
	 * exactly the headings: turn them into bold paragraphs. */
	struct buf fixed;
	buf_init(&fixed, MD_HTML_MAX * 2);
	const char *p = buf_str(&out);
	while (*p) {
		if (p[0] == '<' && p[1] == 'h' && p[2] >= '1' && p[2] <= '6' && p[3] == '>') {
			buf_adds(&fixed, "<p><strong>");
			p += 4;
		} else if (p[0] == '<' && p[1] == '/' && p[2] == 'h' && p[3] >= '1' && p[3] <= '6' &&
			   p[4] == '>') {
			buf_adds(&fixed, "</strong></p>");
			p += 5;
		} else {
			buf_addch(&fixed, *p++);
		}
	}
	*html = arena_strndup(a, buf_str(&fixed), fixed.len);
	buf_release(&out);
	buf_release(&fixed);
	return RESP_OK;
}

/* Status for a new or edited response by author_id on story s. */
static enum resp_err decide_status(struct store *st, struct arena *a, const char *author_id,
				   const struct story_row *s, const char *body, const char *html,
				   enum response_status *status, const char **held_for)
{
	*status = RESPONSE_VISIBLE;
	*held_for = "";
	if (response_is_writer(author_id, s))
		return RESP_OK;
	const char **phrases;
	size_t n = 0;
	if (store_muted_get(st, a, s->author_id, &phrases, &n))
		return RESP_STORE;
	/* What readers will see (entities decoded, markup gone), and the
	 * source as typed, so that neither hides a muted phrase. */
	if (muted_match_html(a, html, strlen(html), phrases, n) ||
	    muted_match(a, body, strlen(body), phrases, n)) {
		*status = RESPONSE_PENDING;
		*held_for = "muted";
	} else if (strcmp(s->responses, "approval") == 0) {
		*status = RESPONSE_PENDING;
		*held_for = "approval";
	}
	return RESP_OK;
}

/* Set once at start (main.c), read-only afterwards. */
static struct {
	unsigned per_user, per_addr;
} rate_limits = {10, 60};

void responses_set_rate_limits(unsigned per_user, unsigned per_addr)
{
	rate_limits.per_user = per_user;
	rate_limits.per_addr = per_addr;
}

static enum resp_err rate_check(struct store *st, struct arena *a, const char *user_id,
				const char *addr, int64_t *retry_after)
{
	int64_t now = clock_now(), window = 60;
	const char *us = arena_printf(a, "resp:user:%s", user_id);
	const char *as = arena_printf(a, "resp:addr:%s", addr ? addr : "-");
	int64_t nu = 0, na = 0, ou = 0, oa = 0;
	if (store_rate_count(st, us, now - window + 1, &nu, &ou) ||
	    store_rate_count(st, as, now - window + 1, &na, &oa))
		return RESP_STORE;
	unsigned lu = rate_limits.per_user, la = rate_limits.per_addr;
	if (nu >= lu || na >= la) {
		int64_t oldest = nu >= lu ? ou : oa;
		*retry_after = oldest + window - now;
		if (*retry_after < 1)
			*retry_after = 1;
		return RESP_RATE_LIMITED;
	}
	if (store_rate_add(st, us, now) || store_rate_add(st, as, now))
		return RESP_STORE;
	return RESP_OK;
}

static response_created_hook created_hook;

void responses_set_created_hook(response_created_hook fn)
{
	created_hook = fn;
}

/* The one way a response is made: by the reader viewer (then remote is
 * NULL) or by a remote author (viewer NULL), through the same rules. */
static enum resp_err create_as(struct store *st, struct arena *a, const struct user_row *viewer,
			       const struct response_remote_author *remote, const struct story_row *s,
			       const char *body, const char *parent_id, const char *addr,
			       struct response_row *out, int64_t *retry_after)
{
	const char *author_id = viewer ? viewer->id : NULL;
	enum resp_err e = viewer ? response_may_post(st, viewer, s) :
					   may_post_as(st, NULL, remote->domain, remote->actor, s);
	if (e)
		return e;
	const char *html;
	if (!body)
		return RESP_EMPTY;
	if ((e = response_render(a, body, &html)))
		return e;
	if (parent_id && *parent_id) {
		struct response_row p;
		if (!id_valid(parent_id) || store_response_get(st, a, parent_id, &p) ||
		    strcmp(p.story_id, s->id) != 0 || p.parent_id[0] ||
		    !response_visible_to(author_id, s, &p))
			return RESP_BAD_PARENT;
	}
	const char *rate_who = author_id ? author_id : remote->actor;
	if (!response_is_writer(author_id, s) && (e = rate_check(st, a, rate_who, addr, retry_after)))
		return e;
	struct response_row r = {0};
	id_new(r.id);
	memcpy(r.story_id, s->id, sizeof(r.story_id));
	snprintf(r.author_id, sizeof(r.author_id), "%s", author_id ? author_id : "");
	snprintf(r.parent_id, sizeof(r.parent_id), "%s", parent_id ? parent_id : "");
	r.body = body;
	r.body_html = html;
	if ((e = decide_status(st, a, author_id, s, body, html, &r.status, &r.held_for)))
		return e;
	r.created_at = clock_now();
	r.author_handle = viewer ? viewer->handle : remote->handle;
	r.author_name = viewer ? viewer->name : remote->name;
	r.remote_actor = viewer ? "" : remote->actor;
	r.remote_note = viewer ? "" : remote->note_id;
	if (store_begin(st))
		return RESP_STORE;
	if (store_response_insert(st, &r) || (created_hook && created_hook(st, a, s, &r)) ||
	    store_commit(st)) {
		store_rollback(st);
		return RESP_STORE;
	}
	*out = r;
	return RESP_OK;
}

enum resp_err response_create(struct store *st, struct arena *a, const struct user_row *viewer,
			      const struct story_row *s, const char *body, const char *parent_id,
			      const char *addr, struct response_row *out, int64_t *retry_after)
{
	if (!viewer)
		return RESP_SIGN_IN;
	return create_as(st, a, viewer, NULL, s, body, parent_id, addr, out, retry_after);
}

enum resp_err response_create_remote(struct store *st, struct arena *a,
				     const struct response_remote_author *who,
				     const struct story_row *s, const char *content_html,
				     struct response_row *out)
{
	if (!who || !who->actor || !*who->actor || !content_html)
		return RESP_EMPTY;
	/* What its readers saw, as text: the same renderer then makes the
	 * HTML, so nothing of the sender's markup is kept. */
	const char *body = muted_visible_text(a, content_html, strlen(content_html));
	if (!body)
		return RESP_BAD_TEXT;
	while (*body == ' ' || *body == '\n')
		body++;
	size_t n = strlen(body);
	while (n && (body[n - 1] == ' ' || body[n - 1] == '\n'))
		n--;
	body = arena_strndup(a, body, n);
	int64_t retry = 0;
	return create_as(st, a, NULL, who, s, body, NULL, who->domain, out, &retry);
}

enum resp_err response_edit(struct store *st, struct arena *a, const struct story_row *s,
			    struct response_row *r, const char *body)
{
	const char *html, *held;
	enum response_status status;
	enum resp_err e = response_render(a, body ? body : "", &html);
	if (e)
		return e;
	if ((e = decide_status(st, a, r->author_id, s, body, html, &status, &held)))
		return e;
	/* Editing never un-hides or un-holds what the writer held back. */
	if (r->status == RESPONSE_HIDDEN)
		status = RESPONSE_HIDDEN;
	else if (r->status == RESPONSE_PENDING && status == RESPONSE_VISIBLE) {
		status = RESPONSE_PENDING;
		held = r->held_for;
	}
	int64_t now = clock_now();
	if (store_response_edit(st, r->id, body, html, status, held, now))
		return RESP_STORE;
	r->body = body;
	r->body_html = html;
	r->status = status;
	r->held_for = held;
	r->edited_at = now;
	return RESP_OK;
}

bool response_visible_to(const char *viewer_id, const struct story_row *s,
			 const struct response_row *r)
{
	if (response_is_writer(viewer_id, s))
		return true;
	return r->status == RESPONSE_VISIBLE && !r->author_blocked && !r->author_suspended;
}

bool response_may_moderate(const struct user_row *viewer, const struct story_row *s)
{
	return viewer && (response_is_writer(viewer->id, s) || viewer->is_admin);
}

int64_t responses_count(struct store *st, const struct story_row *s)
{
	int64_t n = 0;
	if (store_response_count_visible(st, s->id, s->author_id, &n))
		return 0;
	return n;
}

