"""Responses on the writer's terms: policies x readers, approval, hiding,
deleting, blocking, muted words with Unicode variants, counts, reports,
rate limits, inert markup, CSRF on every moderation form."""
import re

import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

PW = "responses test password"


def h(tok):
    return {"Authorization": "Bearer " + tok}


def setup_people(server, *names):
    admin = login(server, *ADMIN)
    out = {}
    for n in names:
        invite_and_signup(server, admin, n, PW)
        out[n] = api_token(server, n, PW)
    return out


def story(server, tok, **kw):
    body = {"title": kw.pop("title", "A story"), "body": "Words.", "status": "published"}
    body.update(kw)
    r = requests.post(server.url + "/api/v1/stories", headers=h(tok), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def respond(server, tok, sid, text, parent=None):
    return requests.post(server.url + "/api/v1/stories/%s/responses" % sid, headers=h(tok),
                         json={"body": text, "parent_id": parent})


def visible_ids(server, sid, tok=None):
    r = requests.get(server.url + "/api/v1/stories/%s/responses" % sid, headers=h(tok) if tok else {})
    assert r.status_code == 200
    return [x["id"] for x in r.json()["responses"]]


def test_policies_for_each_kind_of_reader(server):
    p = setup_people(server, "rw", "rr", "rm", "rs")
    w, reader, member, stranger = p["rw"], p["rr"], p["rm"], p["rs"]
    u = server.url
    circle = requests.post(u + "/api/v1/circles", headers=h(w), json={"name": "close"}).json()
    inv = requests.post(u + "/api/v1/circles/%s/invites" % circle["id"], headers=h(w), json={}).json()
    assert requests.post(u + "/api/v1/invites/%s/accept" % inv["token"], headers=h(member)).status_code == 200

    open_st = story(server, w, title="Open one")
    assert open_st["responses"] == "open" and open_st["responders"] == "signed_in"
    assert open_st["response_count"] == 0
    r = respond(server, reader, open_st["id"], "Thank you for *this*.")
    assert r.status_code == 201 and r.json()["status"] == "visible"
    assert r.json()["html"] == "<p>Thank you for <em>this</em>.</p>\n"
    # Anonymous readers read but cannot respond.
    assert requests.post(u + "/api/v1/stories/%s/responses" % open_st["id"], json={"body": "x"}).status_code == 401
    assert r.json()["id"] in visible_ids(server, open_st["id"])

    held = story(server, w, title="Held one", responses="approval")
    r = respond(server, reader, held["id"], "Waiting for you")
    assert r.status_code == 201 and r.json()["status"] == "pending"
    rid = r.json()["id"]
    assert rid not in visible_ids(server, held["id"])
    assert rid not in visible_ids(server, held["id"], reader), "pending shows to nobody but the writer"
    assert rid in visible_ids(server, held["id"], w)
    assert requests.get(u + "/api/v1/stories/" + held["id"]).json()["response_count"] == 0
    page = requests.get(u + "/@rw/held-one").text
    assert "Waiting for you" not in page
    assert requests.post(u + "/api/v1/responses/%s/approve" % rid, headers=h(reader)).status_code == 404
    assert requests.post(u + "/api/v1/responses/%s/approve" % rid, headers=h(w)).status_code == 200
    assert rid in visible_ids(server, held["id"])
    assert requests.get(u + "/api/v1/stories/" + held["id"]).json()["response_count"] == 1
    # The writer's own response never waits.
    r = respond(server, w, held["id"], "Thank you all")
    assert r.json()["status"] == "visible"

    off = story(server, w, title="Off one", responses="off")
    r = respond(server, reader, off["id"], "Can I?")
    assert r.status_code == 403 and r.json()["error"]["code"] == "responses_off"
    assert "Responses are off" in requests.get(u + "/@rw/off-one").text

    circ = story(server, w, title="Circle only", responders="circle")
    assert respond(server, stranger, circ["id"], "Me too").status_code == 403
    assert respond(server, member, circ["id"], "From the circle").status_code == 201
    # A circle story with circle responders: members only.
    cstory = story(server, w, title="Circle story", audience="circle", circle_id=circle["id"],
                   responders="circle")
    assert respond(server, stranger, cstory["id"], "x").status_code == 404
    assert respond(server, member, cstory["id"], "Inside").status_code == 201
    assert requests.post(u + "/api/v1/stories", headers=h(w), json={"title": "x", "responses": "maybe"}).status_code == 422


def test_replies_edit_delete_hide_and_counts(server):
    p = setup_people(server, "tw", "ta", "tb")
    w, a, b = p["tw"], p["ta"], p["tb"]
    u = server.url
    st = story(server, w, title="Thread")
    top = respond(server, a, st["id"], "First").json()
    reply = respond(server, b, st["id"], "Reply to first", parent=top["id"])
    assert reply.status_code == 201
    reply = reply.json()
    # One level deep only.
    assert respond(server, a, st["id"], "too deep", parent=reply["id"]).status_code == 422
    assert respond(server, a, st["id"], "bad parent", parent="0123456789abcdef").status_code == 422
    assert requests.get(u + "/api/v1/stories/" + st["id"]).json()["response_count"] == 2
    # Edit own: marked edited; someone else's: refused.
    r = requests.patch(u + "/api/v1/responses/" + top["id"], headers=h(a), json={"body": "First, edited"})
    assert r.status_code == 200 and r.json()["edited_at"]
    assert requests.patch(u + "/api/v1/responses/" + top["id"], headers=h(b), json={"body": "no"}).status_code == 403
    page = requests.get(u + "/@tw/thread").text
    assert "First, edited" in page and "edited" in page and "Reply to first" in page
    # Hiding the parent hides its replies from readers; count follows.
    assert requests.post(u + "/api/v1/responses/%s/hide" % top["id"], headers=h(w)).status_code == 200
    assert visible_ids(server, st["id"]) == []
    assert requests.get(u + "/api/v1/stories/" + st["id"]).json()["response_count"] == 0
    assert "First, edited" not in requests.get(u + "/@tw/thread").text
    assert "Reply to first" not in requests.get(u + "/@tw/thread").text
    assert "Hidden from readers" in requests.get(u + "/@tw/thread", headers=h(w)).text
    assert requests.post(u + "/api/v1/responses/%s/unhide" % top["id"], headers=h(w)).status_code == 200
    assert len(visible_ids(server, st["id"])) == 2
    # Reader deletes her own; writer deletes anyone's.
    assert requests.delete(u + "/api/v1/responses/" + reply["id"], headers=h(a)).status_code == 403
    assert requests.delete(u + "/api/v1/responses/" + reply["id"], headers=h(b)).status_code == 204
    assert requests.delete(u + "/api/v1/responses/" + top["id"], headers=h(w)).status_code == 204
    assert visible_ids(server, st["id"]) == []


def test_block_and_unblock(server):
    p = setup_people(server, "bw", "bx")
    w, x = p["bw"], p["bx"]
    u = server.url
    st = story(server, w, title="Blockable")
    circle = requests.post(u + "/api/v1/circles", headers=h(w), json={"name": "c"}).json()
    inv = requests.post(u + "/api/v1/circles/%s/invites" % circle["id"], headers=h(w), json={}).json()
    requests.post(u + "/api/v1/invites/%s/accept" % inv["token"], headers=h(x))
    cst = story(server, w, title="Circle blockable", audience="circle", circle_id=circle["id"])
    rid = respond(server, x, st["id"], "Cruel words here").json()["id"]
    assert requests.get(u + "/api/v1/stories/" + cst["id"], headers=h(x)).status_code == 200
    r = requests.post(u + "/api/v1/blocks", headers=h(w), json={"handle": "bx"})
    assert r.status_code == 201
    assert [b["handle"] for b in requests.get(u + "/api/v1/blocks", headers=h(w)).json()["blocks"]] == ["bx"]
    # Existing responses disappear from view; no new ones; sign-in stories gone.
    assert rid not in visible_ids(server, st["id"])
    assert "Cruel words here" not in requests.get(u + "/@bw/blockable").text
    assert rid in visible_ids(server, st["id"], w)
    assert respond(server, x, st["id"], "again").status_code == 403
    assert requests.get(u + "/api/v1/stories/" + cst["id"], headers=h(x)).status_code == 404
    assert requests.get(u + "/api/v1/stories/" + st["id"], headers=h(x)).status_code == 200, "public stays public"
    assert requests.get(u + "/api/v1/stories/" + st["id"]).json()["response_count"] == 0
    r = requests.delete(u + "/api/v1/blocks", headers=h(w), json={"handle": "bx"})
    assert r.status_code == 204
    assert rid in visible_ids(server, st["id"])
    assert requests.get(u + "/api/v1/stories/" + cst["id"], headers=h(x)).status_code == 200
    assert requests.post(u + "/api/v1/blocks", headers=h(w), json={"handle": "nobody_x"}).status_code == 404


def test_muted_words_fold_case_accents_width_and_whole_words(server):
    p = setup_people(server, "mw", "mr", "mr2")
    w, r_, r2 = p["mw"], p["mr"], p["mr2"]
    u = server.url
    r = requests.put(u + "/api/v1/muted-words", headers=h(w), json={"words": ["ugly", "go  away now", " "]})
    assert r.status_code == 200 and r.json()["words"] == ["ugly", "go  away now"]
    assert requests.get(u + "/api/v1/muted-words", headers=h(w)).json()["words"] == ["go  away now", "ugly"]
    st = story(server, w, title="Muted")
    held = ["UGLY truth", "so Ugly.", "uglý", "ＵＧＬＹ", "u\u0301gly" if False else "ugly!", "just go away   now",
            "GO\tAWAY\nNOW"]
    for text in held:
        r = respond(server, r_, st["id"], text)
        assert r.status_code == 201 and r.json()["status"] == "pending", text
    for text in ("smugly smiling", "uglyish", "go away later", "beautiful"):
        r = respond(server, r2, st["id"], text)  # another reader: 10 a minute each
        assert r.json()["status"] == "visible", text
    # The moderation page lists the held ones, newest first, with CSRF forms.
    s = login(server, "mw", PW)
    page = s.get(u + "/moderation").text
    assert page.count('value="approve"') == len(held)
    assert "muted word" in page
    forms = re.findall(r"<form[^>]*>(.*?)</form>", page, re.S)
    assert forms and all('name="csrf"' in f for f in forms)
    assert requests.put(u + "/api/v1/muted-words", headers=h(w), json={"words": "ugly"}).status_code == 422
    assert requests.put(u + "/api/v1/muted-words", headers=h(w), json={"words": ["x" * 101]}).status_code == 422


def test_responses_render_inert_and_report(server):
    p = setup_people(server, "xw", "xr", "xo")
    w, r_, other = p["xw"], p["xr"], p["xo"]
    u = server.url
    st = story(server, w, title="Inert")
    evil = ('<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) '
            '![i](https://example.org/i.png)\n\n# Big heading\n\n<b onclick="x()">bold</b>')
    r = respond(server, r_, st["id"], evil)
    assert r.status_code == 201
    html = r.json()["html"].lower()
    for bad in ("<script", "onerror", "javascript:", "<img", "<h1", "<h2", "onclick"):
        assert bad not in html, bad
    assert "<strong>big heading</strong>" in html
    page = requests.get(u + "/@xw/inert").text.lower()
    page = re.sub(r'<script src="/static/[a-z0-9.]+\.js" defer></script>', "", page)
    assert "<script" not in page and "onerror" not in page
    rid = r.json()["id"]
    assert requests.post(u + "/api/v1/responses/%s/report" % rid, headers=h(other)).status_code == 204
    s = login(server, "xw", PW)
    assert "reported 1" in s.get(u + "/moderation").text
    assert respond(server, r_, st["id"], "x" * 5001).status_code == 413
    assert respond(server, r_, st["id"], "   ").status_code == 422


def test_rate_limit_per_reader():
    s = Server(extra=["--responses-per-minute", "3"])
    try:
        s.start()
        p = setup_people(s, "lw", "lr")
        st = story(s, p["lw"], title="Busy")
        codes = [respond(s, p["lr"], st["id"], "n %d" % i).status_code for i in range(4)]
        assert codes == [201, 201, 201, 429]
        r = respond(s, p["lr"], st["id"], "again")
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "wait" in r.json()["error"]["message"]
        # The writer is never limited on her own story.
        assert all(respond(s, p["lw"], st["id"], "w %d" % i).status_code == 201 for i in range(5))
    finally:
        s.stop()
        s.cleanup()


def test_web_forms_respond_approve_and_need_csrf(server):
    p = setup_people(server, "fw", "fr")
    st = story(server, p["fw"], title="Form story", responses="approval")
    reader = login(server, "fr", PW)
    page = reader.get(server.url + "/@fw/form-story")
    assert 'action="/responses"' in page.text
    r = reader.post(server.url + "/responses", data={"story_id": st["id"], "body": "Via the form",
                                                      "csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 303 and "/@fw/form-story#r-" in r.headers["Location"]
    rid = r.headers["Location"].split("#r-")[1]
    page = reader.get(server.url + r.headers["Location"]).text
    assert "It waits for the writer&#39;s approval" in page or "It waits for the writer's approval" in page
    # Her own pending response is on the page for her, marked as waiting...
    assert 'class="response waiting" id="r-%s"' % rid in page and "Via the form" in page
    # ... and for nobody else: not the next page load's flash, not anyone.
    assert "It waits for the writer" not in reader.get(server.url + "/@fw/form-story").text
    other = login(server, "fw", PW)  # the writer sees it as waiting for her approval
    assert "Waiting for your approval" in other.get(server.url + "/@fw/form-story").text
    assert "Via the form" not in requests.get(server.url + "/@fw/form-story").text
    r = reader.post(server.url + "/responses", data={"story_id": st["id"], "body": "No token"})
    assert r.status_code == 403
    writer = login(server, "fw", PW)
    mod = writer.get(server.url + "/moderation").text
    rid = re.search(r'action="/responses/([0-9a-f]{16})"', mod).group(1)
    r = writer.post(server.url + "/responses/" + rid, data={"action": "approve", "csrf": "bad"})
    assert r.status_code == 403
    r = writer.post(server.url + "/responses/" + rid, data={"action": "approve", "csrf": csrf_of(mod),
                                                            "return_to": "/moderation"}, allow_redirects=False)
    assert r.status_code == 303
    assert "Via the form" in requests.get(server.url + "/@fw/form-story").text
    assert "No token" not in writer.get(server.url + "/@fw/form-story").text
