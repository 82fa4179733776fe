#!/bin/sh
# photo_ingest.sh - ingest of one 12-megapixel JPEG into every variant
# (WebP + JPEG at 480, 960, 1600, 2400 px, autorotated, metadata
# stripped), side by side in one run:
#   quire     one upload to a running `quire serve` (optimised build): the
#             request's wall time; the peak RSS of the photo worker process
#             that decodes and encodes (the server logs it), and the
#             server's own (VmHWM, reset after signing in so that argon2's
#             64 MiB is not counted);
#   vipsthumbnail  run once per variant (8 runs): total wall, largest RSS;
#   convert   ImageMagick doing the same work (auto-orient, strip, resize,
#             JPEG + WebP) at each width: total wall, largest RSS.
# Each is run RUNS times (default 3); the best wall time is reported.
# usage: bench/photo_ingest.sh [QUIRE_BIN]   (needs imagemagick, libvips-tools,
#        libimage-exiftool-perl, curl, GNU time; results also in docs/photos.md)
set -eu
cd "$(dirname "$0")/.."
BIN=${1:-${QUIRE_BIN:-build/quire}}
RUNS=${RUNS:-3}
CONVERT=/usr/bin/convert
W=$(mktemp -d)
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$W"' EXIT
SRV=

# A 12 MP photo with texture (noise compresses like a real photo), tagged
# like a phone's: GPS, camera, orientation.
$CONVERT -size 4000x3000 gradient:'#3a6ea5-#e8c07d' -attenuate 0.6 +noise Gaussian \
	-quality 90 "$W/in.jpg"
exiftool -q -overwrite_original -GPSLatitude=48.85 -GPSLatitudeRef=N -Make=Bench \
	-Orientation#=1 "$W/in.jpg"
echo "input: $(du -k "$W/in.jpg" | cut -f1) KB, $(vipsheader "$W/in.jpg")"

peak() { awk '/Maximum resident/ {print $6}' "$1"; }

# ---- quire ----
D="$W/data"
echo 'a bench password!!' | "$BIN" user add bench --password-stdin --data "$D" >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data "$D" --listen 127.0.0.1:$PORT >"$W/server.log" 2>&1 &
SRV=$!
for i in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
TOK=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/tokens" -H 'Content-Type: application/json' \
	-d '{"handle":"bench","password":"a bench password!!"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
SID=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/stories" -H "Authorization: Bearer $TOK" \
	-H 'Content-Type: application/json' -d '{"title":"bench","body":"x"}' | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
# Signing in ran one argon2id hash (64 MiB, freed since): start the
# high-water mark afresh so it shows what ingest needs (Linux >= 4.0).
echo 5 >/proc/$SRV/clear_refs
base=$(awk '/VmHWM/ {print $2}' /proc/$SRV/status)
best_q=
for r in $(seq "$RUNS"); do
	t=$(curl -s -o "$W/resp.json" -w '%{time_total}' -X POST \
		"http://127.0.0.1:$PORT/api/v1/stories/$SID/photos" -H "Authorization: Bearer $TOK" \
		-F "file=@$W/in.jpg" -F alt=bench)
	grep -q '"variants"' "$W/resp.json" || { cat "$W/resp.json"; exit 1; }
	best_q=$(python3 -c "print(min(float('$t'), float('${best_q:-1e9}')))")
done
hwm=$(awk '/VmHWM/ {print $2}' /proc/$SRV/status)
# The decode runs in a child (`quire photo-worker`); the server logs its peak.
wpeak=$(sed -n 's/.*photo worker: .* peak \([0-9]*\) MB.*/\1/p' "$W/server.log" | sort -n | tail -1)
nv=$(grep -o '"format"' "$W/resp.json" | wc -l)

# ---- vipsthumbnail, once per variant ----
best_v=; peak_v=0
for r in $(seq "$RUNS"); do
	s=$(date +%s.%N)
	for w in 480 960 1600 2400; do
		for f in "webp[Q=78,strip]" "jpg[Q=82,strip,optimize_coding,interlace]"; do
			/usr/bin/time -v -o "$W/t" vipsthumbnail "$W/in.jpg" -s "${w}x" -o "$W/vt_$w.$f"
			p=$(peak "$W/t"); [ "$p" -gt "$peak_v" ] && peak_v=$p
		done
	done
	e=$(date +%s.%N)
	best_v=$(python3 -c "print(min($e-$s, float('${best_v:-1e9}')))")
done

# ---- ImageMagick convert ----
best_c=; peak_c=0
for r in $(seq "$RUNS"); do
	s=$(date +%s.%N)
	for w in 480 960 1600 2400; do
		/usr/bin/time -v -o "$W/t" $CONVERT "$W/in.jpg" -auto-orient -strip -resize "${w}x" \
			-quality 82 -write "$W/im_$w.jpg" -quality 78 "$W/im_$w.webp"
		p=$(peak "$W/t"); [ "$p" -gt "$peak_c" ] && peak_c=$p
	done
	e=$(date +%s.%N)
	best_c=$(python3 -c "print(min($e-$s, float('${best_c:-1e9}')))")
done

printf '\n%-34s %9s %12s\n' "12 MP JPEG -> $nv variants" "wall (s)" "peak RSS (MB)"
printf '%-34s %9.2f %12d   (its server: %d MB before, %d MB peak)\n' "quire (one upload: photo worker)" "$best_q" "${wpeak:-0}" $((base / 1024)) $((hwm / 1024))
printf '%-34s %9.2f %12d\n' "vipsthumbnail x 8" "$best_v" $((peak_v / 1024))
printf '%-34s %9.2f %12d\n' "convert x 4 (JPEG + WebP each)" "$best_c" $((peak_c / 1024))
