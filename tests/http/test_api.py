"""The JSON API contract for stories and its error answers."""
import re

import requests

from quire_server import ADMIN, api_token, invite_and_signup, login



FIELDS = {"id", "slug", "url", "title", "subtitle", "body", "html", "status", "published_at",
          "updated_at", "author"}


def auth(server, who=ADMIN):
    return {"Authorization": "Bearer " + api_token(server, *who)}


def test_create_get_patch_delete(server):
    h = auth(server)
    r = requests.post(server.url + "/api/v1/stories", headers=h,
                      json={"title": "API story", "subtitle": "Sub", "body": "Hello *there*", "status": "draft"})
    assert r.status_code == 201
    st = r.json()
    assert FIELDS <= set(st)
    assert re.fullmatch(r"[0-9a-f]{16}", st["id"])
    assert st["status"] == "draft" and st["published_at"] is None
    assert st["html"] == "<p>Hello <em>there</em></p>\n"
    assert st["author"] == {"handle": "ada", "name": st["author"]["name"]}
    assert st["url"] == server.url + "/@ada/api-story"
    sid = st["id"]
    assert requests.get(server.url + "/api/v1/stories/" + sid).status_code == 404, "draft hidden from anonymous"
    assert requests.get(server.url + "/api/v1/stories/" + sid, headers=h).json()["title"] == "API story"
    r = requests.patch(server.url + "/api/v1/stories/" + sid, headers=h, json={"status": "published"})
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r.json()["published_at"])
    assert r.json()["body"] == "Hello *there*", "PATCH leaves fields it does not name"
    assert requests.get(server.url + "/api/v1/stories/" + sid).status_code == 200
    assert requests.delete(server.url + "/api/v1/stories/" + sid, headers=h).status_code == 204
    assert requests.get(server.url + "/api/v1/stories/" + sid, headers=h).status_code == 404
    assert requests.get(server.url + "/@ada/api-story").status_code == 404


def test_list_by_author_visibility_and_cursor(server):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "lister", "lister password 1")
    h = auth(server, ("lister", "lister password 1"))
    ids = []
    for i in range(7):
        ids.append(requests.post(server.url + "/api/v1/stories", headers=h,
                                 json={"title": "L%d" % i, "body": "b", "status": "published"}).json()["id"])
    draft = requests.post(server.url + "/api/v1/stories", headers=h, json={"title": "L draft", "body": "b"}).json()["id"]
    # Anonymous: published only, newest first, in pages.
    got, cursor = [], None
    while True:
        q = "?author=lister&limit=3" + ("&cursor=" + cursor if cursor else "")
        r = requests.get(server.url + "/api/v1/stories" + q).json()
        got += [s["id"] for s in r["stories"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert sorted(got) == sorted(ids) and draft not in got
    # The writer sees her draft too.
    mine = requests.get(server.url + "/api/v1/stories?author=lister&limit=100", headers=h).json()["stories"]
    assert draft in [s["id"] for s in mine]
    # Another signed-in writer does not.
    other = requests.get(server.url + "/api/v1/stories?author=lister&limit=100", headers=auth(server)).json()["stories"]
    assert draft not in [s["id"] for s in other]
    assert requests.get(server.url + "/api/v1/stories?author=nobody").status_code == 404
    assert requests.get(server.url + "/api/v1/stories?limit=0").status_code == 400
    assert requests.get(server.url + "/api/v1/stories?cursor=zzz").status_code == 400


def test_only_the_writer_may_change_a_story(server):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "intruder", "intruder password")
    mine = auth(server)
    theirs = auth(server, ("intruder", "intruder password"))
    st = requests.post(server.url + "/api/v1/stories", headers=mine,
                       json={"title": "Mine", "body": "b", "status": "published"}).json()
    r = requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=theirs, json={"title": "Theirs"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert requests.delete(server.url + "/api/v1/stories/" + st["id"], headers=theirs).status_code == 403
    draft = requests.post(server.url + "/api/v1/stories", headers=mine, json={"title": "Mine draft", "body": "b"}).json()
    assert requests.patch(server.url + "/api/v1/stories/" + draft["id"], headers=theirs,
                          json={"title": "x"}).status_code == 404
    assert requests.get(server.url + "/api/v1/stories/" + st["id"]).json()["title"] == "Mine"


def test_errors_have_codes_and_messages(server):
    h = auth(server)
    j = dict(h, **{"Content-Type": "application/json"})
    cases = [
        ("POST", "/api/v1/stories", {}, b'{"title":"x"}', 401),
        ("POST", "/api/v1/stories", j, b'{"title": "x",', 400),
        ("POST", "/api/v1/stories", j, b'{"title": "x", "title": "y"}', 400),
        ("POST", "/api/v1/stories", j, b'{"title": 5}', 422),
        ("POST", "/api/v1/stories", j, b'{"body": "no title"}', 422),
        ("POST", "/api/v1/stories", j, b'{"title": "x", "status": "live"}', 422),
        ("POST", "/api/v1/stories", j, b'{"title": "x\\u0000y"}', 400),
        ("POST", "/api/v1/stories", j, b'{"title": "\xff\xfe"}', 400),
        ("POST", "/api/v1/stories", j, b'"just a string"', 422),
        ("POST", "/api/v1/stories", dict(h, **{"Content-Type": "text/plain"}), b'{"title":"x"}', 415),
        ("POST", "/api/v1/stories", j, b'{"title": "' + b"t" * 300 + b'"}', 422),
        ("POST", "/api/v1/stories", j, b'{"title": "x", "body": "' + b"b" * (600 * 1024) + b'"}', 413),
        ("POST", "/api/v1/stories", j, b'{"title": "' + b"t" * (10 * 1024 * 1024) + b'"}', 413),
        ("GET", "/api/v1/nothing", {}, None, 404),
        ("PUT", "/api/v1/stories", h, None, 405),
        ("GET", "/api/v1/stories/0123456789abcdef", {}, None, 404),
        ("GET", "/api/v1/stories/1", {}, None, 404),
    ]
    for method, path, headers, body, want in cases:
        r = requests.request(method, server.url + path, headers=headers, data=body)
        assert r.status_code == want, (method, path, body[:60] if body else None, r.status_code, r.text[:300])
        err = r.json()["error"]
        assert err["code"] and err["message"], r.text
    r = requests.put(server.url + "/api/v1/stories", headers=h)
    assert "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]
    # Nothing half-made is left behind by all of that.
    titles = [s["title"] for s in requests.get(server.url + "/api/v1/stories?author=ada&limit=100", headers=h).json()["stories"]]
    assert "x" not in titles and "no title" not in titles


def test_cookie_api_writes_need_csrf_header(server):
    s = login(server, *ADMIN)
    r = s.post(server.url + "/api/v1/stories", json={"title": "via cookie"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf"
