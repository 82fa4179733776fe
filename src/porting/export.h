/*
 * export.h - "Download everything" (issue 19): a writer's whole site in
 * one zip she can keep, read, publish with Hugo or Jekyll as it is, or
 * bring into another Quire (`quire import quire`, import_cmd.h). Written
 * by `quire export --user HANDLE OUT.zip` and the settings page's button.
 *
 * Layout (everything under one folder, "quire-HANDLE/"):
 *
 *   quire.json                       manifest: {"format": "quire-export",
 *                                    "version": 1, "handle", "exported_at",
 *                                    counts}; nothing private in it
 *   content/_posts/YYYY-MM-DD-SLUG.md  stories published for everyone
 *   content/_drafts/YYYY-MM-DD-SLUG.md every other story: drafts,
 *                                    scheduled, unlisted, circle, private
 *   static/photos/ID.jpg             photos a public site may show
 *   _quire/photos/ID.jpg             every other photo (sensitive ones,
 *                                    ones for fewer people than their
 *                                    story, those of stories in _drafts)
 *   _quire/pending/YYYY-MM-DD-SLUG.md  a published story's pending draft
 *   _quire/responses.json            responses on her stories, with state
 *   _quire/circles.json              circles, members, invitations
 *   _quire/subscribers.json          her email subscribers
 *   _quire/settings.json             profile, response defaults, muted
 *                                    words, blocked readers
 *   hugo.toml, _config.yml           the site's title, for Hugo and Jekyll
 *
 * Why this layout: Jekyll reads posts from any folder called _posts (the
 * folders above it become the post's category) and drafts from _drafts
 * (built only with --drafts), named YYYY-MM-DD-TITLE.md; Hugo reads every
 * Markdown file under content/ (a folder of it is a section; the name
 * "_posts" means nothing special to Hugo) and skips draft: true unless
 * built with -D. So content/_posts is read as is by both, and the same
 * files are the posts of both; neither needs a second copy. Neither
 * publishes a folder whose name starts with "_" at the top (Jekyll skips
 * them, Hugo only knows content/, static/, layouts/ ...), which is where
 * everything that is not for a public site waits: a site generator run on
 * this folder as it is never publishes what she did not publish to
 * everyone. For the same reason draft is true for every story in
 * content/_drafts, a published circle story too; "status" says what each
 * story is in Quire.
 *
 * Each Markdown file is YAML front matter (porting/frontmatter.h: every
 * string quoted and escaped) and the story's Markdown body:
 *
 *   title, subtitle, slug            strings
 *   date                             published_at, or created_at if never
 *   created, updated (and lastmod,   RFC 3339 UTC times; edited is the last
 *   for Hugo), edited                change after it was first published
 *   status                           "published" | "draft" | "scheduled"
 *   publish_at                       for "scheduled": when
 *   draft                            true for everything in _drafts
 *   audience                         public | unlisted | circle | private
 *   circle                           the circle's name (audience circle)
 *   content_note, canonical_url      strings ("" when none)
 *   responses, responders            the policy: open|approval|off,
 *                                    signed_in|circle
 *   tags                             a list of strings
 *   photos                           a list of {file, id, alt, caption,
 *                                    audience (story|circle|private),
 *                                    circle, sensitive, note, width, height}
 *   pending                          the file of the pending draft, if any
 *   quire_id                         the story's id on the site it left
 *
 * Photos are the largest variant Quire stored (JPEG; already stripped of
 * every metadata, as everything Quire stores), and every reference in a
 * body ("![alt](photo:ID "caption")") points at the photo's file by a
 * path relative to the Markdown file ("../../static/photos/ID.jpg"), as
 * does each photo's "file". A published story is exported as readers
 * have it (the published version); her pending draft of it, when there
 * is one, is kept whole in _quire/pending/ (front matter: title,
 * subtitle, audience, circle, content_note, responses, responders, tags,
 * updated), so nothing she wrote is lost. Stories in the trash are not
 * exported (she deleted them).
 *
 * Memory and threads: each call works in arenas of its own; safe on any
 * thread with its own store connection. Needs web_cfg (the photo files).
 */
#ifndef QUIRE_PORTING_EXPORT_H
#define QUIRE_PORTING_EXPORT_H

