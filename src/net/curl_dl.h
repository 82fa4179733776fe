/*
 * curl_dl.h - libcurl opened with dlopen() at the first transfer instead
 * of linked: included by src/net/ only.
 *
 * Why: libcurl loads libssh2, nghttp2, librtmp, libidn2, libpsl, and with
 * them Kerberos, LDAP and libssl; linked, every server carries them
 * resident before a single fetch (a site that does not federate never
 * makes one). The prototypes are libcurl's own (core/dl.h explains the
 * pattern); curl_easy_setopt and curl_easy_getinfo are variadic, and a
 * pointer of their own type calls them as they are.
 *
 * curl_dl_open() must succeed before any of them is called.
 */
#ifndef QUIRE_NET_CURL_DL_H
#define QUIRE_NET_CURL_DL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

/* libcurl's header makes curl_easy_setopt and curl_easy_getinfo macros
 * (type checks); the pointers below are to the functions themselves. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

#define CURL_DL_FUNCS(X)                                                                    \
	X(curl_easy_cleanup) X(curl_easy_getinfo) X(curl_easy_init) X(curl_easy_perform)         \
	X(curl_easy_setopt) X(curl_easy_strerror) X(curl_free) X(curl_global_init)              \
	X(curl_slist_append) X(curl_slist_free_all) X(curl_url) X(curl_url_cleanup)             \
	X(curl_url_get) X(curl_url_set) X(curl_version)

#define CURL_DL_DECLARE(f) extern __typeof__(f) *curl_dl_##f;
CURL_DL_FUNCS(CURL_DL_DECLARE)
#undef CURL_DL_DECLARE

/* Open libcurl and resolve every function above, once for the process;
 * false (and why, in err when given) if it is not installed or lacks one.
 * Safe from any thread, any number of times. */
bool curl_dl_open(char *err, size_t errlen);

#ifndef CURL_DL_IMPLEMENTATION
#define curl_easy_cleanup (*curl_dl_curl_easy_cleanup)
#define curl_easy_getinfo (*curl_dl_curl_easy_getinfo)
#define curl_easy_init (*curl_dl_curl_easy_init)
#define curl_easy_perform (*curl_dl_curl_easy_perform)
#define curl_easy_setopt (*curl_dl_curl_easy_setopt)
#define curl_easy_strerror (*curl_dl_curl_easy_strerror)
#define curl_free (*curl_dl_curl_free)
#define curl_global_init (*curl_dl_curl_global_init)
#define curl_slist_append (*curl_dl_curl_slist_append)
#define curl_slist_free_all (*curl_dl_curl_slist_free_all)
#define curl_url (*curl_dl_curl_url)
#define curl_url_cleanup (*curl_dl_curl_url_cleanup)
#define curl_url_get (*curl_dl_curl_url_get)
#define curl_url_set (*curl_dl_curl_url_set)
#define curl_version (*curl_dl_curl_version)
#endif

#endif
