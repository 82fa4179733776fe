#!/bin/sh
# scale.sh - `make bench-scale` (also the end of `make bench`): the same
# seeded site served three ways, side by side in one run on loopback:
#   sqlite   one node on SQLite (the default)
#   pg-1     one node on PostgreSQL
#   pg-2     two nodes on PostgreSQL behind haproxy (round robin)
# and for each: the anonymous story page (cached), the signed-in story
# page, and a write (a response published through the API). Prints req/s,
# p99 and, on PostgreSQL, the database round trips per request (the
# server's committed + rolled-back transactions while wrk ran, divided by
# the requests: on autocommit every statement is one). Figures go to
# docs/scaling.md by hand; the raw output to bench/results/scale-*.txt.
#
# Environment: SCALE_DURATION=4 (seconds per run) SCALE_CONNS=64
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
B=build/bench
DUR=${SCALE_DURATION:-4}
CONNS=${SCALE_CONNS:-64}
THREADS=$(nproc 2>/dev/null || echo 2)
PY=/usr/bin/python3
say() { printf '%s\n' "$*"; }

for tool in wrk haproxy curl bc psql; do
	command -v $tool >/dev/null 2>&1 || { say "scale: needs $tool (apt-get install wrk haproxy curl bc postgresql)"; exit 1; }
done

make --no-print-directory -j"$THREADS" B=$B OPT=-O2 $B/quire $B/libquire.a >/dev/null
mkvar() { printf 'p:\n\t@echo $(%s)\n' "$1" | make -s --no-print-directory B=$B OPT=-O2 -f Makefile -f - p; }
# shellcheck disable=SC2046
cc $(mkvar CFLAGS_ALL) -o $B/seed bench/seed.c $B/libquire.a $(mkvar LIBS)

W=$(mktemp -d /tmp/quire-scale.XXXXXX)
chmod 755 "$W"
pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	tests/lib/pg.sh stop "$W/pg" >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
	i=0
	until curl -fs -o /dev/null "$1"; do
		i=$((i + 1)); [ $i -lt 400 ] || { say "scale: $1 did not answer"; exit 1; }
		sleep 0.05
	done
}

say "scale: seeding a 1k-story site"
eval "$($B/seed --data "$W/site" --writers 10 --stories 1000)"
say "scale: a PostgreSQL cluster, and the site moved into it"
tests/lib/pg.sh start "$W/pg" >/dev/null
PG=$(tests/lib/pg.sh createdb "$W/pg" quire)
$B/quire migrate --from "sqlite:$W/site" --to "$PG" --data "$W/site" >/dev/null
cp -r "$W/site" "$W/site-b"

serve() { # name data db: starts a node, its port in $port (not in a subshell:
	# $pids must keep the pid for the clean-up)
	port=$(free_port)
	(cd "$W" && exec "$ROOT/$B/quire" serve --data "$2" ${3:+--db "$3"} --listen 127.0.0.1:"$port" \
		--threads "$THREADS" --log-level warn --trusted-proxy 127.0.0.1 \
		--responses-per-minute 100000 --responses-per-minute-addr 100000) >"$W/$1.log" 2>&1 &
	pids="$pids $!"
	wait_http "http://127.0.0.1:$port/healthz"
}

xacts() {
	psql -qAt -h "$W/pg" -U postgres -d quire -c \
		"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'quire'"
}

# A response per request: the API, a bearer token, a JSON body.
cat >"$W/respond.lua" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $WRITER_TOKEN"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
	n = n + 1
	return wrk.format(nil, nil, nil, '{"body": "A response, number ' .. n .. '."}')
end
EOF

run() { # config url kind [extra wrk args]
	cfg=$1 url=$2 kind=$3
	shift 3
	before=0
	[ "$cfg" = sqlite ] || before=$(xacts)
	out=$(wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "$@" "$url")
	after=0
	[ "$cfg" = sqlite ] || after=$(xacts)
	reqs=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
	rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
	non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}')
	rt="-"
	[ "$cfg" = sqlite ] || rt=$(echo "scale=2; ($after - $before) / $reqs" | bc)
	printf '%-7s %-10s %10s req/s  p99 %8s  db round trips/request %5s  %s\n' \
		"$cfg" "$kind" "$rps" "$p99" "$rt" "${non2xx:+non-2xx: $non2xx}"
}

measure() { # config base-url
	curl -fs -o /dev/null "$2$STORY_PATH"
	run "$1" "$2$STORY_PATH" anonymous
	run "$1" "$2$STORY_PATH" signed-in -H "Cookie: $SESSION_COOKIE"
	run "$1" "$2/api/v1/stories/$STORY_ID/responses" respond -s "$W/respond.lua"
}

say "scale: ${DUR}s per run, $CONNS connections, wrk -t1, on $THREADS cores shared by all"
serve sqlite "$W/site" ""
measure sqlite "http://127.0.0.1:$port"
serve pg-a "$W/site" "$PG"
q1=$port
measure pg-1 "http://127.0.0.1:$q1"
serve pg-b "$W/site-b" "$PG"
q2=$port
hp=$(free_port)
cat >"$W/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend site
    bind 127.0.0.1:$hp
    default_backend nodes
backend nodes
    balance roundrobin
    server a 127.0.0.1:$q1
    server b 127.0.0.1:$q2
EOF
(exec haproxy -f "$W/haproxy.cfg" -db) >"$W/haproxy.log" 2>&1 &
pids="$pids $!"
wait_http "http://127.0.0.1:$hp/healthz"
measure pg-2 "http://127.0.0.1:$hp"
