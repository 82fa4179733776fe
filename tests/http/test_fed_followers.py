"""Federation (issue 20), her followers: with "Approve fediverse
followers before they follow you" on (/settings/followers), a Follow is
held, not accepted, and her Person says manuallyApprovesFollowers; she
approves it (a signed Accept of that Follow is sent, the follower kept)
or rejects it (a Reject, no follower). An Undo withdraws a waiting
Follow. The page lists her fediverse followers beside how many follow her
here and by email. Turned off, a Follow is accepted at once again. Who
follows her is shown (her page /@handle/followers with local and
fediverse followers, the API's list, orderedItems of her ActivityPub
followers collection) only when she ticks "Show who follows you on your
followers page"; the count always. The
peer is tests/lib/ap_peer.py on loopback.
"""
import pytest
import requests

from ap_peer import AP, Peer, verify_request
from quire_server import ADMIN, Server, csrf_of, invite_and_signup, login

PASSWORD = "a password for tests"


@pytest.fixture(scope="module")
def world():
    peer = Peer()
    s = Server(extra=["--allow-private-fetch"])
    s.start()
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, "ff_ann", PASSWORD)
    w = type("World", (), {})()
    w.server, w.peer, w.admin = s, peer, admin
    w.web = login(s, "ff_ann", PASSWORD)
    for name in ("alice", "bob", "carol", "dave"):
        peer.add(name)
    yield w
    s.stop()
    s.cleanup()
    peer.stop()


def follow(w, name, n=1):
    f = {"@context": "https://www.w3.org/ns/activitystreams",
         "id": "%s/follows/%d" % (w.peer.actor_id(name), n), "type": "Follow",
         "actor": w.peer.actor_id(name), "object": w.server.url + "/@ff_ann"}
    r = w.peer.post(name, w.server.url + "/@ff_ann/inbox", f)
    assert r.status_code == 202, r.text
    return f


def followers(w):
    return requests.get(w.server.url + "/ap/users/ff_ann/followers", headers={"Accept": AP}).json()["totalItems"]


def person(w):
    return requests.get(w.server.url + "/@ff_ann", headers={"Accept": AP}).json()


def post(w, **data):
    page = w.web.get(w.server.url + "/settings/followers")
    assert page.status_code == 200
    return w.web.post(w.server.url + "/settings/followers", data=dict(data, csrf=csrf_of(page.text)))


def answers(w, kind, follow_id):
    with w.peer.cond:
        import json
        return [json.loads(b) for _, _, b in w.peer.received
                if json.loads(b).get("type") == kind and json.loads(b)["object"]["id"] == follow_id]


def test_approving_followers(world):
    w = world
    assert person(w)["manuallyApprovesFollowers"] is False
    page = w.web.get(w.server.url + "/settings/followers").text
    assert "Approve fediverse followers before they follow you" in page
    r = post(w, action="approval", approve_followers="1")
    assert r.status_code == 200 and "Settings saved." in r.text
    assert 'value="1" checked' in r.text
    assert person(w)["manuallyApprovesFollowers"] is True

    fa = follow(w, "alice")
    fb = follow(w, "bob")
    fc = follow(w, "carol")
    assert followers(w) == 0, "held, not accepted"
    page = w.web.get(w.server.url + "/settings/followers").text
    assert "Waiting for your approval" in page
    for name in ("Alice", "Bob", "Carol"):
        assert ">%s</a>" % name in page
    assert "@alice@" + w.peer.url.split("://", 1)[1] in page

    # Carol changes her mind: her Undo withdraws the request.
    undo = {"id": w.peer.actor_id("carol") + "/undo/1", "type": "Undo",
            "actor": w.peer.actor_id("carol"), "object": fc}
    assert w.peer.post("carol", w.server.url + "/@ff_ann/inbox", undo).status_code == 202
    assert ">Carol</a>" not in w.web.get(w.server.url + "/settings/followers").text

    r = post(w, action="approve", actor=w.peer.actor_id("alice"))
    assert r.status_code == 200 and "Approved: they follow you now." in r.text
    assert followers(w) == 1
    path, headers, body, acc = w.peer.wait_for(
        lambda j: j.get("type") == "Accept" and j["object"]["id"] == fa["id"])
    good, _, _ = verify_request(headers, "POST", path, body, person(w)["publicKey"]["publicKeyPem"])
    assert good and acc["actor"] == w.server.url + "/@ff_ann"

    r = post(w, action="reject", actor=w.peer.actor_id("bob"))
    assert r.status_code == 200 and "Declined: they do not follow you." in r.text
    path, headers, body, rej = w.peer.wait_for(
        lambda j: j.get("type") == "Reject" and j["object"]["id"] == fb["id"])
    good, _, _ = verify_request(headers, "POST", path, body, person(w)["publicKey"]["publicKeyPem"])
    assert good and rej["object"]["actor"] == w.peer.actor_id("bob")
    assert followers(w) == 1
    assert answers(w, "Accept", fb["id"]) == [] and answers(w, "Accept", fc["id"]) == []
    assert post(w, action="approve", actor=w.peer.actor_id("bob")).status_code == 404

    # Listed for her beside her other followers.
    page = w.web.get(w.server.url + "/settings/followers").text
    assert "Nobody is waiting." in page
    assert "From the fediverse" in page and ">Alice</a>" in page and ">Bob</a>" not in page
    assert "0 follow you here" in page and "0 by email" in page and "1 from the fediverse" in page

    # Off again: a Follow is accepted at once.
    r = post(w, action="approval")
    assert 'value="1" checked' not in r.text
    assert person(w)["manuallyApprovesFollowers"] is False
    fd = follow(w, "dave")
    assert followers(w) == 2
    w.peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["id"] == fd["id"])


