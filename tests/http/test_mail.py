"""Email (issue 18), against a real SMTP server started here (Debian's
python3-aiosmtpd on a loopback port), every message parsed with Python's
email package: double opt-in, delivery on publish, nothing for unlisted,
private or scheduled stories nor for circle stories to non-members, circle
delivery to members, one-click unsubscribe, sign-in links (single use,
expiry), password reset, notices, the SMTP server down and back (each
message delivered once), kill -9 with messages queued, and no sensitive
photo in any message.
"""
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from quire_server import ADMIN, Server, api_token, csrf_of, free_port, invite_and_signup, login
from smtp_sink import Sink

FROM = "stories@quire.test"


def wait_for_count(sink, addr, n, timeout=60):
    sink.wait_for(lambda m: len(sink.to(addr)) >= n, "%d for %s" % (n, addr), timeout)
    return sink.to(addr)


def html_of(m):
    part = m["msg"].get_body(preferencelist=("html",))
    return part.get_content() if part else ""


def text_of(m):
    part = m["msg"].get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def link_in(m, path_re):
    found = re.search(r"(http://127\.0\.0\.1:\d+" + path_re + r")", text_of(m))
    assert found, (path_re, text_of(m))
    return found.group(1)


def mail_args(sink):
    return ("--smtp", "smtp://127.0.0.1:%d" % sink.port, "--smtp-insecure", "--mail-from", FROM,
            "--mail-retry-base", "1", "--mail-domain-rate", "10000")


@pytest.fixture(scope="module")
def sink():
    s = Sink()
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def site(sink):
    s = Server(extra=mail_args(sink))
    s.start()
    s.admin_session = login(s, *ADMIN)
    s.writer = invite_and_signup(s, s.admin_session, "wren", "wren's long password 1")
    s.token = api_token(s, "wren", "wren's long password 1")
    s.auth = {"Authorization": "Bearer " + s.token}
    yield s
    s.stop()
    s.cleanup()


def subscribe(site, sink, addr, handle="wren"):
    r = requests.post(site.url + "/api/v1/users/%s/subscribers" % handle, json={"email": addr})
    assert r.status_code == 202, r.text
    m = sink.wait_for(lambda m: addr in m["to"] and "Confirm your subscription" in
                      m["msg"]["Subject"], "confirmation for " + addr)[-1]
    link = link_in(m, r"/subscribe/confirm/[0-9a-f]{32}")
    # Following the link (as a mail scanner would) confirms nothing.
    page = requests.get(link)
    assert page.status_code == 200 and "Confirm my subscription" in page.text
    r = requests.post(link)
    assert r.status_code == 200 and "You are subscribed" in r.text, r.text
    assert link.rsplit("/", 1)[1] not in site.read_log()
    return m


