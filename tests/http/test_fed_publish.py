"""Federation (issue 20), what leaves: publishing a public story sends its
followers a signed Create(Article), editing it an Update, unpublishing,
deleting or lowering its audience a Delete; unlisted, circle and private
stories (and drafts, and a pending draft of a public story) never leave,
not even as an Update of one that was public. A change of a public
story's tags alone sends an Update; restoring it from the trash a Create
again; suspending its writer a Delete of each of her public stories
(only Deletes leave for her while suspended), unsuspending a Create. Followers on one server
get one delivery at its shared inbox. The peer is tests/lib/ap_peer.py;
"nothing arrived" is read after a later public story's Create arrived
(one sender, --fed-senders 1, oldest first), never after a sleep.
"""
import json

import pytest
import requests

from ap_peer import AP, Peer, verify_request
from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

PASSWORD = "a password for tests"


@pytest.fixture(scope="module")
def world():
    peer = Peer()
    s = Server(extra=["--allow-private-fetch", "--fed-senders", "1"])
    s.start()
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, "fb_ann", PASSWORD)
    token = api_token(s, "fb_ann", PASSWORD)
    for name in ("reader1", "reader2"):
        peer.add(name)
        f = {"id": "%s/follows/%s" % (peer.url, name), "type": "Follow",
             "actor": peer.actor_id(name), "object": s.url + "/@fb_ann"}
        assert peer.post(name, s.url + "/@fb_ann/inbox", f).status_code == 202
        peer.wait_for(lambda j, f=f: j.get("type") == "Accept" and j["object"]["id"] == f["id"])
    actor = requests.get(s.url + "/@fb_ann", headers={"Accept": AP}).json()
    w = type("World", (), {})()
    w.server, w.peer, w.token, w.actor, w.admin = s, peer, token, actor, admin
    w.h = {"Authorization": "Bearer " + token}
    w.circle = requests.post(s.url + "/api/v1/circles", headers=w.h, json={"name": "kin"}).json()
    yield w
    s.stop()
    s.cleanup()
    peer.stop()


def story(w, **fields):
    r = requests.post(w.server.url + "/api/v1/stories", headers=w.h, json=fields)
    assert r.status_code == 201, r.text
    return r.json()


def patch(w, st, **fields):
    r = requests.patch(w.server.url + "/api/v1/stories/" + st["id"], headers=w.h, json=fields)
    assert r.status_code == 200, r.text
    return r.json()


def article_id(w, st):
    return w.server.url + "/ap/stories/" + st["id"]


def activity(w, kind, st):
    """Wait for the kind of activity about st; check it is signed by the
    writer and delivered once, to the shared inbox."""
    oid = article_id(w, st)
    path, headers, body, j = w.peer.wait_for(
        lambda j: j.get("type") == kind and
        (j.get("object") == oid or isinstance(j.get("object"), dict) and j["object"].get("id") == oid))
    assert path == "/inbox", "one delivery to the shared inbox, not one per follower"
    good, key_id, names = verify_request(headers, "POST", path, body, w.actor["publicKey"]["publicKeyPem"])
    assert good and key_id == w.actor["publicKey"]["id"]
    assert j["actor"] == w.actor["id"]
    return j


def about(w, st):
    oid = article_id(w, st)
    out = []
    with w.peer.cond:
        for _, _, body in w.peer.received:
            j = json.loads(body)
            o = j.get("object")
            if o == oid or isinstance(o, dict) and o.get("id") == oid:
                out.append(j)
    return out


def marker(w, n):
    """A public story, and its Create arrived: what was queued before it
    has been sent."""
    st = story(w, title="Marker %d" % n, body="m", status="published")
    activity(w, "Create", st)
    return st


