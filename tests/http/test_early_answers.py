"""Early answers (src/http/http.h, http_server_config.early): a stored
anonymous page, or a public photo's kept file, is answered before the
request is parsed. It must be the very answer the whole way gives, keep the
connection open, be counted and logged like any request, and never answer
what the whole way would answer differently (ActivityPub, conditional
requests, a query, signed-in readers, a body).

One worker thread, so that every request meets the same cache."""
import re
import socket

import pytest
import requests

from quire_server import ADMIN, Server, free_port, login, api_token


@pytest.fixture(scope="module")
def site():
    mport = free_port()
    s = Server(extra=["--threads", "1", "--metrics-listen", "127.0.0.1:%d" % mport])
    s.start()
    s.metrics_url = "http://127.0.0.1:%d/metrics" % mport
    s.token = api_token(s, *ADMIN)
    r = requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + s.token},
                      json={"title": "Said early", "body": "Words. " * 200,
                            "status": "published"})
    assert r.status_code == 201, r.text
    s.story = r.json()
    s.path = s.story["url"].split("://", 1)[1].partition("/")[2]
    s.path = "/" + s.path
    yield s
    s.stop()
    s.cleanup()


def exchange(sock, request):
    """Send one request on a kept-alive socket; (status line, headers, body)."""
    sock.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the connection was closed before an answer"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(x.split(": ", 1)) for x in lines[1:]]
    length = int(dict((k.lower(), v) for k, v in headers).get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk
        rest += chunk
    return lines[0], headers, rest


def get(path, extra=b""):
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n"


def early(site):
    text = requests.get(site.metrics_url).text
    m = re.search(r"^quire_early_answers_total (\d+)$", text, re.M)
    assert m, text[-2000:]
    return int(m.group(1))


def hits(site, route):
    text = requests.get(site.metrics_url).text
    m = re.search(r'^quire_http_requests_total\{method="GET",route="%s",status="200"\} (\d+)$'
                  % re.escape(route), text, re.M)
    return int(m.group(1)) if m else 0


def test_the_early_answer_is_the_whole_answer(site):
    sock = socket.create_connection(("127.0.0.1", site.port), timeout=30)
    try:
        base = hits(site, "/@{handle}/{slug}")
        first = exchange(sock, get(site.path))   # stored now, if not before
        # The whole way counts a request when libmicrohttpd reports it
        # done, which may be after its answer reached us: wait for that.
        before = base
        for _ in range(1000):
            before = hits(site, "/@{handle}/{slug}")
            if before >= base + 1:
                break
        assert before == base + 1, "the first request was counted"
        early_before = early(site)
        second = exchange(sock, get(site.path))  # answered early
        third = exchange(sock, get(site.path))
    finally:
        sock.close()
    assert first[0] == second[0] == third[0] == "HTTP/1.1 200 OK"
    def same(h):
        return [(k, v) for k, v in h if k != "Date"]
    assert same(second[1]) == same(first[1]) == same(third[1]), "the same headers"
    assert second[2] == first[2] == third[2], "the same page"
    assert not [v for k, v in second[1] if k.lower() == "connection"], \
        "an early answer keeps the connection open"
    assert early(site) == early_before + 2, "answered early"
    assert hits(site, "/@{handle}/{slug}") == before + 2, "counted under its route"
    text = requests.get(site.metrics_url).text
    assert re.search(r"^quire_page_cache_hits_total [1-9]", text, re.M)


def test_what_the_whole_way_answers_differently(site):
    requests.get(site.url + site.path)
    requests.get(site.url + site.path)
    page = requests.get(site.url + site.path)
    n = early(site)
    # ActivityPub asks for the object, never the cached page.
    ap = requests.get(site.url + site.path, headers={"Accept": "application/activity+json"})
    assert ap.status_code == 200 and ap.headers["Content-Type"].startswith("application/activity+json")
    # Conditional: 304 with the validators.
    etag = page.headers["ETag"]
    r = requests.get(site.url + site.path, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.headers["ETag"] == etag
    # A query is part of the key: not the stored page.
    r = requests.get(site.url + site.path + "?x=1")
    assert r.status_code == 200
    # The writer, signed in, gets her own page (an edit link), not the
    # anonymous one; a bearer token on the page is not answered from it.
    s = login(site, *ADMIN)
    mine = s.get(site.url + site.path)
    assert 'action="/logout"' in mine.text and 'action="/logout"' not in page.text
    r = requests.get(site.url + site.path, headers={"Authorization": "Bearer " + site.token})
    assert r.status_code == 200 and "ETag" not in r.headers
    # A GET with a body goes the whole way (and is still answered).
    sock = socket.create_connection(("127.0.0.1", site.port), timeout=30)
    try:
        status, _, body = exchange(sock, get(site.path, b"Content-Length: 3\r\n") + b"abc")
        assert status.startswith("HTTP/1.1 200") and body == page.content
        status, _, _ = exchange(sock, get(site.path))
        assert status.startswith("HTTP/1.1 200")
    finally:
        sock.close()
    # HEAD: the headers, no body.
    h = requests.head(site.url + site.path, headers={"Accept-Encoding": "identity"})
    assert h.status_code == 200 and h.content == b""
    assert early(site) == n + 1, "only the plain GET after the body was answered early"


def test_a_change_is_seen_by_the_very_next_early_request(site):
    requests.get(site.url + site.path)
    assert "Said early" in requests.get(site.url + site.path).text
    r = requests.patch(site.url + "/api/v1/stories/" + site.story["id"],
                       headers={"Authorization": "Bearer " + site.token},
                       json={"title": "Said again"})
    assert r.status_code == 200, r.text
    page = requests.get(site.url + site.path, headers={"Accept-Encoding": "identity"})
    assert "Said again" in page.text and "Said early" not in page.text


def test_a_long_page_is_the_same_answer_after_answer(site):
    """A stored page of more than 64 KB, one buffer shared by every
    connection (src/http/server.c): byte for byte the page, answer after
    answer on a kept-alive connection, the plain and the gzip copy."""
    r = requests.post(site.url + "/api/v1/stories", headers={"Authorization": "Bearer " + site.token},
                      json={"title": "Said at length",
                            "body": "\n\n".join("Paragraph %d of a long story, said once. " % i * 4
                                                for i in range(400)),
                            "status": "published"})
    assert r.status_code == 201, r.text
    path = "/" + r.json()["url"].split("://", 1)[1].partition("/")[2]
    sock = socket.create_connection(("127.0.0.1", site.port), timeout=30)
    try:
        answers = [exchange(sock, get(path)) for _ in range(4)]
        zipped = [exchange(sock, get(path, b"Accept-Encoding: gzip\r\n")) for _ in range(3)]
    finally:
        sock.close()
    assert len(answers[0][2]) > 64 * 1024, "longer than one read or one segment"
    assert all(a[0] == "HTTP/1.1 200 OK" for a in answers + zipped)
    assert len({a[2] for a in answers}) == 1 and b"Paragraph 399" in answers[0][2]
    import gzip
    assert len({z[2] for z in zipped}) == 1
    assert gzip.decompress(zipped[0][2]) == answers[0][2]
