/*
 * fed_objects.c - the ActivityPub objects of fed_int.h: a writer's
 * Person, a story's Article and its Create, their addresses, and the
 * reply that carries them. The content of an Article is the story's
 * RENDER_AP rendering (render/render.h), never a copy of that rule.
 */
#include "fed/fed_int.h"
#include "store/store_fed.h"

#include "audience/audience.h"
#include "fed/keys.h"
#include "media/media.h"
#include "render/render.h"
#include "stories/stories.h"
#include "web/web.h"

#include <stdlib.h>
#include <string.h>

const char *fed_actor_url(struct http_req *req, const char *handle)
{
	return web_url(req, arena_printf(&req->arena, "/@%s", handle));
}

const char *fed_key_id(struct http_req *req, const char *handle)
{
	return arena_printf(&req->arena, "%s#main-key", fed_actor_url(req, handle));
}

const char *fed_inbox_url(struct http_req *req, const char *handle)
{
	return web_url(req, arena_printf(&req->arena, "/@%s/inbox", handle));
}

const char *fed_shared_inbox_url(struct http_req *req)
{
	return web_url(req, "/inbox");
}

const char *fed_collection_url(struct http_req *req, const char *handle, const char *which)
{
	return web_url(req, arena_printf(&req->arena, "/ap/users/%s/%s", handle, which));
}

const char *fed_article_url(struct http_req *req, const char *story_id)
{
	return web_url(req, arena_printf(&req->arena, "/ap/stories/%s", story_id));
}

bool fed_story_is_public(struct http_req *req, const struct story_row *s)
{
	return s->status == STATUS_PUBLISHED && s->audience == AUDIENCE_PUBLIC &&
	       !s->author_suspended && audience_may_see_story(web_store(req), NULL, s);
}

/* Her bio (plain text) as the little HTML a summary is: escaped, a
 * paragraph per blank-line block, line breaks kept. */
static const char *bio_html(struct http_req *req, const char *bio)
{
	if (!bio || !*bio)
		return "";
	struct buf b;
	buf_init(&b, 64 << 10);
	buf_adds(&b, "<p>");
	for (const char *p = bio; *p;) {
		size_t n = strcspn(p, "\n");
		size_t len = n && p[n - 1] == '\r' ? n - 1 : n;
		buf_add_html(&b, p, len);
		p += n;
		if (!*p)
			break;
		p++;
		if (*p == '\n' || (*p == '\r' && p[1] == '\n')) {
			while (*p == '\n' || *p == '\r')
				p++;
			if (*p)
				buf_adds(&b, "</p><p>");
		} else if (*p) {
			buf_adds(&b, "<br>");
		}
	}
	buf_adds(&b, "</p>");
	const char *r = buf_failed(&b) ? "" : arena_strndup(&req->arena, buf_str(&b), b.len);
	buf_release(&b);
	return r;
}

json_t *fed_person(struct http_req *req, const struct user_row *u)
{
	const char *pub, *priv;
	if (fed_key_for(web_store(req), &req->arena, u->id, &pub, &priv) != FED_OK)
		return NULL;
	const char *id = fed_actor_url(req, u->handle);
	json_t *ctx = json_pack("[s,s,{s:s,s:s,s:s}]", FED_AS_CONTEXT, "https://w3id.org/security/v1",
				"manuallyApprovesFollowers", "as:manuallyApprovesFollowers", "toot",
				"http://joinmastodon.org/ns#", "discoverable", "toot:discoverable");
	json_t *o = json_object();
	json_object_set_new(o, "@context", ctx);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "type", json_string("Person"));
	json_object_set_new(o, "preferredUsername", json_string(u->handle));
	json_object_set_new(o, "name", json_string(u->name && u->name[0] ? u->name : u->handle));
	json_object_set_new(o, "summary", json_string(bio_html(req, u->bio)));
	json_object_set_new(o, "url", json_string(id));
	json_object_set_new(o, "published", json_string(web_fmt_rfc3339(&req->arena, u->created_at)));
	json_object_set_new(o, "inbox", json_string(fed_inbox_url(req, u->handle)));
	json_object_set_new(o, "outbox", json_string(fed_collection_url(req, u->handle, "outbox")));
	json_object_set_new(o, "followers",
			    json_string(fed_collection_url(req, u->handle, "followers")));
	json_object_set_new(o, "following",
			    json_string(fed_collection_url(req, u->handle, "following")));
	json_object_set_new(o, "endpoints",
			    json_pack("{s:s}", "sharedInbox", fed_shared_inbox_url(req)));
	bool approve = false;
	if (store_fed_approve_get(web_store(req), u->id, &approve))
		approve = false;
	json_object_set_new(o, "manuallyApprovesFollowers", json_boolean(approve));
	json_object_set_new(o, "discoverable", json_true());
	json_object_set_new(o, "publicKey", json_pack("{s:s,s:s,s:s}", "id", fed_key_id(req, u->handle),
						      "owner", id, "publicKeyPem", pub));
	/* Her photo, as public as her profile (media/: already stripped). */
	struct profile_row p;
	const char *av = store_profile_get(web_store(req), &req->arena, u->id, &p) == STORE_OK ?
			 media_avatar_url(&req->arena, u->handle, p.avatar_hash) : NULL;
	if (av)
		json_object_set_new(o, "icon", json_pack("{s:s,s:s,s:s}", "type", "Image", "mediaType",
							 "image/jpeg", "url", web_url(req, av)));
	return o;
}

