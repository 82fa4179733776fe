/*
 * conf.c - the settings table, the quire.conf parser, checks and masking.
 * See conf.h for the format. Pure: no I/O.
 */
#include "core/conf.h"
#include "core/text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const log_formats[] = {"text", "json", NULL};

const struct conf_key conf_keys[CONF_NKEYS] = {
	[CONF_DATA] = {"data", CONF_T_TEXT, 0, 0, NULL, "./quire-data", false, false},
	[CONF_DB] = {"db", CONF_T_TEXT, 0, 0, NULL, NULL, true, false},
	[CONF_LISTEN] = {"listen", CONF_T_ADDR, 0, 0, NULL, "127.0.0.1:8080", false, false},
	[CONF_BASE_URL] = {"base-url", CONF_T_URL, 0, 0, NULL, NULL, false, false},
	[CONF_THREADS] = {"threads", CONF_T_UINT, 1, 64, NULL, NULL, false, false},
	[CONF_MAX_CONNS] = {"max-conns", CONF_T_UINT, 1, 1000000, NULL, "4096", false, false},
	[CONF_MAX_CONNS_PER_IP] = {"max-conns-per-ip", CONF_T_UINT, 0, 1000000, NULL, "256", false,
				   false},
	[CONF_TRUSTED_PROXY] = {"trusted-proxy", CONF_T_TEXT, 0, 0, NULL, NULL, false, false},
	[CONF_LOG_LEVEL] = {"log-level", CONF_T_CHOICE, 0, 0, log_levels, "info", false, true},
	[CONF_LOG_FORMAT] = {"log-format", CONF_T_CHOICE, 0, 0, log_formats, "text", false, true},
	[CONF_RESPONSES_PER_MINUTE] = {"responses-per-minute", CONF_T_UINT, 1, 100000, NULL, "10",
				       false, false},
	[CONF_RESPONSES_PER_MINUTE_ADDR] = {"responses-per-minute-addr", CONF_T_UINT, 1, 100000,
					    NULL, "60", false, false},
	[CONF_METRICS_LISTEN] = {"metrics-listen", CONF_T_ADDR_OR_OFF, 0, 0, NULL, "off", false,
				 false},
	[CONF_METRICS_ALLOW_REMOTE] = {"metrics-allow-remote", CONF_T_BOOL, 0, 0, NULL, "no", false,
				       false},
	/* email (issue 18) */
	[CONF_SMTP] = {"smtp", CONF_T_TEXT, 0, 0, NULL, NULL, true, false},
	[CONF_MAIL_FROM] = {"mail-from", CONF_T_TEXT, 0, 0, NULL, NULL, false, false},
	[CONF_SMTP_INSECURE] = {"smtp-insecure", CONF_T_BOOL, 0, 0, NULL, "no", false, false},
	[CONF_MAIL_DOMAIN_RATE] = {"mail-domain-rate", CONF_T_UINT, 1, 100000, NULL, "10", false,
				   false},
	[CONF_MAIL_RETRY_BASE] = {"mail-retry-base", CONF_T_UINT, 1, 86400, NULL, "60", false,
				  false},
	/* imports (issue 19) */
	[CONF_ALLOW_PRIVATE_FETCH] = {"allow-private-fetch", CONF_T_BOOL, 0, 0, NULL, "no", false,
				      false},
	/* at most IMPORT_WORKERS_MAX (porting_web.h, which core does not include) */
	[CONF_IMPORT_WORKERS] = {"import-workers", CONF_T_UINT, 0, 8, NULL, "1", false, false},
	/* the fediverse (issue 20) */
	[CONF_FED_RETRY_BASE] = {"fed-retry-base", CONF_T_UINT, 1, 86400, NULL, "60", false, false},
	[CONF_FED_SENDERS] = {"fed-senders", CONF_T_UINT, 1, 64, NULL, "4", false, false},
	[CONF_FED_DOMAIN_CONCURRENCY] = {"fed-domain-concurrency", CONF_T_UINT, 1, 64, NULL, "2",
					 false, false},
};

void conf_init(struct conf *c, struct arena *a)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
}

int conf_find(const char *name)
{
	for (int i = 0; i < CONF_NKEYS; i++)
		if (!strcmp(conf_keys[i].name, name))
			return i;
	return -1;
}

static int bool_of(const char *v)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(v, yes[i]))
			return 1;
		if (!strcmp(v, no[i]))
			return 0;
	}
	return -1;
}

