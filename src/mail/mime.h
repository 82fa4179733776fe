/*
 * mime.h - email addresses and messages, pure (no I/O, no store): the
 * check of an address a reader types, and the text of a message as RFC
 * 5322 + MIME (RFC 2045-2047) with an HTML part and its plain-text
 * alternative. Everything here is for outside bytes or goes to an outside
 * server, so fuzz/fuzz_mail.c drives all of it.
 */
#ifndef QUIRE_MAIL_MIME_H
#define QUIRE_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"

#define MAIL_ADDR_MAX 254

/* The address a reader typed, as Quire keeps it: surrounding spaces cut,
 * the domain lowercased (and the local part, which every provider treats
 * without case), exactly one '@', a local part of letters, digits and
 * !#$%&'*+/=?^_`{|}~- with single dots inside, a domain of at least two
 * dot-separated labels of letters, digits and inner hyphens; at most 254
 * bytes. NULL when in[0..n) is not such an address; else a new string in a. */
const char *mail_addr_normalise(struct arena *a, const char *in, size_t n);

/* A message. Every string is UTF-8 and at most one line, except the two
 * bodies (LF or CRLF line ends, any length). NULL optional fields are
 * left out. */
struct mime_msg {
	const char *from_name;  /* display name of the sender, or NULL */
	const char *from_addr;
	const char *to_addr;
	const char *subject;
	const char *message_id; /* "<id@host>", stable for the message */
	int64_t date;           /* Unix time */
	const char *list_unsubscribe; /* an https/http URL: List-Unsubscribe and
				       * List-Unsubscribe-Post (RFC 8058) */
	const char *list_id;    /* "<writer.host>", or NULL */
	bool auto_generated;    /* Auto-Submitted: auto-generated (notices, links) */
	const char *text;       /* text/plain part */
	const char *html;       /* text/html part, or NULL for plain text only */
};

/* The whole message, CRLF line ends, no line over 78 bytes, appended to
 * out. A header value that is not plain printable ASCII is an RFC 2047
 * encoded word; both bodies are quoted-printable UTF-8. False (out partly
 * written) when a one-line field holds a line break or a control
 * character. */
bool mime_build(const struct mime_msg *m, struct buf *out);

/* Append value as a header field value (RFC 2047 "B" words when it is
 * not printable ASCII), folded; name is "Subject" etc. False when value
 * holds a control character. */
bool mime_header(struct buf *out, const char *name, const char *value);

/* Append s[0..n) quoted-printable (RFC 2045), CRLF line ends. */
void mime_qp(struct buf *out, const char *s, size_t n);

#endif
