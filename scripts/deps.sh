#!/bin/sh
# deps.sh - make sure the Debian packages Quire needs are installed.
# usage: scripts/deps.sh run|test
#   run:  what building and serving needs
#   test: that, plus what the test suite needs (browser, fuzzer, Python)
# As root, missing packages are installed (apt-get update first); as any
# other user the exact apt-get line is printed and the script fails.
set -eu
BUILD="make gcc pkg-config libc6-dev libmicrohttpd-dev libsqlite3-dev libpq-dev libsodium-dev libjansson-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libvips-dev libwebp-dev zlib1g-dev libbrotli-dev libunistring-dev libseccomp-dev libcurl4-openssl-dev libgumbo-dev libxml2-dev libzip-dev libssl-dev"
TEST="perl postgresql haproxy nginx-light openssl caddy systemd python3-pytest-xdist clang libclang-rt-14-dev python3 python3-requests python3-pytest python3-selenium chromium chromium-driver sqlite3 curl procps slowhttptest libimage-exiftool-perl libheif-examples libvips-tools imagemagick python3-feedparser python3-brotli python3-aiosmtpd python3-jsonschema python3-yaml python3-cryptography epubcheck hugo jekyll nodejs man-db groff-base"

case "${1:-run}" in
run) want="$BUILD" ;;
test) want="$BUILD $TEST" ;;
*) echo "usage: $0 run|test" >&2; exit 2 ;;
esac

# The browser tests' chromedriver talks to Chromium at "localhost". A full
# Debian system resolves it through /etc/hosts; minimal chroots and
# containers may have no /etc/hosts at all. Add the standard line then.
if [ "${1:-run}" = test ] && ! getent hosts localhost >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: localhost does not resolve; adding it to /etc/hosts"
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >> /etc/hosts
	else
		echo "The browser tests need 'localhost' to resolve; add '127.0.0.1 localhost' to /etc/hosts." >&2
	fi
fi

# Test-only npm packages, pinned by their lock files: axe-core, vnu-jar,
# Lighthouse and Fedify (the ActivityPub peer of test_fediverse.py) in
# tests/, and the rich editor's sources in editor/ (the test that rebuilds
# static/rich.js and compares it with the committed bundle). The test run itself needs
# no network. Run after the Debian packages are in place.
npm_dir_deps() {
	dir=$1
	if [ -f "$dir/node_modules/.package-lock.json" ] &&
	   cmp -s "$dir/package-lock.json" "$dir/node_modules/.quire-lock" 2>/dev/null; then
		return 0
	fi
	echo "deps: npm ci in $dir/ (pinned)"
	# Node trusts its own list of certificate authorities, not the
	# system's: add Debian's, so that a registry reached through a proxy
	# with a local authority (in the system store) is trusted too.
	ca=/etc/ssl/certs/ca-certificates.crt
	if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$ca" ]; then
		export NODE_EXTRA_CA_CERTS="$ca"
	fi
	if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null 2>&1); then
		# Behind a proxy whose certificate authority this system does not
		# have, TLS cannot be checked; every package is still checked
		# against the sha512 in the lock file, which npm ci refuses to
		# install without.
		echo "deps: the registry's certificate cannot be checked here; installing by the lock file's sha512 only"
		(cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error \
			--strict-ssl=false >/dev/null)
	fi
	cp "$dir/package-lock.json" "$dir/node_modules/.quire-lock"
}

npm_test_deps() {
	[ "${1:-run}" = test ] || return 0
	npm_dir_deps tests
	npm_dir_deps editor
}

cd "$(dirname "$0")/.."
missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Debian packages npm apart from nodejs; some nodejs builds bring their own.
if [ "${1:-run}" = test ] && ! command -v npm >/dev/null 2>&1; then
	missing="$missing npm"
fi
if [ -z "$missing" ]; then
	npm_test_deps "${1:-run}"
	exit 0
fi

if [ "$(id -u)" = 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	npm_test_deps "${1:-run}"
else
	echo "Quire needs these Debian packages. Install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
