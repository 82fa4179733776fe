"""Reach: follows and the timeline, tags, Atom feeds read by a real feed
consumer (feedparser), conditional GET, share previews, sitemap, robots,
search with stemming, phrases and highlighted snippets."""
import re
import time

import feedparser
import requests

from quire_server import ADMIN, api_token, csrf_of, invite_and_signup, login

PW = "reach test password"


def h(tok):
    return {"Authorization": "Bearer " + tok}


def people(server, *names):
    admin = login(server, *ADMIN)
    out = {}
    for n in names:
        invite_and_signup(server, admin, n, PW)
        out[n] = api_token(server, n, PW)
    return out


def post(server, tok, **kw):
    body = {"title": "T", "body": "B", "status": "published"}
    body.update(kw)
    r = requests.post(server.url + "/api/v1/stories", headers=h(tok), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_feeds_parse_cleanly_and_hold_public_stories_only(server):
    p = people(server, "fdw")
    w = p["fdw"]
    pub = post(server, w, title="Feed & <friends>", subtitle="Sub", body="Body with *em* and [a link](/@fdw).",
               tags=["Grief", "spring"])
    post(server, w, title="Feed private zq", audience="private")
    post(server, w, title="Feed unlisted zq", audience="unlisted")
    post(server, w, title="Feed draft zq", status="draft")
    assert pub["tags"] == ["grief", "spring"]
    for path in ("/feed.atom", "/@fdw/feed.atom", "/tag/grief/feed.atom"):
        r = requests.get(server.url + path)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/atom+xml")
        assert "zq" not in r.text, path
        f = feedparser.parse(r.content)
        assert not f.bozo, (path, f.get("bozo_exception"))
        titles = [e.title for e in f.entries]
        assert "Feed & <friends>" in titles, (path, titles)
        e = [e for e in f.entries if e.title == "Feed & <friends>"][0]
        assert e.link == pub["url"]
        assert "<em>em</em>" in e.content[0].value
        # A relative link resolves against the entry's xml:base.
        assert 'href="%s/@fdw"' % server.url in e.content[0].value, e.content[0].value
        assert {t.term for t in e.tags} == {"grief", "spring"}
        assert e.author == "Fdw"
    # Absolute link to self, alternate links from pages.
    f = feedparser.parse(requests.get(server.url + "/@fdw/feed.atom").content)
    assert f.feed.links[0].href.startswith("http")
    page = requests.get(server.url + "/@fdw").text
    assert 'type="application/atom+xml"' in page and "/@fdw/feed.atom" in page
    assert requests.get(server.url + "/@nobody/feed.atom").status_code == 404
    assert requests.get(server.url + "/tag/Bad%20Tag/feed.atom").status_code == 404


def test_feed_conditional_get(server):
    # A feed with an entry has a date, whichever test ran before on this
    # server (the parallel run spreads a module's tests over servers).
    post(server, people(server, "cgv")["cgv"], title="An entry first")
    r = requests.get(server.url + "/feed.atom")
    etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
    assert requests.get(server.url + "/feed.atom", headers={"If-None-Match": etag}).status_code == 304
    r2 = requests.get(server.url + "/feed.atom", headers={"If-Modified-Since": lm})
    assert r2.status_code == 304 and r2.content == b""
    assert requests.get(server.url + "/feed.atom", headers={"If-None-Match": '"other"'}).status_code == 200
    p = people(server, "cgw")
    time.sleep(1.1)
    post(server, p["cgw"], title="A newer one")
    assert requests.get(server.url + "/feed.atom", headers={"If-None-Match": etag}).status_code == 200


def test_share_previews_only_on_public_stories(server):
    p = people(server, "ogw")
    w = p["ogw"]
    pub = post(server, w, title="Shared story", subtitle="What it was like")
    html = requests.get(pub["url"]).text
    assert '<meta property="og:title" content="Shared story">' in html
    assert '<meta property="og:description" content="What it was like">' in html
    assert '<meta property="og:url" content="%s">' % pub["url"] in html
    assert 'name="twitter:card"' in html
    assert '<link rel="canonical" href="%s">' % pub["url"] in html
    circle = requests.post(server.url + "/api/v1/circles", headers=h(w), json={"name": "c"}).json()
    for kw in ({"audience": "unlisted"}, {"audience": "private"}, {"audience": "circle", "circle_id": circle["id"]}):
        st = post(server, w, title="Not for previews", **kw)
        html = requests.get(st["url"], headers=h(w)).text
        assert "og:" not in html and "twitter:" not in html, kw
        assert 'content="noindex"' in html


def test_sitemap_and_robots(server):
    p = people(server, "smw")
    pub = post(server, p["smw"], title="On the map")
    hidden = post(server, p["smw"], title="Off the map", audience="unlisted")
    sm = requests.get(server.url + "/sitemap.xml")
    assert sm.status_code == 200 and sm.headers["Content-Type"].startswith("application/xml")
    assert pub["url"] in sm.text and hidden["url"] not in sm.text and "off-the-map" not in sm.text
    rb = requests.get(server.url + "/robots.txt").text
    assert "Sitemap: %s/sitemap.xml" % server.url in rb and "Disallow: /u/" in rb


def test_tags_validate_and_tag_pages(server):
    p = people(server, "tgw")
    w = p["tgw"]
    st = post(server, w, title="Tagged", tags=["Hospital Life", "#loss", "loss"])
    assert st["tags"] == ["hospital-life", "loss"]
    r = requests.post(server.url + "/api/v1/stories", headers=h(w), json={"title": "x", "tags": ["a", "b", "c", "d", "e", "f"]})
    assert r.status_code == 422
    r = requests.post(server.url + "/api/v1/stories", headers=h(w), json={"title": "x", "tags": ["no/slash"]})
    assert r.status_code == 422
    r = requests.post(server.url + "/api/v1/stories", headers=h(w), json={"title": "x", "tags": "loss"})
    assert r.status_code == 422
    page = requests.get(server.url + "/tag/hospital-life")
    assert page.status_code == 200 and "Tagged" in page.text
    assert "#hospital-life" in requests.get(st["url"]).text
    r = requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=h(w), json={"tags": []})
    assert r.json()["tags"] == []
    assert "Tagged" not in requests.get(server.url + "/tag/hospital-life").text


