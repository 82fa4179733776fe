#!/bin/sh
# run.sh - `make bench`: Quire against nginx serving the same page as a
# static file and against a bare libmicrohttpd server returning the same
# bytes from memory, on loopback, interleaved. See docs/performance.md.
#
# Installs nginx and wrk if missing (as root, apt-get), builds Quire
# optimised into build/bench/, seeds a site per size in BENCH_SIZES,
# starts the servers on free 127.0.0.1 ports, runs bench/bench.py, and
# writes bench/results/latest.json (and a dated copy).
#
# Environment (defaults):
#   BENCH_SIZES="1000 1000000" stories per seeded site (first size also
#                              runs nginx, bare MHD and the bursts)
#   BENCH_THREADS="1 2"        server threads (and nginx workers): the whole
#                              set runs once per value
#   BENCH_READERS=200          signed-in readers, one session each
#   BENCH_ROUNDS=3 BENCH_DURATION=4 BENCH_CONNS="64 256"
#   BENCH_BURSTS=10 BENCH_BURST_SIZE=256
#   BENCH_KEEP=1               keep the temporary directory
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
B=build/bench
SIZES=${BENCH_SIZES:-1000 1000000}
THREADS=$(nproc 2>/dev/null || echo 2)
THREADS_SET=${BENCH_THREADS:-1 2}
READERS=${BENCH_READERS:-200}
PY=/usr/bin/python3

say() { printf '%s\n' "$*"; }

# ---- tools ----
need=""
command -v wrk >/dev/null 2>&1 || need="$need wrk"
command -v convert >/dev/null 2>&1 || need="$need imagemagick"
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need="$need nginx-light"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ]; then
		say "bench: installing$need"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y --no-install-recommends $need >/dev/null 2>&1 ||
			{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $need >/dev/null; }
	else
		say "bench: needs$need; run as root or: sudo apt-get install -y$need"
		exit 1
	fi
fi
NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)

# ---- build (optimised, in its own directory) ----
say "bench: building (make B=$B OPT=-O2)"
make --no-print-directory -j"$THREADS" B=$B OPT=-O2 $B/quire $B/libquire.a >/dev/null
# Compile flags and libraries exactly as the Makefile has them.
mkvar() { printf 'bench-print-var:\n\t@echo $(%s)\n' "$1" | make -s --no-print-directory B=$B OPT=-O2 -f Makefile -f - bench-print-var; }
CFLAGS_B=$(mkvar CFLAGS_ALL)
LIBS_B=$(mkvar LIBS)
# shellcheck disable=SC2086
cc $CFLAGS_B -o $B/seed bench/seed.c $B/libquire.a $LIBS_B
# shellcheck disable=SC2086
cc $CFLAGS_B -o $B/bare_mhd bench/bare_mhd.c -lmicrohttpd -lpthread

# ---- working directory and clean-up ----
W=$(mktemp -d /tmp/quire-bench.XXXXXX)
chmod 755 "$W"
OUT=$W/results.json
qpid="" npid="" bpid=""
stop() { # pid
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
cleanup() {
	stop "$qpid"; stop "$npid"; stop "$bpid"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then say "bench: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() { # url
	i=0
	until curl -fs -o /dev/null "$1"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { say "bench: $1 did not answer"; exit 1; }
		sleep 0.05
	done
}
label_of() { # stories
	if [ "$1" -ge 1000 ] && [ $(($1 % 1000)) = 0 ]; then echo "$(($1 / 1000))k"; else echo "$1"; fi
}

start_refs() { # threads: nginx and bare MHD serving $W/www with that many workers
	mkdir -p "$W/nginx/tmp"
	nport=$(free_port)
	cat >"$W/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_timeout 65;
	keepalive_requests 1000000;
	types { text/html html; image/jpeg jpg; application/atom+xml atom; }
	default_type text/html;
	client_body_temp_path $W/nginx/tmp/body;
	proxy_temp_path $W/nginx/tmp/proxy;
	fastcgi_temp_path $W/nginx/tmp/fastcgi;
	uwsgi_temp_path $W/nginx/tmp/uwsgi;
	scgi_temp_path $W/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$nport;
		root $W/www;
	}
}
EOF
	(cd "$W/nginx" && exec "$NGINX" -p "$W/nginx" -c "$W/nginx/nginx.conf" -e "$W/nginx/error.log") &
	npid=$!
	wait_http "http://127.0.0.1:$nport/story.html"
	bport=$(free_port)
	(cd "$W" && exec "$ROOT/$B/bare_mhd" "$W/www/story.html" "$bport" "$1") >"$W/bare.log" 2>&1 &
	bpid=$!
	wait_http "http://127.0.0.1:$bport/"
}

