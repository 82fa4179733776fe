/*
 * fetch.c - the guarded GET of fetch.h: our own URL check and DNS
 * resolution, the address classifier, libcurl for the transfer with the
 * checked address pinned, redirects followed by hand.
 */
#include "net/fetch.h"
#include "net/smtp.h"
#include "net/curl_dl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#ifndef QUIRE_VERSION
#define QUIRE_VERSION "0"
#endif

#define FETCH_DEFAULT_MAX ((size_t)20 << 20)
#define FETCH_DEFAULT_TIMEOUT 30000L
#define FETCH_DEFAULT_REDIRECTS 5


void fetch_result_init(struct fetch_result *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->body, 0);
}

void fetch_result_release(struct fetch_result *r)
{
	buf_release(&r->body);
	memset(r, 0, sizeof(*r));
}

const char *fetch_strerror(enum fetch_err e)
{
	switch (e) {
	case FETCH_OK: return "ok";
	case FETCH_BAD_URL: return "not a usable URL";
	case FETCH_SCHEME: return "only http and https URLs are fetched";
	case FETCH_RESOLVE: return "the host name does not resolve";
	case FETCH_BLOCKED: return "the host is on a private or reserved network";
	case FETCH_CONNECT: return "the transfer failed";
	case FETCH_TIMEOUT: return "the transfer took too long";
	case FETCH_TOO_LARGE: return "the response is too large";
	case FETCH_REDIRECTS: return "too many or bad redirects";
	case FETCH_HTTP_STATUS: return "the server answered with an error status";
	}
	return "unknown error";
}

const char *fetch_addr_class_name(enum fetch_addr_class c)
{
	switch (c) {
	case FETCH_ADDR_PUBLIC: return "public";
	case FETCH_ADDR_UNSPECIFIED: return "unspecified";
	case FETCH_ADDR_LOOPBACK: return "loopback";
	case FETCH_ADDR_PRIVATE: return "private";
	case FETCH_ADDR_CGNAT: return "carrier-grade NAT";
	case FETCH_ADDR_LINK_LOCAL: return "link-local";
	case FETCH_ADDR_METADATA: return "cloud metadata";
	case FETCH_ADDR_MULTICAST: return "multicast or broadcast";
	case FETCH_ADDR_RESERVED: return "reserved";
	case FETCH_ADDR_ULA: return "unique local (IPv6)";
	case FETCH_ADDR_MAPPED: return "IPv4 embedded in IPv6";
	case FETCH_ADDR_UNKNOWN_FAMILY: return "not an IP address";
	}
	return "unknown";
}

/* a (host order) in prefix p/len (host order)? */
static bool in4(uint32_t a, uint32_t p, int len)
{
	uint32_t mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
	return (a & mask) == (p & mask);
}

static enum fetch_addr_class classify4(uint32_t a)
{
	if (a == 0xa9fea9feu) /* 169.254.169.254 */
		return FETCH_ADDR_METADATA;
	if (in4(a, 0x00000000u, 8))
		return FETCH_ADDR_UNSPECIFIED;
	if (in4(a, 0x7f000000u, 8))
		return FETCH_ADDR_LOOPBACK;
	if (in4(a, 0x0a000000u, 8) || in4(a, 0xac100000u, 12) || in4(a, 0xc0a80000u, 16))
		return FETCH_ADDR_PRIVATE;
	if (in4(a, 0x64400000u, 10))
		return FETCH_ADDR_CGNAT;
	if (in4(a, 0xa9fe0000u, 16))
		return FETCH_ADDR_LINK_LOCAL;
	if (a == 0xffffffffu || in4(a, 0xe0000000u, 4))
		return FETCH_ADDR_MULTICAST;
	if (in4(a, 0xf0000000u, 4) ||      /* 240/4 */
	    in4(a, 0xc0000000u, 24) ||     /* 192.0.0/24 protocol assignments */
	    in4(a, 0xc0000200u, 24) ||     /* 192.0.2/24 TEST-NET-1 */
	    in4(a, 0xc6336400u, 24) ||     /* 198.51.100/24 TEST-NET-2 */
	    in4(a, 0xcb007100u, 24) ||     /* 203.0.113/24 TEST-NET-3 */
	    in4(a, 0xc6120000u, 15) ||     /* 198.18/15 benchmarking */
	    in4(a, 0xc0586300u, 24))       /* 192.88.99/24 6to4 relay */
		return FETCH_ADDR_RESERVED;
	return FETCH_ADDR_PUBLIC;
}

