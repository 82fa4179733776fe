/*
 * quire_read.c - a Quire export read back into records (export.h): the
 * manifest, each story's front matter and body, pending drafts, circles
 * and settings. Pure: files come through the caller's callbacks, nothing
 * touches the store; everything is checked here, at the edge.
 */
#include "porting/export.h"

#include "core/buf.h"
#include "core/text.h"
#include "porting/frontmatter.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *quire_path_join(struct arena *a, const char *from, const char *rel)
{
	if (!rel[0] || rel[0] == '/' || strchr(rel, '\\') || strstr(rel, "://") || strchr(rel, ':'))
		return NULL;
	const char *slash = strrchr(from, '/');
	size_t dl = slash ? (size_t)(slash - from) + 1 : 0;
	size_t max = dl + strlen(rel) + 1;
	/* The parts so far, each kept as its end offset in out. */
	char *out = arena_alloc(a, max + 1);
	size_t *ends = arena_alloc(a, (max + 1) * sizeof(*ends));
	size_t len = 0, nparts = 0;
	const char *parts[2] = {from, rel};
	size_t lens[2] = {dl, strlen(rel)};
	for (int w = 0; w < 2; w++) {
		const char *p = parts[w], *end = p + lens[w];
		while (p < end) {
			const char *q = memchr(p, '/', (size_t)(end - p));
			size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
			if (n == 0 && w == 1)
				return NULL; /* "a//b" */
			if (n == 1 && p[0] == '.') {
				/* nothing */
			} else if (n == 2 && p[0] == '.' && p[1] == '.') {
				if (!nparts)
					return NULL;
				nparts--;
				len = nparts ? ends[nparts - 1] : 0;
			} else if (n) {
				if (len)
					out[len++] = '/';
				memcpy(out + len, p, n);
				len += n;
				ends[nparts++] = len;
			}
			p += n + (q ? 1 : 0);
		}
	}
	if (!len)
		return NULL;
	out[len] = '\0';
	return out;
}

const char *quire_swap_photos(struct arena *a, const char *body, const char *path,
			      const char *const *files, const char *const *ids, size_t n,
			      size_t *swapped)
{
	*swapped = 0;
	struct buf b;
	buf_init(&b, 0);
	const char *p = body, *m;
	while ((m = strstr(p, "](")) != NULL) {
		const char *t = m + 2;
		bool angle = *t == '<';
		if (angle)
			t++;
		size_t tl = strcspn(t, angle ? ">\n" : " )\n\t");
		const char *target = arena_strndup(a, t, tl);
		const char *full = tl ? quire_path_join(a, path, target) : NULL;
		size_t k = n;
		for (size_t i = 0; full && i < n; i++)
			if (!strcmp(files[i], full)) {
				k = i;
				break;
			}
		if (k == n || (angle && t[tl] != '>')) {
			buf_add(&b, p, (size_t)(t - p));
			p = t;
			continue;
		}
		buf_add(&b, p, (size_t)(m - p));
		buf_addf(&b, "](photo:%s", ids[k]);
		p = t + tl + (angle ? 1 : 0);
		(*swapped)++;
	}
	buf_adds(&b, p);
	const char *out = arena_strndup(a, buf_str(&b), b.len);
	buf_release(&b);
	return out;
}

/* ---- one Markdown file ---- */

