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
	RENDER_BOOK,    /* a book (EPUB, porting/book.h): for the book's reader (web_req's
			 * photo_reader: NULL for a public book, the writer for hers), photos
			 * as files of the book, a sensitive one on a page of its own after
			 * its note */
	RENDER_EXPORT,  /* the writer's own export (porting/export.h): for her alone, her
			 * whole Markdown and every photo, each reference pointing at the
			 * photo's file in the export (render_export_refs) */
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

/* RENDER_EXPORT, pure: body with the target of every "](photo:ID" that
 * file_of() maps to a path (NULL: left as it is) replaced by that path,
 * appended to out. The writer's own text, so nothing is cut. False when
 * out overflows. */
bool render_export_refs(const char *body, const char *(*file_of)(void *ctx, const char *id),
			void *ctx, struct buf *out);

/* Plain text of Markdown body[0..n) for RENDER_SEARCH (everything a
 * reader reads, no photos) or RENDER_EXCERPT (the opening prose, at most
 * max_chars), appended to out. */
void render_plain(const char *body, size_t n, enum render_context where, size_t max_chars,
		  struct buf *out);

#endif
