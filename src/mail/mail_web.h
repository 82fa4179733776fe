/*
 * mail_web.h - the web side of email (issue 18): the sender thread that
 * renders and delivers the outbox, and the pages and API routes readers
 * and writers use. Included only by main.c.
 *
 * The sender renders each message when it sends it, as the reader it is
 * for would see the story (render.h, RENDER_MAIL): a sensitive photo is
 * its note and a link, a photo not for her is nothing, and a story that
 * is no longer for her is not sent at all. A message accepted by the
 * server is marked sent in the next statement; its Message-ID is the
 * outbox row's id, the same on every attempt.
 */
#ifndef QUIRE_MAIL_MAIL_WEB_H
#define QUIRE_MAIL_MAIL_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "store/store.h"

struct mail_sender_config {
	const char *smtp_url;  /* smtp://host:587 or smtps://host:465 (net/smtp.h) */
	const char *password;  /* QUIRE_SMTP_PASSWORD, or NULL */
	bool insecure;         /* --smtp-insecure: STARTTLS not required */
	const char *from_addr; /* --mail-from */
	unsigned domain_rate;  /* messages per second to one recipient domain */
	unsigned retry_base;   /* seconds before the first retry (doubling after) */
	unsigned give_up;      /* seconds after which a message that keeps failing fails */
	const char *node;      /* this app server's name, the same across its restarts
				* (host and data directory): its claims are its own */
};

/* Start the sender thread (web_init() first; the config is copied).
 * False with a message on stderr. */
bool mail_sender_start(const struct mail_sender_config *c) __attribute__((warn_unused_result));
/* Stop it: the message being sent is finished first. */
void mail_sender_stop(void);
/* Something was queued: look now rather than at the next poll. */
void mail_sender_poke(void);
/* For /metrics: messages this process sent, put off for a retry, and gave
 * up on; the outbox's messages waiting and failed as last counted (-1
 * before the first count). */
struct mail_sender_stats {
	uint64_t sent, retried, failed;
	int64_t queued_now, failed_now;
};
void mail_sender_stats(struct mail_sender_stats *out);

/* Routes. */
void api_subscribe(struct http_req *req, struct http_res *res);
void page_subscribe_post(struct http_req *req, struct http_res *res);
void page_subscribe_confirm(struct http_req *req, struct http_res *res);
void page_subscribe_confirm_post(struct http_req *req, struct http_res *res);
void page_unsubscribe(struct http_req *req, struct http_res *res);
void page_unsubscribe_post(struct http_req *req, struct http_res *res);
void api_login_links(struct http_req *req, struct http_res *res);
void page_login_link_request(struct http_req *req, struct http_res *res);
void page_login_link(struct http_req *req, struct http_res *res);
void page_login_link_post(struct http_req *req, struct http_res *res);
void page_reset_request(struct http_req *req, struct http_res *res);
void page_reset_request_post(struct http_req *req, struct http_res *res);
void page_reset(struct http_req *req, struct http_res *res);
void page_reset_post(struct http_req *req, struct http_res *res);
void page_mail_settings(struct http_req *req, struct http_res *res);
void page_mail_settings_post(struct http_req *req, struct http_res *res);
void page_email_verify(struct http_req *req, struct http_res *res);
void page_email_verify_post(struct http_req *req, struct http_res *res);
void page_subscribers(struct http_req *req, struct http_res *res);
void page_subscribers_post(struct http_req *req, struct http_res *res);
/* The save hook for stories.c (story_set_save_hook): mail_on_story_save,
 * and a poke of the sender (which also looks once a second, since the
 * commit comes after the hook). */
int mail_story_hook(struct store *st, struct arena *a, const struct story_row *before,
		    const struct story_row *after, int email);

#endif