def test_a_public_story_goes_out_as_a_signed_create(world):
    w = world
    st = story(w, title="Fb public zq", subtitle="Sub", body="Words zq.", status="published",
               tags=["life"])
    c = activity(w, "Create", st)
    art = c["object"]
    assert art["type"] == "Article" and art["name"] == "Fb public zq"
    assert art["summary"] == "Sub" and "Words zq." in art["content"]
    assert art["url"] == w.server.url + "/@fb_ann/" + st["slug"]
    assert art["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert c["to"] == art["to"] and c["cc"] == [w.server.url + "/ap/users/fb_ann/followers"]
    assert [t["name"] for t in art["tag"]] == ["#life"]
    assert len([j for j in about(w, st) if j["type"] == "Create"]) == 1
    # Edited: an Update with the new text.
    patch(w, st, body="Words zq, edited.")
    u = activity(w, "Update", st)
    assert "edited" in u["object"]["content"] and u["object"]["id"] == article_id(w, st)
    # Settings that change nothing of the text: nothing.
    patch(w, st, responses="off")
    marker(w, 1)
    assert len([j for j in about(w, st) if j["type"] == "Update"]) == 1
    # Lowered to a circle: a Delete, and nothing after it.
    patch(w, st, audience="circle", circle_id=w.circle["id"])
    d = activity(w, "Delete", st)
    assert d["object"]["id"] == article_id(w, st) and d["object"]["type"] == "Tombstone"
    patch(w, st, body="Words for the circle only, zq-secret.")
    marker(w, 2)
    seen = [j["type"] for j in about(w, st)]
    assert seen == ["Create", "Update", "Delete"], seen
    assert "zq-secret" not in json.dumps([json.loads(b) for _, _, b in w.peer.received])


def test_stories_that_are_not_public_never_leave(world):
    w = world
    kept = [story(w, title="Fb circle zq", body="c", status="published", audience="circle",
                  circle_id=w.circle["id"]),
            story(w, title="Fb unlisted zq", body="u", status="published", audience="unlisted"),
            story(w, title="Fb private zq", body="p", status="published", audience="private"),
            story(w, title="Fb draft zq", body="d", status="draft")]
    for st in kept:
        patch(w, st, body="changed")
    # A draft becomes unlisted, then published unlisted: still nothing.
    patch(w, kept[3], audience="unlisted")
    patch(w, kept[3], status="published")
    marker(w, 3)
    for st in kept:
        assert about(w, st) == [], st["title"]
    for title in ("Fb circle zq", "Fb unlisted zq", "Fb private zq", "Fb draft zq"):
        assert title not in json.dumps([json.loads(b) for _, _, b in w.peer.received])


def test_unpublishing_and_deleting_send_delete(world):
    w = world
    a = story(w, title="Fb unpublished zq", body="x", status="published")
    b = story(w, title="Fb deleted zq", body="y", status="published")
    activity(w, "Create", a)
    activity(w, "Create", b)
    patch(w, a, status="draft")
    activity(w, "Delete", a)
    assert requests.delete(w.server.url + "/api/v1/stories/" + b["id"], headers=w.h).status_code == 204
    activity(w, "Delete", b)
    # A circle story deleted: nothing (it never left).
    c = story(w, title="Fb circle deleted zq", body="z", status="published", audience="circle",
              circle_id=w.circle["id"])
    assert requests.delete(w.server.url + "/api/v1/stories/" + c["id"], headers=w.h).status_code == 204
    marker(w, 4)
    assert about(w, c) == []


def test_a_pending_draft_of_a_public_story_does_not_leave(world):
    """Edits held as a pending draft (the editor's saves) reach nobody
    until the writer publishes them: then an Update."""
    w = world
    st = story(w, title="Fb held zq", body="first", status="published")
    activity(w, "Create", st)
    r = requests.put(w.server.url + "/api/v1/stories/%s/draft" % st["id"], headers=w.h,
                     json={"body": "held words zq-held", "base_revision": st["revision_id"]})
    assert r.status_code == 200, r.text
    marker(w, 5)
    assert [j["type"] for j in about(w, st)] == ["Create"]
    r = requests.post(w.server.url + "/api/v1/stories/%s/draft/publish" % st["id"], headers=w.h)
    assert r.status_code == 200, r.text
    u = activity(w, "Update", st)
    assert "zq-held" in u["object"]["content"]


def test_a_change_of_tags_alone_sends_update(world):
    w = world
    st = story(w, title="Fb tagged zq", body="t", status="published", tags=["life"])
    activity(w, "Create", st)
    patch(w, st, tags=["life", "grief"])
    u = activity(w, "Update", st)
    assert sorted(t["name"] for t in u["object"]["tag"]) == ["#grief", "#life"]
    # The same tags again (in another order), or tags of a circle story:
    # nothing.
    patch(w, st, tags=["grief", "life"])
    c = story(w, title="Fb tagged circle zq", body="t", status="published", audience="circle",
              circle_id=w.circle["id"], tags=["kin"])
    patch(w, c, tags=["kin", "home"])
    marker(w, 6)
    assert [j["type"] for j in about(w, st)] == ["Create", "Update"]
    assert about(w, c) == []


def test_restoring_from_the_trash_sends_create_again(world):
    w = world
    st = story(w, title="Fb restored zq", body="r", status="published")
    activity(w, "Create", st)
    assert requests.delete(w.server.url + "/api/v1/stories/" + st["id"], headers=w.h).status_code == 204
    activity(w, "Delete", st)
    r = requests.post(w.server.url + "/api/v1/stories/%s/restore" % st["id"], headers=w.h)
    assert r.status_code == 200, r.text
    w.peer.wait_for(lambda j: j.get("type") == "Create" and j["object"]["id"] == article_id(w, st) and
                    len([k for k in about(w, st) if k["type"] == "Create"]) == 2)
    assert [j["type"] for j in about(w, st)] == ["Create", "Delete", "Create"]
    # A circle story restored: nothing.
    c = story(w, title="Fb restored circle zq", body="r", status="published", audience="circle",
              circle_id=w.circle["id"])
    assert requests.delete(w.server.url + "/api/v1/stories/" + c["id"], headers=w.h).status_code == 204
    r = requests.post(w.server.url + "/api/v1/stories/%s/restore" % c["id"], headers=w.h)
    assert r.status_code == 200, r.text
    marker(w, 7)
    assert about(w, c) == []


def suspend(w, action):
    page = w.admin.get(w.server.url + "/admin/users/fb_ann")
    assert page.status_code == 200
    r = w.admin.post(w.server.url + "/admin/users/fb_ann",
                     data={"action": action, "csrf": csrf_of(page.text), "reason": "tests"})
    assert r.status_code == 200, r.text[:300]


def test_suspending_her_deletes_her_public_stories_and_unsuspending_creates_them(world):
    """Last in this file: suspending her ends her API token."""
    w = world
    a = story(w, title="Fb suspended a zq", body="a", status="published")
    b = story(w, title="Fb suspended b zq", body="b", status="published")
    c = story(w, title="Fb suspended circle zq", body="c", status="published", audience="circle",
              circle_id=w.circle["id"])
    gone = story(w, title="Fb suspended gone zq", body="g", status="published")
    for st in (a, b, gone):
        activity(w, "Create", st)
    assert requests.delete(w.server.url + "/api/v1/stories/" + gone["id"], headers=w.h).status_code == 204
    activity(w, "Delete", gone)
    suspend(w, "suspend")
    for st in (a, b):
        d = activity(w, "Delete", st)
        assert d["object"]["type"] == "Tombstone"
    suspend(w, "unsuspend")
    for st in (a, b):
        w.peer.wait_for(lambda j, st=st: j.get("type") == "Create" and j["object"]["id"] == article_id(w, st) and
                        len([k for k in about(w, st) if k["type"] == "Create"]) == 2)
    # One sender, oldest first: the second Create of b came after
    # everything the suspension queued.
    for st in (a, b):
        assert [j["type"] for j in about(w, st)] == ["Create", "Delete", "Create"]
    assert about(w, c) == []
    assert [j["type"] for j in about(w, gone)] == ["Create", "Delete"]