struct reading {
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void bad(struct reading *r, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

/* A string field: def when missing or null. */
static const char *str_of(struct reading *r, const struct fm_node *map, const char *key,
			  const char *def)
{
	const struct fm_node *v = fm_get(map, key);
	if (!v || v->type == FM_NULL)
		return def;
	if (v->type != FM_SCALAR) {
		bad(r, "line %u: %s should be a string", v->line, key);
		return def;
	}
	return v->text;
}

static int64_t time_of(struct reading *r, const struct fm_node *map, const char *key)
{
	int64_t t = fm_time(map, key);
	if (t < 0) {
		const struct fm_node *v = fm_get(map, key);
		bad(r, "line %u: %s should be a time such as 2024-03-01T10:00:00Z", v ? v->line : 0, key);
		return 0;
	}
	return t;
}

/* tags: a list of strings, or one string of words (as Jekyll allows). */
static void tags_of(struct reading *r, struct arena *a, const struct fm_node *map,
		    struct port_list *out)
{
	memset(out, 0, sizeof(*out));
	const struct fm_node *v = fm_get(map, "tags");
	if (!v || v->type == FM_NULL)
		return;
	if (v->type == FM_SCALAR) {
		const char *s = v->text;
		while (*s) {
			size_t k = strcspn(s, " ,");
			if (k)
				port_list_add(a, out, arena_strndup(a, s, k));
			s += k;
			s += strspn(s, " ,");
		}
		return;
	}
	if (v->type != FM_LIST) {
		bad(r, "line %u: tags should be a list", v->line);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->type != FM_SCALAR) {
			bad(r, "line %u: a tag should be a string", v->items[i]->line);
			return;
		}
		port_list_add(a, out, v->items[i]->text);
	}
}

static bool text_of(struct reading *r, struct arena *a, const char *path, const struct fm_node *root,
		    const char *body, size_t blen, struct quire_text *t)
{
	memset(t, 0, sizeof(*t));
	t->path = arena_strdup(a, path);
	t->title = str_of(r, root, "title", NULL);
	if (!t->title && !r->failed)
		bad(r, "it has no title");
	t->subtitle = str_of(r, root, "subtitle", "");
	t->audience = str_of(r, root, "audience", NULL);
	t->circle = str_of(r, root, "circle", "");
	t->content_note = str_of(r, root, "content_note", "");
	t->responses = str_of(r, root, "responses", NULL);
	t->responders = str_of(r, root, "responders", NULL);
	t->updated_at = time_of(r, root, "updated");
	tags_of(r, a, root, &t->tags);
	if (!utf8_valid(body, blen) && !r->failed)
		bad(r, "its text is not UTF-8 (or holds a NUL)");
	t->body = arena_strndup(a, body, blen);
	return !r->failed;
}

static bool parse(struct reading *r, struct arena *a, const char *text, size_t len,
		  struct fm_node **root, const char **body, size_t *blen)
{
	if (!fm_parse(a, text, len, root, body, blen, r->err, r->errlen)) {
		r->failed = true;
		return false;
	}
	return true;
}

bool quire_read_text(struct arena *a, const char *path, const char *text, size_t len,
		     struct quire_text *out, char *err, size_t errlen)
{
	struct reading r = {err, errlen, false};
	struct fm_node *root;
	const char *body;
	size_t blen;
	return parse(&r, a, text, len, &root, &body, &blen) &&
	       text_of(&r, a, path, root, body, blen, out);
}

static void photos_of(struct reading *r, struct arena *a, const char *path,
		      const struct fm_node *root, struct quire_story *s)
{
	const struct fm_node *v = fm_get(root, "photos");
	if (!v || v->type == FM_NULL)
		return;
	if (v->type != FM_LIST) {
		bad(r, "line %u: photos should be a list", v->line);
		return;
	}
	s->photos = arena_alloc(a, (v->n ? v->n : 1) * sizeof(*s->photos));
	for (size_t i = 0; i < v->n && !r->failed; i++) {
		const struct fm_node *m = v->items[i];
		if (m->type != FM_MAP) {
			bad(r, "line %u: each photo should be file: ... and its fields", m->line);
			return;
		}
		struct quire_photo *p = &s->photos[s->nphotos];
		memset(p, 0, sizeof(*p));
		const char *file = str_of(r, m, "file", NULL);
		if (!file) {
			bad(r, "line %u: a photo without its file", m->line);
			return;
		}
		p->file = quire_path_join(a, path, file);
		if (!p->file) {
			bad(r, "line %u: the photo file \"%s\" is not a path inside the export", m->line,
			    file);
			return;
		}
		p->id = str_of(r, m, "id", "");
		p->alt = str_of(r, m, "alt", "");
		p->caption = str_of(r, m, "caption", "");
		p->note = str_of(r, m, "note", "");
		p->audience = str_of(r, m, "audience", "story");
		p->circle = str_of(r, m, "circle", "");
		int sens = fm_bool(m, "sensitive", 0);
		if (sens < 0) {
			bad(r, "line %u: sensitive should be true or false", m->line);
			return;
		}
		p->sensitive = sens == 1;
		s->nphotos++;
	}
}

bool quire_read_story(struct arena *a, const char *path, const char *text, size_t len,
		      struct quire_story *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct reading r = {err, errlen, false};
	struct fm_node *root;
	const char *body;
	size_t blen;
	if (!parse(&r, a, text, len, &root, &body, &blen) ||
	    !text_of(&r, a, path, root, body, blen, &out->t))
		return false;
	const char *id = str_of(&r, root, "quire_id", NULL);
	out->source_id = id && id[0] ? id : arena_printf(a, "file:%s", path);
	out->slug = str_of(&r, root, "slug", "");
	out->canonical_url = str_of(&r, root, "canonical_url", "");
	int draft = fm_bool(root, "draft", 0);
	if (draft < 0 && !r.failed)
		bad(&r, "draft should be true or false");
	out->status = str_of(&r, root, "status", draft == 1 ? "draft" : "published");
	if (!r.failed && strcmp(out->status, "published") && strcmp(out->status, "draft") &&
	    strcmp(out->status, "scheduled"))
		bad(&r, "status should be published, draft or scheduled, not \"%s\"", out->status);
	int64_t date = time_of(&r, root, "date");
	out->created_at = time_of(&r, root, "created");
	if (!out->created_at)
		out->created_at = date;
	out->edited_at = time_of(&r, root, "edited");
	out->publish_at = time_of(&r, root, "publish_at");
	if (!r.failed && !strcmp(out->status, "published"))
		out->published_at = date;
	if (!r.failed && !strcmp(out->status, "scheduled") && !out->publish_at)
		bad(&r, "a scheduled story without its publish_at");
	photos_of(&r, a, path, root, out);
	const char *pending = str_of(&r, root, "pending", NULL);
	if (pending && !r.failed && !(out->pending_path = quire_path_join(a, path, pending)))
		bad(&r, "pending \"%s\" is not a path inside the export", pending);
	return !r.failed;
}

/* ---- the whole export ---- */

static json_t *json_file(struct arena *a, port_file_fn file, void *ctx, const char *name,
			 bool *present, char *err, size_t errlen)
{
	size_t len = 0;
	const char *text = file(ctx, a, name, &len);
	*present = text != NULL;
	if (!text)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(text, len, 0, &je);
	if (!j || !json_is_object(j))
		snprintf(err, errlen, "%s: %s", name, j ? "not a JSON object" : je.text);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static const char *jstr(struct arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? arena_strdup(a, json_string_value(v)) : NULL;
}

/* The handles in an array of {"handle": ...}. */
static void handles(struct arena *a, json_t *arr, struct port_list *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *h = jstr(a, v, "handle");
		if (h && h[0])
			port_list_add(a, out, h);
	}
}

static void read_circles(struct arena *a, json_t *j, struct quire_export *out)
{
	json_t *arr = json_object_get(j, "circles");
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
	out->circles = arena_alloc(a, (n ? n : 1) * sizeof(*out->circles));
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(arr, i);
		const char *name = jstr(a, c, "name");
		if (!name || !name[0]) {
			port_list_addf(a, &out->notes, "Skipped circle %zu of circles.json: it has no "
				       "name.", i + 1);
			continue;
		}
		struct quire_circle *qc = &out->circles[out->ncircles++];
		memset(qc, 0, sizeof(*qc));
		qc->name = name;
		handles(a, json_object_get(c, "members"), &qc->members);
		handles(a, json_object_get(c, "invited"), &qc->invited);
	}
}

