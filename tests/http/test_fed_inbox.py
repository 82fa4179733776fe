"""Federation (issue 20), the inbox: a writer's POST /@handle/inbox and
the shared /inbox take in a Follow only when its HTTP Signature checks
out with its actor's key (fetched from the actor's server, then kept),
answer it with a signed Accept through the durable delivery queue, and
take an Undo of it. Refused: unsigned, signed with another key, a body
that is not the one signed, a Date more than 12 hours away, a signature
that leaves the digest out, an activity received before (a replay), an
actor whose server is on a private address (without
allow-private-fetch), an actor signing for another. The peer is a small
server on loopback (tests/lib/ap_peer.py); test_fediverse.py talks to a
real implementation.
"""
import json
import time

import pytest
import requests

from ap_peer import AP, Peer, http_date, new_key, verify_request
from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

PASSWORD = "a password for tests"


@pytest.fixture(scope="module")
def world():
    peer = Peer()
    s = Server(extra=["--allow-private-fetch"])
    s.start()
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, "fi_ann", PASSWORD)
    invite_and_signup(s, admin, "fi_bob", PASSWORD)
    yield s, peer, admin
    s.stop()
    s.cleanup()
    peer.stop()


def follow_of(peer, name, server, handle, n):
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": "%s/follows/%s-%d" % (peer.url, name, n), "type": "Follow",
            "actor": peer.actor_id(name), "object": server.url + "/@" + handle}


def followers(server, handle):
    r = requests.get(server.url + "/ap/users/%s/followers" % handle, headers={"Accept": AP})
    assert r.status_code == 200
    return r.json()["totalItems"]


def test_follow_is_accepted_with_a_signed_accept(world):
    server, peer, _ = world
    peer.add("alice")
    f = follow_of(peer, "alice", server, "fi_ann", 1)
    r = peer.post("alice", server.url + "/@fi_ann/inbox", f)
    assert r.status_code == 202, r.text
    assert followers(server, "fi_ann") == 1
    path, headers, body, accept = peer.wait_for(lambda j: j.get("type") == "Accept")
    assert path == "/users/alice/inbox"
    assert accept["actor"] == server.url + "/@fi_ann"
    assert accept["object"]["id"] == f["id"] and accept["object"]["type"] == "Follow"
    assert accept["object"]["actor"] == peer.actor_id("alice")
    # Signed by the writer's key, as her actor publishes it.
    actor = requests.get(server.url + "/@fi_ann", headers={"Accept": AP}).json()
    good, key_id, names = verify_request(headers, "POST", path, body, actor["publicKey"]["publicKeyPem"])
    assert good and key_id == actor["publicKey"]["id"]
    assert names == ["(request-target)", "host", "date", "digest"]
    assert headers["Content-Type"] == AP
    # The key was fetched once and kept: a second activity needs no fetch.
    fetched = len(peer.fetched)
    undo = {"@context": "https://www.w3.org/ns/activitystreams", "id": peer.url + "/undo/1",
            "type": "Undo", "actor": peer.actor_id("alice"), "object": f}
    r = peer.post("alice", server.url + "/@fi_ann/inbox", undo)
    assert r.status_code == 202, r.text
    assert len(peer.fetched) == fetched
    assert followers(server, "fi_ann") == 0


def test_shared_inbox(world):
    server, peer, _ = world
    peer.add("carol")
    r = peer.post("carol", server.url + "/inbox", follow_of(peer, "carol", server, "fi_bob", 1))
    assert r.status_code == 202, r.text
    assert followers(server, "fi_bob") == 1
    peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["actor"] == peer.actor_id("carol"))
    r = peer.post("carol", server.url + "/inbox", follow_of(peer, "carol", server, "nobody", 2))
    assert r.status_code == 404
    r = peer.post("carol", server.url + "/@fi_ann/inbox", follow_of(peer, "carol", server, "fi_bob", 3))
    assert r.status_code == 404, "a Follow of Bob in Ann's inbox"
    assert peer.post("carol", server.url + "/@nobody/inbox",
                     follow_of(peer, "carol", server, "nobody", 4)).status_code == 404


