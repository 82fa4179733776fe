/*
 * book_pages.c - books over the web (porting_web.h): the writer's own
 * book and, where she allows it, a public story as a book for its
 * readers. The book is written to a temporary file in the data
 * directory, unlinked at once and sent from its descriptor, so nothing
 * is left behind whatever happens to the connection.
 */
#include "porting/porting_web.h"

#include "accounts/accounts.h"
#include "audience/audience.h"
#include "core/crypto.h"
#include "porting/book.h"
#include "stories/stories_web.h"
#include "web/web.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write the book of spec and answer with it as filename. */
static void serve_book(struct http_req *req, struct http_res *res, const struct book_spec *spec,
		       const char *filename)
{
	char rnd[17];
	random_hex(rnd, 8);
	const char *path = arena_printf(&req->arena, "%s/tmp/book-%s.epub", web_cfg->data_dir, rnd);
	char err[512] = "";
	enum book_err e = book_write(req, spec, path, NULL, err, sizeof(err));
	if (e == BOOK_EMPTY || e == BOOK_NOT_FOUND) {
		web_error(req, res, 404, "There is nothing published to put in a book yet.");
		return;
	}
	if (e) {
		fprintf(stderr, "quire: book for @%s: %s\n", spec->writer->handle, err);
		web_error(req, res, 500, "Could not make the book. Please try again.");
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		web_error(req, res, 500, "Could not make the book. Please try again.");
		return;
	}
	web_security_headers(req, res);
	res->status = 200;
	res->content_type = "application/epub+zip";
	http_res_header(req, res, "Content-Disposition",
			arena_printf(&req->arena, "attachment; filename=\"%s\"", filename));
	http_res_header(req, res, "Cache-Control", "private, no-store");
	http_res_file(res, fd, (uint64_t)sb.st_size);
}

void page_my_book(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		http_res_redirect(req, res, 303, "/login?return_to=/me/book.epub");
		return;
	}
	struct book_spec spec = {.writer = &v->user, .audience = BOOK_ALL};
	serve_book(req, res, &spec, arena_printf(&req->arena, "%s-stories.epub", v->user.handle));
}

void page_story_book(struct http_req *req, struct http_res *res)
{
	struct store *st = web_store(req);
	const struct viewer *v = web_viewer(req);
	struct user_row u;
	struct story_row s;
	const char *h = handle_normalise(&req->arena, http_req_param(req, "handle"));
	if (!h || store_user_by_handle(st, &req->arena, h, &u) ||
	    store_story_by_slug(st, &req->arena, u.id, http_req_param(req, "slug"), &s) ||
	    !audience_may_see_story(st, v->signed_in ? v->user.id : NULL, &s) ||
	    !book_story_offered(st, &s)) {
		web_error(req, res, 404, "No such book.");
		return;
	}
	const char *pick[1] = {s.id};
	struct book_spec spec = {.writer = &u, .audience = BOOK_PUBLIC, .pick = pick, .npick = 1};
	serve_book(req, res, &spec, arena_printf(&req->arena, "%s-%s.epub", u.handle, s.slug));
}

void page_book_settings_post(struct http_req *req, struct http_res *res)
{
	const struct viewer *v = web_viewer(req);
	if (!v->signed_in) {
		web_error(req, res, 401, "Please sign in first.");
		return;
	}
	if (!web_csrf_ok(req)) {
		web_error(req, res, 403, "This form expired. Please go back and try again.");
		return;
	}
	const char *share = http_req_form(req, "share");
	if (store_user_book_share_set(web_store(req), v->user.id, share && !strcmp(share, "1"))) {
		web_error(req, res, 503, "Could not save the setting. Please try again.");
		return;
	}
	web_flash(req, res, WEB_FLASH_SETTINGS_SAVED, NULL);
	http_res_redirect(req, res, 303, "/settings");
}
