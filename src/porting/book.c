/*
 * book.c - a book of a writer's stories as an EPUB 3 file (book.h): the
 * stories picked for the book's audience, each rendered through the one
 * rendering rule (RENDER_BOOK) and turned into XHTML pages
 * (book_xhtml.c), the photos it shows as files of the book, then the
 * package around them (cover, contents, package document, container).
 * Pages come from templates (templates/book_*.mustache).
 *
 * Not here: who may download which book (book_pages.c), the zip format
 * (zip.c).
 */
#include "porting/book.h"

#include "accounts/accounts.h"
#include "media/media.h"
#include "porting/zip.h"
#include "render/render.h"
#include "store/store_media.h"
#include "stories/stories_web.h"
#include "web/web.h"

#include <stdio.h>
#include <string.h>

/* The story pages' typography: a serif body, quiet captions, photos that
 * fit the page and are not split across pages. */
static const char BOOK_CSS[] =
	"body { font-family: Charter, 'Bitstream Charter', 'Sitka Text', Cambria, serif;"
	" line-height: 1.5; margin: 0 1em; }\n"
	"h1, h2, h3, h4, h5, h6 { line-height: 1.2; page-break-after: avoid; }\n"
	".subtitle { font-size: 1.2em; font-style: italic; margin-top: 0; }\n"
	".date, .by, .site, .dates { color: #555; }\n"
	".cover { text-align: center; margin-top: 30%; }\n"
	".content-note, .photo-note { border-left: 3px solid #999; padding-left: 0.8em; }\n"
	".photo-note { margin-top: 30%; }\n"
	"figure { margin: 1em 0; page-break-inside: avoid; }\n"
	"figure.alone { text-align: center; margin-top: 10%; }\n"
	"img { max-width: 100%; height: auto; }\n"
	"figcaption { font-size: 0.85em; color: #555; }\n"
	"pre { white-space: pre-wrap; }\n"
	"blockquote { margin-left: 1em; font-style: italic; }\n";

static const char CONTAINER_XML[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
	"<rootfiles>\n"
	"<rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/>\n"
	"</rootfiles>\n"
	"</container>\n";

/* A photo of the story being written. */
struct book_photo {
	char id[17];
	const char *alt, *caption, *note; /* note: NULL unless sensitive */
	int64_t width, height;
	bool have; /* its file is in the book */
};

struct book {
	struct http_req *req;
	struct arena *a;
	struct zip_out *z;
	json_t *items;  /* manifest entries after nav and css */
	json_t *spine;  /* idrefs */
	json_t *toc;
	json_t *images; /* photo ids already in the book: {id: true} */
	size_t ndocs;
	char *err;
	size_t errlen;
	bool failed;
	/* the story being written */
	size_t k;
	struct book_photo *photos;
	size_t nphotos;
};

/* The first failure's message stays in err. */
static void fail(struct book *b, const char *why)
{
	if (!b->failed)
		snprintf(b->err, b->errlen, "%s", why);
	b->failed = true;
}

static bool add_file(struct book *b, const char *name, const void *data, size_t len, bool stored)
{
	if (b->failed)
		return false;
	if (!zip_out_add(b->z, name, data, len, stored, b->err, b->errlen))
		b->failed = true;
	return !b->failed;
}

/* A page from ctx (stolen) through templates/book_page.mustache, into the
 * book as OEBPS/name, in the manifest and the spine. */
static void add_page(struct book *b, const char *name, json_t *ctx)
{
	struct buf out;
	buf_init(&out, (size_t)64 << 20);
	bool ok = web_render(b->req, "book_page", ctx, &out) && !buf_failed(&out);
	json_decref(ctx);
	if (!ok) {
		fail(b, "could not render a page");
	} else {
		add_file(b, arena_printf(b->a, "OEBPS/%s", name), buf_str(&out), out.len, false);
	}
	buf_release(&out);
	const char *id = arena_printf(b->a, "d%zu", ++b->ndocs);
	json_array_append_new(b->items, json_pack("{s:s,s:s,s:s}", "id", id, "href", name, "type",
						  "application/xhtml+xml"));
	json_array_append_new(b->spine, json_string(id));
}

static const char *image_href(struct book *b, const char *id)
{
	return arena_printf(b->a, "images/%s.jpg", id);
}

/* Photo p's file into the book, once; false when it cannot be read. */
static bool add_image(struct book *b, const char *id)
{
	if (json_object_get(b->images, id))
		return true;
	struct arena scratch;
	arena_init(&scratch);
	struct photo_row p;
	size_t len = 0;
	int64_t w = 0, h = 0;
	const void *data = NULL;
	if (store_photo_get(web_store(b->req), &scratch, id, &p) == STORE_OK)
		data = media_photo_largest(web_store(b->req), &scratch, &p, &len, &w, &h);
	bool ok = data && add_file(b, arena_printf(&scratch, "OEBPS/%s", image_href(b, id)), data,
				   len, true);
	arena_release(&scratch);
	if (!ok)
		return false;
	json_object_set_new(b->images, id, json_true());
	json_array_append_new(b->items, json_pack("{s:s,s:s,s:s}", "id",
						  arena_printf(b->a, "i%s", id), "href",
						  image_href(b, id), "type", "image/jpeg"));
	return true;
}

static json_t *figure_ctx(struct book *b, const struct book_photo *p, bool block, bool alone)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:b,s:b}", "src", image_href(b, p->id), "alt",
			      p->alt, "width", (json_int_t)p->width, "height",
			      (json_int_t)p->height, "block", block, "alone", alone);
	if (p->caption[0])
		json_object_set_new(o, "caption", json_string(p->caption));
	return o;
}

