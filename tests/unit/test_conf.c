/* test_conf.c - quire.conf parsing, checks, precedence and masking
 * (core/conf.h). */
#include "core/conf.h"
#include "tap.h"

#include <string.h>

static bool parse(struct conf *c, const char *text, char *err, size_t errlen)
{
	return conf_parse(c, text, strlen(text), "quire.conf", err, errlen);
}

static void test_good_file(void)
{
	struct arena a;
	arena_init(&a);
	struct conf c;
	conf_init(&c, &a);
	char err[512] = "";
	const char *text = "# Quire\n"
			   "\n"
			   "  data = /srv/quire  \r\n"
			   "listen=[::1]:8081\n"
			   "\tthreads\t=\t4\n"
			   "db = postgres://quire:p#ss@db.internal/quire\n"
			   "trusted-proxy = 127.0.0.1,::1\n"
			   "log-level = debug\n"
			   "metrics-listen = 127.0.0.1:9188\n"
			   "metrics-allow-remote = no\n"
			   "base-url = https://essays.example";
	ok(parse(&c, text, err, sizeof(err)), "a good file parses (%s)", err);
	is_str(conf_get(&c, CONF_DATA), "/srv/quire", "value trimmed, CRLF dropped");
	is_str(conf_get(&c, CONF_LISTEN), "[::1]:8081", "no spaces around '='");
	ok(conf_num(&c, CONF_THREADS) == 4, "tabs around '=' and the number");
	is_str(conf_get(&c, CONF_DB), "postgres://quire:p#ss@db.internal/quire",
	       "'#' inside a value is part of it");
	is_str(conf_get(&c, CONF_BASE_URL), "https://essays.example", "last line without LF");
	ok(c.v[CONF_THREADS].line == 5 && c.v[CONF_THREADS].source == CONF_SRC_FILE,
	   "line numbers and source kept");
	char where[128];
	conf_origin(&c, CONF_THREADS, where, sizeof(where));
	is_str(where, "quire.conf line 5", "origin of a file value");
	conf_origin(&c, CONF_MAX_CONNS, where, sizeof(where));
	is_str(where, "default", "origin of a default");
	is_str(conf_get(&c, CONF_MAX_CONNS), "4096", "defaults apply");
	ok(!conf_bool(&c, CONF_METRICS_ALLOW_REMOTE), "bool no");
	is_str(conf_display(&c, CONF_DB), "postgres://quire:*****@db.internal/quire",
	       "the password is masked for display");
	is_str(conf_display(&c, CONF_THREADS), "4", "other values shown as they are");
	arena_release(&a);
}

static void bad(const char *text, const char *want)
{
	struct arena a;
	arena_init(&a);
	struct conf c;
	conf_init(&c, &a);
	char err[512] = "";
	bool r = conf_parse(&c, text, strlen(text), "quire.conf", err, sizeof(err));
	ok(!r && strstr(err, want), "refused: %s (got '%s')", want, err);
	arena_release(&a);
}

static void test_bad_files(void)
{
	bad("data = x\nthread = 4\n", "quire.conf:2: unknown key 'thread'");
	bad("\n\nthreads = 65\n", "quire.conf:3: threads takes a whole number from 1 to 64");
	bad("threads = 4x\n", "quire.conf:1: threads takes");
	bad("threads = -1\n", ":1: threads takes");
	bad("threads =\n", ":1: threads needs a value");
	bad("threads\n", ":1: expected 'key = value'");
	bad("= 4\n", ":1: no key before '='");
	bad("threads = 2\nthreads = 3\n", ":2: threads is set twice (first on line 1)");
	bad("log-level = loud\n", ":1: log-level is error, warn, info or debug, not 'loud'");
	bad("log-format = xml\n", ":1: log-format is text or json");
	bad("listen = localhost:80\n", ":1: listen takes ADDR:PORT");
	bad("listen = 127.0.0.1:70000\n", ":1: listen takes ADDR:PORT");
	bad("metrics-listen = nowhere\n", ":1: metrics-listen takes ADDR:PORT");
	bad("base-url = ftp://x\n", ":1: base-url must start with http:// or https://");
	bad("metrics-allow-remote = maybe\n", ":1: metrics-allow-remote is yes or no");
	bad("[serve]\n", ":1: expected 'key = value'");
	bad("data = a\x01b\n", ":1: invalid UTF-8, a NUL or a control character");
	bad("data = \xff\n", ":1: invalid UTF-8");
	static const char nul[] = "data = a\0b\n";
	struct arena a;
	arena_init(&a);
	struct conf c;
	conf_init(&c, &a);
	char err[256];
	ok(!conf_parse(&c, nul, sizeof(nul) - 1, "f", err, sizeof(err)) && strstr(err, "f:1:"),
	   "NUL byte refused with its line");
	char big[CONF_LINE_MAX + 32];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "data = ", 7);
	ok(!conf_parse(&c, big, strlen(big), "f", err, sizeof(err)) && strstr(err, "longer"),
	   "over-long line refused");
	arena_release(&a);
}

