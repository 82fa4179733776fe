/*
 * wxr.c - WordPress eXtended RSS exports into post records (porting.h).
 *
 * libxml2 parses the whole file into a tree (exports are bounded by
 * PORT_MAX_EXPORT) with XML_PARSE_NONET and without XML_PARSE_NOENT,
 * XML_PARSE_DTDLOAD or XML_PARSE_HUGE: no network, no external DTD, no
 * entity substitution (a "billion laughs" stays a reference), and
 * libxml2's own limits on depth and text size. Elements are matched by
 * namespace: WordPress's (http://wordpress.org/export/1.x/), RSS content
 * and excerpt modules; a WXR without them is not one.
 */
#include "porting/porting.h"
#include "porting/xml_dl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NS_WP "http://wordpress.org/export/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_EXCERPT_SUFFIX "/excerpt/"

static bool named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static const char *ns_of(const xmlNode *n)
{
	return n->ns && n->ns->href ? (const char *)n->ns->href : "";
}

static bool in_wp(const xmlNode *n)
{
	const char *h = ns_of(n);
	return !strncmp(h, NS_WP, strlen(NS_WP)) && !strstr(h, NS_EXCERPT_SUFFIX);
}

/* The element's text (CDATA included), trimmed, in a. */
static const char *text_of(struct arena *a, const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = t ? (const char *)t : "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' ||
		       s[len - 1] == '\n'))
		len--;
	const char *out = arena_strndup(a, s, len);
	xmlFree(t);
	return out;
}

/* "2024-06-05 16:04:48" as UTC; 0 when it is no date (WordPress writes
 * 0000-00-00 00:00:00 for drafts). */
static int64_t wp_date(const char *s)
{
	struct tm tm = {0};
	char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end || *end || tm.tm_year < 70)
		return 0;
	return (int64_t)timegm(&tm);
}

/* RFC 822 pubDate, "Wed, 05 Jun 2024 16:04:48 +0000"; 0 when none. */
static int64_t rss_date(const char *s)
{
	struct tm tm = {0};
	char *end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end || tm.tm_year < 70)
		return 0;
	int64_t t = (int64_t)timegm(&tm);
	while (*end == ' ')
		end++;
	if ((*end == '+' || *end == '-') && strlen(end) >= 5) {
		int h = (end[1] - '0') * 10 + (end[2] - '0'), m = (end[3] - '0') * 10 + (end[4] - '0');
		int off = (h * 60 + m) * 60;
		t += *end == '+' ? -off : off;
	}
	return t;
}

static void add_post(struct arena *a, struct port_export *out, const struct port_post *p)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 16;
		struct port_post *np = arena_alloc(a, cap * sizeof(*np));
		if (out->n)
			memcpy(np, out->posts, out->n * sizeof(*np));
		out->posts = np;
		out->cap = cap;
	}
	out->posts[out->n++] = *p;
}

/* The subtitle from an excerpt: its text on one line, at most 200 bytes
 * cut at a space. */
static const char *subtitle_of(struct arena *a, const char *excerpt)
{
	struct port_md m;
	if (!*excerpt || !port_html_to_md(a, excerpt, strlen(excerpt), &m))
		return "";
	char *s = arena_strdup(a, m.md);
	size_t w = 0;
	for (size_t r = 0; s[r]; r++) {
		char c = s[r] == '\n' || s[r] == '\t' ? ' ' : s[r];
		if (c == ' ' && (!w || s[w - 1] == ' '))
			continue;
		if (c == '*' || c == '_' || c == '\\')
			continue; /* emphasis marks of the conversion */
		s[w++] = c;
	}
	while (w && s[w - 1] == ' ')
		w--;
	if (w > 200) {
		w = 200;
		while (w > 0 && s[w] != ' ' && ((unsigned char)s[w] & 0xc0) == 0x80)
			w--;
		while (w > 0 && s[w - 1] != ' ')
			w--;
		while (w && s[w - 1] == ' ')
			w--;
	}
	s[w] = '\0';
	return s;
}

/* site: the export's site (wp:base_site_url, else the channel's link),
 * which makes a post id an id of that site's post. */
