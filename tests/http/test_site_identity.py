"""The site's own identity (issue 17): name, description and a short
about page, set by an admin on /admin (stored as settings), used in the
header, footer, page titles, the Atom feed's title and Open Graph's
site_name; and the writer's audience badges in her own lists."""
import re

import feedparser
import requests

from quire_server import ADMIN, api_token, csrf_of, invite_and_signup, login


def save_site(s, server, **fields):
    page = s.get(server.url + "/admin")
    data = {"action": "site", "csrf": csrf_of(page.text), "site_name": "", "site_description": "",
            "site_about": ""}
    data.update(fields)
    return s.post(server.url + "/admin", data=data)


def test_site_identity_everywhere(server):
    tok = api_token(server, *ADMIN)
    st = requests.post(server.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                       json={"title": "Identity story", "body": "Words.", "status": "published"}).json()
    home = requests.get(server.url + "/").text
    assert "published with Quire" not in home
    assert '<a class="brand" href="/">Quire</a>' in home and 'href="/about"' not in home
    assert requests.get(server.url + "/about").status_code == 404
    admin = login(server, *ADMIN)
    r = save_site(admin, server, site_name="", site_description="x")
    assert r.status_code == 422 and "1 to 80 characters" in r.text
    r = save_site(admin, server, site_name="Paper <Rooms>", site_description="Essays from the ward & after",
                  site_about="We write here.\n\nSecond paragraph,\nstill second.")
    assert r.status_code == 200 and r.url.endswith("/admin") and "are saved" in r.text
    home = requests.get(server.url + "/").text  # the anonymous (cached) page changed too
    assert '<a class="brand" href="/">Paper &lt;Rooms&gt;</a>' in home
    assert "<title>Paper &lt;Rooms&gt;</title>" in home
    assert "Essays from the ward &amp; after" in home.split('<footer class="site">')[1]
    assert '<meta name="description" content="Essays from the ward &amp; after">' in home
    assert 'href="/about"' in home
    about = requests.get(server.url + "/about").text
    assert "<h1>About Paper &lt;Rooms&gt;</h1>" in about
    assert "<p>We write here.</p>" in about and "<p>Second paragraph, still second.</p>" in about
    page = requests.get(st["url"]).text
    assert "<title>Identity story · Paper &lt;Rooms&gt;</title>" in page
    assert '<meta property="og:site_name" content="Paper &lt;Rooms&gt;">' in page
    feed = feedparser.parse(requests.get(server.url + "/feed.atom").content)
    assert feed.feed.title == "Paper <Rooms>"
    # Only admins.
    reader = invite_and_signup(server, admin, "idreader", "a password for tests")
    page = reader.get(server.url + "/settings")
    r = reader.post(server.url + "/admin", data={"action": "site", "csrf": csrf_of(page.text),
                                                 "site_name": "Mine now"})
    assert r.status_code == 403
    assert "Mine now" not in requests.get(server.url + "/").text
    save_site(admin, server, site_name="Quire")


def test_audience_badges_only_in_the_writers_lists(server):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "bwriter", "a password for tests")
    w = login(server, "bwriter", "a password for tests")
    h = {"Authorization": "Bearer " + api_token(server, "bwriter", "a password for tests")}
    c = requests.post(server.url + "/api/v1/circles", headers=h, json={"name": "c"}).json()
    for title, aud, status in (("Bunlisted", "unlisted", "published"), ("Bcircle", "circle", "published"),
                               ("Bprivate", "private", "published"), ("Bdraft", "public", "draft"),
                               ("Bpublic", "public", "published")):
        body = {"title": title, "body": "x", "status": status, "audience": aud}
        if aud == "circle":
            body["circle_id"] = c["id"]
        assert requests.post(server.url + "/api/v1/stories", headers=h, json=body).status_code == 201
    mine = w.get(server.url + "/me/stories").text
    for title, badge in (("Bunlisted", "Unlisted"), ("Bcircle", "Circle"), ("Bprivate", "Private"),
                         ("Bdraft", "Draft")):
        assert re.search(r">%s</a> <span class=\"badge \w+\">%s</span>" % (title, badge), mine), title
    assert not re.search(r">Bpublic</a> <span class=\"badge", mine)
    profile = w.get(server.url + "/@bwriter").text
    assert re.search(r'Bcircle</a> <span class="badge circle">Circle</span>', profile)
    assert 'class="badge' not in requests.get(server.url + "/@bwriter").text