/* book_conv callbacks, for the story being written. */
static bool conv_sensitive(void *ctx, unsigned n)
{
	struct book *b = ctx;
	return n < b->nphotos && b->photos[n].have && b->photos[n].note;
}

static void conv_photo(void *ctx, unsigned n, bool block, struct buf *out)
{
	struct book *b = ctx;
	if (n >= b->nphotos || !b->photos[n].have)
		return;
	json_t *o = figure_ctx(b, &b->photos[n], block, false);
	if (!web_render(b->req, "book_figure", o, out))
		b->failed = true;
	json_decref(o);
}

static const char *seg_name(struct book *b, size_t seg)
{
	return seg ? arena_printf(b->a, "s%04zu-%zu.xhtml", b->k, seg + 1) :
		     arena_printf(b->a, "s%04zu.xhtml", b->k);
}

static const char *conv_seg_href(void *ctx, size_t seg)
{
	return seg_name(ctx, seg);
}

/* One story: its pages, and its photos' files. */
static void add_story(struct book *b, const struct story_row *s)
{
	struct http_req *req = b->req;
	json_t *parts = render_story_parts(req, s, NULL, RENDER_BOOK, NULL);
	size_t np = json_array_size(parts);
	b->photos = arena_alloc(b->a, (np ? np : 1) * sizeof(*b->photos));
	b->nphotos = 0;
	struct buf html;
	buf_init(&html, (size_t)64 << 20);
	size_t i;
	json_t *part;
	json_array_foreach(parts, i, part) {
		const json_t *h = json_object_get(part, "part_html");
		const json_t *ph = json_object_get(part, "book_photo");
		if (h) {
			buf_add(&html, json_string_value(h), json_string_length(h));
		} else if (ph) {
			struct book_photo *p = &b->photos[b->nphotos];
			snprintf(p->id, sizeof(p->id), "%s",
				 json_string_value(json_object_get(ph, "id")));
			p->alt = arena_strdup(b->a, json_string_value(json_object_get(ph, "alt")));
			p->caption = arena_strdup(b->a,
						  json_string_value(json_object_get(ph, "caption")));
			const char *note = json_string_value(json_object_get(ph, "note"));
			p->note = note ? arena_strdup(b->a, note) : NULL;
			p->width = json_integer_value(json_object_get(ph, "width"));
			p->height = json_integer_value(json_object_get(ph, "height"));
			p->have = add_image(b, p->id);
			buf_addf(&html, "<img data-book=\"%zu\">", b->nphotos++);
		}
		/* A photo for fewer people than the book's ("withheld"): nothing. */
	}
	json_decref(parts);
	struct book_conv conv = {
		.base_url = web_cfg->base_url, .ctx = b, .sensitive = conv_sensitive,
		.photo = conv_photo, .seg_href = conv_seg_href,
	};
	struct book_seg *segs;
	size_t nsegs;
	bool ok = !buf_failed(&html) &&
		  book_xhtml(b->a, buf_str(&html), html.len, &conv, &segs, &nsegs);
	buf_release(&html);
	if (!ok) {
		fail(b, "a story is too large for a book");
		return;
	}
	int64_t at = s->published_at ? s->published_at : s->created_at;
	for (size_t j = 0; j < nsegs && !b->failed; j++) {
		if (j == 0 || !segs[j].empty) {
			json_t *ctx = json_pack("{s:s,s:s}", "title", s->title, "body_html",
						segs[j].xhtml);
			if (j == 0) {
				json_t *st = json_pack("{s:s,s:s,s:s}", "title", s->title, "date",
						       web_fmt_date(b->a, at), "datetime",
						       web_fmt_rfc3339(b->a, at));
				if (s->subtitle[0])
					json_object_set_new(st, "subtitle", json_string(s->subtitle));
				if (s->content_note[0])
					json_object_set_new(st, "content_note",
							    json_string(s->content_note));
				json_object_set_new(ctx, "story", st);
			}
			add_page(b, seg_name(b, j), ctx);
		}
		/* Each sensitive photo: a page with its note, then a page with
		 * the photo alone. */
		for (size_t m = 0; m < segs[j].nafter; m++) {
			const struct book_photo *p = &b->photos[segs[j].after[m]];
			add_page(b, arena_printf(b->a, "s%04zu-photo%u-note.xhtml", b->k, segs[j].after[m]),
				 json_pack("{s:s,s:s}", "title", s->title, "note", p->note));
			add_page(b, arena_printf(b->a, "s%04zu-photo%u.xhtml", b->k, segs[j].after[m]),
				 json_pack("{s:s,s:o}", "title", s->title, "photo",
					   figure_ctx(b, p, true, true)));
		}
	}
	json_array_append_new(b->toc, json_pack("{s:s,s:s}", "title", s->title, "href",
						seg_name(b, 0)));
}

