"""Signed-in story pages shared between readers (src/web/slot_page.h).

A public story page is rendered once for every signed-in reader with no
tie to its writer and the reader's own strings (CSRF token, handle, name)
are filled in per request. These tests walk the readers whose page must
differ (a member of her circle, a blocked reader, one with a response of
her own, the admin, the writer) past a shared page and check each gets
exactly her own. The server runs with QUIRE_SLOT_CHECK=1 (as every test
server does, tests/lib/quire_server.py): each page answered from a shared
rendering is also rendered in full and the server aborts when the two
differ, so any reader-dependence the sharing misses fails here."""
import re

import pytest
import requests

from quire_server import (ADMIN, Server, api_token, csrf_of, free_port, invite_and_signup,
                          login)

PW = "slot pages test password"


@pytest.fixture(scope="module")
def site():
    mport = free_port()
    # One worker thread: every request meets the same per-thread cache.
    s = Server(extra=["--threads", "1", "--metrics-listen", "127.0.0.1:%d" % mport])
    s.start()
    s.metrics_url = "http://127.0.0.1:%d/metrics" % mport
    admin = login(s, *ADMIN)
    people = {"admin": admin}
    for who in ("sw", "sa", "sb", "sc", "sm"):
        people[who] = invite_and_signup(s, admin, who, PW, name="Name of " + who.upper())
    for sess in people.values():
        # A new account's first page takes the welcome message (a flash
        # message: such a request never shares a page).
        sess.get(s.url + "/")
        assert not [c for c in sess.cookies if "flash" in c.name]
    s.people = people
    s.tokens = {who: api_token(s, who, PW) for who in ("sw", "sa", "sb", "sc", "sm")}
    yield s
    s.stop()
    s.cleanup()


def h(site, who):
    return {"Authorization": "Bearer " + site.tokens[who]}


def slot_hits(site):
    text = requests.get(site.metrics_url).text
    m = re.search(r"^quire_slot_page_hits_total (\d+)$", text, re.M)
    assert m, text[-2000:]
    return int(m.group(1))


def story(site, who, **kw):
    body = {"title": "A story", "body": "Words of the story.", "status": "published"}
    body.update(kw)
    r = requests.post(site.url + "/api/v1/stories", headers=h(site, who), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def page(site, who, path):
    r = site.people[who].get(site.url + path)
    assert r.status_code == 200, (who, path, r.status_code)
    return r.text


def test_strangers_share_one_rendering_with_their_own_strings(site):
    st = story(site, "sw", title="Shared between strangers")
    path = st["url"].split("://", 1)[1].partition("/")[2]
    path = "/" + path
    before = slot_hits(site)
    a = page(site, "sa", path)
    b = page(site, "sb", path)
    c = page(site, "sc", path)
    assert slot_hits(site) >= before + 2, "the second and third strangers are answered from the first"
    for who, text in (("sa", a), ("sb", b), ("sc", c)):
        assert 'href="/@%s"' % who in text, "her own handle in the header"
        others = {"sa", "sb", "sc"} - {who}
        assert not any('href="/@%s"' % o in text for o in others), "nobody else's"
        assert "\x01" not in text, "no slot left unfilled"
    tokens = {csrf_of(x) for x in (a, b, c)}
    assert len(tokens) == 3, "each reader has her own CSRF token"
    # The token on a shared page is hers: her response is taken.
    r = site.people["sb"].post(site.url + "/responses", data={
        "csrf": csrf_of(b), "story_id": st["id"], "body": "From B, with thanks",
        "return_to": path}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    # B now has a response of her own: her page shows it with its tools,
    # A's and C's (still shared) show it as anyone's.
    b2 = page(site, "sb", path)
    a2 = page(site, "sa", path)
    c2 = page(site, "sc", path)
    assert "From B, with thanks" in a2 and "From B, with thanks" in c2
    assert 'href="/@sa"' in a2 and 'href="/@sc"' in c2
    assert 'href="/@sb"' in b2 and "/edit" in b2.split("From B, with thanks", 1)[1][:2000]
    # Signing out with the token of a shared page works for her alone.
    r = site.people["sc"].post(site.url + "/logout", data={"csrf": csrf_of(c2)},
                               allow_redirects=False)
    assert r.status_code == 303
    r = site.people["sc"].get(site.url + path)
    assert 'href="/@sc"' not in r.text and 'action="/logout"' not in r.text
    site.people["sc"] = login(site, "sc", PW)


def test_readers_with_ties_get_their_own_page(site):
    w = "sw"
    # A circle with M in it, and a circle story that M may see listed.
    circle = requests.post(site.url + "/api/v1/circles", headers=h(site, w),
                           json={"name": "close ones"}).json()
    inv = requests.post(site.url + "/api/v1/circles/%s/invites" % circle["id"],
                        headers=h(site, w), json={}).json()
    r = requests.post(site.url + "/api/v1/invites/%s/accept" % inv["token"], headers=h(site, "sm"))
    assert r.status_code == 200
    story(site, w, title="Only for the close ones", audience="circle", circle_id=circle["id"])
    st = story(site, w, title="Public, with more from her")
    path = "/" + st["url"].split("://", 1)[1].partition("/")[2]
    a = page(site, "sa", path)       # stores the strangers' page
    m = page(site, "sm", path)       # a member: her own
    assert "Only for the close ones" in m, "the member sees the circle story listed"
    assert "Only for the close ones" not in a
    assert "Only for the close ones" not in page(site, "sa", path)
    # Blocking A ends her sharing: she may no longer respond.
    r = requests.post(site.url + "/api/v1/blocks", headers=h(site, w), json={"handle": "sa"})
    assert r.status_code == 201
    a_blocked = page(site, "sa", path)
    assert 'name="story_id"' not in a_blocked, "no response form for a blocked reader"
    c = page(site, "sc", path)
    assert 'name="story_id"' in c, "a stranger still has hers"
    # The admin's header differs (the Admin link), the writer's page is hers.
    adm = page(site, "admin", path)
    assert 'href="/admin"' in adm and 'href="/admin"' not in c
    mine = page(site, w, path)
    assert "Edit this story" in mine and "Edit this story" not in c


def test_an_edit_reaches_every_reader_at_once(site):
    st = story(site, "sw", title="Before the edit")
    path = "/" + st["url"].split("://", 1)[1].partition("/")[2]
    assert "Before the edit" in page(site, "sc", path)
    r = requests.patch(site.url + "/api/v1/stories/" + st["id"], headers=h(site, "sw"),
                       json={"subtitle": "A subtitle added later"})
    assert r.status_code == 200, r.text
    for who in ("sc", "admin", "sm"):
        assert "A subtitle added later" in page(site, who, path), who
