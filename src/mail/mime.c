/*
 * mime.c - addresses and message text (mime.h).
 */
#include "mail/mime.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("!#$%&'*+/=?^_`{|}~-", c);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

const char *mail_addr_normalise(struct arena *a, const char *in, size_t n)
{
	while (n && (*in == ' ' || *in == '\t'))
		in++, n--;
	while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	if (n < 3 || n > MAIL_ADDR_MAX)
		return NULL;
	char *s = arena_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\0')
			return NULL;
		s[i] = lower(in[i]);
	}
	s[n] = '\0';
	char *at = strchr(s, '@');
	if (!at || strchr(at + 1, '@') || at == s || (size_t)(at - s) > 64)
		return NULL;
	/* Local part: dot-atom. */
	for (const char *p = s; p < at; p++) {
		if (*p == '.') {
			if (p == s || p + 1 == at || p[1] == '.')
				return NULL;
		} else if (!atext((unsigned char)*p)) {
			return NULL;
		}
	}
	/* Domain: two or more LDH labels of 1..63. */
	const char *d = at + 1;
	size_t labels = 0, len = 0;
	for (const char *p = d;; p++) {
		if (*p == '.' || *p == '\0') {
			if (len == 0 || len > 63 || p[-1] == '-')
				return NULL;
			labels++;
			len = 0;
			if (*p == '\0')
				break;
			continue;
		}
		unsigned char c = (unsigned char)*p;
		bool ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		if (!ldh || (len == 0 && c == '-'))
			return NULL;
		len++;
	}
	return labels >= 2 ? s : NULL;
}

static bool one_line_ok(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool plain_ascii(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			return false;
	/* "=?" would read as the start of an encoded word. */
	return strstr(v, "=?") == NULL;
}

/* Whether v has a run of more than 70 bytes without a space: it could
 * not be folded, so it goes as encoded words, which can. */
static bool long_word(const char *v)
{
	size_t run = 0;
	for (; *v; v++) {
		run = *v == ' ' ? 0 : run + 1;
		if (run > 70)
			return true;
	}
	return false;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(struct buf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		buf_addch(out, B64[(v >> 18) & 63]);
		buf_addch(out, B64[(v >> 12) & 63]);
		buf_addch(out, i + 1 < n ? B64[(v >> 6) & 63] : '=');
		buf_addch(out, i + 2 < n ? B64[v & 63] : '=');
	}
}

/* Length of the UTF-8 sequence starting at p (1 for a stray byte). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
	size_t k = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
	if (k > left)
		k = left;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return i;
	return k;
}

bool mime_header(struct buf *out, const char *name, const char *value)
{
	if (!one_line_ok(value))
		return false;
	buf_adds(out, name);
	buf_adds(out, ": ");
	size_t col = strlen(name) + 2;
	if (plain_ascii(value) && !long_word(value)) {
		/* Fold at spaces so that no line passes 78 bytes. */
		const char *p = value;
		while (*p) {
			const char *sp = strchr(p + 1, ' ');
			size_t word = sp ? (size_t)(sp - p) : strlen(p);
			if (col + word > 76 && col > strlen(name) + 2 && *p == ' ') {
				buf_adds(out, "\r\n");
				col = 0;
			}
			buf_add(out, p, word);
			col += word;
			p += word;
		}
		buf_adds(out, "\r\n");
		return true;
	}
	/* Encoded words of at most 39 bytes of text each (52 of base64),
	 * never cutting a character; one per line after the first. */
	const unsigned char *p = (const unsigned char *)value;
	size_t left = strlen(value);
	bool first = true;
	while (left) {
		size_t take = 0;
		while (take < left) {
			size_t k = utf8_len(p + take, left - take);
			if (take + k > 39)
				break;
			take += k;
		}
		if (!first)
			buf_adds(out, "\r\n ");
		buf_adds(out, "=?UTF-8?B?");
		base64(out, p, take);
		buf_adds(out, "?=");
		p += take;
		left -= take;
		first = false;
	}
	buf_adds(out, "\r\n");
	return true;
}

