#!/bin/sh
# build-editor.sh - rebuild static/rich.js, the editor's rich-text mode,
# from editor/src/rich.js and the packages pinned in editor/package-lock.json
# (npm ci: exact versions, checked against their sha512). The output is
# committed, so building or running Quire needs no Node; this script is for
# whoever changes the editor, and for the test that checks the committed
# bundle is exactly what this script makes (OUT=FILE writes there instead).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/static/rich.js}
cd "$root/editor"
if ! cmp -s package-lock.json node_modules/.quire-lock 2>/dev/null; then
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
	cp package-lock.json node_modules/.quire-lock
fi
./node_modules/.bin/esbuild src/rich.js --bundle --minify --format=iife --target=es2019 \
	--charset=utf8 --legal-comments=eof --log-level=warning \
	--banner:js="/* rich.js - Quire's rich-text editor, built by scripts/build-editor.sh from editor/: ProseMirror, prosemirror-markdown and markdown-it (MIT licences, in editor/node_modules after npm ci). */" \
	--outfile="$out"
