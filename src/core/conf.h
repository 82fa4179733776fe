/*
 * conf.h - the settings of the quire command: one key per setting flag,
 * read from a file (quire.conf), the environment (QUIRE_<KEY>) and the
 * command line, in that order, each later source winning.
 *
 * Pure: no I/O, no globals but the constant key table. The caller reads
 * the file and the environment and hands their text here; everything a
 * struct conf holds is copied into the arena given to conf_init() and
 * lives as long as it.
 *
 * The file format, line by line (UTF-8, LF or CRLF line ends):
 *   # a comment            (a line whose first non-blank is '#')
 *                          (blank lines)
 *   key = value            (spaces around '=' and the value are trimmed)
 * The value is the rest of the line, verbatim: no quoting, no escapes and
 * no comment after a value (a '#' may be part of a password in a URL).
 * A key not in the table, a key given twice, a line without '=', an empty
 * value, a value its key does not accept, a control character, invalid
 * UTF-8 or a line over CONF_LINE_MAX bytes is an error naming the line;
 * nothing is ever ignored.
 */
#ifndef QUIRE_CORE_CONF_H
#define QUIRE_CORE_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"

#define CONF_LINE_MAX 4096

enum conf_id {
	CONF_DATA,
	CONF_DB,
	CONF_LISTEN,
	CONF_BASE_URL,
	CONF_THREADS,
	CONF_MAX_CONNS,
	CONF_MAX_CONNS_PER_IP,
	CONF_TRUSTED_PROXY,
	CONF_LOG_LEVEL,
	CONF_LOG_FORMAT,
	CONF_RESPONSES_PER_MINUTE,
	CONF_RESPONSES_PER_MINUTE_ADDR,
	CONF_METRICS_LISTEN,
	CONF_METRICS_ALLOW_REMOTE,
	/* email (issue 18) */
	CONF_SMTP,
	CONF_MAIL_FROM,
	CONF_SMTP_INSECURE,
	CONF_MAIL_DOMAIN_RATE,
	CONF_MAIL_RETRY_BASE,
	/* imports (issue 19) */
	CONF_ALLOW_PRIVATE_FETCH,
	CONF_IMPORT_WORKERS,
	/* the fediverse (issue 20) */
	CONF_FED_RETRY_BASE,
	CONF_FED_SENDERS,
	CONF_FED_DOMAIN_CONCURRENCY,
	CONF_NKEYS
};

enum conf_type {
	CONF_T_TEXT,   /* any one-line text */
	CONF_T_UINT,   /* decimal integer in [min, max] */
	CONF_T_CHOICE, /* one of choices */
	CONF_T_BOOL,   /* yes/no, true/false, on/off, 1/0 */
	CONF_T_ADDR,   /* IPV4:PORT or [IPV6]:PORT (":PORT" for every address) */
	CONF_T_URL,    /* http://... or https://... */
	CONF_T_ADDR_OR_OFF, /* CONF_T_ADDR, or "off" */
};

struct conf_key {
	const char *name;     /* "max-conns": the file key; the flag is "--max-conns" */
	enum conf_type type;
	long min, max;        /* CONF_T_UINT */
	const char *const *choices; /* CONF_T_CHOICE, NULL-terminated */
	const char *def;      /* the default as text; NULL: none (derived or unset) */
	bool secret;          /* may hold a password: masked by conf_display() */
	bool reloadable;      /* applied again on SIGHUP */
};

/* The table, indexed by enum conf_id. */
extern const struct conf_key conf_keys[CONF_NKEYS];

enum conf_source { CONF_SRC_DEFAULT, CONF_SRC_FILE, CONF_SRC_ENV, CONF_SRC_FLAG };

struct conf_value {
	const char *value;      /* NULL: not set (the key's default applies) */
	enum conf_source source;
	unsigned line;          /* CONF_SRC_FILE: its line number */
};

struct conf {
	struct arena *a;
	const char *file;       /* the file's name as given to conf_parse, or NULL */
	struct conf_value v[CONF_NKEYS];
};

void conf_init(struct conf *c, struct arena *a);

/* The key named name ("max-conns"), or -1. */
int conf_find(const char *name);

/* Whether value is acceptable for key; false with a message in err. */
bool conf_check(enum conf_id key, const char *value, char *err, size_t errlen);

/* Check and set key from source (the later call wins); line for
 * CONF_SRC_FILE. value is copied. False with a message in err (the value
 * is then left as it was). */
bool conf_set(struct conf *c, enum conf_id key, const char *value, enum conf_source source,
	      unsigned line, char *err, size_t errlen);

/* Parse a whole file (text[0..len), may hold any bytes) into c as
 * CONF_SRC_FILE. fname names the file in messages ("quire.conf:3: ...").
 * Stops at the first error: false with "FNAME:LINE: message" in err. */
bool conf_parse(struct conf *c, const char *text, size_t len, const char *fname, char *err,
		size_t errlen);

/* The effective value: the one set, else the default (NULL when there is
 * none). */
const char *conf_get(const struct conf *c, enum conf_id key);
/* CONF_T_UINT / CONF_T_BOOL keys: the effective value as a number (0
 * when unset without default). */
long conf_num(const struct conf *c, enum conf_id key);
bool conf_bool(const struct conf *c, enum conf_id key);

/* "QUIRE_MAX_CONNS" for max-conns, into out (at least 64 bytes). */
void conf_env_name(enum conf_id key, char *out, size_t outlen);

/* Where the effective value comes from, for messages: "quire.conf line 3",
 * "QUIRE_THREADS", "--threads" or "default"; into out. */
void conf_origin(const struct conf *c, enum conf_id key, char *out, size_t outlen);

/* value with any password replaced by "*****": the password of a URL's
 * user information (scheme://user:PASSWORD@host), and the value of
 * every password=... parameter (URL query or libpq key=value string).
 * Appended to out. Idempotent. */
void conf_mask(const char *value, struct buf *out);

/* The effective value as it may be shown (secrets masked, see conf_mask),
 * "(unset)" when there is none; allocated from c's arena. */
const char *conf_display(const struct conf *c, enum conf_id key);

#endif