/* Her stories in the book's audience, oldest first, into *out. */
static enum book_err collect(struct http_req *req, const struct book_spec *spec,
			     struct story_row **out, size_t *n, char *err, size_t errlen)
{
	struct store *st = web_store(req);
	size_t cap = 128;
	struct story_row *all = arena_alloc(&req->arena, cap * sizeof(*all));
	size_t na = 0;
	struct story_query q = {
		.viewer_id = spec->writer->id, .author_id = spec->writer->id,
		.published_only = true, .public_only = spec->audience == BOOK_PUBLIC, .limit = 100,
	};
	for (;;) {
		struct story_list l;
		if (store_story_list(st, &req->arena, &q, &l)) {
			snprintf(err, errlen, "could not read the stories");
			return BOOK_STORE;
		}
		for (size_t i = 0; i < l.n; i++) {
			if (na == cap) {
				struct story_row *g = arena_alloc(&req->arena, cap * 2 * sizeof(*g));
				memcpy(g, all, cap * sizeof(*all));
				all = g;
				cap *= 2;
			}
			all[na++] = l.items[i];
		}
		if (!l.more || !l.n)
			break;
		if (na > BOOK_MAX_STORIES * 4) {
			snprintf(err, errlen, "too many stories for one book");
			return BOOK_TOO_MANY;
		}
		const struct story_row *last = &l.items[l.n - 1];
		q.before_at = last->published_at ? last->published_at : last->created_at;
		q.before_id = last->id;
	}
	/* Oldest first; only those picked, when some are. */
	struct story_row *res = arena_alloc(&req->arena, (na ? na : 1) * sizeof(*res));
	size_t nr = 0;
	for (size_t i = na; i-- > 0;) {
		bool want = spec->npick == 0;
		for (size_t k = 0; !want && k < spec->npick; k++)
			want = !strcmp(spec->pick[k], all[i].id) || !strcmp(spec->pick[k], all[i].slug);
		if (want)
			res[nr++] = all[i];
	}
	for (size_t k = 0; k < spec->npick; k++) {
		bool found = false;
		for (size_t i = 0; !found && i < nr; i++)
			found = !strcmp(spec->pick[k], res[i].id) || !strcmp(spec->pick[k], res[i].slug);
		if (!found) {
			snprintf(err, errlen, "@%s has no %sstory '%s'%s", spec->writer->handle,
				 spec->audience == BOOK_PUBLIC ? "public " : "published ", spec->pick[k],
				 spec->audience == BOOK_PUBLIC ? " (--audience all for the others)" : "");
			return BOOK_NOT_FOUND;
		}
	}
	if (!nr) {
		snprintf(err, errlen, "@%s has no %sstories to put in a book", spec->writer->handle,
			 spec->audience == BOOK_PUBLIC ? "public " : "published ");
		return BOOK_EMPTY;
	}
	if (nr > BOOK_MAX_STORIES) {
		snprintf(err, errlen, "%zu stories: a book holds at most %d (pick some with --story)",
			 nr, BOOK_MAX_STORIES);
		return BOOK_TOO_MANY;
	}
	*out = res;
	*n = nr;
	return BOOK_OK;
}

