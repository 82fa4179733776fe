/*
 * store_rows.h - rows for the store conformance programs
 * (test_store_desk.c, test_store_media.c): a user, a story and a photo
 * filled with plain defaults, ready to insert. Header-only; the strings
 * are static or from the arena passed.
 */
#ifndef QUIRE_TESTS_STORE_ROWS_H
#define QUIRE_TESTS_STORE_ROWS_H

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "store/store.h"
#include "store/store_media.h"

__attribute__((unused))
static void row_user(struct user_row *u, const char *handle, int64_t now)
{
	memset(u, 0, sizeof(*u));
	id_new(u->id);
	u->handle = handle;
	u->name = handle;
	u->bio = "";
	u->password_hash = "x";
	u->created_at = now;
	u->time_zone = "";
}

/* A story by author; its search text is text (NULL: "plain words"). */
__attribute__((unused))
static void row_story(struct story_row *s, const struct user_row *author, const char *slug,
		      const char *status, const char *audience, int64_t at, const char *text)
{
	memset(s, 0, sizeof(*s));
	id_new(s->id);
	memcpy(s->author_id, author->id, sizeof(s->author_id));
	s->slug = slug;
	s->title = slug;
	s->subtitle = "";
	s->body = "markdown body";
	s->body_html = "<p>markdown body</p>";
	s->excerpt = "";
	s->search_text = text ? text : "plain words";
	s->word_count = 2;
	/* Names, as the tests read best; a bad one is a test's mistake. */
	if (!story_status_parse(status, &s->status) || !story_audience_parse(audience, &s->audience))
		printf("# row_story: bad status or audience %s %s\n", status, audience);
	s->published_at = s->status == STATUS_PUBLISHED ? at : 0;
	s->created_at = s->updated_at = at;
	if (s->audience == AUDIENCE_UNLISTED)
		id_new(s->share_key);
	s->content_note = "";
	s->responses = "open";
	s->responders = "signed_in";
}

/* A photo of story_id with no variants yet (add them with row_variant). */
__attribute__((unused))
static void row_photo(struct photo_row *p, const char *story_id, int64_t at)
{
	memset(p, 0, sizeof(*p));
	id_new(p->id);
	snprintf(p->story_id, sizeof(p->story_id), "%s", story_id);
	p->alt = "alt";
	p->caption = "";
	p->note = "";
	p->preview = "";
	p->audience = "story";
	p->width = 2400;
	p->height = 1600;
	p->created_at = at;
}

/* Append a variant whose hash is 64 times the character h. */
__attribute__((unused))
static void row_variant(struct photo_row *p, const char *format, int64_t width, char h)
{
	struct photo_variant_row *v = &p->variants[p->nvariants++];
	v->format = format;
	v->width = width;
	v->height = width * 2 / 3;
	memset(v->hash, h, 64);
	v->hash[64] = '\0';
	v->bytes = width * 10;
}

#endif
