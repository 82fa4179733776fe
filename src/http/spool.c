/*
 * spool.c - multipart/form-data bodies streamed to disk; see spool.h.
 *
 * The temporary file is created with mkostemp() in the spool directory
 * and unlinked at once, so it has no name: a crash, an abort or an error
 * leaves nothing behind, and the data is reachable only through the
 * descriptor, which spool_free() closes.
 */
#include "http/spool.h"
#include "core/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct spool {
	struct http_req *req;
	struct http_spool cfg;
	struct MHD_PostProcessor *pp;
	int fd;
	uint64_t file_size;
	bool file_seen;        /* the file part was in the body (maybe empty) */
	bool file_done;        /* a later part started after the file part */
	const char *filename, *content_type;
	/* The text field being read, and those already complete. */
	const char *cur_key;
	struct buf cur;
	bool in_text;
	size_t fields_bytes;
	struct kvlist form;
	size_t form_cap;
	int err;
	const char *err_msg;
};

static enum MHD_Result fail(struct spool *s, int status, const char *msg)
{
	if (!s->err) {
		s->err = status;
		s->err_msg = msg;
	}
	return MHD_NO;
}

static bool commit_text(struct spool *s)
{
	if (!s->in_text)
		return true;
	s->in_text = false;
	struct http_req *req = s->req;
	if (s->form.n >= PARSE_MAX_FIELDS)
		return fail(s, 400, "Too many form fields."), false;
	if (s->form.n == s->form_cap) {
		s->form_cap = s->form_cap ? s->form_cap * 2 : 8;
		struct kv *ni = arena_alloc(&req->arena, s->form_cap * sizeof(*ni));
		if (s->form.n)
			memcpy(ni, s->form.items, s->form.n * sizeof(*ni));
		s->form.items = ni;
	}
	s->form.items[s->form.n++] = (struct kv){
		s->cur_key, arena_strndup(&req->arena, buf_str(&s->cur), s->cur.len), s->cur.len};
	buf_reset(&s->cur);
	return true;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	struct spool *s = cls;
	struct http_req *req = s->req;
	if (!key)
		key = "";
	if (strcmp(key, s->cfg.field) == 0) {
		if (off == 0 && s->in_text && !commit_text(s))
			return MHD_NO;
		if (s->file_done || (off == 0 && size > 0 && s->file_size > 0))
			return fail(s, 400, "Send one file per request.");
		s->file_seen = true;
		if (!s->filename && filename)
			s->filename = arena_strdup(&req->arena, filename);
		if (!s->content_type && content_type)
			s->content_type = arena_strdup(&req->arena, content_type);
		if (size == 0)
			return MHD_YES;
		if (off + size > s->cfg.max_file)
			return fail(s, 413, "The file is larger than this server accepts.");
		size_t done = 0;
		while (done < size) {
			ssize_t w = pwrite(s->fd, data + done, size - done, (off_t)(off + done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return fail(s, 500, "Could not store the upload.");
			done += (size_t)w;
		}
		if (off + size > s->file_size)
			s->file_size = off + size;
		return MHD_YES;
	}
	if (s->file_size > 0)
		s->file_done = true;
	/* A new text part begins at offset 0 unless it is the same key
	 * continuing after an empty first call. */
	if (off == 0 && (!s->in_text || s->cur.len > 0 || strcmp(s->cur_key, key) != 0)) {
		if (!commit_text(s))
			return MHD_NO;
		s->cur_key = arena_strdup(&req->arena, key);
		s->in_text = true;
		s->fields_bytes += strlen(key);
	}
	s->fields_bytes += size;
	if (s->fields_bytes > s->cfg.max_fields)
		return fail(s, 413, "The form fields are larger than this server accepts.");
	buf_add(&s->cur, data, size);
	if (buf_failed(&s->cur))
		return fail(s, 413, "The form fields are larger than this server accepts.");
	return MHD_YES;
}

struct spool *spool_begin(struct http_req *req, void *conn, const struct http_spool *sp,
			  int *status, const char **msg)
{
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		*status = 415;
		*msg = "Send this as multipart/form-data.";
		return NULL;
	}
	struct spool *s = xcalloc(1, sizeof(*s));
	s->req = req;
	s->cfg = *sp;
	s->fd = -1;
	buf_init(&s->cur, sp->max_fields);
	s->pp = MHD_create_post_processor(conn, 32 * 1024, on_part, s);
	if (!s->pp) {
		spool_free(s);
		*status = 400;
		*msg = "The multipart body has no usable boundary.";
		return NULL;
	}
	char tmpl[4096];
	int n = snprintf(tmpl, sizeof(tmpl), "%s/upload-XXXXXX", sp->dir);
	if (n < 0 || (size_t)n >= sizeof(tmpl) || (s->fd = mkostemp(tmpl, O_CLOEXEC)) < 0) {
		spool_free(s);
		*status = 500;
		*msg = "Could not store the upload.";
		return NULL;
	}
	unlink(tmpl);
	return s;
}

int spool_feed(struct spool *s, const char *data, size_t n, const char **msg)
{
	if (s->err) {
		*msg = s->err_msg;
		return s->err;
	}
	if (MHD_post_process(s->pp, data, n) != MHD_YES) {
		fail(s, 400, "The multipart body is malformed.");
		*msg = s->err_msg;
		return s->err;
	}
	return 0;
}

int spool_finish(struct spool *s, struct http_req *req, const char **msg)
{
	if (!s->err) {
		enum MHD_Result done = MHD_destroy_post_processor(s->pp);
		s->pp = NULL;
		if (done != MHD_YES)
			fail(s, 400, "The multipart body is malformed or cut short.");
		else
			commit_text(s);
	}
	if (s->err) {
		*msg = s->err_msg;
		return s->err;
	}
	req->form = s->form;
	req->upload.fd = s->file_seen ? s->fd : -1;
	req->upload.size = s->file_size;
	req->upload.filename = s->filename;
	req->upload.content_type = s->content_type;
	lseek(s->fd, 0, SEEK_SET);
	return 0;
}

void spool_free(struct spool *s)
{
	if (!s)
		return;
	if (s->pp)
		MHD_destroy_post_processor(s->pp);
	if (s->fd >= 0)
		close(s->fd);
	buf_release(&s->cur);
	free(s);
}
