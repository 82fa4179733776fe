/*
 * fed.c - the rules of federation (fed.h): a writer's key pair, made
 * lazily and kept once.
 */
#include "fed/fed.h"

#include "core/clock.h"
#include "fed/keys.h"
#include "store/store_fed.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *fed_strerror(enum fed_err e)
{
	switch (e) {
	case FED_OK: return "ok";
	case FED_STORE: return "the database failed";
	case FED_CRYPTO: return "a key could not be made or read";
	}
	return "unknown error";
}

/* Making a key pair takes a tenth of a second or so: requests of this
 * process that all find none take turns, so only the first makes one
 * (the store settles races between app servers). Synchronisation, not
 * state. */
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;

enum fed_err fed_key_for(struct store *st, struct arena *a, const char *user_id,
			 const char **public_pem, const char **private_pem)
{
	enum store_err e = store_fed_key_get(st, a, user_id, public_pem, private_pem);
	if (e != STORE_NOT_FOUND)
		return e ? FED_STORE : FED_OK;
	pthread_mutex_lock(&key_mu);
	e = store_fed_key_get(st, a, user_id, public_pem, private_pem);
	enum fed_err r = e == STORE_OK ? FED_OK : FED_STORE;
	if (e == STORE_NOT_FOUND) {
		struct buf pub, priv;
		buf_init(&pub, 16 << 10);
		buf_init(&priv, 16 << 10);
		if (!fed_key_generate(&pub, &priv))
			r = FED_CRYPTO;
		else if (store_fed_key_init(st, a, user_id, buf_str(&pub), buf_str(&priv),
					    clock_now(), public_pem, private_pem))
			r = FED_STORE;
		else
			r = FED_OK;
		buf_release(&pub);
		if (priv.data)
			explicit_bzero(priv.data, priv.alloc);
		buf_release(&priv);
	}
	pthread_mutex_unlock(&key_mu);
	return r;
}

/* ---- Accept ---- */

/* The quality of one media range's parameters p[0..n) ("q=0.5"); 1 when
 * it has none. */
static double range_q(const char *p, size_t n)
{
	double q = 1.0;
	size_t i = 0;
	while (i < n) {
		while (i < n && (p[i] == ';' || p[i] == ' ' || p[i] == '\t'))
			i++;
		size_t start = i;
		while (i < n && p[i] != ';')
			i++;
		if (i - start >= 2 && (p[start] == 'q' || p[start] == 'Q') && p[start + 1] == '=') {
			char num[16];
			size_t len = i - start - 2;
			if (len >= sizeof(num))
				return 0;
			memcpy(num, p + start + 2, len);
			num[len] = '\0';
			char *end;
			q = strtod(num, &end);
			while (*end == ' ' || *end == '\t')
				end++;
			if (end == num || *end || !(q >= 0 && q <= 1))
				return 0;
		}
	}
	return q;
}

static bool type_is(const char *t, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(t, want, n) == 0;
}

bool fed_accept_wants_ap(const char *accept)
{
	if (!accept)
		return false;
	double ap = 0, html = 0;
	const char *p = accept;
	while (*p) {
		size_t len = strcspn(p, ",");
		const char *r = p;
		size_t rn = len;
		while (rn && (*r == ' ' || *r == '\t')) {
			r++;
			rn--;
		}
		size_t tn = strcspn(r, ";,");
		if (tn > rn)
			tn = rn;
		while (tn && (r[tn - 1] == ' ' || r[tn - 1] == '\t'))
			tn--;
		size_t semi = strcspn(r, ";,");
		double q = semi < rn ? range_q(r + semi, rn - semi) : 1.0;
		if (type_is(r, tn, "application/activity+json") || type_is(r, tn, "application/ld+json")) {
			if (q > ap)
				ap = q;
		} else if (type_is(r, tn, "text/html") || type_is(r, tn, "application/xhtml+xml")) {
			if (q > html)
				html = q;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return ap > 0 && ap >= html;
}

/* ---- WebFinger resources ---- */

/* The handle at s[0..n) if it is one as written (letters, digits, _). */
static const char *handle_part(struct arena *a, const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return NULL;
	return arena_strndup(a, s, n);
}

const char *fed_resource_handle(struct arena *a, const char *resource, const char *base_url)
{
	if (!resource || !base_url)
		return NULL;
	const char *host = strstr(base_url, "://");
	host = host ? host + 3 : base_url;
	size_t hl = strcspn(host, "/");
	size_t bare = strcspn(host, ":/");
	if (hl == 0)
		return NULL;
	if (strncasecmp(resource, "acct:", 5) == 0) {
		const char *r = resource + 5;
		const char *at = strchr(r, '@');
		if (!at || strchr(at + 1, '@'))
			return NULL;
		const char *h = at + 1;
		size_t n = strlen(h);
		if (!((n == hl && strncasecmp(h, host, hl) == 0) ||
		      (n == bare && strncasecmp(h, host, bare) == 0)))
			return NULL;
		return handle_part(a, r, (size_t)(at - r));
	}
	size_t bl = strlen(base_url);
	if (strncasecmp(resource, base_url, bl) == 0 && resource[bl] == '/' && resource[bl + 1] == '@')
		return handle_part(a, resource + bl + 2, strlen(resource + bl + 2));
	return NULL;
}