def publish(site, title, **kw):
    body = {"title": title, "body": kw.pop("body", "Words of %s." % title), "status": "published"}
    body.update(kw)
    r = requests.post(site.url + "/api/v1/stories", headers=site.auth, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_without_smtp_there_is_no_email():
    s = Server()
    s.start()
    try:
        assert requests.post(s.url + "/api/v1/users/ada/subscribers",
                             json={"email": "a@example.com"}).status_code == 404
        assert requests.get(s.url + "/settings/email").status_code == 404
        assert "sign-in link" not in requests.get(s.url + "/login").text
        assert "subscribe" not in requests.get(s.url + "/@ada").text.lower()
        # No invitations by email: no form, and the API says why.
        tok = api_token(s, *ADMIN)
        c = requests.post(s.url + "/api/v1/circles", headers={"Authorization": "Bearer " + tok},
                          json={"name": "c"}).json()
        r = requests.post(s.url + "/api/v1/circles/%s/invites" % c["id"],
                          headers={"Authorization": "Bearer " + tok}, json={"emails": ["a@b.example"]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "mail_off"
        assert "Invite by email" not in login(s, *ADMIN).get(s.url + "/circles/" + c["id"]).text
    finally:
        s.stop()
        s.cleanup()


def test_double_opt_in_then_delivery_on_publish(site, sink):
    addr = "reader1@example.com"
    r = requests.post(site.url + "/api/v1/users/wren/subscribers", json={"email": addr})
    assert r.status_code == 202
    m = sink.wait_for(lambda m: addr in m["to"], "confirmation")[-1]
    # Valid MIME with a plain-text alternative, a stable Message-ID.
    assert m["msg"].get_content_type() == "multipart/alternative"
    assert m["msg"]["Message-ID"].startswith("<") and m["msg"]["From"].addresses[0].addr_spec == FROM
    assert m["from"] == FROM
    assert "/subscribe/confirm/" in text_of(m) and "/subscribe/confirm/" in html_of(m)
    # Not confirmed yet: a story now is not sent to the address.
    publish(site, "Before confirming")
    link = link_in(m, r"/subscribe/confirm/[0-9a-f]{32}")
    assert requests.get(link).status_code == 200
    assert requests.post(link).status_code == 200
    # The link is spent.
    assert requests.post(link).status_code == 404
    st = publish(site, "A story for readers ✓", subtitle="Ünïcode subtitle")
    got = sink.wait_for(lambda m: addr in m["to"] and "A story for readers" in
                        str(m["msg"]["Subject"]), "the story")
    assert len(got) == 1
    msg = got[0]
    assert str(msg["msg"]["Subject"]) == "A story for readers ✓"
    assert "Words of A story for readers" in html_of(msg)
    assert "Words of A story for readers" in text_of(msg)
    assert st["slug"] in text_of(msg)
    # One-click unsubscribe on every bulk message (RFC 8058).
    assert msg["msg"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.match(r"<http://127\.0\.0\.1:\d+/unsubscribe/s[0-9a-f]{48}>$",
                    msg["msg"]["List-Unsubscribe"])
    # The story before confirming was never sent.
    assert not [m for m in sink.to(addr) if "Before confirming" in str(m["msg"]["Subject"])]


def test_subscribing_never_tells_who_subscribes(site, sink):
    subscribe(site, sink, "told@example.com")
    # Whatever the address's state (confirmed, new), the same answer.
    for addr in ("told@example.com", "nobody-yet@example.com", "told@example.com"):
        r = requests.post(site.url + "/api/v1/users/wren/subscribers", json={"email": addr})
        assert r.status_code == 202 and r.json() == {"status": "check_your_inbox"}
    assert requests.post(site.url + "/api/v1/users/wren/subscribers",
                         json={"email": "not an address"}).status_code == 422
    assert requests.post(site.url + "/api/v1/users/nosuch/subscribers",
                         json={"email": "a@example.com"}).status_code == 404
    # The new address got its confirmation; the confirmed one no second.
    sink.wait_for(lambda m: "nobody-yet@example.com" in m["to"], "confirmation of the new one")
    n = len([m for m in sink.to("told@example.com") if "Confirm" in m["msg"]["Subject"]])
    assert n == 1


def test_the_profile_and_story_forms_subscribe(site, sink):
    page = requests.get(site.url + "/@wren")
    assert 'action="/@wren/subscribe"' in page.text
    r = requests.post(site.url + "/@wren/subscribe", data={"email": "form@example.com"},
                      headers={"Origin": site.url})
    assert r.status_code == 202 and "Check your inbox" in r.text
    sink.wait_for(lambda m: "form@example.com" in m["to"], "form confirmation")
    # Posted from another site: refused.
    r = requests.post(site.url + "/@wren/subscribe", data={"email": "x@example.com"},
                      headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_only_public_stories_reach_subscribers(site, sink):
    addr = "careful@example.org"
    subscribe(site, sink, addr)
    r = requests.post(site.url + "/api/v1/circles", headers=site.auth, json={"name": "kin"})
    assert r.status_code == 201, r.text
    circle = r.json()
    publish(site, "Unlisted zq1", audience="unlisted")
    publish(site, "Private zq2", audience="private")
    publish(site, "Circle zq3", audience="circle", circle_id=circle["id"])
    publish(site, "Not mailed zq4", email=False)
    r = requests.post(site.url + "/api/v1/stories", headers=site.auth,
                      json={"title": "Draft zq5", "body": "x", "status": "draft"})
    assert r.status_code == 201
    last = publish(site, "Public marker zq6")
    sink.wait_for(lambda m: addr in m["to"] and "zq6" in str(m["msg"]["Subject"]), "marker")
    subjects = [str(m["msg"]["Subject"]) for m in sink.to(addr)]
    for bad in ("zq1", "zq2", "zq3", "zq4", "zq5"):
        assert not [s for s in subjects if bad in s], (bad, subjects)
    # Editing a published story never sends it again.
    r = requests.patch(site.url + "/api/v1/stories/" + last["id"], headers=site.auth,
                       json={"body": "Edited words."})
    assert r.status_code == 200
    marker2 = publish(site, "Second marker zq7")
    sink.wait_for(lambda m: addr in m["to"] and "zq7" in str(m["msg"]["Subject"]), "marker 2")
    assert len([m for m in sink.to(addr) if "zq6" in str(m["msg"]["Subject"])]) == 1
    assert marker2


def test_one_click_unsubscribe(site, sink):
    addr = "leaving@example.net"
    subscribe(site, sink, addr)
    subscribe(site, sink, "staying@example.net")
    publish(site, "Before leaving zu1")
    m = sink.wait_for(lambda m: addr in m["to"] and "zu1" in str(m["msg"]["Subject"]), "story")[0]
    url = m["msg"]["List-Unsubscribe"].strip("<>")
    # What a mail provider sends (RFC 8058): a POST, no cookie.
    r = requests.post(url, data="List-Unsubscribe=One-Click",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "unsubscribed" in r.text
    assert url.rsplit("/", 1)[1] not in site.read_log()
    # A forged token is refused.
    bad = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert requests.post(bad).status_code == 404
    publish(site, "After leaving zu2")
    publish(site, "Marker zu3")
    # Someone still subscribed gets zu3: then zu2 was processed too.
    sink.wait_for(lambda m: "staying@example.net" in m["to"] and "zu3" in str(m["msg"]["Subject"]),
                  "marker")
    assert not [m for m in sink.to(addr) if "zu2" in str(m["msg"]["Subject"])]


def verify_address(site, sink, session, addr):
    page = session.get(site.url + "/settings/email")
    assert page.status_code == 200
    r = session.post(site.url + "/settings/email", data={"csrf": csrf_of(page.text),
                                                          "action": "email", "email": addr})
    assert r.status_code == 200, r.text
    m = sink.wait_for(lambda m: addr in m["to"] and "Confirm your address" in
                      str(m["msg"]["Subject"]), "verification")[-1]
    link = link_in(m, r"/settings/email/verify/[0-9a-f]{32}")
    assert requests.get(link).status_code == 200
    r = requests.post(link)
    assert r.status_code == 200 and "confirmed" in r.text, r.text


def test_circle_stories_reach_members_only(site, sink):
    r = requests.post(site.url + "/api/v1/circles", headers=site.auth, json={"name": "family"})
    circle = r.json()
    # A member with a verified address; a subscriber who is not a member.
    member = invite_and_signup(site, site.admin_session, "mae", "mae's long password 12")
    verify_address(site, sink, member, "mae@family.example")
    r = requests.post(site.url + "/api/v1/circles/%s/invitations" % circle["id"],
                      headers=site.auth, json={"handle": "mae"})
    assert r.status_code in (200, 201), r.text
    mt = api_token(site, "mae", "mae's long password 12")
    inv = requests.get(site.url + "/api/v1/invitations",
                       headers={"Authorization": "Bearer " + mt}).json()
    assert [i for i in inv["invitations"] if i["circle_id"] == circle["id"]], inv
    iid = circle["id"]
    r = requests.post(site.url + "/api/v1/invitations/%s/accept" % iid,
                      headers={"Authorization": "Bearer " + mt})
    assert r.status_code in (200, 201, 204), r.text
    outsider = "outsider@example.com"
    subscribe(site, sink, outsider)
    st = publish(site, "For the family zc1", audience="circle", circle_id=circle["id"])
    m = sink.wait_for(lambda m: "mae@family.example" in m["to"] and "zc1" in
                      str(m["msg"]["Subject"]), "circle story")[0]
    assert "Words of For the family zc1" in html_of(m)
    assert "member of" in text_of(m) or "member of" in html_of(m)
    publish(site, "Public marker zc2")
    sink.wait_for(lambda m: outsider in m["to"] and "zc2" in str(m["msg"]["Subject"]), "marker")
    # The subscriber who is not in the circle got nothing of it.
    assert not [m for m in sink.to(outsider) if "zc1" in str(m["msg"]["Subject"])]
    assert not [m for m in sink.to(outsider) if st["id"] in m["raw"].decode("utf-8", "replace")]
    # The member turns circle mail off from the message itself.
    url = m["msg"]["List-Unsubscribe"].strip("<>")
    assert "/unsubscribe/m" in url
    assert requests.post(url, data="List-Unsubscribe=One-Click").status_code == 200
    publish(site, "For the family again zc3", audience="circle", circle_id=circle["id"])
    publish(site, "Public marker zc4")
    sink.wait_for(lambda m: outsider in m["to"] and "zc4" in str(m["msg"]["Subject"]), "marker")
    assert not [m for m in sink.to("mae@family.example") if "zc3" in str(m["msg"]["Subject"])]


def test_sign_in_link_is_single_use(site, sink):
    s = invite_and_signup(site, site.admin_session, "lin", "lin's long password 123")
    verify_address(site, sink, s, "lin@example.com")
    # Unknown addresses get the same answer, and nothing is sent.
    for addr in ("lin@example.com", "stranger@example.com"):
        r = requests.post(site.url + "/api/v1/login-links", json={"email": addr})
        assert r.status_code == 202
    m = sink.wait_for(lambda m: "lin@example.com" in m["to"] and "Sign in" in
                      str(m["msg"]["Subject"]), "sign-in link")[-1]
    link = link_in(m, r"/login/link/[0-9a-f]{32}")
    b = requests.Session()
    page = b.get(link)
    assert page.status_code == 200 and "@lin" in page.text
    # Posted by another site (login CSRF): refused, and the link still works.
    assert requests.post(link, headers={"Origin": "https://evil.example"},
                         allow_redirects=False).status_code == 403
    assert requests.post(link, headers={"Sec-Fetch-Site": "cross-site"},
                         allow_redirects=False).status_code == 403
    r = b.post(link, allow_redirects=False)
    assert r.status_code == 303
    me = b.get(site.url + "/api/v1/me", headers={"X-CSRF-Token": "x"})
    assert me.status_code == 200 and me.json()["handle"] == "lin", me.text
    # Once only.
    assert requests.Session().post(link, allow_redirects=False).status_code == 404
    # The request log never holds a mailed link's token.
    assert link.rsplit("/", 1)[1] not in site.read_log()
    assert "/login/link/[secret]" in site.read_log()
    assert not sink.to("stranger@example.com")
    # The form on /login does the same.
    login_page = requests.get(site.url + "/login")
    assert "/login/link" in login_page.text


def test_sign_in_link_expires(site, sink):
    """A link older than 15 minutes is refused: the token's row is aged in
    the store (the link itself is what the reader holds)."""
    from site_db import site_db
    s = invite_and_signup(site, site.admin_session, "exa", "exa's long password 123")
    verify_address(site, sink, s, "exa@example.com")
    r = requests.post(site.url + "/api/v1/login-links", json={"email": "exa@example.com"})
    assert r.status_code == 202
    m = sink.wait_for(lambda m: "exa@example.com" in m["to"] and "Sign in" in
                      str(m["msg"]["Subject"]), "link")[-1]
    link = link_in(m, r"/login/link/[0-9a-f]{32}")
    with site_db(site) as d:
        d.execute("UPDATE mail_tokens SET expires_at = expires_at - 901, "
                  "created_at = created_at - 901 WHERE kind = 'signin' AND "
                  "email = 'exa@example.com'")
    assert requests.get(link).status_code == 404
    assert requests.post(link, allow_redirects=False).status_code == 404


def test_password_reset_ends_every_session(site, sink):
    s = invite_and_signup(site, site.admin_session, "rho", "rho's long password 123")
    verify_address(site, sink, s, "rho@example.com")
    page = requests.get(site.url + "/login/reset")
    b = requests.Session()
    page = b.get(site.url + "/login/reset")
    r = b.post(site.url + "/login/reset", data={"csrf": csrf_of(page.text),
                                                 "email": "rho@example.com"})
    assert r.status_code == 202
    m = sink.wait_for(lambda m: "rho@example.com" in m["to"] and "new password" in
                      str(m["msg"]["Subject"]), "reset")[-1]
    link = link_in(m, r"/login/reset/[0-9a-f]{32}")
    page = b.get(link)
    assert page.status_code == 200
    r = b.post(link, data={"csrf": csrf_of(page.text), "password": "a brand new password 9"},
               allow_redirects=False)
    assert r.status_code == 303, r.text
    # The old session is over; the new password works; the link is spent.
    assert s.get(site.url + "/settings").url.find("/login") >= 0
    login(site, "rho", "a brand new password 9")
    assert b.post(link, data={"csrf": "x", "password": "another password 12345"},
                  allow_redirects=False).status_code == 404


def test_writer_notices(site, sink):
    verify_address(site, sink, site.writer, "wren@example.com")
    subscribe(site, sink, "fan@example.com")
    sink.wait_for(lambda m: "wren@example.com" in m["to"] and "new subscriber" in
                  str(m["msg"]["Subject"]), "new-subscriber notice")
    m = sink.to("wren@example.com")[-1]
    assert m["msg"]["Auto-Submitted"] == "auto-generated"


def test_response_notices(site, sink):
    """The writer hears of a response held for her approval and of a new
    one; not of her own, and not when she turned the notice off."""
    w = invite_and_signup(site, site.admin_session, "nia", "nia's long password 123")
    verify_address(site, sink, w, "nia@example.com")
    nt = {"Authorization": "Bearer " + api_token(site, "nia", "nia's long password 123")}
    held = requests.post(site.url + "/api/v1/stories", headers=nt, json={
        "title": "Held zr1", "body": "x", "status": "published", "responses": "approval"}).json()
    open_ = requests.post(site.url + "/api/v1/stories", headers=nt, json={
        "title": "Open zr2", "body": "x", "status": "published", "responses": "open"}).json()
    reader = {"Authorization": "Bearer " + api_token(site, "wren", "wren's long password 1")}
    for st in (held, open_):
        r = requests.post(site.url + "/api/v1/stories/%s/responses" % st["id"], headers=reader,
                          json={"body": "Thank you for this."})
        assert r.status_code == 201, r.text
    sink.wait_for(lambda m: "nia@example.com" in m["to"] and "zr1" in str(m["msg"]["Subject"])
                  and "waits" in str(m["msg"]["Subject"]), "pending notice")
    m = sink.wait_for(lambda m: "nia@example.com" in m["to"] and "zr2" in
                      str(m["msg"]["Subject"]), "response notice")[0]
    assert "/@nia/open-zr2#responses" in text_of(m)
    assert "Thank you for this" not in m["raw"].decode("utf-8", "replace")
    # Her own response: no notice. Turned off: none either.
    requests.post(site.url + "/api/v1/stories/%s/responses" % open_["id"], headers=nt,
                  json={"body": "My own reply zr3."})
    page = w.get(site.url + "/settings/email")
    r = w.post(site.url + "/settings/email", data={"csrf": csrf_of(page.text), "action": "prefs",
                                                   "circle_mail": "1"})
    assert r.status_code == 200, r.text
    requests.post(site.url + "/api/v1/stories/%s/responses" % open_["id"], headers=reader,
                  json={"body": "Another one."})
    # The outbox row is written with the response, so the count is final.
    from site_db import site_db
    with site_db(site) as d:
        n = d.execute("SELECT count(*) FROM outbox o JOIN users u ON u.id = o.writer_id "
                      "WHERE u.handle = 'nia' AND o.kind = 'notify'").fetchone()[0]
    assert n == 2, n


def test_subscribers_page_and_csv(site, sink):
    subscribe(site, sink, "listed@example.com")
    m = subscribe(site, sink, "=gone@example.com")
    publish(site, "For the list zl1")
    got = sink.wait_for(lambda m: "=gone@example.com" in m["to"] and "zl1" in
                        str(m["msg"]["Subject"]), "story")[0]
    assert requests.post(got["msg"]["List-Unsubscribe"].strip("<>")).status_code == 200
    page = site.writer.get(site.url + "/settings/subscribers")
    assert page.status_code == 200 and "listed@example.com" in page.text
    csv = site.writer.get(site.url + "/settings/subscribers?format=csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert "listed@example.com,confirmed," in csv.text
    # A cell that would start a formula in a spreadsheet is quoted.
    assert "\n'=gone@example.com,unsubscribed," in csv.text.replace("\r\n", "\n")
    assert m
    # Someone else's list is not hers to see.
    assert requests.get(site.url + "/settings/subscribers", allow_redirects=False).status_code == 303


def test_no_sensitive_photo_in_any_message(site, sink):
    addr = "photos@example.com"
    subscribe(site, sink, addr)
    r = requests.post(site.url + "/api/v1/stories", headers=site.auth,
                      json={"title": "With photos zp1", "body": "x", "status": "draft"})
    st = r.json()
    img = os.path.join(tempfile.mkdtemp(prefix="quire-mail-"), "p.jpg")
    subprocess.run(["convert", "-size", "64x48", "xc:#884422", img], check=True)

    def up(**fields):
        with open(img, "rb") as f:
            r = requests.post(site.url + "/api/v1/stories/%s/photos" % st["id"], headers=site.auth,
                              data=fields, files={"file": ("p.jpg", f, "image/jpeg")})
        assert r.status_code == 201, r.text
        return r.json()
    plain = up(alt="AltPlain-zp", caption="CapPlain-zp")
    sens = up(alt="AltSens-zp", caption="CapSens-zp", sensitive="true", note="NoteSens-zp")
    priv = up(alt="AltPriv-zp", caption="CapPriv-zp", audience="private")
    r = requests.post(site.url + "/api/v1/circles", headers=site.auth, json={"name": "photo kin"})
    circ = up(alt="AltCirc-zp", caption="CapCirc-zp", audience="circle", circle_id=r.json()["id"])
    body = "Opening.\n\n%s\n\n%s\n\n%s\n\n%s\n\nEnd." % (
        plain["markdown"], sens["markdown"], priv["markdown"], circ["markdown"])
    r = requests.patch(site.url + "/api/v1/stories/" + st["id"], headers=site.auth,
                       json={"body": body, "status": "published"})
    assert r.status_code == 200, r.text
    m = sink.wait_for(lambda m: addr in m["to"] and "zp1" in str(m["msg"]["Subject"]), "story")[0]
    raw = m["raw"].decode("utf-8", "replace")
    whole = html_of(m) + text_of(m)
    assert "AltPlain-zp" in html_of(m) and "/photos/%s/" % plain["id"] in html_of(m)
    # The plain photo's image is fetchable at the URL the mail gives.
    src = re.search(r'src="(http://[^"]+/photos/%s/[^"]+)"' % plain["id"], html_of(m)).group(1)
    assert requests.get(src).status_code == 200
    for leak in ("AltSens-zp", "CapSens-zp", "/photos/%s/" % sens["id"], "AltPriv-zp",
                 "CapPriv-zp", "/photos/%s/" % priv["id"], "AltCirc-zp", "CapCirc-zp",
                 "/photos/%s/" % circ["id"]):
        assert leak not in whole and leak not in raw, leak
    assert "NoteSens-zp" in html_of(m)  # the gate: the writer's note and a link


def test_smtp_down_then_back_delivers_each_once(site, sink):
    addr = "patient@example.com"
    subscribe(site, sink, addr)
    sink.stop()
    try:
        for i in range(3):
            publish(site, "While down zd%d" % i)
        # The sender tried and is backing off: the log says so.
        deadline = time.time() + 60
        while time.time() < deadline:
            if re.search(r"mail: message \S+ to example\.com", site.read_log()):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("no failed attempt logged")
    finally:
        sink.start()
    for i in range(3):
        sink.wait_for(lambda m, i=i: addr in m["to"] and "zd%d" % i in str(m["msg"]["Subject"]),
                      "zd%d after the server came back" % i)
    ids = [m["msg"]["Message-ID"] for m in sink.to(addr)]
    assert len(ids) == len(set(ids)), "a message was delivered twice"


def test_kill_9_with_500_queued_then_all_delivered_once(sink):
    """500 confirmed subscribers; Quire is killed (SIGKILL) while the SMTP
    server holds message 100 unanswered; after a restart every message is
    delivered, and each accepted one exactly once."""
    from site_db import site_db
    s = Server(extra=mail_args(sink))
    s.start()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "kim", "kim's long password 123")
        tok = api_token(s, "kim", "kim's long password 123")
        rows = " UNION ALL ".join("SELECT '%016x' AS i, 'k%03d@kill.example' AS e" %
                                  (0xabc000 + i, i) for i in range(500))
        with site_db(s) as d:
            d.execute("INSERT INTO subscribers(id, writer_id, email, status, created_at, "
                      "confirmed_at, asked_at, source) SELECT r.i, u.id, r.e, 'confirmed', 1, 1, "
                      "0, 'import' FROM (" + rows + ") r, users u WHERE u.handle = 'kim'")
        with sink.lock:
            before = len(sink.messages)
        sink.hold_at = before + 100
        sink.release.clear()
        sink.held.clear()
        r = requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                          json={"title": "To five hundred zk", "body": "Hello.", "status": "published"})
        assert r.status_code == 201, r.text
        assert sink.held.wait(120), "the 100th message never arrived"
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait()
        s.proc = None
        s.log.close()
        sink.release.set()
        sink.hold_at = None
        s.start()

        def got():
            with sink.lock:
                return [m for m in sink.messages if "zk" in str(m["msg"]["Subject"])]
        deadline = time.time() + 180
        while len({m["to"][0] for m in got()}) < 500 and time.time() < deadline:
            with sink.lock:
                sink.lock.wait(1)
        msgs = got()
        rcpts = [m["to"][0] for m in msgs]
        assert len(set(rcpts)) == 500, len(set(rcpts))
        assert len(rcpts) == 500, "some address got the story twice"
        ids = [m["msg"]["Message-ID"] for m in msgs]
        assert len(set(ids)) == 500
    finally:
        s.stop()
        s.cleanup()


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


def test_outbox_in_metrics_and_on_admin(sink):
    """/metrics counts what the sender sent and shows the outbox's depth;
    /admin shows the outbox too (only with email on)."""
    mport = free_port()
    s = Server(extra=list(mail_args(sink)) + ["--metrics-listen", "127.0.0.1:%d" % mport])
    s.start()
    try:
        murl = "http://127.0.0.1:%d/metrics" % mport
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "mwriter", "mwriter's long password")
        before = requests.get(murl).text
        assert metric(before, "quire_mail_sent_total") == 0
        r = requests.post(s.url + "/api/v1/users/mwriter/subscribers", json={"email": "m@example.org"})
        assert r.status_code == 202
        sink.wait_for(lambda m: "m@example.org" in m["to"], "the confirmation")
        deadline = time.time() + 30
        while time.time() < deadline:
            t = requests.get(murl).text
            if metric(t, "quire_mail_sent_total") == 1 and metric(t, "quire_mail_outbox_queued") == 0:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("metrics did not count the message:\n" + t)
        assert metric(t, "quire_mail_failures_total") == 0
        assert metric(t, "quire_mail_outbox_failed") == 0
        page = admin.get(s.url + "/admin").text
        assert "<h2>Email outbox</h2>" in page
        assert re.search(r"<dt>Sent</dt><dd>1</dd>", page), page
    finally:
        s.stop()
        s.cleanup()


def test_circle_invitation_by_email_joins_with_a_name_alone(site, sink):
    """The writer invites addresses to a circle; the invitee follows the
    mailed link, gives her name and is a member, signed in, with no
    password; she gets the circle's stories by email; the writer hears she
    joined; the link works once; she can choose a password later."""
    w = invite_and_signup(site, site.admin_session, "gwen", "gwen's long password 1")
    verify_address(site, sink, w, "gwen@example.com")
    wt = {"Authorization": "Bearer " + api_token(site, "gwen", "gwen's long password 1")}
    circle = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "kin"}).json()
    r = requests.post(site.url + "/api/v1/circles/%s/invites" % circle["id"], headers=wt,
                      json={"emails": ["Mum@Family.example", "not an address"]})
    assert r.status_code == 202, r.text
    assert r.json() == {"invited": ["mum@family.example"], "invalid": ["not an address"]}
    m = sink.wait_for(lambda m: "mum@family.example" in m["to"] and "invites you" in
                      str(m["msg"]["Subject"]), "the invitation")[-1]
    assert m["msg"]["List-Unsubscribe"] is None  # one message to one person, not a list
    link = link_in(m, r"/c/[0-9a-f]{32}")
    assert link.rsplit("/", 1)[1] not in site.read_log()
    # Following the link shows a form asking only for a name.
    b = requests.Session()
    page = b.get(link)
    assert page.status_code == 200 and 'name="name"' in page.text and 'type="password"' not in page.text
    csrf = csrf_of(page.text)
    r = b.post(link, data={"action": "join", "name": ""})
    assert r.status_code == 403  # no form token
    r = b.post(link, data={"action": "join", "name": "  ", "csrf": csrf})
    assert r.status_code == 422 and "Give your name" in r.text
    r = b.post(link, data={"action": "join", "name": "Mum Jones", "csrf": csrf}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/@gwen", r.text[:300]
    me = b.get(site.url + "/api/v1/me").json()
    assert me["handle"] == "mum_jones" and me["name"] == "Mum Jones"
    # She is in the circle, and reads its stories by email too.
    st = publish_as(site, wt, "Only for kin zk1", audience="circle", circle_id=circle["id"])
    assert b.get(st["url"]).status_code == 200
    assert requests.get(st["url"]).status_code == 404
    sink.wait_for(lambda m: "mum@family.example" in m["to"] and "zk1" in str(m["msg"]["Subject"]),
                  "the circle story by email")
    # The writer hears of it.
    sink.wait_for(lambda m: "gwen@example.com" in m["to"] and "@mum_jones joined your circle" in
                  str(m["msg"]["Subject"]), "the joined notice")
    # Once only: a second visitor with the same link cannot join.
    other = requests.Session()
    page = other.get(link)
    assert page.status_code == 404
    # No password until she chooses one, without a current one.
    settings = b.get(site.url + "/settings").text
    assert 'name="current"' not in settings and "Choose a password" in settings
    r = b.post(site.url + "/settings/password", data={"csrf": csrf_of(settings),
                                                       "password": "mum's own new password",
                                                       "password2": "mum's own new password"})
    assert r.status_code == 200 and "/settings" in r.url
    assert api_token(site, "mum_jones", "mum's own new password")
    settings = b.get(site.url + "/settings").text
    assert 'name="current"' in settings


def test_circle_page_invites_by_email(site, sink):
    w = invite_and_signup(site, site.admin_session, "iris", "iris's long password 1")
    wt = {"Authorization": "Bearer " + api_token(site, "iris", "iris's long password 1")}
    circle = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "k"}).json()
    page = w.get(site.url + "/circles/" + circle["id"])
    assert "Invite by email" in page.text
    r = w.post(site.url + "/circles/" + circle["id"], data={
        "csrf": csrf_of(page.text), "action": "invite_email",
        "emails": "aunt@family.example\nnot-an-address\n"})
    assert r.status_code == 200, r.text
    assert "1 invitation sent by email" in r.text and "not an address" in r.text
    m = sink.wait_for(lambda m: "aunt@family.example" in m["to"], "the invitation")[-1]
    assert "iris" in str(m["msg"]["Subject"]).lower() or "Iris" in str(m["msg"]["Subject"])
    link_in(m, r"/c/[0-9a-f]{32}")


def test_circle_invitation_by_email_needs_mail_and_addresses(site, sink):
    invite_and_signup(site, site.admin_session, "hana", "hana's long password 1")
    wt = {"Authorization": "Bearer " + api_token(site, "hana", "hana's long password 1")}
    circle = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "k"}).json()
    url = site.url + "/api/v1/circles/%s/invites" % circle["id"]
    for body in ({"emails": []}, {"emails": "a@b.example"}, {"emails": ["x@y.example"] * 51}):
        r = requests.post(url, headers=wt, json=body)
        assert r.status_code == 422, (body, r.text)
    # Only the circle's writer invites to it.
    other = {"Authorization": "Bearer " + site.token}
    assert requests.post(url, headers=other, json={"emails": ["z@y.example"]}).status_code == 404


