"""Static files (issue 17): precompressed at build time by tools/embed.c
(gzip with zlib, brotli with libbrotlienc), chosen by Accept-Encoding, with Vary: Accept-Encoding,
an ETag per coding, and immutable caching for hashed URLs only."""
import gzip
import os
import re
import subprocess

import brotli  # python3-brotli (scripts/deps.sh test)

import requests

from quire_server import ROOT


def css_url(server):
    m = re.search(r'href="(/static/quire\.[0-9a-f]{10}\.css)"', requests.get(server.url + "/").text)
    assert m
    return server.url + m.group(1)


def get(url, ae, **h):
    # requests would decode on its own; read the raw bytes as sent.
    r = requests.get(url, headers=dict({"Accept-Encoding": ae}, **h), stream=True)
    body = r.raw.read(decode_content=False)
    return r, body


def test_static_files_are_precompressed_and_negotiated(server):
    url = css_url(server)
    plain, raw = get(url, "identity")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert raw.startswith(b"/* Quire")
    gz, graw = get(url, "gzip, deflate")
    assert gz.headers["Content-Encoding"] == "gzip" and gz.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(graw) == raw
    assert len(graw) < len(raw) / 2, (len(graw), len(raw))
    br, braw = get(url, "gzip, deflate, br")
    assert br.headers["Content-Encoding"] == "br"
    assert len(braw) < len(graw), "brotli is smaller than gzip"
    assert brotli.decompress(braw) == raw
    assert len({plain.headers["ETag"], gz.headers["ETag"], br.headers["ETag"]}) == 3
    # Each coding revalidates against its own ETag.
    r, _ = get(url, "gzip", **{"If-None-Match": gz.headers["ETag"]})
    assert r.status_code == 304
    r, _ = get(url, "br", **{"If-None-Match": gz.headers["ETag"]})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    r, _ = get(url, "gzip;q=0, br;q=0")
    assert "Content-Encoding" not in r.headers
    # The unhashed name is cached briefly, not immutably.
    r, _ = get(server.url + "/static/quire.css", "gzip")
    assert r.headers["Cache-Control"] == "public, max-age=300" and r.headers["Content-Encoding"] == "gzip"
    # Small or binary files are not compressed.
    r, _ = get(server.url + "/static/favicon.svg", "gzip, br")
    assert r.status_code == 200


def test_the_editor_bundle_is_brotli_from_the_first_request(server):
    """The rich editor's bundle (~370 KB) is compressed when Quire is built,
    not while it serves: brotli from the very first request, gzip for a
    client without brotli, each byte for byte the file."""
    raw = open(os.path.join(ROOT, "static", "rich.js"), "rb").read()
    url = server.url + "/static/rich.js"
    first, body = get(url, "gzip, br")
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    assert brotli.decompress(body) == raw and len(body) < len(raw) / 3
    r, zbody = get(url, "gzip")
    assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(zbody) == raw
    assert r.headers["ETag"] != first.headers["ETag"]


def test_the_committed_editor_bundle_is_what_its_script_builds(tmp_path):
    """static/rich.js is exactly what scripts/build-editor.sh makes from
    editor/ and its pinned packages (so what runs is what is reviewed)."""
    out = tmp_path / "rich.js"
    subprocess.run(["sh", os.path.join(ROOT, "scripts", "build-editor.sh")], check=True,
                   env=dict(os.environ, OUT=str(out)), timeout=600)
    assert out.read_bytes() == open(os.path.join(ROOT, "static", "rich.js"), "rb").read(), \
        "static/rich.js differs from a rebuild: run scripts/build-editor.sh and commit it"