json_t *fed_article_json(struct http_req *req, const struct story_row *s, bool with_context)
{
	struct arena *a = &req->arena;
	const char *actor = fed_actor_url(req, s->author_handle);
	json_t *o = json_object();
	if (with_context)
		json_object_set_new(o, "@context",
				    json_pack("[s,{s:s,s:s}]", FED_AS_CONTEXT, "sensitive",
					      "as:sensitive", "Hashtag", "as:Hashtag"));
	json_object_set_new(o, "id", json_string(fed_article_url(req, s->id)));
	json_object_set_new(o, "type", json_string("Article"));
	json_object_set_new(o, "attributedTo", json_string(actor));
	json_object_set_new(o, "name", json_string(s->title));
	/* The content note is the summary a reader sees first (Mastodon's
	 * content warning); without one, the subtitle. */
	bool noted = s->content_note && s->content_note[0];
	if (noted)
		json_object_set_new(o, "summary", json_string(s->content_note));
	else if (s->subtitle && s->subtitle[0])
		json_object_set_new(o, "summary", json_string(s->subtitle));
	else
		json_object_set_new(o, "summary", json_null());
	json_object_set_new(o, "sensitive", json_boolean(noted));
	json_object_set_new(o, "content", json_string(render_story_html(req, s, RENDER_AP)));
	json_object_set_new(o, "mediaType", json_string("text/html"));
	json_object_set_new(o, "url", json_string(web_url(req, story_path(a, s))));
	int64_t when = s->published_at ? s->published_at : s->created_at;
	json_object_set_new(o, "published", json_string(web_fmt_rfc3339(a, when)));
	if (s->edited_at)
		json_object_set_new(o, "updated", json_string(web_fmt_rfc3339(a, s->edited_at)));
	json_object_set_new(o, "to", json_pack("[s]", FED_PUBLIC));
	json_object_set_new(o, "cc", json_pack("[s]", fed_collection_url(req, s->author_handle,
									"followers")));
	json_t *tags = json_array();
	const char **t;
	size_t n = 0;
	if (store_tags_get(web_store(req), a, s->id, &t, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(tags, json_pack("{s:s,s:s,s:s}", "type", "Hashtag", "href",
							      web_url(req, arena_printf(a, "/tag/%s", t[i])),
							      "name", arena_printf(a, "#%s", t[i])));
	json_object_set_new(o, "tag", tags);
	return o;
}

json_t *fed_create_json(struct http_req *req, const struct story_row *s)
{
	json_t *art = fed_article_json(req, s, false);
	json_t *o = json_object();
	json_object_set_new(o, "@context",
			    json_pack("[s,{s:s,s:s}]", FED_AS_CONTEXT, "sensitive", "as:sensitive",
				      "Hashtag", "as:Hashtag"));
	json_object_set_new(o, "id", json_string(arena_printf(&req->arena, "%s#create",
							      fed_article_url(req, s->id))));
	json_object_set_new(o, "type", json_string("Create"));
	json_object_set_new(o, "actor", json_string(fed_actor_url(req, s->author_handle)));
	json_object_set_new(o, "published", json_incref(json_object_get(art, "published")));
	json_object_set_new(o, "to", json_incref(json_object_get(art, "to")));
	json_object_set_new(o, "cc", json_incref(json_object_get(art, "cc")));
	json_object_set_new(o, "object", art);
	return o;
}

void fed_reply(struct http_req *req, struct http_res *res, json_t *obj)
{
	res->status = 200;
	res->content_type = FED_AP_TYPE "; charset=utf-8";
	buf_reset(&res->body);
	web_security_headers(req, res);
	http_res_header(req, res, "Cache-Control", "max-age=60");
	char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		buf_adds(&res->body, s);
		free(s);
	} else {
		res->status = 500;
	}
	json_decref(obj);
}

void fed_error(struct http_req *req, struct http_res *res, int status, const char *msg)
{
	res->status = status;
	res->content_type = "text/plain; charset=utf-8";
	buf_reset(&res->body);
	web_security_headers(req, res);
	http_res_header(req, res, "Cache-Control", "no-store");
	buf_adds(&res->body, msg);
	buf_addch(&res->body, '\n');
}
