/*
 * plain.h - the pure part of the one rendering rule (render.h): the
 * contexts, and what needs no request: a story's plain text for search and
 * excerpts, and the scan that cuts photo references out of Markdown. Rule
 * files (stories.c) include this, never render.h (web code).
 */
#ifndef QUIRE_RENDER_PLAIN_H
#define QUIRE_RENDER_PLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

enum render_context {
	RENDER_PAGE,    /* the story page: photos with srcset, sensitive ones gated */
	RENDER_PREVIEW, /* the writer's preview: as RENDER_PAGE, for her draft text */
	RENDER_FEED,    /* Atom entries: an anonymous reader, absolute URLs */
	RENDER_API,     /* the JSON API's "html", for the requesting viewer */
	RENDER_SEARCH,  /* full-text search text and snippets: plain text */
	RENDER_EXCERPT, /* excerpts in lists and descriptions: plain text */
	RENDER_CARD,    /* Open Graph / Twitter card image */
	RENDER_MAIL,    /* a story by email (mail/): as RENDER_FEED, for the reader it is
			 * sent to (a subscriber is anonymous), absolute URLs */
	RENDER_AP,      /* an ActivityPub Article's content (fed/): as RENDER_FEED for an
			 * anonymous reader, absolute URLs, sensitive photos as their
			 * gate; a photo for fewer people is nothing at all (not even a
			 * placeholder); the content note travels as the summary */
};

/* The scan behind render_story_source(), pure, for the fuzzer: body with
 * every "![alt](photo:ID "title")" whose ID keep() refuses cut out,
 * appended to out. False (out partly written) when such a reference does
 * not close cleanly or out overflows. */
bool render_cut_photo_refs(const char *body, bool (*keep)(void *ctx, const char *id), void *ctx,
			   struct buf *out);

/* Plain text of Markdown body[0..n) for RENDER_SEARCH (everything a
 * reader reads, no photos) or RENDER_EXCERPT (the opening prose, at most
 * max_chars), appended to out. */
void render_plain(const char *body, size_t n, enum render_context where, size_t max_chars,
		  struct buf *out);

#endif
