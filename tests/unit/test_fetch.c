/* test_fetch.c - the SSRF guard of src/net/fetch.c: the address classifier
 * on every refused range and a few public addresses, and fetch_get()
 * refusing loopback, private, metadata and non-http URLs before any
 * connection is made (no network needed). */
#include "net/fetch.h"
#include "tap.h"

static void cls(const char *addr, enum fetch_addr_class want)
{
	enum fetch_addr_class got = fetch_addr_classify_str(addr);
	ok(got == want, "%s is %s (got %s)", addr, fetch_addr_class_name(want), fetch_addr_class_name(got));
}

static void refused(const char *url, enum fetch_err want, bool allow_private)
{
	struct fetch_result r;
	fetch_result_init(&r);
	struct fetch_opts o = { .timeout_ms = 2000, .allow_private = allow_private };
	enum fetch_err e = fetch_get(url, &o, &r);
	ok(e == want, "%s refused: %s (got %s: %s)", url, fetch_strerror(want), fetch_strerror(e), r.error);
	ok(r.error[0] != 0, "%s: the error says why", url);
	ok(r.body.len == 0, "%s: nothing read", url);
	fetch_result_release(&r);
}

int main(void)
{
	cls("127.0.0.1", FETCH_ADDR_LOOPBACK);
	cls("127.255.0.9", FETCH_ADDR_LOOPBACK);
	cls("10.0.0.1", FETCH_ADDR_PRIVATE);
	cls("172.16.0.1", FETCH_ADDR_PRIVATE);
	cls("172.31.255.255", FETCH_ADDR_PRIVATE);
	cls("172.32.0.1", FETCH_ADDR_PUBLIC);
	cls("192.168.1.1", FETCH_ADDR_PRIVATE);
	cls("100.64.0.1", FETCH_ADDR_CGNAT);
	cls("100.127.255.255", FETCH_ADDR_CGNAT);
	cls("100.128.0.1", FETCH_ADDR_PUBLIC);
	cls("169.254.169.254", FETCH_ADDR_METADATA);
	cls("169.254.1.1", FETCH_ADDR_LINK_LOCAL);
	cls("0.0.0.0", FETCH_ADDR_UNSPECIFIED);
	cls("224.0.0.1", FETCH_ADDR_MULTICAST);
	cls("239.255.255.250", FETCH_ADDR_MULTICAST);
	cls("255.255.255.255", FETCH_ADDR_MULTICAST);
	cls("240.0.0.1", FETCH_ADDR_RESERVED);
	cls("192.0.2.1", FETCH_ADDR_RESERVED);
	cls("198.18.0.1", FETCH_ADDR_RESERVED);
	cls("8.8.8.8", FETCH_ADDR_PUBLIC);
	cls("93.184.216.34", FETCH_ADDR_PUBLIC);
	cls("::", FETCH_ADDR_UNSPECIFIED);
	cls("::1", FETCH_ADDR_LOOPBACK);
	cls("::ffff:127.0.0.1", FETCH_ADDR_MAPPED);
	cls("::ffff:8.8.8.8", FETCH_ADDR_MAPPED);
	cls("::10.0.0.1", FETCH_ADDR_MAPPED);
	cls("64:ff9b::a00:1", FETCH_ADDR_MAPPED);
	cls("2002:a00:1::1", FETCH_ADDR_MAPPED);
	cls("fc00::1", FETCH_ADDR_ULA);
	cls("fd12:3456::1", FETCH_ADDR_ULA);
	cls("fd00:ec2::254", FETCH_ADDR_METADATA);
	cls("fe80::1", FETCH_ADDR_LINK_LOCAL);
	cls("febf::1", FETCH_ADDR_LINK_LOCAL);
	cls("fec0::1", FETCH_ADDR_RESERVED);
	cls("ff02::1", FETCH_ADDR_MULTICAST);
	cls("2001:db8::1", FETCH_ADDR_RESERVED);
	cls("2606:4700:4700::1111", FETCH_ADDR_PUBLIC);
	cls("2a00:1450:4001::1", FETCH_ADDR_PUBLIC);
	cls("not-an-address", FETCH_ADDR_UNKNOWN_FAMILY);

	refused("http://127.0.0.1/", FETCH_BLOCKED, false);
	refused("http://127.0.0.1:1/photo.jpg", FETCH_BLOCKED, false);
	refused("http://10.0.0.1/", FETCH_BLOCKED, false);
	refused("http://169.254.169.254/latest/meta-data/", FETCH_BLOCKED, false);
	refused("https://[::1]/", FETCH_BLOCKED, false);
	refused("http://[::ffff:127.0.0.1]/", FETCH_BLOCKED, false);
	refused("http://localhost/", FETCH_BLOCKED, false);
	refused("http://2130706433/", FETCH_BLOCKED, false); /* 127.0.0.1 as one number */
	refused("file:///etc/passwd", FETCH_SCHEME, false);
	refused("file:///etc/passwd", FETCH_SCHEME, true);
	refused("ftp://example.com/x", FETCH_SCHEME, false);
	refused("gopher://127.0.0.1:6379/_INFO", FETCH_SCHEME, true);
	refused("http://user:pw@example.com/", FETCH_BAD_URL, false);
	refused("not a url", FETCH_BAD_URL, false);
	/* With the flag the address check is off: the connection is tried
	 * (port 1 on loopback is closed, so the transfer itself fails). */
	refused("http://127.0.0.1:1/", FETCH_CONNECT, true);
	return tap_done();
}