/* HOST:PORT with HOST an IPv4 address, [IPv6], or empty (every address). */
static bool addr_ok(const char *v)
{
	const char *colon = strrchr(v, ':');
	if (!colon || !colon[1] || strlen(colon + 1) > 5)
		return false;
	for (const char *p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	if (strtol(colon + 1, NULL, 10) > 65535)
		return false;
	size_t hl = (size_t)(colon - v);
	char host[64];
	if (hl >= sizeof(host))
		return false;
	memcpy(host, v, hl);
	host[hl] = '\0';
	unsigned char bin[16];
	if (hl == 0)
		return true;
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, bin) == 1;
	}
	return inet_pton(AF_INET, host, bin) == 1;
}

bool conf_check(enum conf_id key, const char *value, char *err, size_t errlen)
{
	const struct conf_key *k = &conf_keys[key];
	size_t n = strlen(value);
	if (!n) {
		snprintf(err, errlen, "%s needs a value", k->name);
		return false;
	}
	if (n > CONF_LINE_MAX || !utf8_valid(value, n) || text_has_controls(value, n, false)) {
		snprintf(err, errlen, "%s: the value holds a control character, invalid UTF-8 or "
				      "is too long", k->name);
		return false;
	}
	switch (k->type) {
	case CONF_T_TEXT:
		return true;
	case CONF_T_UINT: {
		bool digits = n <= 12;
		for (size_t i = 0; digits && i < n; i++)
			digits = value[i] >= '0' && value[i] <= '9';
		long v = digits ? strtol(value, NULL, 10) : -1;
		if (!digits || v < k->min || v > k->max) {
			snprintf(err, errlen, "%s takes a whole number from %ld to %ld, not '%s'",
				 k->name, k->min, k->max, value);
			return false;
		}
		return true;
	}
	case CONF_T_CHOICE: {
		for (size_t i = 0; k->choices[i]; i++)
			if (!strcmp(value, k->choices[i]))
				return true;
		char list[128] = "";
		size_t used = 0;
		for (size_t i = 0; k->choices[i]; i++) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? (k->choices[i + 1] ? ", " : " or ") : "", k->choices[i]);
			if (w > 0 && (size_t)w < sizeof(list) - used)
				used += (size_t)w;
		}
		snprintf(err, errlen, "%s is %s, not '%s'", k->name, list, value);
		return false;
	}
	case CONF_T_BOOL:
		if (bool_of(value) < 0) {
			snprintf(err, errlen, "%s is yes or no (true/false, on/off, 1/0), not '%s'",
				 k->name, value);
			return false;
		}
		return true;
	case CONF_T_ADDR_OR_OFF:
		if (!strcmp(value, "off"))
			return true;
		/* fall through */
	case CONF_T_ADDR:
		if (!addr_ok(value)) {
			snprintf(err, errlen, "%s takes ADDR:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)%s, "
					      "not '%s'", k->name,
				 k->type == CONF_T_ADDR_OR_OFF ? " or off" : "", value);
			return false;
		}
		return true;
	case CONF_T_URL:
		if (strncmp(value, "http://", 7) && strncmp(value, "https://", 8)) {
			snprintf(err, errlen, "%s must start with http:// or https://, not '%s'",
				 k->name, value);
			return false;
		}
		for (size_t i = 0; i < n; i++)
			if (value[i] == ' ' || value[i] == '\t') {
				snprintf(err, errlen, "%s holds a space", k->name);
				return false;
			}
		return true;
	}
	return false;
}

bool conf_set(struct conf *c, enum conf_id key, const char *value, enum conf_source source,
	      unsigned line, char *err, size_t errlen)
{
	if (!conf_check(key, value, err, errlen))
		return false;
	c->v[key] = (struct conf_value){arena_strdup(c->a, value), source, line};
	return true;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

bool conf_parse(struct conf *c, const char *text, size_t len, const char *fname, char *err,
		size_t errlen)
{
	c->file = arena_strdup(c->a, fname);
	unsigned seen[CONF_NKEYS] = {0};
	unsigned lineno = 0;
	size_t pos = 0;
	char msg[512];
	while (pos < len) {
		lineno++;
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + (nl ? 1 : 0);
		if (ll && line[ll - 1] == '\r')
			ll--;
		if (ll > CONF_LINE_MAX) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes", fname, lineno,
				 CONF_LINE_MAX);
			return false;
		}
		if (!utf8_valid(line, ll) || text_has_controls(line, ll, false)) {
			snprintf(err, errlen, "%s:%u: invalid UTF-8, a NUL or a control character",
				 fname, lineno);
			return false;
		}
		size_t b = 0, e = ll;
		while (b < e && is_blank(line[b]))
			b++;
		while (e > b && is_blank(line[e - 1]))
			e--;
		if (b == e || line[b] == '#')
			continue;
		const char *eq = memchr(line + b, '=', e - b);
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected 'key = value'", fname, lineno);
			return false;
		}
		size_t kb = b, ke = (size_t)(eq - line);
		while (ke > kb && is_blank(line[ke - 1]))
			ke--;
		size_t vb = (size_t)(eq - line) + 1;
		while (vb < e && is_blank(line[vb]))
			vb++;
		char key[64];
		if (ke - kb == 0 || ke - kb >= sizeof(key)) {
			snprintf(err, errlen, "%s:%u: %s", fname, lineno,
				 ke == kb ? "no key before '='" : "unknown key");
			return false;
		}
		memcpy(key, line + kb, ke - kb);
		key[ke - kb] = '\0';
		int id = conf_find(key);
		if (id < 0) {
			/* Only printable ASCII is quoted back. */
			bool plain = true;
			for (size_t i = 0; key[i]; i++)
				plain = plain && key[i] > 0x20 && key[i] < 0x7f;
			snprintf(err, errlen, "%s:%u: unknown key '%s'", fname, lineno,
				 plain ? key : "?");
			return false;
		}
		if (seen[id]) {
			snprintf(err, errlen, "%s:%u: %s is set twice (first on line %u)", fname, lineno,
				 key, seen[id]);
			return false;
		}
		seen[id] = lineno;
		char *value = arena_strndup(c->a, line + vb, e - vb);
		if (!conf_set(c, (enum conf_id)id, value, CONF_SRC_FILE, lineno, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s:%u: %s", fname, lineno, msg);
			return false;
		}
	}
	return true;
}

