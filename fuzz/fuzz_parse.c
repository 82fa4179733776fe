/* fuzz_parse.c - request decoders: percent-decoding, forms, cookies, paths,
 * the client address behind trusted proxies (Forwarded / X-Forwarded-For)
 * and --trusted-proxy lists. The input's first byte picks the decoder;
 * the rest is the input (for the proxy headers: Forwarded, a newline,
 * then X-Forwarded-For). */
#include "http/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct arena a;
	arena_init(&a);
	const char *s = (const char *)data + 1;
	size_t n = size - 1;
	struct kvlist l;
	char *out;
	size_t out_len;
	switch (data[0] % 6) {
	case 0:
		if (pct_decode(&a, s, n, true, &out, &out_len) == PARSE_OK && strlen(out) != out_len)
			abort(); /* decoded text never holds NUL */
		break;
	case 1:
		if (form_parse(&a, s, n, &l) == PARSE_OK) {
			if (l.n > PARSE_MAX_FIELDS)
				abort();
			for (size_t i = 0; i < l.n; i++)
				if (strlen(l.items[i].val) != l.items[i].val_len)
					abort();
		}
		break;
	case 2: {
		/* Cookie headers arrive NUL-terminated from the server. */
		char *z = arena_strndup(&a, s, n);
		if (cookie_parse(&a, z, strlen(z), &l) == PARSE_OK)
			for (size_t i = 0; i < l.n; i++)
				(void)kv_get(&l, l.items[i].key);
		break;
	}
	case 3: {
		char **segs;
		size_t nsegs;
		bool ts;
		if (path_split(&a, s, n, &segs, &nsegs, &ts) == PARSE_OK) {
			if (nsegs > PATH_MAX_SEGMENTS)
				abort();
			for (size_t i = 0; i < nsegs; i++)
				if (!segs[i][0] || strchr(segs[i], '/') || !strcmp(segs[i], ".."))
					abort();
		}
		break;
	}
	case 4: {
		char *z = arena_strndup(&a, s, n);
		char *nl = strchr(z, '\n');
		const char *fwd = z, *xff = NULL;
		if (nl) {
			*nl = '\0';
			xff = nl + 1;
		}
		static const char trusted_spec[] = "127.0.0.0/8, 10.0.0.0/8,::1,2001:db8::/32";
		struct net_list trusted;
		const char *bad;
		struct net_addr peer, outside, client;
		if (!net_list_parse(&a, trusted_spec, &trusted, &bad) ||
		    !net_addr_parse("127.0.0.1", 9, &peer) || !net_addr_parse("192.0.2.1", 9, &outside))
			abort();
		bool used = forwarded_client(&a, &peer, &trusted, fwd, xff, &client);
		char text[NET_ADDR_STRLEN];
		net_addr_format(&client, text);
		struct net_addr back;
		if (!net_addr_parse(text, strlen(text), &back) || !net_addr_equal(&back, &client))
			abort(); /* what is logged and counted names the same address */
		if (!used && !net_addr_equal(&client, &peer))
			abort();
		/* An untrusted peer's headers are never read. */
		if (forwarded_client(&a, &outside, &trusted, fwd, xff, &client) ||
		    !net_addr_equal(&client, &outside))
			abort();
		break;
	}
	case 5: {
		char *z = arena_strndup(&a, s, n);
		struct net_list l;
		const char *bad;
		if (net_list_parse(&a, z, &l, &bad))
			for (size_t i = 0; i < l.n; i++)
				if (l.items[i].bits > 128 || !net_list_contains(&l, &l.items[i].net))
					abort();
		break;
	}
	}
	arena_release(&a);
	return 0;
}