static int64_t story_at(const struct story_row *s)
{
	return s->published_at ? s->published_at : s->created_at;
}

/* "3 March 2021 – 12 May 2024", or one date. */
static const char *date_range(struct arena *a, const struct story_row *s, size_t n)
{
	const char *first = web_fmt_date(a, story_at(&s[0]));
	const char *last = web_fmt_date(a, story_at(&s[n - 1]));
	return strcmp(first, last) ? arena_printf(a, "%s \xE2\x80\x93 %s", first, last) : first;
}

enum book_err book_write(struct http_req *req, const struct book_spec *spec, const char *path,
			 size_t *nstories, char *err, size_t errlen)
{
	if (nstories)
		*nstories = 0;
	struct story_row *stories;
	size_t n;
	enum book_err e = collect(req, spec, &stories, &n, err, errlen);
	if (e)
		return e;
	struct book b = {.req = req, .a = &req->arena, .err = err, .errlen = errlen};
	b.z = zip_out_open(path, err, errlen);
	if (!b.z)
		return BOOK_WRITE;
	b.items = json_array();
	b.spine = json_array();
	b.toc = json_array();
	b.images = json_object();
	/* The book's reader, for the rendering rule: anyone, or her. */
	struct web_req *sr = web_req(req);
	const char *reader_before = sr->photo_reader;
	sr->photo_reader = spec->audience == BOOK_ALL ? spec->writer->id : NULL;
	const struct user_row *w = spec->writer;
	const char *site = web_site(req)->name;
	bool one = spec->npick == 1 && n == 1;
	const char *title = one ? stories[0].title : arena_printf(b.a, "Stories by %s", w->name);

	/* An EPUB's first entry: its media type, stored. */
	static const char mimetype[] = "application/epub+zip";
	add_file(&b, "mimetype", mimetype, sizeof(mimetype) - 1, true);
	add_file(&b, "META-INF/container.xml", CONTAINER_XML, sizeof(CONTAINER_XML) - 1, false);
	add_file(&b, "OEBPS/book.css", BOOK_CSS, sizeof(BOOK_CSS) - 1, false);
	json_t *cover = json_pack("{s:s,s:s,s:s,s:s}", "heading", one ? stories[0].title : "Stories",
				  "author", w->name, "site", site, "dates",
				  date_range(b.a, stories, n));
	add_page(&b, "cover.xhtml", json_pack("{s:s,s:o}", "title", title, "cover", cover));
	json_array_append_new(b.spine, json_string("nav"));
	int64_t modified = 0;
	for (size_t i = 0; i < n && !b.failed; i++) {
		b.k = i + 1;
		add_story(&b, &stories[i]);
		int64_t t = stories[i].updated_at > story_at(&stories[i]) ? stories[i].updated_at :
									  story_at(&stories[i]);
		if (t > modified)
			modified = t;
	}
	sr->photo_reader = reader_before;
	if (!b.failed) {
		json_t *nav = json_pack("{s:O}", "toc", b.toc);
		struct buf out;
		buf_init(&out, (size_t)16 << 20);
		if (web_render(req, "book_nav", nav, &out) && !buf_failed(&out))
			add_file(&b, "OEBPS/nav.xhtml", buf_str(&out), out.len, false);
		else
			fail(&b, "could not render the contents");
		json_decref(nav);
		buf_reset(&out);
		const char *id = one ? web_url(req, story_path(b.a, &stories[0])) :
				       web_url(req, arena_printf(b.a, "/@%s", w->handle));
		json_t *opf = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:O}", "identifier",
					arena_printf(b.a, "%s#book-%s", id,
						     spec->audience == BOOK_ALL ? "all" : "public"),
					"title", title, "author", w->name, "site", site, "date",
					arena_strndup(b.a, web_fmt_rfc3339(b.a, modified), 10),
					"modified", web_fmt_rfc3339(b.a, modified), "items", b.items,
					"spine", b.spine);
		if (!b.failed && web_render(req, "book_opf", opf, &out) && !buf_failed(&out))
			add_file(&b, "OEBPS/content.opf", buf_str(&out), out.len, false);
		else
			fail(&b, "could not render the package");
		json_decref(opf);
		buf_release(&out);
	}
	json_decref(b.items);
	json_decref(b.spine);
	json_decref(b.toc);
	json_decref(b.images);
	if (b.failed) {
		zip_out_discard(b.z);
		return BOOK_WRITE;
	}
	if (!zip_out_close(b.z, err, errlen))
		return BOOK_WRITE;
	if (nstories)
		*nstories = n;
	return BOOK_OK;
}