def publish_as(site, headers, title, **kw):
    body = {"title": title, "body": "Words of %s." % title, "status": "published"}
    body.update(kw)
    r = requests.post(site.url + "/api/v1/stories", headers=headers, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_circle_story_photos_load_in_the_members_mail(site, sink, tmp_path):
    """A circle story's photo in a member's mail is fetched by her mail
    program, signed out: its URL carries a grant for her, checked at each
    fetch (a forged one, or hers once she left the circle, is refused);
    a photo only for another circle is not in her mail at all."""
    invite_and_signup(site, site.admin_session, "kara", "kara's long password 1")
    wt = {"Authorization": "Bearer " + api_token(site, "kara", "kara's long password 1")}
    member = invite_and_signup(site, site.admin_session, "kmem", "kmem's long password 1")
    verify_address(site, sink, member, "kmem@family.example")
    c = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "near"}).json()
    far = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "far"}).json()
    requests.post(site.url + "/api/v1/circles/%s/invitations" % c["id"], headers=wt, json={"handle": "kmem"})
    mt = {"Authorization": "Bearer " + api_token(site, "kmem", "kmem's long password 1")}
    assert requests.post(site.url + "/api/v1/invitations/%s/accept" % c["id"], headers=mt).status_code \
        in (200, 204)
    st = requests.post(site.url + "/api/v1/stories", headers=wt, json={
        "title": "Photos for near zp1", "body": "Words.", "status": "draft", "audience": "circle",
        "circle_id": c["id"]}).json()
    img = str(tmp_path / "p.jpg")
    subprocess.run(["convert", "-size", "320x240", "xc:#aa3366", img], check=True, timeout=60)
    photos = []
    for extra in ({}, {"audience": "circle", "circle_id": far["id"]}):
        with open(img, "rb") as f:
            r = requests.post(site.url + "/api/v1/stories/%s/photos" % st["id"], headers=wt,
                              data=dict({"alt": "alt %d" % len(photos)}, **extra),
                              files={"file": ("p.jpg", f, "image/jpeg")})
        assert r.status_code == 201, r.text
        photos.append(r.json())
    body = "Words.\n\n%s\n\n%s\n" % (photos[0]["markdown"], photos[1]["markdown"])
    r = requests.patch(site.url + "/api/v1/stories/" + st["id"], headers=wt,
                       json={"body": body, "status": "published"})
    assert r.status_code == 200, r.text
    m = sink.wait_for(lambda m: "kmem@family.example" in m["to"] and "zp1" in str(m["msg"]["Subject"]),
                      "the circle story")[-1]
    html = html_of(m)
    srcs = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert srcs and all("/photos/%s/" % photos[0]["id"] in u for u in srcs), srcs
    assert photos[1]["id"] not in html, "a photo for another circle reached her mail"
    url = srcs[0].replace("&amp;", "&")
    assert re.search(r"[?&]r=[0-9a-f]{16}\.[0-9a-f]{32}$", url), url
    got = requests.get(url)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("image/")
    assert got.headers["Cache-Control"].startswith("private")
    assert requests.get(url.split("?")[0]).status_code == 404  # no grant: the story is not public
    forged = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert requests.get(forged).status_code == 404
    # Her grant does not open the other circle's photo.
    other = url.replace(photos[0]["id"], photos[1]["id"])
    assert requests.get(other).status_code == 404
    assert requests.delete(site.url + "/api/v1/circles/%s/members/kmem" % c["id"], headers=wt).status_code == 204
    assert requests.get(url).status_code == 404


