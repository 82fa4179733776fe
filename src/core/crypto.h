/*
 * crypto.h - the project's only door to libsodium outside accounts/:
 * randomness, hashing of tokens, constant-time comparison.
 */
#ifndef QUIRE_CORE_CRYPTO_H
#define QUIRE_CORE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* Call once at start; false if the library cannot initialise. */
bool crypto_init(void) __attribute__((warn_unused_result));
/* libsodium's version ("1.0.18"), for quire --version. */
const char *crypto_lib_version(void);

void random_fill(void *p, size_t n);

/* Lowercase hex of nbytes random bytes into out (2*nbytes + 1 bytes). */
void random_hex(char *out, size_t nbytes);

/* An opaque id: 16 hex chars (64 random bits). out holds 17 bytes. */
#define ID_LEN 16
void id_new(char out[ID_LEN + 1]);
bool id_valid(const char *s);

/* SHA-256 of s as 64 lowercase hex chars; out holds 65 bytes. Used to
 * store tokens so that a stolen database does not yield live tokens. */
void hash_token(const char *s, size_t n, char out[65]);

/* Keyed MAC (BLAKE2b, 32-byte key) as hex; out holds 65 bytes. */
void mac_hex(const unsigned char key[32], const char *msg, size_t n, char out[65]);

bool ct_equal(const char *a, const char *b, size_t n);

#endif