static void read_item(struct arena *a, const xmlNode *item, const char *site,
		      struct port_export *out)
{
	struct port_post p = {0};
	const char *type = "post", *status = "publish", *id = "", *guid = "", *content = "",
		   *excerpt = "";
	int64_t gmt = 0, pub = 0;
	p.title = p.subtitle = p.slug = p.canonical_url = "";
	for (const xmlNode *c = item->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (named(c, "title") && !c->ns) {
			p.title = text_of(a, c);
		} else if (named(c, "link") && !c->ns) {
			p.canonical_url = text_of(a, c);
		} else if (named(c, "guid") && !c->ns) {
			guid = text_of(a, c);
		} else if (named(c, "pubDate") && !c->ns) {
			pub = rss_date(text_of(a, c));
		} else if (named(c, "encoded") && !strcmp(ns_of(c), NS_CONTENT)) {
			content = text_of(a, c);
		} else if (named(c, "encoded") && strstr(ns_of(c), NS_EXCERPT_SUFFIX)) {
			excerpt = text_of(a, c);
		} else if (named(c, "category") && !c->ns) {
			xmlChar *dom = xmlGetProp(c, (const xmlChar *)"domain");
			xmlChar *nice = xmlGetProp(c, (const xmlChar *)"nicename");
			bool tag = !dom || !strcmp((const char *)dom, "post_tag") ||
				   !strcmp((const char *)dom, "category");
			const char *name = text_of(a, c);
			if (tag && *name && strcmp(nice ? (const char *)nice : "", "uncategorized") != 0)
				port_list_add(a, &p.tags, name);
			xmlFree(dom);
			xmlFree(nice);
		} else if (in_wp(c)) {
			if (named(c, "post_id"))
				id = text_of(a, c);
			else if (named(c, "post_name"))
				p.slug = text_of(a, c);
			else if (named(c, "status"))
				status = text_of(a, c);
			else if (named(c, "post_type"))
				type = text_of(a, c);
			else if (named(c, "post_date_gmt"))
				gmt = wp_date(text_of(a, c));
		}
	}
	const char *label = *p.title ? p.title : *id ? id : "(untitled)";
	if (strcmp(type, "post") != 0) {
		port_list_addf(a, &out->notes, "Skipped \"%s\": a WordPress %s, not a post.", label, type);
		return;
	}
	p.source_id = *id ? arena_printf(a, "%s#post-%s", site, id) : *guid ? guid : NULL;
	if (!p.source_id) {
		port_list_addf(a, &out->notes, "Skipped \"%s\": it has neither a post id nor a guid.",
			       label);
		return;
	}
	p.draft = strcmp(status, "publish") != 0;
	if (!strcmp(status, "private"))
		port_list_addf(a, &p.body.notes, "It was private on WordPress: it comes in as a draft.");
	p.published_at = gmt ? gmt : p.draft ? 0 : pub;
	p.subtitle = subtitle_of(a, excerpt);
	struct port_list keep = p.body.notes;
	if (!port_html_to_md(a, content, strlen(content), &p.body))
		port_list_addf(a, &out->notes, "\"%s\": its text is too large to import.", label);
	for (size_t i = 0; i < keep.n; i++)
		port_list_add(a, &p.body.notes, keep.items[i]);
	if (!*p.title)
		p.title = "Untitled";
	add_post(a, out, &p);
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

bool port_read_wxr(struct arena *a, const char *xml, size_t len, struct port_export *out,
		   char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (len > PORT_MAX_EXPORT || len > (size_t)0x7fffffff) {
		snprintf(err, errlen, "the file is larger than %zu MB", PORT_MAX_EXPORT >> 20);
		return false;
	}
	if (!xml_dl_open(err, errlen))
		return false;
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlParserCtxtPtr ctx = xmlNewParserCtxt();
	if (!ctx) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	xmlDocPtr doc = xmlCtxtReadMemory(ctx, xml, (int)len, "export.xml", NULL,
					  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlCtxtGetLastError(ctx);
		snprintf(err, errlen, "line %d: %s", e ? e->line : 0,
			 e && e->message ? e->message : "not well-formed XML\n");
		size_t n = strlen(err);
		if (n && err[n - 1] == '\n')
			err[n - 1] = '\0';
		xmlFreeParserCtxt(ctx);
		return false;
	}
	xmlFreeParserCtxt(ctx);
	/* No export declares entities; one that does is refused before any
	 * text is read, since reading the text of a reference expands it
	 * (a "billion laughs" would). */
	if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities)) {
		snprintf(err, errlen, "its DOCTYPE declares XML entities, which a WordPress export "
			 "never does; it is not imported");
		xmlFreeDoc(doc);
		return false;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	xmlNode *channel = NULL;
	for (xmlNode *c = root && named(root, "rss") ? root->children : NULL; c && !channel; c = c->next)
		if (named(c, "channel"))
			channel = c;
	/* WordPress's namespace declared on the root, as every export does. */
	bool wxr = false;
	for (xmlNs *ns = root ? root->nsDef : NULL; ns && !wxr; ns = ns->next)
		wxr = ns->href && !strncmp((const char *)ns->href, NS_WP, strlen(NS_WP));
	if (!channel || !wxr) {
		snprintf(err, errlen, "line %d: not a WordPress export (WXR): no <rss><channel> with "
			 "WordPress elements", root ? (int)xmlGetLineNo(root) : 1);
		xmlFreeDoc(doc);
		return false;
	}
	const char *site = "", *link = "";
	for (xmlNode *c = channel->children; c; c = c->next) {
		if (named(c, "base_site_url") && in_wp(c))
			site = text_of(a, c);
		else if (named(c, "link") && !c->ns)
			link = text_of(a, c);
	}
	if (!*site)
		site = *link ? link : "wordpress";
	for (xmlNode *c = channel->children; c; c = c->next)
		if (named(c, "item"))
			read_item(a, c, site, out);
	xmlFreeDoc(doc);
	return true;
}