static void read_settings(struct arena *a, json_t *j, struct quire_settings *s)
{
	json_t *p = json_object_get(j, "profile");
	s->bio = jstr(a, p, "bio");
	s->time_zone = jstr(a, p, "time_zone");
	json_t *r = json_object_get(j, "responses");
	s->responses = jstr(a, r, "default");
	s->responders = jstr(a, r, "responders");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(j, "muted_words"), i, v)
		if (json_is_string(v) && json_string_value(v)[0])
			port_list_add(a, &s->muted, arena_strdup(a, json_string_value(v)));
	handles(a, json_object_get(j, "blocked"), &s->blocked);
}

static void read_stories(struct arena *a, port_file_fn file, port_list_fn list, void *ctx,
			 const char *folder, struct quire_export *out, size_t *cap)
{
	size_t n = 0;
	const char **names = list(ctx, a, folder, ".md", &n);
	for (size_t i = 0; names && i < n; i++) {
		size_t len = 0;
		char err[300] = "";
		const char *text = file(ctx, a, names[i], &len);
		if (!text) {
			port_list_addf(a, &out->notes, "Skipped %s: it could not be read (or is larger "
				       "than a story may be).", names[i]);
			continue;
		}
		if (out->n == *cap) {
			struct quire_story *ns = arena_alloc(a, 2 * *cap * sizeof(*ns));
			memcpy(ns, out->stories, *cap * sizeof(*ns));
			out->stories = ns;
			*cap *= 2;
		}
		struct quire_story *s = &out->stories[out->n];
		if (!quire_read_story(a, names[i], text, len, s, err, sizeof(err))) {
			port_list_addf(a, &out->notes, "Skipped %s: %s.", names[i], err);
			continue;
		}
		bool dup = false;
		for (size_t k = 0; k < out->n && !dup; k++)
			dup = !strcmp(out->stories[k].source_id, s->source_id);
		if (dup) {
			port_list_addf(a, &out->notes, "Skipped %s: another file has the same quire_id.",
				       names[i]);
			continue;
		}
		if (s->pending_path) {
			const char *pt = file(ctx, a, s->pending_path, &len);
			struct quire_text *pd = arena_alloc(a, sizeof(*pd));
			if (!pt || !quire_read_text(a, s->pending_path, pt, len, pd, err, sizeof(err)))
				port_list_addf(a, &out->notes, "The pending draft of %s (%s) was not read: "
					       "%s.", names[i], s->pending_path,
					       pt ? err : "it is missing");
			else
				s->pending = pd;
		}
		out->n++;
	}
}