def test_the_writer_hears_of_every_join(site, sink):
    """An invitation by handle accepted, and a link's sign-up, each tell
    the writer (the notice is queued with the membership itself); she can
    turn it off."""
    w = invite_and_signup(site, site.admin_session, "lena", "lena's long password 1")
    verify_address(site, sink, w, "lena@example.com")
    wt = {"Authorization": "Bearer " + api_token(site, "lena", "lena's long password 1")}
    c = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "close"}).json()
    invite_and_signup(site, site.admin_session, "lroy", "lroy's long password 1")
    requests.post(site.url + "/api/v1/circles/%s/invitations" % c["id"], headers=wt, json={"handle": "lroy"})
    rt = {"Authorization": "Bearer " + api_token(site, "lroy", "lroy's long password 1")}
    assert requests.post(site.url + "/api/v1/invitations/%s/accept" % c["id"], headers=rt).status_code \
        in (200, 204)
    sink.wait_for(lambda m: "lena@example.com" in m["to"] and "@lroy joined your circle" in
                  str(m["msg"]["Subject"]), "the notice of an accepted invitation")
    # Off: the next join says nothing.
    page = w.get(site.url + "/settings/email").text
    data = {"csrf": csrf_of(page), "action": "prefs", "circle_mail": "1", "notify_pending": "1",
            "notify_response": "1", "notify_subscriber": "1"}
    assert w.post(site.url + "/settings/email", data=data).status_code == 200
    invite_and_signup(site, site.admin_session, "lsam", "lsam's long password 1")
    requests.post(site.url + "/api/v1/circles/%s/invitations" % c["id"], headers=wt, json={"handle": "lsam"})
    st = {"Authorization": "Bearer " + api_token(site, "lsam", "lsam's long password 1")}
    assert requests.post(site.url + "/api/v1/invitations/%s/accept" % c["id"], headers=st).status_code \
        in (200, 204)
    # A marker after it: once it is there, the notice would have been too.
    subscribe(site, sink, "lmarker@example.com", handle="lena")
    sink.wait_for(lambda m: "lena@example.com" in m["to"] and "new subscriber" in str(m["msg"]["Subject"]),
                  "the marker")
    assert not [m for m in sink.to("lena@example.com") if "@lsam joined" in str(m["msg"]["Subject"])]


