#!/bin/sh
# run-all.sh - every test, in the order that fails fastest:
#   lint, unit tests (plain build), unit tests + end-to-end HTTP tests +
#   browser test under ASan+UBSan, fuzz target smoke runs.
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

step "build and unit tests (optimised build)"
make --no-print-directory -j"$JOBS" all unit >/dev/null
prove --exec '' build/tests/test_*

step "build and unit tests (ASan + UBSan)"
make --no-print-directory -j"$JOBS" SANITIZE=address,undefined all unit >/dev/null
prove --exec '' build/san/tests/test_*

step "end-to-end HTTP tests against the sanitizer build"
QUIRE_BIN="$PWD/build/san/quire" $PY -m pytest -q -p no:cacheprovider tests/http

step "browser tests (headless Chromium) against the sanitizer build"
QUIRE_BIN="$PWD/build/san/quire" $PY -m pytest -q -p no:cacheprovider tests/browser

step "fuzz targets: replay corpora and a short run each"
FUZZ_TIME=${FUZZ_SMOKE_TIME:-10} fuzz/run.sh

printf '\nall tests passed\n'
