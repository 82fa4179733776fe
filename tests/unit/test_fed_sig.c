/*
 * test_fed_sig.c - HTTP Signatures (fed/sig.h) and the keys under them
 * (fed/keys.h): a request signed by sig_sign() verifies; a changed
 * header, body, Digest, Date, target or method does not; a Date more
 * than 12 hours away either way is stale; a signature that leaves out a
 * header it must cover, or a request without one it covers, is refused;
 * another key, another algorithm; the Signature header's parser on the
 * forms servers send and on broken ones; dates, digests and base64.
 */
#include "core/arena.h"
#include "fed/keys.h"
#include "fed/sig.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static struct arena A;
static const int64_t NOW = 1790000000; /* Mon, 21 Sep 2026 14:13:20 GMT */

/* A request as it arrives: headers by lowercase name. */
struct req {
	const char *names[8], *values[8];
	size_t n;
};

static const char *lookup(void *ctx, const char *name)
{
	struct req *r = ctx;
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name))
			return r->values[i];
	return NULL;
}

static void set(struct req *r, const char *name, const char *value)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name)) {
			r->values[i] = value;
			return;
		}
	r->names[r->n] = name;
	r->values[r->n++] = value;
}

static void drop(struct req *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->names[i], name)) {
			r->names[i] = r->names[r->n - 1];
			r->values[i] = r->values[r->n - 1];
			r->n--;
			return;
		}
}

/* The request sig_sign() described, as the receiver sees it. */
static void received(struct req *r, const struct sig_out *o)
{
	memset(r, 0, sizeof(*r));
	set(r, "host", o->host);
	set(r, "date", o->date);
	if (o->digest)
		set(r, "digest", o->digest);
	set(r, "signature", o->signature);
	set(r, "content-type", "application/activity+json");
}

static enum sig_err check(struct req *r, const char *method, const char *target, const char *body,
			  int64_t now, const char *pub)
{
	struct sig_header h;
	enum sig_err e = sig_parse(&A, lookup(r, "signature"), &h);
	if (e)
		return e;
	struct sig_request q = {method, target, lookup, r, body, body ? strlen(body) : 0, now};
	return sig_verify(&A, &h, &q, pub);
}