bool quire_read(struct arena *a, port_file_fn file, port_list_fn list, void *ctx,
		struct quire_export *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	bool present;
	json_t *m = json_file(a, file, ctx, "quire.json", &present, err, errlen);
	if (!m) {
		if (!present)
			snprintf(err, errlen, "quire.json is missing: is this a Quire export?");
		return false;
	}
	const char *format = jstr(a, m, "format");
	json_t *ver = json_object_get(m, "version");
	bool ok = format && !strcmp(format, EXPORT_FORMAT) && json_is_integer(ver);
	if (!ok) {
		snprintf(err, errlen, "quire.json does not say \"format\": \"%s\" and its version",
			 EXPORT_FORMAT);
	} else if (json_integer_value(ver) < 1 || json_integer_value(ver) > EXPORT_VERSION) {
		snprintf(err, errlen, "this export is format version %lld; this Quire reads versions "
			 "1 to %d", (long long)json_integer_value(ver), EXPORT_VERSION);
		ok = false;
	}
	out->handle = jstr(a, m, "handle");
	json_decref(m);
	if (!ok)
		return false;
	err[0] = '\0';
	json_t *c = json_file(a, file, ctx, "_quire/circles.json", &present, err, errlen);
	if (present && !c)
		return false;
	json_t *s = json_file(a, file, ctx, "_quire/settings.json", &present, err, errlen);
	if (present && !s) {
		json_decref(c);
		return false;
	}
	read_circles(a, c, out);
	read_settings(a, s, &out->settings);
	json_decref(c);
	json_decref(s);
	size_t cap = 16;
	out->stories = arena_alloc(a, cap * sizeof(*out->stories));
	read_stories(a, file, list, ctx, "content/_posts/", out, &cap);
	read_stories(a, file, list, ctx, "content/_drafts/", out, &cap);
	return true;
}
