"""Import (issue 19), WordPress: `quire import wordpress FILE --user HANDLE`
on WordPress's own export fixtures (tests/data/import/wordpress), against a
running server: every post becomes the expected story (title, body, slug,
original date, tags, drafts as drafts, canonical URL in the API and the
page), a page is skipped and said to be, importing again changes nothing,
and a malformed file names itself and its line and imports nothing."""
import os
import re

import requests

from quire_server import ADMIN, api_token, invite_and_signup, login

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WXR = os.path.join(ROOT, "tests", "data", "import", "wordpress")


def stories_of(server, tok, handle):
    r = requests.get(server.url + "/api/v1/stories", params={"limit": 100, "author": handle},
                     headers={"Authorization": "Bearer " + tok})
    assert r.status_code == 200, r.text
    return {s["title"]: s for s in r.json()["stories"]}


def test_wordpress_export_becomes_stories_once(server):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "wpwriter", "a password for tests")
    tok = api_token(server, "wpwriter", "a password for tests")
    handle = "wpwriter"
    r = server.cli("import", "wordpress", os.path.join(WXR, "wxr-simple.xml"), "--user", "wpwriter", "--skip-photos")
    assert "1 imported, 0 skipped" in r.stdout, r.stdout
    r = server.cli("import", "wordpress", os.path.join(WXR, "valid-wxr-1.1.xml"), "--user", "wpwriter", "--skip-photos")
    assert "Skipped \"About\": a WordPress page, not a post." in r.stdout, r.stdout
    mine = stories_of(server, tok, handle)
    road = mine['"The Road Not Taken" by Robert Frost']
    assert road["slug"] == "hello-world" and road["status"] == "published"
    assert road["published_at"] == "2024-06-05T16:04:48Z"
    assert road["canonical_url"] == "https://playground.internal/path/?p=1"
    page = requests.get(server.url + "/@wpwriter/hello-world")
    assert page.status_code == 200
    assert '<link rel="canonical" href="https://playground.internal/path/?p=1">' in page.text
    assert "Two roads diverged in a yellow wood," in page.text
    assert "wp:paragraph" not in page.text
    hello = mine["Hello world!"]
    assert hello["published_at"] == "2010-10-16T20:53:18Z"
    assert set(hello["tags"]) >= {"alpha", "clippable"} and "bieup" not in hello["tags"]
    # Imported stories are in the writer's own list and on her page.
    assert "Hello world!" in requests.get(server.url + "/@wpwriter").text
    # Again: nothing changes.
    before = sorted(s["id"] for s in stories_of(server, tok, handle).values())
    r = server.cli("import", "wordpress", os.path.join(WXR, "wxr-simple.xml"), "--user", "wpwriter", "--skip-photos")
    assert "0 imported, 1 skipped" in r.stdout, r.stdout
    assert sorted(s["id"] for s in stories_of(server, tok, handle).values()) == before


def test_a_draft_stays_a_draft(server, tmp_path):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "wpdraft", "a password for tests")
    tok = api_token(server, "wpdraft", "a password for tests")
    handle = "wpdraft"
    xml = tmp_path / "d.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>T</title>'
        '<wp:base_site_url>https://old.example</wp:base_site_url><item><title>Not yet</title>'
        '<wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type><wp:status>draft</wp:status>'
        '<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>'
        '<category domain="post_tag" nicename="grief">Grief</category>'
        '<content:encoded><![CDATA[<p>Half <em>written</em>.</p>]]></content:encoded>'
        '</item></channel></rss>\n')
    r = server.cli("import", "wordpress", str(xml), "--user", "wpdraft", "--skip-photos")
    assert "(a draft)" in r.stdout, r.stdout
    s = stories_of(server, tok, handle)["Not yet"]
    assert s["status"] == "draft" and s["tags"] == ["grief"]
    assert "Half *written*." in s["body"]
    # Nobody else sees it.
    assert "Not yet" not in requests.get(server.url + "/@wpdraft").text


def test_a_malformed_export_names_its_line_and_imports_nothing(server):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "wpbad", "a password for tests")
    tok = api_token(server, "wpbad", "a password for tests")
    handle = "wpbad"
    path = os.path.join(WXR, "malformed-simple.xml")
    r = server.cli("import", "wordpress", path, "--user", "wpbad", check=False)
    assert r.returncode == 1
    assert re.search(re.escape(path) + r": line \d+: .*; nothing was imported", r.stderr), r.stderr
    assert stories_of(server, tok, handle) == {}
    r = server.cli("import", "wordpress", os.path.join(WXR, "wxr-simple.xml"), "--user", "nobody_x",
                   check=False)
    assert r.returncode == 1 and "no writer @nobody_x" in r.stderr
    r = server.cli("import", "blogger", path, "--user", "wpbad", check=False)
    assert r.returncode == 2 and "wordpress" in r.stderr
    r = server.cli("import", "medium", path, "--user", "wpbad", check=False)
    assert r.returncode == 1 and "a Medium export has posts/" in r.stderr


SUBSTACK = os.path.join(ROOT, "tests", "data", "import", "substack")


