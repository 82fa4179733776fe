/*
 * export_pages.c - "Download everything" on the settings page
 * (porting_web.h): the export is written to the data directory's tmp/,
 * opened, unlinked, and sent from the open file, so nothing of it stays
 * on disk and only the signed-in writer ever gets her own.
 */
#include "porting/porting_web.h"

#include "core/clock.h"
#include "core/crypto.h"
#include "porting/export.h"
#include "web/web.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

void page_settings_export_post(struct http_req *req, struct http_res *res)
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
	char rnd[17];
	random_hex(rnd, 8);
	const char *dir = arena_printf(&req->arena, "%s/tmp", web_cfg->data_dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		web_error(req, res, 500, "Could not make your export: no room for it on the server.");
		return;
	}
	const char *path = arena_printf(&req->arena, "%s/export-%s.zip", dir, rnd);
	struct export_stats stats;
	char err[300];
	if (!export_user(web_store(req), &v->user, path, &stats, err, sizeof(err))) {
		fprintf(stderr, "quire: export of @%s failed: %s\n", v->user.handle, err);
		web_error(req, res, 500, "Could not make your export. Please try again in a moment.");
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		if (fd >= 0)
			close(fd);
		web_error(req, res, 500, "Could not send your export. Please try again.");
		return;
	}
	web_security_headers(req, res);
	http_res_header(req, res, "Cache-Control", "no-store");
	http_res_header(req, res, "Content-Disposition", arena_printf(
		&req->arena, "attachment; filename=\"%s\"",
		export_file_name(&req->arena, &v->user, clock_now())));
	res->content_type = "application/zip";
	res->status = 200;
	http_res_file(res, fd, (uint64_t)sb.st_size);
}
