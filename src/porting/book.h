/*
 * book.h - a book of a writer's stories: an EPUB 3 file (issue 19), for
 * `quire export --epub` and the "Download as a book" pages
 * (porting_web.h).
 *
 * The book holds a cover page (her name, the site's name, "Stories" and
 * the dates the stories span), a table of contents (nav.xhtml), then one
 * page per story in publishing order, oldest first: its title, subtitle,
 * date, content note and body, rendered through the one rendering rule
 * (render.h, RENDER_BOOK) for the book's reader. A public book's reader
 * is anyone: only her public stories, and of their photos only those for
 * the story's whole audience. Her own book (BOOK_ALL) holds everything
 * she published, as she sees it. Photos are files inside the book (the
 * largest JPEG stored, stripped of metadata as every variant is); a
 * sensitive photo never shares a page with text: a page with its note,
 * then a page with the photo alone, then the story goes on.
 *
 * The text is her published version, never a pending draft.
 */
#ifndef QUIRE_PORTING_BOOK_H
#define QUIRE_PORTING_BOOK_H

#include "core/arena.h"
#include "core/buf.h"
#include "http/http.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum book_audience {
	BOOK_PUBLIC = 0, /* what anyone may read */
	BOOK_ALL,        /* everything she published (her own copy) */
};

/* Stories in one book at most (a writer with more picks some). */
#define BOOK_MAX_STORIES 2000

struct book_spec {
	const struct user_row *writer;
	enum book_audience audience;
	/* Only these stories (ids or slugs of hers), still in publishing
	 * order; npick 0: every story of hers in the audience. */
	const char *const *pick;
	size_t npick;
};

enum book_err {
	BOOK_OK = 0,
	BOOK_EMPTY,      /* no story to put in it */
	BOOK_NOT_FOUND,  /* a picked story is not one of hers in the book's audience */
	BOOK_TOO_MANY,   /* more than BOOK_MAX_STORIES */
	BOOK_STORE,      /* the database failed */
	BOOK_WRITE,      /* the file could not be written */
};

/*
 * Write the book of spec to path (through a temporary file renamed into
 * place: nothing is left at path on an error). req is a request or a
 * command's stand-in for one (a thread state, an arena; web_init() done):
 * the rendering is done for the book's reader, not for req's viewer.
 * On an error, err holds a sentence for the writer or the operator.
 * *nstories (may be NULL) is the number of stories written.
 */
enum book_err book_write(struct http_req *req, const struct book_spec *spec, const char *path,
			 size_t *nstories, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Whether readers may download story s as a book of its own: it is
 * published, public, and its writer lets readers (the setting
 * store_user_book_share_get). The story page links to it only then, and
 * the route answers 404 otherwise. */
bool book_story_offered(struct store *st, const struct story_row *s);

/*
 * `quire export --user HANDLE --epub PATH [--audience public|all]
 * [--story ID|SLUG ...]`: the book of @handle's stories (audience NULL:
 * public) written to path, a line saying so on out. Needs web_init()
 * (templates, the data directory). Returns the exit status: 0, 1 (no
 * such writer, nothing to put in the book, the file could not be
 * written: a message on stderr), 2 (a wrong --audience).
 */
int book_export_main(const char *handle, const char *audience, const char *const *pick,
		     size_t npick, const char *path, FILE *out);

/*
 * The pure part (book_xhtml.c), for the fuzzer: HTML of a story body
 * (the renderer's, with each photo as <img data-book="N">) into XHTML
 * segments, each to become a page, cut after every top-level block that
 * holds a sensitive photo (sensitive(ctx, N) true). A photo that is not
 * sensitive is written in place by photo(ctx, N, block, out) (block: at
 * the top level, so a figure may stand there). Links "#id" to another
 * segment are prefixed with seg_href(ctx, segment); "/path" links get
 * base_url (NULL: left out); other schemes than http, https and mailto
 * are left out. Headings nest from h2 under the page's h1.
 */
struct book_conv {
	const char *base_url;
	void *ctx;
	bool (*sensitive)(void *ctx, unsigned n);
	void (*photo)(void *ctx, unsigned n, bool block, struct buf *out);
	const char *(*seg_href)(void *ctx, size_t seg);
};
struct book_seg {
	const char *xhtml; /* NUL-terminated, in the arena */
	bool empty;        /* nothing but white space */
	unsigned *after;   /* the sensitive photos that follow it, in order */
	size_t nafter;
};
/* Segments into *segs (at least one), in arena a; false when html is
 * too large or the output overflows (the segments are then partial). */
bool book_xhtml(struct arena *a, const char *html, size_t len, const struct book_conv *c,
		struct book_seg **segs, size_t *nsegs);

#endif