int book_export_main(const char *handle, const char *audience, const char *const *pick,
		     size_t npick, const char *path, FILE *out)
{
	enum book_audience aud;
	if (!audience || !strcmp(audience, "public")) {
		aud = BOOK_PUBLIC;
	} else if (!strcmp(audience, "all")) {
		aud = BOOK_ALL;
	} else {
		fprintf(stderr, "quire: export: --audience is public or all, not '%s'\n", audience);
		return 2;
	}
	void *ts = web_thread_init();
	if (!ts)
		return 1;
	struct http_req req;
	memset(&req, 0, sizeof(req));
	arena_init(&req.arena);
	req.thread = ts;
	req.path = "/";
	struct user_row u;
	const char *h = handle_normalise(&req.arena, handle);
	int rc = 1;
	if (!h || store_user_by_handle(web_store(&req), &req.arena, h, &u)) {
		fprintf(stderr, "quire: export: there is no writer @%s here\n", handle);
	} else {
		struct book_spec spec = {.writer = &u, .audience = aud, .pick = pick, .npick = npick};
		char err[512] = "";
		size_t n = 0;
		if (book_write(&req, &spec, path, &n, err, sizeof(err)) == BOOK_OK) {
			fprintf(out, "wrote %s: a book of %zu %s by @%s (%s)\n", path, n,
				n == 1 ? "story" : "stories", u.handle,
				aud == BOOK_ALL ? "everything she published" : "public stories");
			rc = 0;
		} else {
			fprintf(stderr, "quire: export: %s\n", err);
		}
	}
	arena_release(&req.arena);
	web_thread_done(ts);
	return rc;
}

bool book_story_offered(struct store *st, const struct story_row *s)
{
	bool on = false;
	return s->status == STATUS_PUBLISHED && s->audience == AUDIENCE_PUBLIC &&
	       !s->author_suspended && store_user_book_share_get(st, s->author_id, &on) == STORE_OK &&
	       on;
}
