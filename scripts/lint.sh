#!/bin/sh
# lint.sh - checks that keep the code base honest:
#  - banned string functions (STYLE.md) in src/ and tests/
#  - each outside library called only from its room (DESIGN.md)
#  - lower rooms (core, store, tmpl, http) never include domain headers
#  - Markdown is never rendered in unsafe mode
set -u
cd "$(dirname "$0")/.." || exit 2
fail=0
say() { echo "lint: $*" >&2; fail=1; }

hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok)\s*\(' src tests/unit fuzz tools --include='*.c' --include='*.h' || true)
[ -n "$hits" ] && say "banned functions:
$hits"

confine() { # pattern allowed-dir what
	h=$(grep -rlE "$1" src --include='*.c' --include='*.h' | grep -Ev "^$2" || true)
	[ -n "$h" ] && say "$3 outside $2: $h"
}
# Calls and types (not only calls) of each library stay in their room.
confine '\b(sqlite3_[a-z_0-9]+|sqlite3)\b' 'src/store/sqlite/' 'SQLite calls and types'
confine '\b(PQ[a-zA-Z]+|PGresult|PGconn|PGnotify|libpq-fe\.h)\b' 'src/store/pg/' 'libpq calls and types'
confine '\bMHD_[A-Za-z_]+\b' 'src/http/' 'libmicrohttpd calls and types'
confine '\bcmark_[a-z_]+\b' 'src/stories/markdown' 'cmark-gfm calls and types'
confine '\b(seccomp_[a-z_]+|scmp_filter_ctx)\b' 'src/media/sandbox' 'libseccomp calls and types'
confine '\b(vips_[a-z_]+|Vips[A-Z][A-Za-z]+)\b' 'src/media/(vips_dl|worker|ingest)' 'libvips calls and types'
confine '\b(curl_[a-z_]+|CURL[A-Za-z_]*)\b' 'src/net/' 'libcurl calls and types'
confine '\b(gumbo_[a-z_]+|Gumbo[A-Z][A-Za-z]+)\b' 'src/porting/' 'gumbo calls and types'
confine '\b(xml[A-Z][A-Za-z]+|XML_[A-Z_]+)\b' 'src/porting/' 'libxml2 calls and types'
confine '\b(zip_t|zip_source_t|zip_file_t|zip_error_t|zip_stat_t|zip_open|zip_fopen[a-z_]*|zip_fread|zip_discard|zip_source_[a-z_]+|zip_error_[a-z_]+|zip_get_[a-z_]+)\b' 'src/porting/zip\.c' 'libzip calls and types'
confine '(\b(EVP_[A-Za-z_0-9]+|RSA_[a-z_0-9]+|PEM_[a-z_0-9]+|BIO_[a-z_0-9]+|OSSL_[A-Za-z_0-9]+|ERR_[a-z_0-9]+|X509_[A-Za-z_0-9]+)\b|<openssl/)' 'src/fed/keys\.c' 'OpenSSL libcrypto calls and types'
confine '\b(crypto_pwhash|crypto_generichash|crypto_hash_sha256|randombytes_buf|sodium_[a-z]+)\s*\(' 'src/(core/crypto|accounts/password)' 'libsodium calls'

for low in core store tmpl http; do
	h=$(grep -rnE '#include "(accounts|stories|audience|circles|render|web|responses|media|feeds)/' "src/$low" || true)
	[ -n "$h" ] && say "src/$low reaches up into a domain:
$h"
done
h=$(grep -rn '#include "' src/core | grep -v '#include "core/' || true)
[ -n "$h" ] && say "core/ includes something outside core/:
$h"

# Rules never include web code: these rule files take the store and the
# clock and return data (the list grows as rooms are reshaped, issue 15).
for rule in src/audience/*.c src/audience/*.h src/circles/circles.c src/circles/circles.h \
	src/stories/stories.c src/stories/stories.h src/stories/desk.h src/stories/drafts.c \
	src/stories/revisions.c src/stories/trash.c src/stories/scheduler.c \
	src/responses/responses.c src/responses/responses.h src/responses/responses_int.h \
	src/responses/muted.c src/responses/muted.h src/core/clock.h \
	src/accounts/admin.c src/accounts/admin.h src/mail/mail.c src/mail/mail.h \
	src/fed/fed.c src/fed/fed.h src/fed/keys.c src/fed/keys.h src/fed/sig.c src/fed/sig.h; do
	h=$(grep -nE '#include "(http|web|tmpl)/' "$rule" || true)
	[ -n "$h" ] && say "$rule is a rule file and includes web code:
$h"
done
# ... not even through another header: what the compiler would read.
for rule in src/audience/*.c src/circles/circles.c src/stories/stories.c src/stories/drafts.c \
	src/stories/revisions.c src/stories/trash.c src/stories/scheduler.c \
	src/responses/responses.c src/responses/muted.c src/accounts/admin.c src/mail/mail.c \
	src/fed/fed.c src/fed/keys.c src/fed/sig.c; do
	h=$(${CC:-cc} -MM -MG -Isrc "$rule" 2>/dev/null | tr ' \\' '\n\n' | grep -E '^src/(http|web|tmpl)/' || true)
	[ -n "$h" ] && say "$rule reaches web code through its headers:
$h"
done
h=$(grep -nE '#include "' src/audience/*.c src/audience/*.h | grep -vE '"(audience|store|core)/' || true)
[ -n "$h" ] && say "audience/ includes only store/ and core/:
$h"

grep -rn 'CMARK_OPT_UNSAFE' src >/dev/null && say "CMARK_OPT_UNSAFE used"

[ $fail = 0 ] && echo "lint: ok"
exit $fail