static enum fetch_addr_class classify6(const uint8_t b[16])
{
	static const uint8_t zero[16];
	static const uint8_t metadata6[16] = { 0xfd, 0x00, 0x0e, 0xc2, [15] = 0x54, [14] = 0x02 };
	if (memcmp(b, zero, 16) == 0)
		return FETCH_ADDR_UNSPECIFIED;
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return FETCH_ADDR_LOOPBACK;
	if (memcmp(b, metadata6, 16) == 0)
		return FETCH_ADDR_METADATA;
	/* ::ffff:a.b.c.d mapped, ::a.b.c.d compatible: refused outright, so
	 * nobody reaches an IPv4 address by spelling it in IPv6. */
	if (memcmp(b, zero, 10) == 0 && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)))
		return FETCH_ADDR_MAPPED;
	/* 64:ff9b::/96 NAT64, 64:ff9b:1::/48, 2002::/16 6to4, 2001::/32 Teredo */
	if ((b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) ||
	    (b[0] == 0x20 && b[1] == 0x02) ||
	    (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00))
		return FETCH_ADDR_MAPPED;
	if ((b[0] & 0xfe) == 0xfc)
		return FETCH_ADDR_ULA;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return FETCH_ADDR_LINK_LOCAL;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return FETCH_ADDR_RESERVED; /* site-local, deprecated */
	if (b[0] == 0xff)
		return FETCH_ADDR_MULTICAST;
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return FETCH_ADDR_RESERVED; /* 2001:db8::/32 documentation */
	if (memcmp(b, zero, 8) == 0 || (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2, zero, 6) == 0))
		return FETCH_ADDR_RESERVED; /* ::/64 rest, 100::/64 discard */
	return FETCH_ADDR_PUBLIC;
}

enum fetch_addr_class fetch_addr_classify(const struct sockaddr *sa)
{
	if (!sa)
		return FETCH_ADDR_UNKNOWN_FAMILY;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		return classify4(ntohl(s4->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		return classify6(s6->sin6_addr.s6_addr);
	}
	return FETCH_ADDR_UNKNOWN_FAMILY;
}

enum fetch_addr_class fetch_addr_classify_str(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (!s)
		return FETCH_ADDR_UNKNOWN_FAMILY;
	if (inet_pton(AF_INET, s, &a4) == 1)
		return classify4(ntohl(a4.s_addr));
	if (inet_pton(AF_INET6, s, &a6) == 1)
		return classify6(a6.s6_addr);
	return FETCH_ADDR_UNKNOWN_FAMILY;
}

/* ---- one transfer ---- */

struct xfer {
	struct fetch_result *r;
	size_t max;
	bool too_large;
	bool allow_private;
	bool blocked_at_connect;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = sz * n;
	if (x->r->body.len + len > x->max) {
		x->too_large = true;
		return 0; /* abort the transfer */
	}
	buf_add(&x->r->body, p, len);
	return len;
}

/* The last line of defence: every socket libcurl opens is checked again. */
static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer *x = ud;
	(void)purpose;
	if (!x->allow_private && fetch_addr_classify(&addr->addr) != FETCH_ADDR_PUBLIC) {
		x->blocked_at_connect = true;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void set_err(struct fetch_result *r, const char *fmt, const char *a, const char *b)
{
	snprintf(r->error, sizeof(r->error), fmt, a ? a : "", b ? b : "");
}

/* Checked and parsed URL pieces of one hop. */
struct hop {
	char host[256];   /* without IPv6 brackets */
	char port[8];
	char pinned[INET6_ADDRSTRLEN + 2]; /* numeric address to pin, "" if host is a literal */
	bool literal;
};

/*
 * Parse url, check the scheme, resolve the host and check every address.
 * On success fills *h.
 */
static enum fetch_err check_url(const char *url, bool allow_private, struct hop *h,
				struct fetch_result *r)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
	enum fetch_err e = FETCH_OK;
	memset(h, 0, sizeof(*h));
	if (!u)
		return FETCH_BAD_URL;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		set_err(r, "not a URL: %.200s%s", url, NULL);
		e = FETCH_BAD_URL;
		goto out;
	}
	if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
		set_err(r, "scheme %.40s: is not fetched (only http and https)%s", scheme, NULL);
		e = FETCH_SCHEME;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0] ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		set_err(r, "no host in %.200s%s", url, NULL);
		e = FETCH_BAD_URL;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		set_err(r, "URL with credentials refused: %.200s%s", url, NULL);
		e = FETCH_BAD_URL;
		goto out;
	}
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		if (hl - 2 >= sizeof(h->host))
			goto toolong;
		memcpy(h->host, host + 1, hl - 2);
		h->host[hl - 2] = 0;
	} else {
		if (hl >= sizeof(h->host))
			goto toolong;
		memcpy(h->host, host, hl + 1);
	}
	snprintf(h->port, sizeof(h->port), "%s", port);

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct in6_addr probe;
	struct in_addr probe4;
	h->literal = inet_pton(AF_INET, h->host, &probe4) == 1 || inet_pton(AF_INET6, h->host, &probe) == 1;
	hints.ai_flags = h->literal ? AI_NUMERICHOST : 0;
	if (getaddrinfo(h->host, h->port, &hints, &res) != 0 || !res) {
		set_err(r, "host %.200s does not resolve%s", h->host, NULL);
		e = FETCH_RESOLVE;
		goto out;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		enum fetch_addr_class c = fetch_addr_classify(ai->ai_addr);
		if (c != FETCH_ADDR_PUBLIC && !allow_private) {
			set_err(r, "host %.200s is on a %s address: refused", h->host, fetch_addr_class_name(c));
			e = FETCH_BLOCKED;
			break;
		}
	}
	if (e == FETCH_OK && !h->literal) {
		char num[INET6_ADDRSTRLEN];
		const void *src = res->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)(void *)res->ai_addr)->sin6_addr;
		if (!inet_ntop(res->ai_family, src, num, sizeof(num))) {
			e = FETCH_RESOLVE;
		} else if (res->ai_family == AF_INET6) {
			snprintf(h->pinned, sizeof(h->pinned), "[%s]", num);
		} else {
			snprintf(h->pinned, sizeof(h->pinned), "%s", num);
		}
	}
	freeaddrinfo(res);
	goto out;
