#!/bin/sh
# pg.sh - a throwaway PostgreSQL 15 cluster for the tests, in a directory
# of its own, reachable only through a Unix socket in that directory.
#
#   tests/lib/pg.sh start DIR    create and start it; prints the base URL
#   tests/lib/pg.sh createdb DIR NAME   a new empty database; prints its URL
#   tests/lib/pg.sh stop DIR     stop it and remove DIR
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# postgres user (runuser). Durability on disk is not what the tests check
# (a killed server loses nothing the kernel holds), so fsync is off.
set -eu
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg.sh start|createdb|stop DIR [NAME]}
dir=${2:?usage: pg.sh start|createdb|stop DIR [NAME]}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

url() {
	printf 'postgresql:///%s?host=%s&port=5432&user=postgres\n' "$1" "$dir"
}

case $cmd in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
		--no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
		"-k $dir -p 5432 -c listen_addresses='' -c fsync=off -c full_page_writes=off \
		 -c max_connections=400 -c shared_buffers=64MB" start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	url postgres
	;;
createdb)
	name=${3:?usage: pg.sh createdb DIR NAME}
	as_pg psql -q -h "$dir" -p 5432 -U postgres -d postgres \
		-c "CREATE DATABASE \"$name\"" >/dev/null
	url "$name"
	;;
stop)
	as_pg "$BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
	;;
*)
	echo "usage: pg.sh start|createdb|stop DIR [NAME]" >&2
	exit 2
	;;
esac
