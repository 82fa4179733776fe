/*
 * render.h - the one rendering rule: what of a stored story a viewer gets
 * in a given context.
 *
 * audience/ answers "may she see this story"; this module answers "what
 * of it does she get here". Every place that renders a story's content
 * for someone goes through one of the functions below with its context,
 * and the rule is applied here, once:
 *
 *  - a sensitive photo is only its gate: on the story page (and the
 *    writer's preview) the calm gate with the blurred preview that the
 *    reader may open (?show=ID); everywhere else the writer's note and a
 *    link to the story, never an <img>, srcset, variant URL, alt text or
 *    caption;
 *  - a photo whose own audience leaves the viewer out
 *    (audience_may_see_photo) is a quiet placeholder with nothing of it:
 *    no URL, alt text, caption, dimensions or circle name;
 *  - the story's content note comes first (on the page by its template,
 *    in a feed entry at the top of its content);
 *  - the text is the published version: callers pass the live story
 *    row, never the pending draft, except the writer's own preview;
 *  - plain-text contexts (search text, excerpts) never carry a photo at
 *    all: no alt text, no caption, no "photo:" reference, no Markdown;
 *  - a share card's image is only a photo for the story's whole audience
 *    that is not sensitive;
 *  - in a book (RENDER_BOOK) a photo the book's reader may see is a
 *    {"book_photo"} part that the book holds as a file; a sensitive one
 *    carries its note, and the book places it on a page of its own after
 *    a page with that note (porting/book.h), never beside text; a photo
 *    for fewer people is left out.
 *
 * A new context is a new value of enum render_context, classified in the
 * rendering matrix (tests/http/test_render_matrix.py reads this enum and
 * fails on a value it does not know), never a copy of these functions.
 *
 * Threads: as the request that calls it. Results live in req's arena or
 * are new JSON references, as each function says.
 */
#ifndef QUIRE_RENDER_RENDER_H
#define QUIRE_RENDER_RENDER_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "http/http.h"
#include "render/plain.h"
#include "store/store.h"


/*
 * The story's body HTML (body_html, the renderer's output for story s;
 * NULL: s->body_html) for the viewer of req, as a JSON array of parts for
 * templates (templates/parts.mustache): {"part_html"} (renderer output),
 * {"photo"} (shown, or gated in page contexts), {"gate"} (note and link),
 * {"withheld"} (placeholder) or, for RENDER_BOOK, {"book_photo"}: {id,
 * alt, caption, width, height, and note when sensitive}. show_id names a sensitive photo the
 * reader chose to see (RENDER_PAGE only; NULL: none). New reference.
 */
json_t *render_story_parts(struct http_req *req, const struct story_row *s,
			   const char *body_html, enum render_context where, const char *show_id);

/* Whether parts hold a gated sensitive photo (the story page then loads
 * the script that opens it in place). */
bool render_parts_gated(const json_t *parts);

/* The body as one HTML string for RENDER_FEED, RENDER_API, RENDER_MAIL or
 * RENDER_AP (in req's arena); "" if it could not be rendered. RENDER_FEED
 * and RENDER_MAIL open with the content note; RENDER_AP does not (an
 * Article carries it as its summary). */
const char *render_story_html(struct http_req *req, const struct story_row *s,
			      enum render_context where);

/* The story's Markdown as the JSON API's "body" (RENDER_API): all of it
 * for its writer; for anyone else without the references of photos that
 * are sensitive or not for them (so no alt text or caption travels), or
 * "" if a reference cannot be cut cleanly. In req's arena. */
const char *render_story_source(struct http_req *req, const struct story_row *s);

/* The absolute URL of story s's share-card image (RENDER_CARD), or NULL. */
const char *render_card_image(struct http_req *req, const struct story_row *s);
/* The same photo as a list entry's thumbnail (the card's rule: for the
 * story's whole audience, never sensitive; and none at all for a story
 * with a content note): its path at most 480 px wide, or NULL. */
const char *render_list_thumb(struct http_req *req, const struct story_row *s);

#endif
