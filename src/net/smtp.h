/*
 * smtp.h - handing a finished message to an SMTP server, through libcurl
 * (the only room of libcurl: src/net/).
 *
 * The server is named by a URL: smtp://[user@]host[:port] (STARTTLS is
 * required, so a server that does not offer it is refused, unless the
 * client is made insecure for a loopback test server), or
 * smtps://[user@]host[:port] (TLS from the first byte). The password is
 * never in the URL: it is given apart (QUIRE_SMTP_PASSWORD).
 *
 * A client holds one connection and reuses it from message to message;
 * it belongs to one thread. Messages are complete RFC 5322 text with
 * CRLF line ends (mail/mime.h makes them).
 */
#ifndef QUIRE_NET_SMTP_H
#define QUIRE_NET_SMTP_H

#include <stdbool.h>
#include <stddef.h>

/* Once, at start. libcurl itself is set up at the first transfer
 * (net_curl_ready), so that a server that sends nothing never maps in
 * what TLS needs. */
bool net_init(void) __attribute__((warn_unused_result));
/* libcurl is set up (once, whichever thread asks first). */
bool net_curl_ready(void);
/* "libcurl/7.88.1 OpenSSL/3.0.x ...", for quire --version. */
const char *net_curl_version(void);

/* Whether url is one this module takes; false with a message in err. */
bool smtp_url_ok(const char *url, char *err, size_t errlen);

struct smtp;
/* A client for url (checked with smtp_url_ok); password may be NULL.
 * NULL with a message in err. The strings are copied. */
struct smtp *smtp_new(const char *url, const char *password, bool insecure, char *err,
		      size_t errlen);
void smtp_free(struct smtp *c);

enum smtp_result {
	SMTP_SENT,      /* the server accepted the message (250 after DATA) */
	SMTP_TEMPFAIL,  /* not now: no connection, 4xx, a timeout - try again */
	SMTP_PERMFAIL,  /* refused for good (5xx): never try again */
};
/* Send msg[0..len) from envelope sender from to recipient to; err gets
 * the server's or libcurl's reason on failure. */
enum smtp_result smtp_send(struct smtp *c, const char *from, const char *to, const char *msg,
			   size_t len, char *err, size_t errlen);

#endif