const char *conf_get(const struct conf *c, enum conf_id key)
{
	return c->v[key].value ? c->v[key].value : conf_keys[key].def;
}

long conf_num(const struct conf *c, enum conf_id key)
{
	const char *v = conf_get(c, key);
	if (!v)
		return 0;
	if (conf_keys[key].type == CONF_T_BOOL)
		return bool_of(v) == 1;
	return strtol(v, NULL, 10);
}

bool conf_bool(const struct conf *c, enum conf_id key)
{
	const char *v = conf_get(c, key);
	return v && bool_of(v) == 1;
}

void conf_env_name(enum conf_id key, char *out, size_t outlen)
{
	size_t n = 0;
	const char *pre = "QUIRE_";
	for (; *pre && n + 1 < outlen; pre++)
		out[n++] = *pre;
	for (const char *p = conf_keys[key].name; *p && n + 1 < outlen; p++)
		out[n++] = *p == '-' ? '_' : (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	out[n] = '\0';
}

void conf_origin(const struct conf *c, enum conf_id key, char *out, size_t outlen)
{
	const struct conf_value *v = &c->v[key];
	char env[64];
	switch (v->value ? v->source : CONF_SRC_DEFAULT) {
	case CONF_SRC_FILE:
		snprintf(out, outlen, "%s line %u", c->file ? c->file : "file", v->line);
		break;
	case CONF_SRC_ENV:
		conf_env_name(key, env, sizeof(env));
		snprintf(out, outlen, "%s", env);
		break;
	case CONF_SRC_FLAG:
		snprintf(out, outlen, "--%s", conf_keys[key].name);
		break;
	default:
		snprintf(out, outlen, "default");
	}
}

/* One pass from left to right. Whatever a rule covers (a password=
 * value, or a URL's whole authority) is emitted and never looked at
 * again, and "*****" starts no rule, so masking twice is masking once
 * (fuzz/fuzz_conf.c holds it). */
void conf_mask(const char *value, struct buf *out)
{
	const char *p = value;
	while (*p) {
		/* password=VALUE, in a query string or a key=value string. */
		if (!strncasecmp(p, "password=", 9) &&
		    (p == value || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ' || p[-1] == '\t')) {
			buf_add(out, p, 9);
			buf_adds(out, "*****");
			p += 9;
			p += strcspn(p, "& \t");
			continue;
		}
		/* scheme://user:PASSWORD@host: the authority ends at the path,
		 * the query or a blank; the user information at its last '@'
		 * (a '#', '&' or '@' may be part of the password). */
		if (!strncmp(p, "://", 3)) {
			const char *auth = p + 3;
			size_t al = strcspn(auth, "/? \t");
			const char *at = NULL;
			for (size_t i = 0; i < al; i++)
				if (auth[i] == '@')
					at = auth + i;
			const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
			if (colon) {
				buf_add(out, p, (size_t)(colon + 1 - p));
				buf_adds(out, "*****");
				buf_add(out, at, (size_t)(auth + al - at));
			} else {
				buf_add(out, p, 3 + al);
			}
			p = auth + al;
			continue;
		}
		buf_addch(out, *p++);
	}
}

const char *conf_display(const struct conf *c, enum conf_id key)
{
	const char *v = conf_get(c, key);
	if (!v)
		return "(unset)";
	if (!conf_keys[key].secret)
		return v;
	struct buf b;
	buf_init(&b, 0);
	conf_mask(v, &b);
	char *s = arena_strdup(c->a, buf_str(&b));
	buf_release(&b);
	return s;
}