void mime_qp(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (c == '\n') {
			buf_adds(out, "\r\n");
			col = 0;
			continue;
		}
		bool at_end = i + 1 == n || s[i + 1] == '\n' || s[i + 1] == '\r';
		bool lit = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
		/* A dot opening a line is escaped: no server reads it as the end. */
		if (c == '.' && col == 0)
			lit = false;
		size_t w = lit ? 1 : 3;
		if (col + w > 75) {
			buf_adds(out, "=\r\n");
			col = 0;
			if (c == '.') {
				lit = false;
				w = 3;
			}
		}
		if (lit) {
			buf_addch(out, (char)c);
		} else {
			buf_addch(out, '=');
			buf_addch(out, hex[c >> 4]);
			buf_addch(out, hex[c & 15]);
		}
		col += w;
	}
}

static void rfc5322_date(struct buf *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	buf_addf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
		 tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A display name as a quoted string, or encoded words when not ASCII. */
static bool add_from(struct buf *out, const char *name, const char *addr)
{
	if (!name || !*name) {
		buf_addf(out, "From: <%s>\r\n", addr);
		return true;
	}
	if (!one_line_ok(name))
		return false;
	if (plain_ascii(name) && strlen(name) <= 70) {
		buf_adds(out, "From: \"");
		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_addch(out, '\\');
			buf_addch(out, *p);
		}
		buf_addf(out, "\" <%s>\r\n", addr);
		return true;
	}
	struct buf w;
	buf_init(&w, BUF_MAX_DEFAULT);
	bool ok = mime_header(&w, "From", name) && !buf_failed(&w);
	if (ok && w.len >= 2) {
		buf_add(out, buf_str(&w), w.len - 2);
		buf_addf(out, "\r\n <%s>\r\n", addr);
	}
	buf_release(&w);
	return ok;
}

bool mime_build(const struct mime_msg *m, struct buf *out)
{
	const char *one[] = {m->from_addr, m->to_addr, m->subject, m->message_id,
			     m->list_unsubscribe ? m->list_unsubscribe : "",
			     m->list_id ? m->list_id : ""};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		if (!one[i] || !one_line_ok(one[i]) || !plain_ascii(i == 2 ? "" : one[i]))
			return false;
	if (!add_from(out, m->from_name, m->from_addr))
		return false;
	buf_addf(out, "To: <%s>\r\n", m->to_addr);
	if (!mime_header(out, "Subject", m->subject))
		return false;
	rfc5322_date(out, m->date);
	buf_addf(out, "Message-ID: %s\r\n", m->message_id);
	buf_adds(out, "MIME-Version: 1.0\r\n");
	if (m->list_unsubscribe) {
		buf_addf(out, "List-Unsubscribe: <%s>\r\n", m->list_unsubscribe);
		buf_adds(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	}
	if (m->list_id)
		buf_addf(out, "List-Id: %s\r\n", m->list_id);
	if (m->auto_generated)
		buf_adds(out, "Auto-Submitted: auto-generated\r\n");
	const char *text = m->text ? m->text : "";
	if (!m->html) {
		buf_adds(out, "Content-Type: text/plain; charset=utf-8\r\n"
			      "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		mime_qp(out, text, strlen(text));
		buf_adds(out, "\r\n");
		return !buf_failed(out);
	}
	/* Quoted-printable text never holds "=_" (a literal '=' is always
	 * =3D, and a soft break is "=" CRLF), so no part can hold the
	 * boundary. */
	char boundary[80];
	snprintf(boundary, sizeof(boundary), "=_quire_%016llx",
		 (unsigned long long)(m->date * 2654435761u) ^ (unsigned long long)strlen(text));
	buf_addf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	buf_addf(out, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
	mime_qp(out, text, strlen(text));
	buf_addf(out, "\r\n--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n\r\n", boundary);
	mime_qp(out, m->html, strlen(m->html));
	buf_addf(out, "\r\n--%s--\r\n", boundary);
	return !buf_failed(out);
}
