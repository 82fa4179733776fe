/* fuzz_sig.c - the Signature header of HTTP Signatures (sig_parse) and
 * the Date, Digest and base64 it rests on, from arbitrary bytes: no
 * crash, no read past the input, and what parses keeps its promises
 * (a keyId within its limit, a signature no longer than any key makes,
 * header names lowercase and one space apart). */
#include "fed/sig.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct arena a;
	arena_init(&a);
	struct sig_header h;
	if (sig_parse(&a, s, &h) == SIG_OK) {
		size_t kl = strlen(h.key_id);
		if (!kl || kl > SIG_KEY_ID_MAX || !h.siglen || h.siglen > FED_SIG_MAX || !h.headers[0])
			abort();
		for (const char *p = h.headers; *p; p++)
			if (isupper((unsigned char)*p) || (*p == ' ' && (p[1] == ' ' || !p[1])) ||
			    (unsigned char)*p < 0x20)
				abort();
	}
	int64_t t;
	if (sig_parse_http_date(s, &t) && strcmp(sig_http_date(&a, t), s) != 0)
		abort(); /* one spelling per date */
	(void)sig_digest_matches(s, data, size);
	unsigned char out[64];
	size_t n;
	if (sig_unbase64(s, size, out, sizeof(out), &n)) {
		const char *back = sig_base64(&a, out, n);
		unsigned char again[64];
		size_t m;
		if (!sig_unbase64(back, strlen(back), again, sizeof(again), &m) || m != n ||
		    memcmp(out, again, n) != 0)
			abort();
	}
	arena_release(&a);
	free(s);
	return 0;
}
