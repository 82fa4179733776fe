/* crypto.c - thin wrappers over libsodium; see crypto.h. */
#include "core/crypto.h"

#include <sodium.h>
#include <string.h>

const char *crypto_lib_version(void)
{
	return sodium_version_string();
}

bool crypto_init(void)
{
	return sodium_init() >= 0;
}

void random_fill(void *p, size_t n)
{
	randombytes_buf(p, n);
}

void random_hex(char *out, size_t nbytes)
{
	unsigned char raw[64];
	while (nbytes > 0) {
		size_t k = nbytes > sizeof(raw) ? sizeof(raw) : nbytes;
		randombytes_buf(raw, k);
		sodium_bin2hex(out, 2 * k + 1, raw, k);
		out += 2 * k;
		nbytes -= k;
	}
}

void id_new(char out[ID_LEN + 1])
{
	random_hex(out, ID_LEN / 2);
}

bool id_valid(const char *s)
{
	if (!s || strlen(s) != ID_LEN)
		return false;
	for (size_t i = 0; i < ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void hash_token(const char *s, size_t n, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, n);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void mac_hex(const unsigned char key[32], const char *msg, size_t n, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)msg, n, key, 32);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

bool ct_equal(const char *a, const char *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
