/*
 * smtp.c - SMTP submission through libcurl (smtp.h).
 */
#include "net/smtp.h"
#include "net/curl_dl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct smtp {
	CURL *h;
	char *url;
	char *password;
	bool insecure;
};

/* libcurl (and with it OpenSSL, some 4 MB of pages) is loaded and set
 * up at the first transfer, not at start (curl_dl.h): most servers send
 * no mail and fetch nothing for minutes, and their memory is for
 * readers. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static bool curl_ok;
static void curl_setup(void)
{
	char err[256];
	if (!curl_dl_open(err, sizeof(err))) {
		fprintf(stderr, "quire: mail and fetches: %s\n", err);
		return;
	}
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

bool net_curl_ready(void)
{
	pthread_once(&curl_once, curl_setup);
	return curl_ok;
}

bool net_init(void)
{
	return true;
}

const char *net_curl_version(void)
{
	return curl_dl_open(NULL, 0) ? curl_version() : "libcurl not loadable";
}

bool smtp_url_ok(const char *url, char *err, size_t errlen)
{
	if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) {
		snprintf(err, errlen, "the SMTP URL must start with smtp:// or smtps://");
		return false;
	}
	const char *host = strstr(url, "://") + 3;
	const char *at = strchr(host, '@');
	if (at && strchr(host, '/') && strchr(host, '/') < at)
		at = NULL;
	if (at && memchr(host, ':', (size_t)(at - host))) {
		snprintf(err, errlen, "the SMTP password does not go in the URL: set "
			 "QUIRE_SMTP_PASSWORD");
		return false;
	}
	const char *h = at ? at + 1 : host;
	if (!*h || *h == '/' || *h == ':') {
		snprintf(err, errlen, "the SMTP URL names no host");
		return false;
	}
	for (const char *p = url; *p; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			snprintf(err, errlen, "the SMTP URL holds a space or a control character");
			return false;
		}
	}
	return true;
}

struct smtp *smtp_new(const char *url, const char *password, bool insecure, char *err,
		      size_t errlen)
{
	if (!smtp_url_ok(url, err, errlen))
		return NULL;
	struct smtp *c = calloc(1, sizeof(*c));
	if (!c || !net_curl_ready() || !(c->h = curl_easy_init()) || !(c->url = strdup(url)) ||
	    (password && !(c->password = strdup(password)))) {
		snprintf(err, errlen, "out of memory");
		smtp_free(c);
		return NULL;
	}
	c->insecure = insecure;
	return c;
}

void smtp_free(struct smtp *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	free(c->url);
	if (c->password) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c);
}

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct reader *r = ud;
	size_t want = size * n;
	if (want > r->left)
		want = r->left;
	memcpy(buf, r->p, want);
	r->p += want;
	r->left -= want;
	return want;
}

/* libcurl's SMTP layer speaks the envelope with angle brackets. */
static void bracket(char *out, size_t n, const char *addr)
{
	snprintf(out, n, "<%s>", addr);
}

enum smtp_result smtp_send(struct smtp *c, const char *from, const char *to, const char *msg,
			   size_t len, char *err, size_t errlen)
{
	char f[512], t[512];
	bracket(f, sizeof(f), from);
	bracket(t, sizeof(t), to);
	struct curl_slist *rcpt = curl_slist_append(NULL, t);
	if (!rcpt) {
		snprintf(err, errlen, "out of memory");
		return SMTP_TEMPFAIL;
	}
	struct reader r = {msg, len};
	char cerr[CURL_ERROR_SIZE] = "";
	CURL *h = c->h;
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL, (long)(c->insecure ? CURLUSESSL_TRY : CURLUSESSL_ALL));
	if (c->password)
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, f);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &r);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return SMTP_SENT;
	snprintf(err, errlen, "%ld %s", code, cerr[0] ? cerr : curl_easy_strerror(rc));
	/* A 5xx answer is the server's final word; anything else (no
	 * connection, a timeout, 4xx, TLS refused) may pass later. */
	if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED)
		return SMTP_PERMFAIL;
	return SMTP_TEMPFAIL;
}
