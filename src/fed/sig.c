/*
 * sig.c - HTTP Signatures (sig.h): the Signature header's parser, the
 * signing string, the signer and the verifier, with the Date and Digest
 * they rest on and a small base64 codec.
 */
#include "fed/sig.h"

#include "core/buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *sig_strerror(enum sig_err e)
{
	switch (e) {
	case SIG_OK: return "ok";
	case SIG_MALFORMED: return "no usable Signature header";
	case SIG_ALGORITHM: return "the signature's algorithm is not rsa-sha256";
	case SIG_UNCOVERED: return "the signature does not cover (request-target), host, date "
				   "and digest";
	case SIG_MISSING: return "a signed header is missing from the request";
	case SIG_STALE: return "the request's Date is missing, unreadable or too far from now";
	case SIG_DIGEST: return "the Digest is missing or not the body's";
	case SIG_BAD: return "the signature does not verify";
	}
	return "unknown error";
}

/* ---- base64 ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *sig_base64(struct arena *a, const unsigned char *p, size_t n)
{
	char *out = arena_alloc(a, (n + 2) / 3 * 4 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = B64[(v >> 18) & 63];
		out[o++] = B64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? B64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool sig_unbase64(const char *s, size_t len, unsigned char *out, size_t max, size_t *n)
{
	*n = 0;
	/* Padding is optional, but only at the end and only what fits. */
	size_t pad = 0;
	while (len && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (len % 4 == 1 || (pad && (len + pad) % 4 != 0))
		return false;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)s[i]);
		if (v < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (*n >= max)
				return false;
			out[(*n)++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	/* The bits left over must be zero (one spelling per value). */
	return (acc & ((1u << bits) - 1)) == 0;
}

/* ---- Date and Digest ---- */

static const char *const WDAY[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const MON[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

const char *sig_http_date(struct arena *a, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	return arena_printf(a, "%s, %02d %s %04d %02d:%02d:%02d GMT", WDAY[tm.tm_wday], tm.tm_mday,
			    MON[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* n decimal digits at s into *v. */
static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

bool sig_parse_http_date(const char *s, int64_t *t)
{
	/* "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed places. */
	if (!s || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
	    s[16] != ' ' || s[19] != ':' || s[22] != ':' || strcmp(s + 25, " GMT") != 0)
		return false;
	int wday = -1, mon = -1;
	for (int i = 0; i < 7; i++)
		if (!strncmp(s, WDAY[i], 3))
			wday = i;
	for (int i = 0; i < 12; i++)
		if (!strncmp(s + 8, MON[i], 3))
			mon = i;
	int day, year, hh, mm, ss;
	if (wday < 0 || mon < 0 || !digits(s + 5, 2, &day) || !digits(s + 12, 4, &year) ||
	    !digits(s + 17, 2, &hh) || !digits(s + 20, 2, &mm) || !digits(s + 23, 2, &ss) ||
	    day < 1 || day > 31 || year < 1970 || hh > 23 || mm > 59 || ss > 59)
		return false; /* no leap second: every date has one spelling */
	struct tm tm = {.tm_year = year - 1900, .tm_mon = mon, .tm_mday = day, .tm_hour = hh,
			.tm_min = mm, .tm_sec = ss};
	time_t v = timegm(&tm);
	/* The day must exist (not 31 February) and be the weekday named. */
	struct tm back;
	if (v == (time_t)-1 || !gmtime_r(&v, &back) || back.tm_mday != day || back.tm_wday != wday)
		return false;
	*t = (int64_t)v;
	return true;
}

const char *sig_digest(struct arena *a, const void *body, size_t len)
{
	unsigned char h[32];
	fed_sha256(body, len, h);
	return arena_printf(a, "SHA-256=%s", sig_base64(a, h, sizeof(h)));
}

bool sig_digest_matches(const char *header, const void *body, size_t len)
{
	if (!header)
		return false;
	unsigned char want[32];
	fed_sha256(body, len, want);
	const char *p = header;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *item = p;
		size_t tail = n;
		while (tail && (*item == ' ' || *item == '\t')) {
			item++;
			tail--;
		}
		while (tail && (item[tail - 1] == ' ' || item[tail - 1] == '\t'))
			tail--;
		if (tail > 8 && strncasecmp(item, "SHA-256=", 8) == 0) {
			unsigned char got[33];
			size_t gn;
			if (sig_unbase64(item + 8, tail - 8, got, sizeof(got), &gn) && gn == 32 &&
			    memcmp(got, want, 32) == 0)
				return true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* ---- the Signature header ---- */

enum { P_KEYID = 1, P_ALG = 2, P_HEADERS = 4, P_SIG = 8, P_CREATED = 16, P_EXPIRES = 32 };

/* v[0..n) as a decimal time; false if it is not one. */
static bool int_value(const char *v, size_t n, int64_t *out)
{
	if (n == 0 || n > 18)
		return false;
	int64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return false;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return true;
}

/* headers= lowercased, runs of blanks as one space; NULL if empty. */
static const char *norm_headers(struct arena *a, const char *v, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ' ' || c == '\t') {
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return NULL;
		out[o++] = (char)tolower(c);
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o ? out : NULL;
}

enum sig_err sig_parse(struct arena *a, const char *value, struct sig_header *out)
{
	memset(out, 0, sizeof(*out));
	out->algorithm = "";
	out->headers = "date";
	if (!value || strlen(value) > SIG_HEADER_MAX)
		return SIG_MALFORMED;
	unsigned seen = 0;
	const char *p = value;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		const char *name = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '-')
			p++;
		size_t nl = (size_t)(p - name);
		while (*p == ' ' || *p == '\t')
			p++;
		if (!nl || *p != '=')
			return SIG_MALFORMED;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *v;
		size_t vl;
		if (*p == '"') {
			v = ++p;
			const char *end = strchr(p, '"');
			if (!end)
				return SIG_MALFORMED;
			vl = (size_t)(end - v);
			p = end + 1;
		} else {
			v = p;
			while (*p && *p != ',' && *p != ' ' && *p != '\t')
				p++;
			vl = (size_t)(p - v);
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != ',')
			return SIG_MALFORMED;
		unsigned bit = 0;
		if (nl == 5 && !strncmp(name, "keyId", 5)) {
			bit = P_KEYID;
			if (!vl || vl > SIG_KEY_ID_MAX)
				return SIG_MALFORMED;
			out->key_id = arena_strndup(a, v, vl);
		} else if (nl == 9 && !strncmp(name, "algorithm", 9)) {
			bit = P_ALG;
			if (vl > 64)
				return SIG_MALFORMED;
			char *alg = arena_strndup(a, v, vl);
			for (char *c = alg; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			out->algorithm = alg;
		} else if (nl == 7 && !strncmp(name, "headers", 7)) {
			bit = P_HEADERS;
			if (vl > 1024 || !(out->headers = norm_headers(a, v, vl)))
				return SIG_MALFORMED;
		} else if (nl == 9 && !strncmp(name, "signature", 9)) {
			bit = P_SIG;
			if (!sig_unbase64(v, vl, out->sig, sizeof(out->sig), &out->siglen) ||
			    !out->siglen)
				return SIG_MALFORMED;
		} else if (nl == 7 && !strncmp(name, "created", 7)) {
			bit = P_CREATED;
			if (!int_value(v, vl, &out->created))
				return SIG_MALFORMED;
		} else if (nl == 7 && !strncmp(name, "expires", 7)) {
			bit = P_EXPIRES;
			if (!int_value(v, vl, &out->expires))
				return SIG_MALFORMED;
		}
		if (bit & seen)
			return SIG_MALFORMED;
		seen |= bit;
	}
	return (seen & (P_KEYID | P_SIG)) == (P_KEYID | P_SIG) ? SIG_OK : SIG_MALFORMED;
}

/* Whether the space-separated list names holds name. */
static bool covers(const char *names, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = names; *p;) {
		size_t l = strcspn(p, " ");
		if (l == n && !strncmp(p, name, n))
			return true;
		p += l;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* The signing string of names for r into out; SIG_MISSING when a
 * covered header has no value. header(ctx, name) gives each value. */
static enum sig_err signing_string(const char *names, const char *method, const char *target,
				   const char *(*header)(void *ctx, const char *name), void *ctx,
				   int64_t created, int64_t expires, struct buf *out)
{
	char name[128];
	for (const char *p = names; *p;) {
		size_t l = strcspn(p, " ");
		if (l >= sizeof(name))
			return SIG_MISSING;
		memcpy(name, p, l);
		name[l] = '\0';
		if (out->len)
			buf_addch(out, '\n');
		if (!strcmp(name, "(request-target)")) {
			buf_adds(out, "(request-target): ");
			for (const char *m = method; *m; m++)
				buf_addch(out, (char)tolower((unsigned char)*m));
			buf_addf(out, " %s", target);
		} else if (!strcmp(name, "(created)") || !strcmp(name, "(expires)")) {
			int64_t v = name[1] == 'c' ? created : expires;
			if (!v)
				return SIG_MISSING;
			buf_addf(out, "%s: %lld", name, (long long)v);
		} else {
			const char *v = header(ctx, name);
			if (!v)
				return SIG_MISSING;
			buf_addf(out, "%s: %s", name, v);
		}
		p += l;
		while (*p == ' ')
			p++;
	}
	return buf_failed(out) ? SIG_MISSING : SIG_OK;
}

enum sig_err sig_precheck(const struct sig_header *h, const struct sig_request *r)
{
	if (h->algorithm[0] && strcmp(h->algorithm, "rsa-sha256") != 0 &&
	    strcmp(h->algorithm, "hs2019") != 0)
		return SIG_ALGORITHM;
	if (!covers(h->headers, "(request-target)") || !covers(h->headers, "host") ||
	    !covers(h->headers, "date") || (r->body && !covers(h->headers, "digest")))
		return SIG_UNCOVERED;
	const char *date = r->header(r->ctx, "date");
	if (!date)
		return SIG_MISSING;
	int64_t t;
	if (!sig_parse_http_date(date, &t) || t > r->now + SIG_MAX_SKEW ||
	    t < r->now - SIG_MAX_SKEW || (h->expires && h->expires < r->now))
		return SIG_STALE;
	if (r->body && !sig_digest_matches(r->header(r->ctx, "digest"), r->body, r->body_len))
		return SIG_DIGEST;
	return SIG_OK;
}

enum sig_err sig_verify(struct arena *a, const struct sig_header *h, const struct sig_request *r,
			const char *public_pem)
{
	(void)a;
	enum sig_err e = sig_precheck(h, r);
	if (e)
		return e;
	struct buf s;
	buf_init(&s, 64 << 10);
	e = signing_string(h->headers, r->method, r->target, r->header, r->ctx, h->created,
			   h->expires, &s);
	if (!e && !fed_key_verify(public_pem, buf_str(&s), s.len, h->sig, h->siglen))
		e = SIG_BAD;
	buf_release(&s);
	return e;
}

/* ---- signing ---- */

struct out_headers {
	const struct sig_out *o;
};

static const char *out_header(void *ctx, const char *name)
{
	const struct sig_out *o = ((struct out_headers *)ctx)->o;
	if (!strcmp(name, "host"))
		return o->host;
	if (!strcmp(name, "date"))
		return o->date;
	if (!strcmp(name, "digest"))
		return o->digest;
	return NULL;
}

bool sig_sign(struct arena *a, const char *key_id, const char *priv_pem, const char *method,
	      const char *url, const void *body, size_t body_len, int64_t now, struct sig_out *out)
{
	memset(out, 0, sizeof(*out));
	const char *rest;
	if (!strncasecmp(url, "https://", 8))
		rest = url + 8;
	else if (!strncasecmp(url, "http://", 7))
		rest = url + 7;
	else
		return false;
	size_t hl = strcspn(rest, "/?#");
	if (!hl || memchr(rest, '@', hl) || strchr(key_id, '"'))
		return false;
	out->host = arena_strndup(a, rest, hl);
	const char *path = rest + hl;
	size_t pl = strcspn(path, "#");
	const char *target = pl ? arena_strndup(a, path, pl) : "/";
	if (target[0] == '?')
		target = arena_printf(a, "/%s", target);
	out->date = sig_http_date(a, now);
	out->digest = body ? sig_digest(a, body, body_len) : NULL;
	const char *names = body ? "(request-target) host date digest" : "(request-target) host date";
	struct out_headers ctx = {out};
	struct buf s;
	buf_init(&s, 64 << 10);
	unsigned char sig[FED_SIG_MAX];
	size_t siglen = 0;
	bool ok = signing_string(names, method, target, out_header, &ctx, 0, 0, &s) == SIG_OK &&
		  fed_key_sign(priv_pem, buf_str(&s), s.len, sig, &siglen);
	buf_release(&s);
	if (!ok)
		return false;
	out->signature = arena_printf(a, "keyId=\"%s\",algorithm=\"rsa-sha256\",headers=\"%s\","
				      "signature=\"%s\"", key_id, names, sig_base64(a, sig, siglen));
	return true;
}