def test_circle_invitation_by_email_to_someone_with_an_account(site, sink):
    """An address that has an account: signed in, she accepts as any
    member does; signed out, joining anew with it is refused (it is hers
    already) and the link still works once she signs in."""
    invite_and_signup(site, site.admin_session, "mona", "mona's long password 1")
    wt = {"Authorization": "Bearer " + api_token(site, "mona", "mona's long password 1")}
    reader = invite_and_signup(site, site.admin_session, "mreader", "mreader's long password 1")
    verify_address(site, sink, reader, "mreader@example.org")
    c = requests.post(site.url + "/api/v1/circles", headers=wt, json={"name": "m"}).json()
    r = requests.post(site.url + "/api/v1/circles/%s/invites" % c["id"], headers=wt,
                      json={"emails": ["mreader@example.org"]})
    assert r.status_code == 202
    m = sink.wait_for(lambda m: "mreader@example.org" in m["to"] and "invites you" in
                      str(m["msg"]["Subject"]), "the invitation")[-1]
    link = link_in(m, r"/c/[0-9a-f]{32}")
    # Signed out, as a new account: the address is taken.
    b = requests.Session()
    page = b.get(link)
    r = b.post(link, data={"action": "join", "name": "Someone", "csrf": csrf_of(page.text)})
    assert r.status_code == 422 and "belongs to an account already" in r.text
    # Signed in: Accept.
    page = reader.get(link)
    assert page.status_code == 200 and "Accept the invitation" in page.text
    r = reader.post(link, data={"csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/@mona"
    members = requests.get(site.url + "/api/v1/circles/%s/members" % c["id"], headers=wt).json()
    assert [x["handle"] for x in members["members"]] == ["mreader"]


def test_daily_digest_instead_of_each_notice(site, sink):
    """A writer who chose the daily digest gets her notices in one message
    at 8 in the morning on her clock, not one by one; what comes after it
    waits for the next."""
    from site_db import site_db
    w = invite_and_signup(site, site.admin_session, "dina", "dina's long password 1")
    verify_address(site, sink, w, "dina@example.com")
    page = w.get(site.url + "/settings/email").text
    assert 'name="notify_digest"' in page
    data = {"csrf": csrf_of(page), "action": "prefs", "circle_mail": "1", "notify_pending": "1",
            "notify_response": "1", "notify_subscriber": "1", "notify_joined": "1", "notify_digest": "1"}
    assert w.post(site.url + "/settings/email", data=data).status_code == 200
    wt = {"Authorization": "Bearer " + api_token(site, "dina", "dina's long password 1")}
    st = publish_as(site, wt, "Digest story zdg", email=False)
    invite_and_signup(site, site.admin_session, "dreader", "dreader's long password 1")
    rt = {"Authorization": "Bearer " + api_token(site, "dreader", "dreader's long password 1")}
    for i in range(2):
        r = requests.post(site.url + "/api/v1/stories/%s/responses" % st["id"], headers=rt,
                          json={"body": "Response %d to the digest story" % i})
        assert r.status_code == 201, r.text
    with site_db(site) as d:
        rows = d.execute("SELECT kind, next_at FROM outbox WHERE writer_id = (SELECT id FROM users "
                         "WHERE handle = 'dina') AND status = 'queued' ORDER BY kind").fetchall()
    kinds = [k for k, _ in rows]
    assert kinds == ["digest", "digest_item", "digest_item"], rows
    due = [at for k, at in rows if k == "digest"][0]
    # She chose no time zone: 08:00 UTC, the next one.
    assert due > time.time() and due - time.time() <= 86400 and due % 86400 == 8 * 3600, due
    # Nothing went out one by one (a marker sent after them has arrived).
    subscribe(site, sink, "dmarker@example.com", handle="wren")
    assert not [m for m in sink.to("dina@example.com") if "response" in str(m["msg"]["Subject"]).lower()]
    # Its hour comes.
    with site_db(site) as d:
        d.execute("UPDATE outbox SET next_at = ? WHERE kind = 'digest' AND status = 'queued' AND "
                  "writer_id = (SELECT id FROM users WHERE handle = 'dina')", (int(time.time()) - 1,))
    m = sink.wait_for(lambda m: "dina@example.com" in m["to"] and "Today on your stories" in
                      str(m["msg"]["Subject"]), "the digest")[-1]
    assert str(m["msg"]["Subject"]) == "Today on your stories: 2 notices"
    assert text_of(m).count("A new response to “Digest story zdg”") == 2
    assert "/settings/email" in text_of(m)
    # The sender records the digest and its notices once the server took
    # it (just after the sink has it): wait for that.
    def left():
        with site_db(site) as d:
            return d.execute("SELECT count(*) FROM outbox WHERE status = 'queued' AND writer_id = "
                             "(SELECT id FROM users WHERE handle = 'dina')").fetchone()[0]
    deadline = time.time() + 30
    while left() and time.time() < deadline:
        time.sleep(0.05)
    assert left() == 0
    # The next notice starts the next day's digest.
    r = requests.post(site.url + "/api/v1/stories/%s/responses" % st["id"], headers=rt,
                      json={"body": "A third response"})
    assert r.status_code == 201
    with site_db(site) as d:
        kinds = sorted(k for (k,) in d.execute(
            "SELECT kind FROM outbox WHERE status = 'queued' AND writer_id = (SELECT id FROM users "
            "WHERE handle = 'dina')").fetchall())
    assert kinds == ["digest", "digest_item"]


@pytest.mark.skipif(not os.environ.get("QUIRE_TEST_PG"), reason="needs the test PostgreSQL cluster")
def test_two_app_servers_send_each_message_once(sink):
    """Two app servers on one PostgreSQL database both run a sender: a
    story to 300 subscribers reaches each of them exactly once."""
    from quire_server import fresh_db_url_in
    from site_db import PgRows
    url = fresh_db_url_in(os.environ["QUIRE_TEST_PG"])
    a = Server(extra=mail_args(sink), db=url)
    b = Server(admin=None, extra=mail_args(sink), db=url)
    try:
        a.start()
        b.start()
        tok = api_token(a, *ADMIN)
        d = PgRows(url)
        wid = d.execute("SELECT id FROM users WHERE handle = ?", (ADMIN[0],)).fetchone()[0]
        now = int(time.time())
        values = ",".join("('%s', '%s', 'two%d@n%d.example', 'confirmed', %d, %d, 'import')"
                          % (os.urandom(8).hex(), wid, i, i % 7, now, now) for i in range(300))
        d.execute("INSERT INTO subscribers(id, writer_id, email, status, created_at, confirmed_at, "
                  "source) VALUES " + values)
        r = requests.post(b.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                          json={"title": "Two senders ztw", "body": "x", "status": "published"})
        assert r.status_code == 201, r.text
        # Cheap to ask at every arrival: the raw bytes, counted once per message.
        mine_raw = lambda: [x for x in sink.messages if b"ztw" in x["raw"]]  # noqa: E731
        sink.wait_for(lambda m: m is sink.messages[-1] and len(mine_raw()) >= 300, "300 deliveries",
                      timeout=300)
        mine = mine_raw()
        to = sorted(t for m in mine for t in m["to"])
        assert to == sorted("two%d@n%d.example" % (i, i % 7) for i in range(300))
        ids = [m["msg"]["Message-ID"] for m in mine]
        assert len(ids) == len(set(ids)) == 300
        # Every message was sent by a sender that claimed it: one of the two.
        import socket
        nodes = {"%s:%s" % (socket.gethostname(), os.path.realpath(s.data)) for s in (a, b)}
        q = "SELECT status, claimed_by FROM outbox WHERE story_id IS NOT NULL"
        deadline = time.time() + 60  # each is recorded just after the sink has it
        while time.time() < deadline and [1 for st, _ in d.execute(q).fetchall() if st != "sent"]:
            time.sleep(0.05)
        rows = d.execute(q).fetchall()
        assert len(rows) == 300 and {st for st, _ in rows} == {"sent"}, rows[:5]
        assert {n for _, n in rows} <= nodes, ({n for _, n in rows}, nodes)
    finally:
        for s in (a, b):
            s.stop()
            s.cleanup()