start_quire() { # label threads (pages name the same base URL on every port)
	qport=$(free_port)
	(cd "$W" && exec "$ROOT/$B/quire" serve --data "$W/site-$1" \
		--listen 127.0.0.1:"$qport" --base-url http://bench.invalid --threads "$2" \
		--log-level "${BENCH_LOG_LEVEL:-warn}") \
		>>"$W/quire-$1.log" 2>&1 &
	qpid=$!
	Q=http://127.0.0.1:$qport
	wait_http "$Q/healthz"
}

first=1
last_thr=$(echo $THREADS_SET | awk '{print $NF}')
for n in $SIZES; do
	label=$(label_of "$n")
	writers=$((n / 100))
	[ $writers -ge 10 ] || writers=10
	[ $writers -le 1000 ] || writers=1000
	say "bench: seeding $label site ($writers writers, $n stories, $READERS readers)"
	t0=$(date +%s.%N)
	eval "$($B/seed --data "$W/site-$label" --writers $writers --stories "$n" \
		--readers "$READERS" --sessions "$W/sessions-$label.txt")"
	t1=$(date +%s.%N)
	secs=$(echo "$t1 - $t0" | bc 2>/dev/null || echo '?')
	mb=$(du -m "$W/site-$label/quire.db" | cut -f1)
	say "bench: seeded in $secs s, database $mb MB"
	$PY bench/bench.py note "$OUT" "$label site: $n stories seeded in $secs s, database $mb MB"

	start_quire "$label" "$last_thr"
	# A photo in the featured story, through the real upload and ingest
	# (not referenced from the text, so the page stays the same); the
	# target is its 960 px JPEG, served with sendfile.
	convert -size 1600x1067 plasma:fractal -quality 88 "$W/photo.jpg" 2>/dev/null
	photo=$(curl -fs -X POST "$Q/api/v1/stories/$STORY_ID/photos" \
		-H "Authorization: Bearer $WRITER_TOKEN" -F "file=@$W/photo.jpg" -F alt=bench |
		$PY -c 'import json, sys
v = [x["url"] for x in json.load(sys.stdin)["variants"] if x["format"] == "jpeg" and x["width"] == 960]
print(v[0].split("://", 1)[-1].partition("/")[2] if v else "")' || true)
	[ -z "$photo" ] || photo="/$photo"
	feed=/feed.atom
	search="/search?q=river"
	if [ $first = 1 ]; then
		# The reference servers serve the bytes Quire serves.
		mkdir -p "$W/www"
		curl -fs -o "$W/www/story.html" "$Q$STORY_PATH"
		curl -fs -o "$W/www/feed.atom" "$Q$feed"
		[ -z "$photo" ] || curl -fs -o "$W/www/photo.jpg" "$Q$photo"
		chmod -R a+rX "$W/www"
		say "bench: story page $STORY_PATH is $(wc -c <"$W/www/story.html") bytes, feed $(wc -c <"$W/www/feed.atom"), photo $(cat "$W/www/photo.jpg" 2>/dev/null | wc -c)"
	fi
	stop "$qpid"
	qpid=""

	for thr in $THREADS_SET; do
		start_quire "$label" "$thr"
		T=$W/targets-$label-$thr
		o="threads=$thr"
		: >"$T"
		if [ $first = 1 ]; then
			start_refs "$thr"
			N=http://127.0.0.1:$nport
			for u in "$Q$STORY_PATH" "$N/story.html" "http://127.0.0.1:$bport/"; do
				curl -fs "$u" | cmp -s - "$W/www/story.html" ||
					{ say "bench: $u does not serve the same bytes"; exit 1; }
			done
			curl -fs "$Q$feed" | cmp -s - "$W/www/feed.atom" ||
				{ say "bench: the feed changed between fetches"; exit 1; }
			say "bench: quire, nginx and bare MHD serve byte-identical pages ($thr threads each)"
			t1o="$o wrk_threads=1 nginx=nginx-t1 bare=bare-mhd-t1"
			{
				echo "quire-story|$Q$STORY_PATH|$qpid||$o"
				echo "nginx|$N/story.html|$npid||$o"
				echo "bare-mhd|http://127.0.0.1:$bport/|$bpid||$o"
				echo "quire-story-t1|$Q$STORY_PATH|$qpid||$t1o"
				echo "nginx-t1|$N/story.html|$npid||$t1o"
				echo "bare-mhd-t1|http://127.0.0.1:$bport/|$bpid||$t1o"
				echo "nginx-feed|$N/feed.atom|$npid||$o nginx=nginx-feed bare=none"
				[ -z "$photo" ] || echo "nginx-photo|$N/photo.jpg|$npid||$o nginx=nginx-photo bare=none"
			} >>"$T"
		else
			echo "quire-story|$Q$STORY_PATH|$qpid||$o" >>"$T"
		fi
		curl -fs -H "Cookie: $SESSION_COOKIE" "$Q/" | grep -q 'action="/logout"' ||
			{ say "bench: the seeded session does not sign in"; exit 1; }
		{
			echo "quire-signed|$Q$STORY_PATH|$qpid||$o sessions=$W/sessions-$label.txt"
			# The same with one wrk thread: with one server thread, wrk's
			# two threads and its per-request Lua make three busy threads
			# on this machine's two cores (docs/performance.md, fifth round).
			echo "quire-signed-t1|$Q$STORY_PATH|$qpid||$o sessions=$W/sessions-$label.txt wrk_threads=1 nginx=nginx-t1 bare=bare-mhd-t1"
			echo "quire-home|$Q/|$qpid||$o"
			echo "quire-profile|$Q$PROFILE_PATH|$qpid||$o"
			echo "quire-search|$Q$search|$qpid||$o"
			echo "quire-feed|$Q$feed|$qpid||$o nginx=nginx-feed bare=none"
		} >>"$T"
		if [ -n "$photo" ]; then
			echo "quire-photo|$Q$photo|$qpid||$o nginx=nginx-photo bare=none" >>"$T"
		elif [ $first = 1 ]; then
			$PY bench/bench.py note "$OUT" "the photo upload failed: photo not measured"
			say "bench: no photo variant: skipped"
		fi

		say "bench: $label site, $thr server threads: ${BENCH_ROUNDS:-3} interleaved rounds of ${BENCH_DURATION:-4} s per target and connection count"
		$PY bench/bench.py load "$T" "$label" "$OUT"
		if [ $first = 1 ] && [ "$thr" = "$last_thr" ]; then
			head -3 "$T" >"$T.burst"
			$PY bench/bench.py burst "$T.burst" "$label" "$OUT"
		fi
		stop "$qpid"; qpid=""
		stop "$npid"; npid=""
		stop "$bpid"; bpid=""
	done
	first=0
done

$PY bench/bench.py summary "$OUT"
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
cp "$OUT" "bench/results/$stamp.json"
cp "$OUT" bench/results/latest.json
say "bench: results in bench/results/latest.json (and $stamp.json)"
