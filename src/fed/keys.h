/*
 * keys.h - the RSA keys of federation (issue 20): making a writer's key
 * pair, signing with it, checking a signature with someone's public key,
 * and SHA-256 for Digest headers. The only room of OpenSSL's libcrypto
 * (scripts/lint.sh keeps its calls in keys.c): everything crosses this
 * header as PEM text and plain bytes, so the library could be swapped
 * here alone.
 *
 * What it is not: HTTP Signatures themselves (fed/sig.h builds and parses
 * them) or where keys are kept (the store, fed/fed.h).
 *
 * Keys: RSA, 2048-bit when made here; public keys are PEM
 * SubjectPublicKeyInfo ("BEGIN PUBLIC KEY", what Mastodon and Fedify
 * publish), private keys PEM PKCS#8. Signatures are RSASSA-PKCS1-v1_5
 * over SHA-256 ("rsa-sha256" of draft-cavage-http-signatures).
 *
 * Thread-safe: no shared state.
 */
#ifndef QUIRE_FED_KEYS_H
#define QUIRE_FED_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define FED_KEY_BITS 2048
/* Largest signature we make or check (an RSA key of 8192 bits). */
#define FED_SIG_MAX 1024
/* Smallest remote RSA key accepted for a signature. */
#define FED_KEY_MIN_BITS 2048

/* A new key pair: PEM text appended to pub and priv (both empty before).
 * False (and nothing usable in either) when the library fails. */
bool fed_key_generate(struct buf *pub, struct buf *priv) __attribute__((warn_unused_result));

/* Sign msg[0..n) with the private key in priv_pem (rsa-sha256): the
 * signature into sig (at least FED_SIG_MAX bytes), its length in
 * *siglen. False when the key does not parse or signing fails. */
bool fed_key_sign(const char *priv_pem, const void *msg, size_t n, unsigned char *sig,
		  size_t *siglen) __attribute__((warn_unused_result));

/* Whether sig[0..siglen) is pub_pem's rsa-sha256 signature of msg[0..n).
 * False as well for a key that does not parse, is not RSA or is shorter
 * than FED_KEY_MIN_BITS. */
bool fed_key_verify(const char *pub_pem, const void *msg, size_t n, const unsigned char *sig,
		    size_t siglen) __attribute__((warn_unused_result));

/* Whether pem is a public key fed_key_verify() would use. */
bool fed_key_public_ok(const char *pem);

/* SHA-256 of msg[0..n) into out. */
void fed_sha256(const void *msg, size_t n, unsigned char out[32]);

#endif
