#!/bin/sh
# run.sh - build every libFuzzer target in fuzz/ (clang, ASan + UBSan),
# replay its seed corpus, then fuzz for $FUZZ_TIME seconds (default 60),
# $FUZZ_JOBS targets at a time (default: the number of cores).
# New inputs go to a scratch copy, so the committed corpora stay small.
# Exits non-zero if any target crashes, leaks or times out; the
# reproducer is left in build/fuzz/artifacts/.
set -eu
cd "$(dirname "$0")/.."
T=${FUZZ_TIME:-60}
J=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
make --no-print-directory FUZZ=1 build/fuzz/libquire.a >/dev/null
LIBS="$(pkg-config --libs libmicrohttpd sqlite3 libpq libsodium jansson libcmark-gfm libwebp zlib libbrotlienc libseccomp libcurl gumbo libxml-2.0 libzip libcrypto) -lcmark-gfm-extensions -lunistring -lpthread"
mkdir -p build/fuzz/bin build/fuzz/artifacts
report=build/fuzz/report.txt
: > "$report"

# Build them all first (one at a time: clang with the sanitizers is big).
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	bin=build/fuzz/bin/$name
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ build/fuzz/libquire.a -nt "$bin" ]; then
		clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc $(pkg-config --cflags libxml-2.0) \
			-fsanitize=fuzzer,address,undefined \
			-o "$bin" "$src" build/fuzz/libquire.a $LIBS
	fi
done

# One target: its verdict in build/fuzz/NAME.verdict ("ok ..." or "FAILED").
fuzz_one() {
	name=$1
	short=${name#fuzz_}
	bin=build/fuzz/bin/$name
	scratch=$(mktemp -d)
	seeds=fuzz/corpus/$short
	[ -d "$seeds" ] && cp -r "$seeds/." "$scratch/"
	dict=""
	[ -f "fuzz/$short.dict" ] && dict="-dict=fuzz/$short.dict"
	log=build/fuzz/$name.log
	if "$bin" $dict -max_total_time="$T" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$name"- "$scratch" >"$log" 2>&1; then
		execs=$(grep -aE '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		echo "$name: ok, ${execs:-?} executions in ${T}s, 0 crashes" > "build/fuzz/$name.verdict"
	else
		echo "$name: FAILED (see $log)" > "build/fuzz/$name.verdict"
	fi
	rm -rf "$scratch"
}

n=0
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	rm -f "build/fuzz/$name.verdict"
	fuzz_one "$name" &
	n=$((n + 1))
	if [ "$n" -ge "$J" ]; then
		wait
		n=0
	fi
done
wait

status=0
for src in fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	v=build/fuzz/$name.verdict
	if [ -f "$v" ] && grep -q ': ok,' "$v"; then
		tee -a "$report" < "$v"
	else
		echo "$name: FAILED (see build/fuzz/$name.log)" | tee -a "$report"
		tail -30 "build/fuzz/$name.log" 2>/dev/null || true
		status=1
	fi
done
exit $status
