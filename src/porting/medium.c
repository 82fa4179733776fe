/*
 * medium.c - one post of a Medium export into a post record (porting.h).
 */
#include "porting/porting.h"

#include <gumbo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct found {
	const GumboNode *title, *subtitle, *body, *time, *canonical;
	const GumboNode *tags[32];
	size_t ntags;
};

static const char *attr(const GumboNode *n, const char *name)
{
	const GumboAttribute *at = gumbo_get_attribute(&n->v.element.attributes, name);
	return at ? at->value : NULL;
}

/* Whether n's class attribute holds the word cls. */
static bool has_class(const GumboNode *n, const char *cls)
{
	const char *c = attr(n, "class");
	size_t l = strlen(cls);
	for (const char *p = c; p && (p = strstr(p, cls)); p += l)
		if ((p == c || p[-1] == ' ') && (p[l] == '\0' || p[l] == ' '))
			return true;
	return false;
}

static void find(const GumboNode *n, struct found *f, int depth)
{
	if (n->type != GUMBO_NODE_ELEMENT || depth > PORT_MAX_DEPTH)
		return;
	GumboTag t = n->v.element.tag;
	const char *field = attr(n, "data-field");
	if (t == GUMBO_TAG_H1 && has_class(n, "p-name") && !f->title)
		f->title = n;
	else if (t == GUMBO_TAG_SECTION && field && !strcmp(field, "subtitle") && !f->subtitle)
		f->subtitle = n;
	else if (t == GUMBO_TAG_SECTION && field && !strcmp(field, "body") && !f->body)
		f->body = n;
	else if (t == GUMBO_TAG_TIME && has_class(n, "dt-published") && !f->time)
		f->time = n;
	else if (t == GUMBO_TAG_A && has_class(n, "p-canonical") && !f->canonical)
		f->canonical = n;
	else if (t == GUMBO_TAG_A && has_class(n, "p-tag") && f->ntags < 32)
		f->tags[f->ntags++] = n;
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		find(ch->data[i], f, depth + 1);
}

static void text_into(const GumboNode *n, char *out, size_t cap, size_t *len, int depth)
{
	if (depth > PORT_MAX_DEPTH)
		return;
	if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
	    n->type == GUMBO_NODE_CDATA) {
		for (const char *p = n->v.text.text; *p && *len + 1 < cap; p++) {
			char c = *p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p;
			if (c == ' ' && (!*len || out[*len - 1] == ' '))
				continue;
			out[(*len)++] = c;
		}
		return;
	}
	if (n->type != GUMBO_NODE_ELEMENT)
		return;
	const GumboVector *ch = &n->v.element.children;
	for (unsigned i = 0; i < ch->length; i++)
		text_into(ch->data[i], out, cap, len, depth + 1);
}

/* n's text on one line, trimmed (a). */
static const char *text_of(struct arena *a, const GumboNode *n)
{
	if (!n)
		return "";
	size_t cap = 4096, len = 0;
	char *out = arena_alloc(a, cap);
	text_into(n, out, cap, &len, 0);
	while (len && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
	return out;
}

/* Past Medium's leading section divider (a rule) and blank lines. */
static const char *past_rule(const char *md)
{
	for (;;) {
		while (*md == '\n')
			md++;
		if (strncmp(md, "---\n", 4) != 0)
			return md;
		md += 4;
	}
}

/* Drop the first line of md if it is a heading whose text is what. */
static const char *drop_heading(const char *md, const char *what)
{
	if (!*what)
		return md;
	const char *p = past_rule(md);
	if (*p != '#')
		return md;
	const char *t = p;
	while (*t == '#')
		t++;
	while (*t == ' ')
		t++;
	const char *eol = strchr(t, '\n');
	size_t n = eol ? (size_t)(eol - t) : strlen(t);
	if (n != strlen(what) || strncmp(t, what, n) != 0)
		return md;
	return eol ? eol + 1 : t + n;
}

void port_read_medium_post(struct arena *a, const char *name, const char *html, size_t len,
			   bool responses, struct port_export *out)
{
	if (len > PORT_MAX_HTML) {
		port_list_addf(a, &out->notes, "Skipped %s: larger than a post may be.", name);
		return;
	}
	GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
	if (!g) {
		port_list_addf(a, &out->notes, "Skipped %s: it could not be read.", name);
		return;
	}
	struct found f = {0};
	find(g->root, &f, 0);
	struct port_post p = {0};
	p.title = text_of(a, f.title);
	if (!f.body) {
		port_list_addf(a, &out->notes, "Skipped %s: it has no body section (not a Medium post).",
			       name);
		gumbo_destroy_output(&kGumboDefaultOptions, g);
		return;
	}
	if (!f.subtitle && !responses) {
		port_list_addf(a, &out->notes, "Skipped \"%s\" (%s): a response you wrote on Medium "
			       "(--include-responses imports them).", *p.title ? p.title : name, name);
		gumbo_destroy_output(&kGumboDefaultOptions, g);
		return;
	}
	p.subtitle = text_of(a, f.subtitle);
	if (!*p.title)
		p.title = "Untitled";
	const char *can = f.canonical ? attr(f.canonical, "href") : NULL;
	p.canonical_url = can && (!strncmp(can, "https://", 8) || !strncmp(can, "http://", 7)) ?
				  arena_strdup(a, can) : "";
	const char *dt = f.time ? attr(f.time, "datetime") : NULL;
	struct tm tm = {0};
	const char *end = dt ? strptime(dt, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	p.published_at = end && tm.tm_year >= 70 ? (int64_t)timegm(&tm) : 0;
	p.draft = !p.published_at && !*p.canonical_url;
	/* The canonical URL's last part: "slug-1a2b3c4d5e6f" (or just an id). */
	const char *last = *p.canonical_url ? strrchr(p.canonical_url, '/') : NULL;
	p.slug = "";
	/* The export names each post's file for it (date, title, id). */
	p.source_id = arena_printf(a, "medium:%s", name);
	if (last && last[1]) {
		last++;
		const char *dash = strrchr(last, '-');
		const char *id = dash ? dash + 1 : last;
		size_t il = strlen(id);
		if (dash && il >= 8 && strspn(id, "0123456789abcdef") == il)
			p.slug = arena_strndup(a, last, (size_t)(dash - last));
	}
	for (size_t i = 0; i < f.ntags; i++) {
		const char *t = text_of(a, f.tags[i]);
		if (*t)
			port_list_add(a, &p.tags, t);
	}
	/* The body section's own bytes, converted. */
	const GumboElement *b = &f.body->v.element;
	size_t from = b->start_pos.offset, to = b->end_pos.offset;
	if (to < from || to > len)
		to = len;
	if (!port_html_to_md(a, html + from, to - from, &p.body))
		port_list_addf(a, &out->notes, "\"%s\": its text is too large to import.", p.title);
	p.body.md = past_rule(drop_heading(drop_heading(p.body.md, p.title), p.subtitle));
	gumbo_destroy_output(&kGumboDefaultOptions, g);
	if (out->n == out->cap) {
		size_t nc = out->cap ? 2 * out->cap : 16;
		struct port_post *np = arena_alloc(a, nc * sizeof(*np));
		if (out->n)
			memcpy(np, out->posts, out->n * sizeof(*np));
		out->posts = np;
		out->cap = nc;
	}
	out->posts[out->n++] = p;
}
