/*
 * feeds.h - how public stories reach readers outside the site: Atom feeds
 * (site, writer, tag), sitemap.xml, robots.txt, and the share-preview
 * tags (Open Graph, Twitter card) on public story pages.
 *
 * Everything here is built from public stories only (store listings with
 * public_only, evaluated as an anonymous viewer whoever asks), so a feed
 * or a preview can never carry a story that is not public.
 */
#ifndef QUIRE_FEEDS_FEEDS_H
#define QUIRE_FEEDS_FEEDS_H

#include <jansson.h>

#include "http/http.h"
#include "store/store.h"

#define FEED_ENTRIES 20
#define SITEMAP_MAX 50000

void feed_site(struct http_req *req, struct http_res *res);
void feed_writer(struct http_req *req, struct http_res *res);
/* /feed/{TOKEN}.atom: a reader's private feed of the circle stories she
 * may read (made and revoked in /settings). */
void feed_private(struct http_req *req, struct http_res *res);
void feed_tag(struct http_req *req, struct http_res *res);
void page_tag(struct http_req *req, struct http_res *res);
void page_sitemap(struct http_req *req, struct http_res *res);
void page_robots(struct http_req *req, struct http_res *res);

/* Add "og" (share preview) data to a story page's ctx, for public
 * stories only; nothing for any other audience. */
void feeds_share_preview(struct http_req *req, const struct story_row *s, json_t *ctx);

#endif
