"""Static files (issue 17): precompressed at start (gzip with zlib, brotli
with libbrotlienc), chosen by Accept-Encoding, with Vary: Accept-Encoding,
an ETag per coding, and immutable caching for hashed URLs only."""
import gzip
import re

import brotli  # python3-brotli (scripts/deps.sh test)

import requests


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