#include "core/arena.h"
#include "porting/porting.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPORT_FORMAT "quire-export"
#define EXPORT_VERSION 1

struct export_stats {
	size_t stories, pending, photos, missing_photos, responses, circles, subscribers;
};

/*
 * Write u's export to a new zip at path (written beside it and renamed
 * into place, so path never holds half an export). True on success with
 * *stats filled; false with err and nothing at path. A photo whose file
 * cannot be found is left out and counted in missing_photos (its story
 * still names it).
 */
bool export_user(struct store *st, const struct user_row *u, const char *path,
		 struct export_stats *stats, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* "quire-HANDLE-YYYY-MM-DD.zip" for u at time now, in a. */
const char *export_file_name(struct arena *a, const struct user_row *u, int64_t now);

/* ---- reading an export back (quire_read.c; pure: files through callbacks) ---- */

struct quire_photo {
	const char *file;      /* its path inside the export, resolved ("static/photos/ID.jpg") */
	const char *id;        /* its id on the site it left, "" when unknown */
	const char *alt, *caption, *note;
	const char *audience;  /* "story" | "circle" | "private" */
	const char *circle;    /* the circle's name for "circle", else "" */
	bool sensitive;
};

/* A story's text and settings: the story itself, or its pending draft. */
struct quire_text {
	const char *path;      /* the Markdown file inside the export */
	const char *title, *subtitle, *body;
	const char *audience, *circle, *content_note, *responses, *responders;
	struct port_list tags;
	int64_t updated_at;
};

struct quire_story {
	struct quire_text t;
	const char *source_id; /* quire_id, never "" */
	const char *slug, *status, *canonical_url;
	int64_t created_at, published_at, edited_at, publish_at;
	struct quire_photo *photos;
	size_t nphotos;
	const char *pending_path;   /* its pending draft's file inside the export, or NULL */
	struct quire_text *pending; /* read from there by quire_read(); NULL: none */
};

struct quire_circle {
	const char *name;
	struct port_list members, invited; /* handles */
};

struct quire_settings {
	const char *bio, *time_zone;                /* NULL: not in the export */
	const char *responses, *responders;         /* the defaults; NULL: not given */
	struct port_list muted, blocked;            /* phrases; handles */
};

struct quire_export {
	const char *handle;    /* whose it was */
	struct quire_story *stories;
	size_t n;
	struct quire_circle *circles;
	size_t ncircles;
	struct quire_settings settings;
	struct port_list notes; /* what was skipped, and why */
};

/* The names (inside the export) of its files under folder ("content/_posts/")
 * ending in ext, sorted; NULL when there is no such folder. */
typedef const char **(*port_list_fn)(void *ctx, struct arena *a, const char *folder,
				     const char *ext, size_t *n);

/*
 * Read the export whose files file() and list() give: quire.json (its
 * format and version must be this binary's or older), every Markdown file
 * of content/_posts and content/_drafts and the pending drafts they name,
 * and _quire/circles.json and _quire/settings.json. False with err when it
 * is not a Quire export this version reads (nothing is half-read then); a
 * single story that cannot be read is skipped with a note.
 */
bool quire_read(struct arena *a, port_file_fn file, port_list_fn list, void *ctx,
		struct quire_export *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* One Markdown file of an export (path: its name inside it), front matter
 * and body, into *out (pending: read it as a pending draft, whose fields
 * are fewer). False with err ("line N: ...") when it cannot be. Pure; the
 * fuzz target drives it. */
bool quire_read_story(struct arena *a, const char *path, const char *text, size_t len,
		      struct quire_story *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));
bool quire_read_text(struct arena *a, const char *path, const char *text, size_t len,
		     struct quire_text *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* rel ("../../static/photos/ID.jpg") against the folder of the file at
 * from ("content/_posts/x.md"): "static/photos/ID.jpg"; NULL when rel is
 * absolute, holds a backslash or an empty part, or climbs out. */
const char *quire_path_join(struct arena *a, const char *from, const char *rel);

/* body (of the file at path) with the target of every "](TARGET" that
 * resolves (quire_path_join) to files[i] replaced by "photo:" and
 * ids[i]; *swapped counts the replacements. */
const char *quire_swap_photos(struct arena *a, const char *body, const char *path,
			      const char *const *files, const char *const *ids, size_t n,
			      size_t *swapped);

#endif