static void signing(const char *pub, const char *priv, const char *other_pub)
{
	const char *body = "{\"type\":\"Follow\",\"actor\":\"https://peer.example/users/x\"}";
	const char *url = "https://quire.example:8443/@ann/inbox";
	struct sig_out o;
	ok(sig_sign(&A, "https://peer.example/users/x#main-key", priv, "POST", url, body, strlen(body),
		    NOW, &o),
	   "a POST is signed");
	is_str(o.host, "quire.example:8443", "Host is the URL's authority, port and all");
	is_str(o.date, "Mon, 21 Sep 2026 14:13:20 GMT", "Date in IMF-fixdate");
	ok(!strncmp(o.digest, "SHA-256=", 8) && sig_digest_matches(o.digest, body, strlen(body)),
	   "Digest is SHA-256 of the body");
	ok(strstr(o.signature, "keyId=\"https://peer.example/users/x#main-key\"") &&
		   strstr(o.signature, "algorithm=\"rsa-sha256\"") &&
		   strstr(o.signature, "headers=\"(request-target) host date digest\""),
	   "Signature names the key, rsa-sha256 and the four headers");
	struct req r;
	received(&r, &o);
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_OK, "and verifies");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW + 11 * 3600, pub) == SIG_OK &&
		   check(&r, "POST", "/@ann/inbox", body, NOW - 11 * 3600, pub) == SIG_OK,
	   "eleven hours either way is within the window");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW + 12 * 3600 + 1, pub) == SIG_STALE &&
		   check(&r, "POST", "/@ann/inbox", body, NOW - 12 * 3600 - 1, pub) == SIG_STALE,
	   "more than twelve hours either way is stale (replayed, or a wrong clock)");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, other_pub) == SIG_BAD, "another key: bad");
	ok(check(&r, "POST", "/@bob/inbox", body, NOW, pub) == SIG_BAD, "another target: bad");
	ok(check(&r, "PUT", "/@ann/inbox", body, NOW, pub) == SIG_BAD, "another method: bad");

	const char *other = "{\"type\":\"Follow\",\"actor\":\"https://peer.example/users/y\"}";
	ok(check(&r, "POST", "/@ann/inbox", other, NOW, pub) == SIG_DIGEST,
	   "a tampered body no longer matches its Digest");
	set(&r, "digest", sig_digest(&A, other, strlen(other)));
	ok(check(&r, "POST", "/@ann/inbox", other, NOW, pub) == SIG_BAD,
	   "and with a Digest made to match, the signature fails");
	received(&r, &o);
	set(&r, "host", "elsewhere.example");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_BAD, "a tampered Host: bad");
	received(&r, &o);
	set(&r, "date", sig_http_date(&A, NOW + 60));
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_BAD, "a tampered Date: bad");
	set(&r, "date", "yesterday");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_STALE, "an unreadable Date: stale");
	received(&r, &o);
	drop(&r, "date");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_MISSING, "no Date: refused");
	received(&r, &o);
	drop(&r, "digest");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_DIGEST, "no Digest: refused");
	received(&r, &o);
	drop(&r, "host");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_MISSING, "no Host: refused");
	received(&r, &o);
	drop(&r, "signature");
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_MALFORMED, "unsigned: refused");

	/* A signature that covers less than it must, however valid. */
	struct sig_out g;
	ok(sig_sign(&A, "k", priv, "GET", url, NULL, 0, NOW, &g) && !g.digest &&
		   strstr(g.signature, "headers=\"(request-target) host date\""),
	   "a body-less request is signed without digest");
	received(&r, &g);
	ok(check(&r, "GET", "/@ann/inbox", NULL, NOW, pub) == SIG_OK, "and verifies as a GET");
	set(&r, "digest", o.digest);
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_UNCOVERED,
	   "a POST whose signature leaves the digest out is refused");
	static const char *const narrow[] = {"date", "host date digest", "(request-target) date digest",
					     "(request-target) host digest"};
	for (size_t i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++) {
		received(&r, &o);
		const char *sigval = strstr(o.signature, "signature=\"");
		set(&r, "signature", arena_printf(&A, "keyId=\"k\",algorithm=\"rsa-sha256\",headers=\"%s\",%s",
						  narrow[i], sigval));
		ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_UNCOVERED,
		   "headers=\"%s\" is not enough", narrow[i]);
	}
	received(&r, &o);
	const char *sigval = strstr(o.signature, "signature=\"");
	set(&r, "signature", arena_printf(&A, "keyId=\"k\",algorithm=\"hmac-sha256\",headers=\"(request-target) host date digest\",%s", sigval));
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_ALGORITHM, "hmac-sha256: refused");
	set(&r, "signature", arena_printf(&A, "keyId=\"k\",algorithm=\"hs2019\",headers=\"(request-target) host date digest\",%s", sigval));
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_OK, "hs2019 with an RSA key: as rsa-sha256");
	set(&r, "signature", arena_printf(&A, "keyId=\"k\",headers=\"(request-target) host date digest content-type\",%s", sigval));
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_BAD,
	   "covering one more header changes the string: bad");
	set(&r, "signature", arena_printf(&A, "keyId=\"k\",headers=\"(request-target) host date digest x-missing\",%s", sigval));
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_MISSING,
	   "a covered header the request lacks: refused");
	set(&r, "signature", arena_printf(&A, "keyId=\"k\",headers=\"(request-target) host date digest\",expires=%lld,%s",
					  (long long)(NOW - 1), sigval));
	ok(check(&r, "POST", "/@ann/inbox", body, NOW, pub) == SIG_STALE, "an expired signature: stale");
	ok(!sig_sign(&A, "k", priv, "POST", "ftp://x/y", body, 1, NOW, &g) &&
		   !sig_sign(&A, "k", priv, "POST", "https:///inbox", body, 1, NOW, &g) &&
		   !sig_sign(&A, "k\"", priv, "POST", url, body, 1, NOW, &g) &&
		   !sig_sign(&A, "k", "not a key", "POST", url, body, 1, NOW, &g),
	   "no signing without a host, an http(s) URL, a quotable key id, a key");
	ok(sig_sign(&A, "k", priv, "POST", "http://127.0.0.1:9/inbox?x=1", body, 1, NOW, &g) &&
		   !strcmp(g.host, "127.0.0.1:9"),
	   "http too, with a query");
}