static void test_precedence(void)
{
	struct arena a;
	arena_init(&a);
	struct conf c;
	conf_init(&c, &a);
	char err[256];
	ok(parse(&c, "threads = 2\nlog-level = warn\n", err, sizeof(err)), "file");
	ok(conf_set(&c, CONF_THREADS, "3", CONF_SRC_ENV, 0, err, sizeof(err)), "env");
	ok(conf_num(&c, CONF_THREADS) == 3, "environment over file");
	ok(conf_set(&c, CONF_THREADS, "5", CONF_SRC_FLAG, 0, err, sizeof(err)), "flag");
	ok(conf_num(&c, CONF_THREADS) == 5, "flag over environment");
	ok(!conf_set(&c, CONF_THREADS, "0", CONF_SRC_FLAG, 0, err, sizeof(err)) &&
	   conf_num(&c, CONF_THREADS) == 5, "a refused value leaves the old one");
	char where[64];
	conf_origin(&c, CONF_THREADS, where, sizeof(where));
	is_str(where, "--threads", "origin of a flag");
	conf_env_name(CONF_RESPONSES_PER_MINUTE_ADDR, where, sizeof(where));
	is_str(where, "QUIRE_RESPONSES_PER_MINUTE_ADDR", "environment names");
	conf_env_name(CONF_DB, where, sizeof(where));
	is_str(where, "QUIRE_DB", "QUIRE_DB is db's");
	ok(conf_find("max-conns-per-ip") == CONF_MAX_CONNS_PER_IP && conf_find("nope") < 0,
	   "conf_find");
	arena_release(&a);
}

static void mask(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b, 0);
	conf_mask(in, &b);
	is_str(buf_str(&b), want, "mask %s", in);
	struct buf again;
	buf_init(&again, 0);
	conf_mask(buf_str(&b), &again);
	is_str(buf_str(&again), want, "masking is idempotent");
	buf_release(&b);
	buf_release(&again);
}

static void test_mask(void)
{
	mask("postgres://quire:s3cret@db/quire", "postgres://quire:*****@db/quire");
	mask("postgresql://u:p@ss@h:5432/d?sslmode=require", "postgresql://u:*****@h:5432/d?sslmode=require");
	mask("postgres://quire@db/quire", "postgres://quire@db/quire");
	mask("postgresql:///quire?host=/run/postgresql&password=hunter2&user=q",
	     "postgresql:///quire?host=/run/postgresql&password=*****&user=q");
	mask("host=db user=q password=hunter2 dbname=quire",
	     "host=db user=q password=***** dbname=quire");
	mask("sqlite:/srv/quire/quire.db", "sqlite:/srv/quire/quire.db");
	mask("/a/b@c:d", "/a/b@c:d");
	mask("postgres://u:p&q#r@h/d", "postgres://u:*****@h/d");
	mask("x://a&password=b/c&d:e@f", "x://a&password=b/c&d:e@f");
}

int main(void)
{
	test_good_file();
	test_bad_files();
	test_precedence();
	test_mask();
	return tap_done();
}
