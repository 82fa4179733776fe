#!/bin/sh
# run-all.sh - every test, in the order that fails fastest:
#   lint, unit tests (plain build), unit tests + end-to-end HTTP tests (on
#   SQLite, then on PostgreSQL) + browser tests under ASan+UBSan, fuzz
#   target smoke runs.
# Called by `make test` after the Debian packages are in place.
set -eu
cd "$(dirname "$0")/.."
export MUSTACHE_SPEC_DIR="$PWD/tests/data/mustache-spec"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
PY=/usr/bin/python3
JOBS=$(nproc 2>/dev/null || echo 2)

step() { printf '\n== %s ==\n' "$*"; }

step "lint"
scripts/lint.sh

# One PostgreSQL cluster for the whole run, in a directory of its own
# (Unix socket only); every test makes its own database in it.
step "PostgreSQL for the tests"
PGDIR=$(mktemp -d /tmp/quire-pg-XXXXXX)
trap 'tests/lib/pg.sh stop "$PGDIR"' EXIT INT TERM
tests/lib/pg.sh start "$PGDIR"
export QUIRE_TEST_PG="$PGDIR"

step "build and unit tests (optimised build; the store suite on SQLite and PostgreSQL)"
make --no-print-directory -j"$JOBS" all unit >/dev/null
prove --exec '' build/tests/test_*

step "build and unit tests (ASan + UBSan)"
make --no-print-directory -j"$JOBS" SANITIZE=address,undefined all unit >/dev/null
prove --exec '' build/san/tests/test_*

# Each suite runs its test files on $JOBS workers (python3-pytest-xdist);
# the few tests that bound latency under load run after, alone.
step "end-to-end HTTP tests against the sanitizer build, on SQLite"
QUIRE_BIN="$PWD/build/san/quire" $PY -m pytest -q -p no:cacheprovider -n "$JOBS" -m "not quiet" tests/http

step "the same HTTP tests, every server on PostgreSQL"
QUIRE_BIN="$PWD/build/san/quire" QUIRE_TEST_BACKEND=postgres \
	$PY -m pytest -q -p no:cacheprovider -n "$JOBS" -m "not quiet" tests/http

step "HTTP tests that need the machine to themselves"
QUIRE_BIN="$PWD/build/san/quire" $PY -m pytest -q -p no:cacheprovider -m quiet tests/http

step "browser tests (headless Chromium) against the sanitizer build"
QUIRE_BIN="$PWD/build/san/quire" $PY -m pytest -q -p no:cacheprovider -n "$JOBS" tests/browser

step "fuzz targets: replay corpora and a short run each"
FUZZ_TIME=${FUZZ_SMOKE_TIME:-10} fuzz/run.sh

printf '\nall tests passed\n'