def test_substack_export_and_its_paid_posts(server, tmp_path):
    """Substack (posts.csv + posts/*.html, tests/data/import/substack):
    newsletters and podcasts come in, a thread and a page are skipped and
    said to be, the unpublished one is a draft; a post for paying readers
    comes in for a circle named for them, never public; again: nothing."""
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "sswriter", "a password for tests")
    tok = api_token(server, "sswriter", "a password for tests")
    handle = "sswriter"
    r = server.cli("import", "substack", SUBSTACK, "--user", handle, "--skip-photos")
    assert "3 imported, 0 skipped" in r.stdout, r.stdout
    assert 'Skipped "Talk to Us": a Substack thread' in r.stdout
    assert 'Skipped "About Us": a Substack page' in r.stdout
    mine = {s["slug"]: s for s in requests.get(
        server.url + "/api/v1/stories", params={"limit": 100, "author": handle},
        headers={"Authorization": "Bearer " + tok}).json()["stories"]}
    assert set(mine) == {"plain-text", "podcast", "draft-text"}
    assert mine["plain-text"]["subtitle"] == "\u201cThis quote\u2019s rather short\u201d"
    assert mine["plain-text"]["published_at"] == "2019-07-26T20:48:19Z"
    assert mine["draft-text"]["status"] == "draft"
    # A paid post.
    folder = tmp_path / "paid"
    (folder / "posts").mkdir(parents=True)
    (folder / "posts.csv").write_text("post_id,post_date,is_published,type,audience,title,subtitle\n"
                                      "77.members,2021-03-04T05:06:07Z,TRUE,newsletter,only_paid,"
                                      "For those who pay,\n")
    (folder / "posts" / "77.members.html").write_text("<p>Only for you, paying reader.</p>")
    r = server.cli("import", "substack", str(folder), "--user", handle, "--skip-photos")
    assert "1 imported" in r.stdout, r.stdout
    paid = [s for s in requests.get(server.url + "/api/v1/stories", params={"limit": 100, "author": handle},
                                    headers={"Authorization": "Bearer " + tok}).json()["stories"]
            if s["title"] == "For those who pay"][0]
    assert paid["audience"] == "circle"
    circles = requests.get(server.url + "/api/v1/circles", headers={"Authorization": "Bearer " + tok}).json()
    assert [c["name"] for c in circles["circles"] if c["id"] == paid["circle_id"]] == ["Paid subscribers"]
    assert requests.get(paid["url"]).status_code == 404
    assert "For those who pay" not in requests.get(server.url + "/@" + handle).text
    r = server.cli("import", "substack", SUBSTACK, "--user", handle, "--skip-photos")
    assert "0 imported, 3 skipped" in r.stdout


MEDIUM = os.path.join(ROOT, "tests", "data", "import", "medium")


def test_medium_export_without_and_with_responses(server):
    """Medium (posts/*.html, tests/data/import/medium): each post with its
    title, subtitle, date, tags and canonical address, the title Medium
    repeats in the body left out, a draft a draft; a response skipped until
    --include-responses; again: nothing."""
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "mdwriter", "a password for tests")
    tok = api_token(server, "mdwriter", "a password for tests")
    handle = "mdwriter"
    r = server.cli("import", "medium", MEDIUM, "--user", handle, "--skip-photos")
    assert "8 imported, 0 skipped" in r.stdout, r.stdout
    assert 'Skipped "This is a comment" (comment.html): a response' in r.stdout
    assert ("photo MISSING: https://cdn-images-1.medium.com/max/2000/abc123.jpeg alt: This is image "
            "alt text: photos are not fetched in this run") in r.stdout, r.stdout
    mine = stories_of(server, tok, handle)
    adv = mine["Advanced Post Title"]
    assert adv["subtitle"] == "This is a subtitle of some sort"
    assert adv["published_at"] == "2018-08-11T11:23:34Z"
    assert adv["canonical_url"] == "https://medium.com/@JoeBloggs/testpost-efefef12121212"
    assert sorted(adv["tags"]) == ["stuff", "things"]
    assert not adv["body"].lstrip().startswith("#"), adv["body"][:200]
    assert mine["Draft Post Title"]["status"] == "draft"
    page = requests.get(adv["url"])
    assert '<link rel="canonical" href="https://medium.com/@JoeBloggs/testpost-efefef12121212">' in page.text
    r = server.cli("import", "medium", MEDIUM, "--user", handle, "--include-responses", "--skip-photos")
    assert "1 imported, 8 skipped" in r.stdout, r.stdout
    assert "This is a comment" in stories_of(server, tok, handle)


def test_a_post_with_more_tags_than_a_story_keeps_comes_in_with_five(server, tmp_path):
    """WordPress posts often carry many categories and tags: the first five
    (after normalising, without repeats) are kept, the rest are named in the
    report, and the post is imported, not refused."""
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "wptags", "a password for tests")
    tok = api_token(server, "wptags", "a password for tests")
    cats = ["Grief", "grief", "Family", "Winter", "Hospital", "Letters", "Mother", "Home"]
    xml = tmp_path / "t.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>T</title>'
        '<wp:base_site_url>https://old.example</wp:base_site_url><item><title>Many tags</title>'
        '<wp:post_id>9</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>'
        '<wp:post_date_gmt>2019-03-04 05:06:07</wp:post_date_gmt>' +
        "".join('<category domain="post_tag" nicename="%s">%s</category>' % (c.lower(), c) for c in cats) +
        '<content:encoded><![CDATA[<p>Words.</p>]]></content:encoded>'
        '</item></channel></rss>\n')
    r = server.cli("import", "wordpress", str(xml), "--user", "wptags", "--skip-photos")
    assert "1 imported, 0 skipped (imported before), 0 failed" in r.stdout, r.stdout
    assert 'a story keeps 5 tags; left out: "Mother", "Home"' in r.stdout, r.stdout
    s = stories_of(server, tok, "wptags")["Many tags"]
    assert sorted(s["tags"]) == ["family", "grief", "hospital", "letters", "winter"], s["tags"]