def collection(w):
    r = requests.get(w.server.url + "/ap/users/ff_ann/followers", headers={"Accept": AP})
    assert r.status_code == 200
    return r.json()


def test_who_follows_her_is_shown_only_if_she_allows_it(world):
    w = world
    page = w.admin.get(w.server.url + "/@ff_ann")
    assert w.admin.post(w.server.url + "/@ff_ann/follow",
                        data={"action": "follow", "csrf": csrf_of(page.text)}).status_code == 200
    remote = [w.peer.actor_id("alice"), w.peer.actor_id("dave")]
    assert followers(w) == 2
    # Hidden until she chooses: the count, nothing of who.
    c = collection(w)
    assert c["totalItems"] == 2 and "orderedItems" not in c
    for who in (requests, w.admin):
        assert who.get(w.server.url + "/@ff_ann/followers").status_code == 404
        assert who.get(w.server.url + "/api/v1/users/ff_ann/followers").status_code == 404
    assert 'href="/@ff_ann/followers"' not in requests.get(w.server.url + "/@ff_ann").text
    # She sees her own page, told that only she does.
    mine = w.web.get(w.server.url + "/@ff_ann/followers")
    assert mine.status_code == 200 and "Only you see who follows you here" in mine.text
    assert ">Alice</a>" in mine.text and "@ada</span>" in mine.text

    page = w.web.get(w.server.url + "/settings/followers").text
    assert "Show who follows you on your followers page" in page
    r = post(w, action="visibility", show_followers="1")
    assert r.status_code == 200 and "Settings saved." in r.text
    assert 'name="show_followers" value="1" checked' in r.text
    assert 'name="approve_followers" value="1" checked' not in r.text, "the other choice kept"
    c = collection(w)
    assert c["totalItems"] == 2 and sorted(c["orderedItems"]) == sorted(remote)
    shown = requests.get(w.server.url + "/@ff_ann/followers")
    assert shown.status_code == 200 and "Only you see" not in shown.text
    assert "@ada</span>" in shown.text and "From the fediverse" in shown.text
    assert ">Alice</a>" in shown.text and ">Dave</a>" in shown.text
    assert 'href="%s"' % remote[0] in shown.text
    api = requests.get(w.server.url + "/api/v1/users/ff_ann/followers")
    assert api.status_code == 200 and [f["handle"] for f in api.json()["followers"]] == ["ada"]
    assert 'href="/@ff_ann/followers"' in requests.get(w.server.url + "/@ff_ann").text

    # Hidden again.
    r = post(w, action="visibility")
    assert 'name="show_followers" value="1" checked' not in r.text
    assert requests.get(w.server.url + "/@ff_ann/followers").status_code == 404
    assert "orderedItems" not in collection(w)


def test_signed_in_only(world):
    w = world
    r = requests.get(w.server.url + "/settings/followers", allow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["Location"]
    assert requests.post(w.server.url + "/settings/followers", data={"action": "approval"}).status_code in (401, 403)
    assert w.web.post(w.server.url + "/settings/followers", data={"action": "approval"}).status_code == 403