def test_follow_timeline_and_lists(server):
    p = people(server, "flw", "flr", "flx")
    w, r_, x = p["flw"], p["flr"], p["flx"]
    u = server.url
    circle = requests.post(u + "/api/v1/circles", headers=h(w), json={"name": "c"}).json()
    inv = requests.post(u + "/api/v1/circles/%s/invites" % circle["id"], headers=h(w), json={}).json()
    requests.post(u + "/api/v1/invites/%s/accept" % inv["token"], headers=h(r_))
    a = post(server, w, title="Followed public")
    b = post(server, w, title="Followed circle", audience="circle", circle_id=circle["id"])
    post(server, w, title="Followed private", audience="private")
    post(server, x, title="Not followed")
    assert requests.post(u + "/api/v1/follows", headers=h(r_), json={"handle": "flw"}).status_code == 201
    assert requests.post(u + "/api/v1/follows", headers=h(r_), json={"handle": "flr"}).status_code == 422
    assert requests.post(u + "/api/v1/follows", headers=h(r_), json={"handle": "nobody_f"}).status_code == 404
    assert [f["handle"] for f in requests.get(u + "/api/v1/follows", headers=h(r_)).json()["follows"]] == ["flw"]
    # Who follows her is hers to show (/settings/followers).
    assert requests.get(u + "/api/v1/users/flw/followers").status_code == 404
    ws = login(server, "flw", PW)
    page = ws.get(u + "/settings/followers")
    assert ws.post(u + "/settings/followers", data={"action": "visibility", "show_followers": "1",
                                                    "csrf": csrf_of(page.text)}).status_code == 200
    assert [f["handle"] for f in requests.get(u + "/api/v1/users/flw/followers").json()["followers"]] == ["flr"]
    tl = requests.get(u + "/api/v1/timeline", headers=h(r_)).json()["stories"]
    assert sorted(s["title"] for s in tl) == ["Followed circle", "Followed public"]
    assert requests.get(u + "/api/v1/timeline").status_code == 401
    # Another follower outside the circle sees only the public one.
    assert requests.post(u + "/api/v1/follows", headers=h(x), json={"handle": "flw"}).status_code == 201
    assert [s["id"] for s in requests.get(u + "/api/v1/timeline", headers=h(x)).json()["stories"]] == [a["id"]]
    # The signed-in home shows the timeline; ?latest=1 the site.
    s = login(server, "flr", PW)
    home = s.get(u + "/").text
    assert "From writers you follow" in home and "Followed circle" in home and "Not followed" not in home
    assert "Not followed" in s.get(u + "/?latest=1").text
    # Profile: counts and the follow button (a form with CSRF).
    prof = login(server, "flx", PW).get(u + "/@flw").text
    assert "2 followers" in prof and 'value="unfollow"' in prof
    assert requests.delete(u + "/api/v1/follows/flw", headers=h(x)).status_code == 204
    assert requests.delete(u + "/api/v1/follows/flw", headers=h(x)).status_code == 404
    assert "flr" in requests.get(u + "/@flw/followers").text
    assert b["id"] not in [s["id"] for s in requests.get(u + "/api/v1/timeline", headers=h(x)).json()["stories"]]
    # Following by form.
    page = s.get(u + "/@flx")
    r = s.post(u + "/@flx/follow", data={"action": "follow", "csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 303
    assert "flx" in [f["handle"] for f in requests.get(u + "/api/v1/follows", headers=h(r_)).json()["follows"]]


def test_search_stems_phrases_snippets_and_audience(server):
    p = people(server, "srw", "srr")
    w, r_ = p["srw"], p["srr"]
    u = server.url
    post(server, w, title="Corridors", body="We were walking through the long hospital corridors at night.",
         tags=["nights"])
    post(server, w, title="Secret walks", body="Walking alone, privately.", audience="private")
    post(server, w, title="Unlisted walks", body="Walking, unlisted.", audience="unlisted")
    r = requests.get(u + "/api/v1/search", params={"q": "walk corridor"})
    assert r.status_code == 200
    res = r.json()["stories"]
    assert [s["title"] for s in res] == ["Corridors"], "stemmed words match"
    assert "<mark>" in res[0]["snippet"]
    assert [s["title"] for s in requests.get(u + "/api/v1/search", params={"q": '"hospital corridors"'}).json()["stories"]] == ["Corridors"]
    assert requests.get(u + "/api/v1/search", params={"q": '"corridors hospital"'}).json()["stories"] == []
    assert [s["title"] for s in requests.get(u + "/api/v1/search", params={"q": "nights"}).json()["stories"]] == ["Corridors"]
    titles = [s["title"] for s in requests.get(u + "/api/v1/search", params={"q": "walking"}).json()["stories"]]
    assert "Secret walks" not in titles and "Unlisted walks" not in titles
    mine = [s["title"] for s in requests.get(u + "/api/v1/search", params={"q": "walking"}, headers=h(w)).json()["stories"]]
    assert "Secret walks" in mine
    # Hostile queries are just words.
    for q in ('"', 'NEAR(a b)', "title:secret", "a OR b*", "\\", "-x"):
        r = requests.get(u + "/api/v1/search", params={"q": q})
        assert r.status_code == 200, q
    assert requests.get(u + "/api/v1/search").status_code == 400
    page = requests.get(u + "/search", params={"q": "corridors"}).text
    assert "<mark>" in page and "Corridors" in page
    page = requests.get(u + "/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert" not in page