toolong:
	set_err(r, "host name too long%s%s", NULL, NULL);
	e = FETCH_BAD_URL;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
	return e;
}

static void set_content_type(struct fetch_result *r, const char *ct)
{
	size_t i = 0;
	r->content_type[0] = 0;
	if (!ct)
		return;
	while (*ct == ' ')
		ct++;
	for (; ct[i] && ct[i] != ';' && ct[i] != ' ' && i + 1 < sizeof(r->content_type); i++)
		r->content_type[i] = (char)tolower((unsigned char)ct[i]);
	r->content_type[i] = 0;
}

static enum fetch_err transfer(const char *url, const struct fetch_opts *opts, const void *post,
			       size_t post_len, struct fetch_result *r);

enum fetch_err fetch_get(const char *url, const struct fetch_opts *opts, struct fetch_result *r)
{
	return transfer(url, opts, NULL, 0, r);
}

enum fetch_err fetch_post(const char *url, const struct fetch_opts *opts, const void *body,
			  size_t len, struct fetch_result *r)
{
	struct fetch_opts o = opts ? *opts : (struct fetch_opts){ 0 };
	o.max_redirects = -1;
	return transfer(url, &o, body ? body : "", len, r);
}

/* GET (post NULL) or POST of post[0..post_len) to url. */
static enum fetch_err transfer(const char *url, const struct fetch_opts *opts, const void *post,
			       size_t post_len, struct fetch_result *r)
{
	struct fetch_opts o = opts ? *opts : (struct fetch_opts){ 0 };
	if (!o.max_bytes)
		o.max_bytes = FETCH_DEFAULT_MAX;
	if (o.timeout_ms <= 0)
		o.timeout_ms = FETCH_DEFAULT_TIMEOUT;
	if (o.max_redirects == 0)
		o.max_redirects = FETCH_DEFAULT_REDIRECTS;
	else if (o.max_redirects < 0)
		o.max_redirects = 0;
	if (!net_curl_ready()) {
		snprintf(r->error, sizeof(r->error), "cannot set up libcurl");
		return FETCH_CONNECT;
	}

	long deadline = now_ms() + o.timeout_ms;
	char cur[sizeof(r->final_url)];
	if (!url || strlen(url) >= sizeof(cur)) {
		set_err(r, "URL missing or too long%s%s", NULL, NULL);
		return FETCH_BAD_URL;
	}
	snprintf(cur, sizeof(cur), "%s", url);
	char ua[64];
	snprintf(ua, sizeof(ua), "Quire/%s", QUIRE_VERSION);

	for (int hopno = 0;; hopno++) {
		struct hop h;
		snprintf(r->final_url, sizeof(r->final_url), "%s", cur);
		enum fetch_err e = check_url(cur, o.allow_private, &h, r);
		if (e != FETCH_OK)
			return e;
		long left = deadline - now_ms();
		if (left <= 0) {
			set_err(r, "timed out fetching %.200s%s", cur, NULL);
			return FETCH_TIMEOUT;
		}

		CURL *c = curl_easy_init();
		if (!c) {
			set_err(r, "libcurl could not start%s%s", NULL, NULL);
			return FETCH_CONNECT;
		}
		struct curl_slist *pin = NULL, *hdrs = NULL;
		for (size_t i = 0; o.headers && o.headers[i]; i++)
			hdrs = curl_slist_append(hdrs, o.headers[i]);
		if (post)
			hdrs = curl_slist_append(hdrs, "Expect:");
		char pinline[sizeof(h.host) + sizeof(h.port) + sizeof(h.pinned) + 4];
		if (!h.literal) {
			snprintf(pinline, sizeof(pinline), "%s:%s:%s", h.host, h.port, h.pinned);
			pin = curl_slist_append(NULL, pinline);
		}
		struct xfer x = { .r = r, .max = o.max_bytes, .allow_private = o.allow_private };
		buf_reset(&r->body);
		curl_easy_setopt(c, CURLOPT_URL, cur);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_PROXY, "");
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, left < 10000 ? left : 10000L);
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o.max_bytes);
		curl_easy_setopt(c, CURLOPT_USERAGENT, o.user_agent ? o.user_agent : ua);
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
		curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &x);
		if (pin)
			curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
		if (hdrs)
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		if (post) {
			curl_easy_setopt(c, CURLOPT_POST, 1L);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post_len);
		}

		CURLcode cc = curl_easy_perform(c);
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		r->status = status;
		char *ct = NULL, *loc = NULL;
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		set_content_type(r, ct);
		char next[sizeof(cur)];
		next[0] = 0;
		if (cc == CURLE_OK && status >= 300 && status < 400 &&
		    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
			snprintf(next, sizeof(next), "%s", loc);
		curl_easy_cleanup(c);
		curl_slist_free_all(pin);
		curl_slist_free_all(hdrs);

		if (x.blocked_at_connect) {
			set_err(r, "connection to %.200s refused: not a public address%s", h.host, NULL);
			return FETCH_BLOCKED;
		}
		if (x.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
			snprintf(r->error, sizeof(r->error), "%.200s is larger than %zu bytes", cur, o.max_bytes);
			return FETCH_TOO_LARGE;
		}
		if (cc == CURLE_OPERATION_TIMEDOUT) {
			set_err(r, "timed out fetching %.200s%s", cur, NULL);
			return FETCH_TIMEOUT;
		}
		if (cc != CURLE_OK) {
			set_err(r, "fetching %.200s failed: %s", cur, curl_easy_strerror(cc));
			return FETCH_CONNECT;
		}
		if (status >= 300 && status < 400) {
			if (!next[0]) {
				snprintf(r->error, sizeof(r->error), "redirect %ld without a Location from %.200s", status, cur);
				return FETCH_REDIRECTS;
			}
			if (hopno >= o.max_redirects) {
				set_err(r, "too many redirects from %.200s%s", url, NULL);
				return FETCH_REDIRECTS;
			}
			memcpy(cur, next, sizeof(cur));
			continue;
		}
		if (status < 200 || status >= 300) {
			snprintf(r->error, sizeof(r->error), "%.200s answered HTTP %ld", cur, status);
			return FETCH_HTTP_STATUS;
		}
		return FETCH_OK;
	}
}
