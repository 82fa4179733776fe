/*
 * keys.c - keys.h over OpenSSL 3's EVP interface: RSA key pairs made,
 * written and read as PEM, rsa-sha256 signatures, SHA-256.
 */
#include "fed/keys.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string.h>

/* The PEM a memory BIO holds, appended to out. */
static bool bio_to_buf(BIO *bio, struct buf *out)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);
	if (n <= 0 || !p)
		return false;
	buf_add(out, p, (size_t)n);
	return !buf_failed(out);
}

bool fed_key_generate(struct buf *pub, struct buf *priv)
{
	EVP_PKEY *k = EVP_RSA_gen(FED_KEY_BITS);
	BIO *bp = BIO_new(BIO_s_mem()), *bv = BIO_new(BIO_s_mem());
	bool ok = k && bp && bv && PEM_write_bio_PUBKEY(bp, k) == 1 &&
		  PEM_write_bio_PrivateKey(bv, k, NULL, NULL, 0, NULL, NULL) == 1 &&
		  bio_to_buf(bp, pub) && bio_to_buf(bv, priv);
	BIO_free(bp);
	BIO_free(bv);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return ok;
}

static EVP_PKEY *read_key(const char *pem, bool private)
{
	if (!pem || !*pem)
		return NULL;
	BIO *b = BIO_new_mem_buf(pem, -1);
	if (!b)
		return NULL;
	EVP_PKEY *k = private ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) :
				PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (k && (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA ||
		  (!private && EVP_PKEY_get_bits(k) < FED_KEY_MIN_BITS) ||
		  (size_t)EVP_PKEY_get_size(k) > FED_SIG_MAX)) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	ERR_clear_error();
	return k;
}

bool fed_key_sign(const char *priv_pem, const void *msg, size_t n, unsigned char *sig,
		  size_t *siglen)
{
	*siglen = 0;
	EVP_PKEY *k = read_key(priv_pem, true);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t len = FED_SIG_MAX;
	bool ok = k && c && EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
		  EVP_DigestSign(c, sig, &len, msg, n) == 1;
	if (ok)
		*siglen = len;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return ok;
}

bool fed_key_verify(const char *pub_pem, const void *msg, size_t n, const unsigned char *sig,
		    size_t siglen)
{
	EVP_PKEY *k = read_key(pub_pem, false);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = k && c && siglen > 0 && siglen <= FED_SIG_MAX &&
		  EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
		  EVP_DigestVerify(c, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return ok;
}

bool fed_key_public_ok(const char *pem)
{
	EVP_PKEY *k = read_key(pem, false);
	EVP_PKEY_free(k);
	return k != NULL;
}

void fed_sha256(const void *msg, size_t n, unsigned char out[32])
{
	unsigned int len = 32;
	if (EVP_Digest(msg, n, out, &len, EVP_sha256(), NULL) != 1)
		memset(out, 0, 32);
	ERR_clear_error();
}