static void parsing(void)
{
	struct sig_header h;
	ok(sig_parse(&A, "keyId=\"https://m.example/users/a#main-key\",algorithm=\"rsa-sha256\","
			 "headers=\"(request-target) host date digest\",signature=\"AAAA\"", &h) == SIG_OK &&
		   !strcmp(h.key_id, "https://m.example/users/a#main-key") && h.siglen == 3 &&
		   !strcmp(h.headers, "(request-target) host date digest"),
	   "Mastodon's form");
	ok(sig_parse(&A, " keyId = \"k\" , Headers=\"x\", headers=\" (Request-Target)  HOST\tdate \","
			 " signature=\"AAAA\", created=1790000000, foo=\"bar\"", &h) == SIG_OK &&
		   !strcmp(h.headers, "(request-target) host date") && h.created == 1790000000,
	   "blanks, case of header names, bare created, unknown parameters");
	ok(sig_parse(&A, "keyId=\"k\",signature=\"AAAA\"", &h) == SIG_OK && !strcmp(h.headers, "date") &&
		   !strcmp(h.algorithm, ""),
	   "headers default to date");
	static const char *const bad[] = {
		"", "keyId=\"k\"", "signature=\"AAAA\"", "keyId=\"k\",signature=\"AAAA",
		"keyId=\"k\",keyId=\"j\",signature=\"AAAA\"", "keyId=\"k\",signature=\"A\"",
		"keyId=\"k\",signature=\"!!!!\"", "keyId=\"k\",signature=\"\"", "keyId,signature=\"AAAA\"",
		"keyId=\"\",signature=\"AAAA\"", "keyId=\"k\" signature=\"AAAA\"",
		"keyId=\"k\",signature=\"AAAA\",created=soon", "keyId=\"k\",signature=\"AAAA\",headers=\"  \"",
		"keyId=\"k\",signature=\"AAAA\",headers=\"a\x01\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(sig_parse(&A, bad[i], &h) == SIG_MALFORMED, "malformed: %s", bad[i]);
	ok(sig_parse(&A, NULL, &h) == SIG_MALFORMED, "none at all");
	char big[FED_SIG_MAX * 2];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(sig_parse(&A, arena_printf(&A, "keyId=\"k\",signature=\"%s\"", big), &h) == SIG_MALFORMED,
	   "a signature longer than any key makes");
}

static void pieces(void)
{
	int64_t t;
	ok(sig_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &t) && t == 784111777, "RFC 7231's date");
	ok(sig_parse_http_date(sig_http_date(&A, NOW), &t) && t == NOW, "round trip");
	static const char *const bad[] = {"Mon, 06 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
					  "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
					  "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
					  /* found by fuzz_sig: it read as 08:50:00, a second spelling */
					  "Sun, 06 Nov 1994 08:49:60 GMT", "Wed, 31 Dec 2008 23:59:60 GMT", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!sig_parse_http_date(bad[i], &t), "not a date: '%s'", bad[i]);
	is_str(sig_digest(&A, "", 0), "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	       "the digest of nothing");
	ok(sig_digest_matches("sha-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "", 0) &&
		   sig_digest_matches("SHA-512=xyz, SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "", 0) &&
		   !sig_digest_matches("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "x", 1) &&
		   !sig_digest_matches("MD5=1B2M2Y8AsgTpgAmY7PhCfg==", "", 0) && !sig_digest_matches(NULL, "", 0) &&
		   !sig_digest_matches(" , \t,", "", 0) &&
		   sig_digest_matches("  ,  SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=  ", "", 0),
	   "Digest: SHA-256 among others, any case; nothing else");
	unsigned char out[16];
	size_t n;
	ok(sig_unbase64("aGVsbG8=", 8, out, sizeof(out), &n) && n == 5 && !memcmp(out, "hello", 5) &&
		   sig_unbase64("aGVsbG8", 7, out, sizeof(out), &n) && n == 5 &&
		   !sig_unbase64("aGVsbG9=", 8, out, sizeof(out), &n) &&
		   !sig_unbase64("aGVsb", 5, out, sizeof(out), &n) &&
		   !sig_unbase64("aGVsbG8=", 8, out, 4, &n) && !sig_unbase64("a=GV", 4, out, sizeof(out), &n),
	   "base64: padded or not; stray bits, bad lengths, overflow and inner '=' refused");
	is_str(sig_base64(&A, (const unsigned char *)"hello", 5), "aGVsbG8=", "base64 out");
}

int main(void)
{
	arena_init(&A);
	struct buf pub, priv, pub2, priv2;
	buf_init(&pub, 0);
	buf_init(&priv, 0);
	buf_init(&pub2, 0);
	buf_init(&priv2, 0);
	if (ok(fed_key_generate(&pub, &priv) && fed_key_generate(&pub2, &priv2), "two key pairs")) {
		ok(fed_key_public_ok(buf_str(&pub)) && !fed_key_public_ok(buf_str(&priv)) &&
			   !fed_key_public_ok("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
		   "a public key reads as one; a private one or garbage does not");
		signing(buf_str(&pub), buf_str(&priv), buf_str(&pub2));
	}
	parsing();
	pieces();
	buf_release(&pub);
	buf_release(&priv);
	buf_release(&pub2);
	buf_release(&priv2);
	arena_release(&A);
	return tap_done();
}
