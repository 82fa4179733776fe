/*
 * fed.c - the rules of federation (fed.h): a writer's key pair, made
 * lazily and kept once.
 */
#include "fed/fed.h"

#include "core/clock.h"
#include "fed/keys.h"
#include "store/store_fed.h"

#include <pthread.h>
#include <string.h>

const char *fed_strerror(enum fed_err e)
{
	switch (e) {
	case FED_OK: return "ok";
	case FED_STORE: return "the database failed";
	case FED_CRYPTO: return "a key could not be made or read";
	}
	return "unknown error";
}

/* Making a key pair takes a tenth of a second or so: requests of this
 * process that all find none take turns, so only the first makes one
 * (the store settles races between app servers). Synchronisation, not
 * state. */
static pthread_mutex_t key_mu = PTHREAD_MUTEX_INITIALIZER;

enum fed_err fed_key_for(struct store *st, struct arena *a, const char *user_id,
			 const char **public_pem, const char **private_pem)
{
	enum store_err e = store_fed_key_get(st, a, user_id, public_pem, private_pem);
	if (e != STORE_NOT_FOUND)
		return e ? FED_STORE : FED_OK;
	pthread_mutex_lock(&key_mu);
	e = store_fed_key_get(st, a, user_id, public_pem, private_pem);
	enum fed_err r = e == STORE_OK ? FED_OK : FED_STORE;
	if (e == STORE_NOT_FOUND) {
		struct buf pub, priv;
		buf_init(&pub, 16 << 10);
		buf_init(&priv, 16 << 10);
		if (!fed_key_generate(&pub, &priv))
			r = FED_CRYPTO;
		else if (store_fed_key_init(st, a, user_id, buf_str(&pub), buf_str(&priv),
					    clock_now(), public_pem, private_pem))
			r = FED_STORE;
		else
			r = FED_OK;
		buf_release(&pub);
		if (priv.data)
			explicit_bzero(priv.data, priv.alloc);
		buf_release(&priv);
	}
	pthread_mutex_unlock(&key_mu);
	return r;
}
