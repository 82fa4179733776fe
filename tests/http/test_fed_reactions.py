"""Federation (issue 20), likes and boosts: a Like or Announce of one of
her public stories (its Article id or its address) is counted once per
actor, an Undo of it (by its actor only) takes it back, a Delete of the
actor removes its; counts are shown to her in "Your stories", not to
readers. One of a story that is not public is not counted. The peer is
tests/lib/ap_peer.py on loopback.
"""
import itertools
import re

import pytest
import requests

from ap_peer import Peer
from quire_server import ADMIN, Server, api_token, invite_and_signup, login

PASSWORD = "a password for tests"
SEQ = itertools.count(1)


@pytest.fixture(scope="module")
def world():
    peer = Peer()
    s = Server(extra=["--allow-private-fetch"])
    s.start()
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, "fx_ann", PASSWORD)
    w = type("World", (), {})()
    w.server, w.peer = s, peer
    w.h = {"Authorization": "Bearer " + api_token(s, "fx_ann", PASSWORD)}
    w.web = login(s, "fx_ann", PASSWORD)
    for name in ("alice", "bob"):
        peer.add(name)
    yield w
    s.stop()
    s.cleanup()
    peer.stop()


def story(w, **fields):
    body = {"title": "Liked %d" % next(SEQ), "body": "Words.", "status": "published"}
    body.update(fields)
    r = requests.post(w.server.url + "/api/v1/stories", headers=w.h, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def react(w, name, kind, obj, expect=202):
    act = {"@context": "https://www.w3.org/ns/activitystreams",
           "id": "%s/%s/%d" % (w.peer.actor_id(name), kind.lower(), next(SEQ)), "type": kind,
           "actor": w.peer.actor_id(name), "object": obj}
    r = w.peer.post(name, w.server.url + "/inbox", act)
    assert r.status_code == expect, r.text
    return act


def counts(w, st):
    page = w.web.get(w.server.url + "/me/stories").text
    line = [l for l in page.split("\n") if st["title"] in l]
    assert len(line) == 1
    m = re.search(r'(\d+) likes</span>, <span class="fed-boosts">(\d+) boosts', line[0])
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def test_likes_and_boosts(world):
    w = world
    st = story(w)
    aid = w.server.url + "/ap/stories/" + st["id"]
    assert counts(w, st) == (0, 0)
    like = react(w, "alice", "Like", aid)
    react(w, "alice", "Like", aid)  # a second Like of hers is still one
    react(w, "bob", "Like", w.server.url + "/@fx_ann/" + st["slug"])
    react(w, "bob", "Announce", aid)
    assert counts(w, st) == (2, 1)
    # Readers do not see them.
    page = requests.get(w.server.url + "/@fx_ann/" + st["slug"]).text
    assert "fed-likes" not in page and "boosts" not in page
    # Only its actor undoes a Like.
    undo = {"id": w.peer.actor_id("bob") + "/undo/%d" % next(SEQ), "type": "Undo",
            "actor": w.peer.actor_id("bob"), "object": dict(like, id=like["id"])}
    assert w.peer.post("bob", w.server.url + "/inbox", undo).status_code == 400
    assert counts(w, st) == (2, 1)
    # Alice's Undo of her first Like: her second one stands (it replaced it).
    undo = {"id": w.peer.actor_id("alice") + "/undo/%d" % next(SEQ), "type": "Undo",
            "actor": w.peer.actor_id("alice"), "object": like}
    assert w.peer.post("alice", w.server.url + "/inbox", undo).status_code == 202
    assert counts(w, st) == (2, 1)


def test_undo_and_delete(world):
    w = world
    st = story(w)
    aid = w.server.url + "/ap/stories/" + st["id"]
    like = react(w, "alice", "Like", aid)
    boost = react(w, "bob", "Announce", aid)
    assert counts(w, st) == (1, 1)
    undo = {"id": w.peer.actor_id("alice") + "/undo/%d" % next(SEQ), "type": "Undo",
            "actor": w.peer.actor_id("alice"), "object": like}
    assert w.peer.post("alice", w.server.url + "/inbox", undo).status_code == 202
    assert counts(w, st) == (0, 1)
    undo = {"id": w.peer.actor_id("bob") + "/undo/%d" % next(SEQ), "type": "Undo",
            "actor": w.peer.actor_id("bob"), "object": boost["id"]}
    assert w.peer.post("bob", w.server.url + "/inbox", undo).status_code == 202
    assert counts(w, st) == (0, 0)
    react(w, "bob", "Like", aid)
    assert counts(w, st) == (1, 0)
    gone = {"id": w.peer.actor_id("bob") + "#delete", "type": "Delete",
            "actor": w.peer.actor_id("bob"), "object": w.peer.actor_id("bob")}
    assert w.peer.post("bob", w.server.url + "/inbox", gone).status_code == 202
    assert counts(w, st) == (0, 0)


def test_not_of_a_story_that_is_not_public(world):
    w = world
    st = story(w, audience="unlisted")
    react(w, "alice", "Like", w.server.url + "/ap/stories/" + st["id"])
    assert counts(w, st) == (0, 0)
