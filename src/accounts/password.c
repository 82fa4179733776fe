/*
 * password.c - argon2id password hashing through libsodium, at its
 * "interactive" cost (64 MiB, 2 passes). Each hash takes that much memory,
 * so at most `concurrency` run at once; the rest wait a bounded time and
 * then get ACCT_BUSY, so a flood of sign-ins cannot exhaust memory.
 */
#include "accounts/accounts.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

static sem_t slots;
static bool slots_ready;

/* The hash an unknown handle's password is checked against, so that it
 * costs what a real check costs. Made at the first check, under its
 * slot, not at start: 64 MiB written at every start was the
 * server's peak memory (75 MB) for a site where nobody signs in. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static bool dummy_ok;

static void dummy_make(void)
{
	char pw[33];
	unsigned char raw[16];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
	dummy_ok = crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

static bool slot_take(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	while (sem_timedwait(&slots, &ts) != 0) {
		if (errno != EINTR)
			return false;
	}
	return true;
}

static void slot_give(void)
{
	sem_post(&slots);
}

bool password_init(unsigned concurrency)
{
	if (slots_ready)
		return true;
	if (sem_init(&slots, 0, concurrency ? concurrency : 2) != 0)
		return false;
	slots_ready = true;
	return true;
}

void password_shutdown(void)
{
	if (slots_ready)
		sem_destroy(&slots);
	slots_ready = false;
}

enum acct_err password_hash(const char *pw, size_t n, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return ACCT_STORE;
	if (!slot_take())
		return ACCT_BUSY;
	int rc = crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				   crypto_pwhash_MEMLIMIT_INTERACTIVE);
	slot_give();
	return rc == 0 ? ACCT_OK : ACCT_BUSY;
}

enum acct_err password_verify(const char *hash, const char *pw, size_t n)
{
	if (!slot_take())
		return ACCT_BUSY;
	/* The first check pays for the dummy, whether the handle exists or
	 * not: its answer says nothing either. */
	pthread_once(&dummy_once, dummy_make);
	if (!hash && !dummy_ok) {
		slot_give();
		return ACCT_BUSY;
	}
	int rc = crypto_pwhash_str_verify(hash ? hash : dummy_hash, pw, n);
	slot_give();
	/* With the dummy we did the same work, and always refuse. */
	return (rc == 0 && hash) ? ACCT_OK : ACCT_BAD_PASSWORD;
}
