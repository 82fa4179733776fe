/*
 * fed_int.h - private to the web side of fed/: the ActivityPub objects,
 * built for a request (fed_objects.c) by the pages (fed_pages.c) and the
 * sender alike. Every object is what an anonymous reader may get; the
 * content of a story goes through the one rendering rule (RENDER_AP).
 * Results are new JSON references; strings in req's arena.
 */
#ifndef QUIRE_FED_FED_INT_H
#define QUIRE_FED_FED_INT_H

#include <jansson.h>
#include <stdint.h>

#include "fed/fed.h"
#include "http/http.h"
#include "store/store.h"

/* Absolute addresses of a writer's actor and its parts, and of a story's
 * Article (fed_web.h says why these). */
const char *fed_actor_url(struct http_req *req, const char *handle);
const char *fed_key_id(struct http_req *req, const char *handle);
const char *fed_inbox_url(struct http_req *req, const char *handle);
const char *fed_shared_inbox_url(struct http_req *req);
const char *fed_collection_url(struct http_req *req, const char *handle, const char *which);
const char *fed_article_url(struct http_req *req, const char *story_id);

/* Whether story s may leave the site as an Article: published, public,
 * of a writer not suspended (audience_may_see_story for nobody). */
bool fed_story_is_public(struct http_req *req, const struct story_row *s);

/* The writer's Person, with her public key (made now if she has none):
 * NULL when the key cannot be had. */
json_t *fed_person(struct http_req *req, const struct user_row *u);
/* Story s's Article (s must be fed_story_is_public); with_context adds
 * "@context" (a top-level object, not one inside an activity). */
json_t *fed_article_json(struct http_req *req, const struct story_row *s, bool with_context);
/* Create of story s's Article, by its writer, to the public and her
 * followers. */
json_t *fed_create_json(struct http_req *req, const struct story_row *s);

/* Activities the inboxes took in and refused (fed_inbox.c counts, for
 * fed_stats in fed_send.c). */
extern _Atomic uint64_t fed_inbox_accepted, fed_inbox_refused;

/* allow-private-fetch, as fed_configure() set it. */
bool fed_allow_private(void);

/* Answer obj (stolen) as application/activity+json with status 200. */
void fed_reply(struct http_req *req, struct http_res *res, json_t *obj);
/* A short plain-text error. */
void fed_error(struct http_req *req, struct http_res *res, int status, const char *msg);

#endif