def test_refused(world):
    server, peer, _ = world
    peer.add("dave")
    inbox = server.url + "/@fi_ann/inbox"
    before = followers(server, "fi_ann")
    f = follow_of(peer, "dave", server, "fi_ann", 1)
    body = json.dumps(f).encode()
    # Unsigned.
    r = requests.post(inbox, data=body, headers={"Content-Type": AP, "Date": http_date()})
    assert r.status_code == 401
    # Signed with a key that is not the actor's.
    assert peer.post("dave", inbox, f, key=new_key()).status_code == 401
    # A body other than the one signed (its Digest no longer matches).
    from ap_peer import sign_headers
    hdrs = sign_headers(peer.keys["dave"], peer.key_id("dave"), "POST", inbox, body)
    other = json.dumps(dict(f, id=f["id"] + "-x")).encode()
    assert requests.post(inbox, data=other, headers=hdrs).status_code == 401
    # ... even with a Digest made to match it: the signature covers it.
    from ap_peer import digest_of
    assert requests.post(inbox, data=other, headers=dict(hdrs, Digest=digest_of(other))).status_code == 401
    # A Date more than 12 hours away, either way.
    for skew in (13 * 3600, -13 * 3600):
        assert peer.post("dave", inbox, f, date=http_date(time.time() + skew)).status_code == 401, skew
    # A signature that leaves the digest (or the target) out.
    assert peer.post("dave", inbox, f, names=["(request-target)", "host", "date"]).status_code == 401
    assert peer.post("dave", inbox, f, names=["host", "date", "digest"]).status_code == 401
    # An actor signing for another actor of the same server.
    peer.add("eve")
    assert peer.post("eve", inbox, f).status_code == 401
    # Not an activity, or not JSON.
    assert peer.post("dave", inbox, None, raw=b"[1,2]").status_code == 400
    r = requests.post(inbox, data=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert followers(server, "fi_ann") == before, "nothing was taken in"
    # The real thing works, once: the same request again is a replay.
    hdrs = sign_headers(peer.keys["dave"], peer.key_id("dave"), "POST", inbox, body)
    assert requests.post(inbox, data=body, headers=hdrs).status_code == 202
    assert requests.post(inbox, data=body, headers=hdrs).status_code == 409
    # ... and freshly signed, the same activity id is still one seen.
    assert peer.post("dave", inbox, f).status_code == 409
    assert followers(server, "fi_ann") == before + 1


def test_an_actor_on_a_private_address_is_refused():
    """Without allow-private-fetch, an activity whose actor lives on a
    private address is refused: its key is never fetched."""
    peer = Peer()
    s = Server()
    s.start()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "fp_ann", PASSWORD)
        peer.add("mallory")
        r = peer.post("mallory", s.url + "/@fp_ann/inbox", follow_of(peer, "mallory", s, "fp_ann", 1))
        assert r.status_code == 401 and "fetched" in r.text, r.text
        # Over https too: the address itself is refused, before connecting.
        tls = "https://127.0.0.1:%d/users/mallory" % peer.port
        f = dict(follow_of(peer, "mallory", s, "fp_ann", 2), actor=tls, id=tls + "/follows/2")
        r = peer.post("mallory", s.url + "/@fp_ann/inbox", f, key_id=tls + "#main-key")
        assert r.status_code == 401 and "loopback" in r.text, r.text
        assert peer.fetched == [], "Quire connected to the private address"
        assert followers(s, "fp_ann") == 0
    finally:
        s.stop()
        s.cleanup()
        peer.stop()


def test_deliveries_are_retried_and_survive_a_restart():
    """An inbox that does not take an Accept gets it again after the
    back-off (fed-retry-base), and one queued when the server stops is
    delivered after it starts again: the queue is in the store."""
    peer = Peer()
    s = Server(extra=["--allow-private-fetch", "--fed-retry-base", "1"])
    s.start()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "fr_ann", PASSWORD)
        peer.add("frank")
        peer.refuse = 1
        f = follow_of(peer, "frank", s, "fr_ann", 1)
        assert peer.post("frank", s.url + "/@fr_ann/inbox", f).status_code == 202
        _, _, _, accept = peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["id"] == f["id"])
        assert len(peer.refused) == 1 and json.loads(peer.refused[0][2])["id"] == accept["id"], \
            "the same Accept, tried again"
        # Refused until the server has stopped; taken after it starts again.
        peer.refuse = -1
        g = follow_of(peer, "frank", s, "fr_ann", 2)
        assert peer.post("frank", s.url + "/@fr_ann/inbox", g).status_code == 202
        with peer.cond:
            while not any(json.loads(b).get("object", {}).get("id") == g["id"] for _, _, b in peer.refused):
                assert peer.cond.wait(30), "the Accept was never tried"
        s.stop()
        peer.refuse = 0
        s.start()
        peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["id"] == g["id"])
    finally:
        s.stop()
        s.cleanup()
        peer.stop()


def test_fediverse_metrics(tmp_path):
    """/metrics counts the inboxes' activities taken in and refused, and
    the deliveries sent, put off for a retry, and given up on, with the
    queue's depth. A sample is read when it reached the value waited for
    (the counters move just after the peer has its answer)."""
    import re
    from quire_server import free_port
    mport = free_port()
    peer = Peer()
    s = Server(extra=["--allow-private-fetch", "--fed-retry-base", "1",
                      "--metrics-listen", "127.0.0.1:%d" % mport])
    s.start()
    murl = "http://127.0.0.1:%d/metrics" % mport

    def metric(text, name):
        m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
        return int(m.group(1)) if m else None

    def until(pred):
        deadline = time.time() + 30
        while True:
            t = requests.get(murl).text
            if pred(t):
                return t
            assert time.time() < deadline, "metrics never got there:\n" + t
            time.sleep(0.05)
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "fm_ann", PASSWORD)
        t = requests.get(murl).text
        for name in ("quire_fed_deliveries_sent_total", "quire_fed_deliveries_retries_total",
                     "quire_fed_deliveries_failed_total", "quire_fed_inbox_accepted_total",
                     "quire_fed_inbox_refused_total"):
            assert metric(t, name) == 0, name
        peer.add("mia")
        peer.refuse = 1
        f = follow_of(peer, "mia", s, "fm_ann", 1)
        assert requests.post(s.url + "/@fm_ann/inbox", json=f).status_code == 401
        assert peer.post("mia", s.url + "/@fm_ann/inbox", f).status_code == 202
        assert peer.post("mia", s.url + "/@fm_ann/inbox", f).status_code == 409
        peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["id"] == f["id"])
        t = until(lambda t: metric(t, "quire_fed_deliveries_sent_total") == 1 and
                  metric(t, "quire_fed_deliveries_queued") == 0)
        assert metric(t, "quire_fed_deliveries_retries_total") == 1, "refused once (503), then sent"
        assert metric(t, "quire_fed_deliveries_failed_total") == 0
        assert metric(t, "quire_fed_deliveries_failed") == 0
        assert metric(t, "quire_fed_inbox_accepted_total") == 1
        assert metric(t, "quire_fed_inbox_refused_total") == 2, "unsigned, and the replay"
    finally:
        s.stop()
        s.cleanup()
        peer.stop()
