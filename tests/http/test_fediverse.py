"""Federation (issue 20) against a real ActivityPub implementation:
Fedify 1.x (tests/fed/peer.mjs, from tests/package.json), started by the
test on loopback over http. Its actor looks the Quire writer up by her
actor's URL (acct: lookups would go over https), follows her (accepted
at once), receives the signed Create of her public story and checks
its signature itself (Fedify's verifyRequest, and its inbox, which
takes nothing unsigned), receives nothing for a circle or unlisted
story, and a Delete when a public story becomes circle-only. Quire
refuses the peer's activity signed with another key, tampered after
signing, dated 13 hours ago, or sent twice. Her rules apply to it: its
reply is held for her approval, its Follow too when she approves
followers first, and after she blocks its server its reply is refused.
A Quire without allow-private-fetch refuses the peer outright, its
actor being on a private address.
"""
import json
import os
import subprocess
import urllib.parse

import pytest
import requests

from quire_server import ADMIN, ROOT, Server, api_token, csrf_of, invite_and_signup, login

PASSWORD = "a password for tests"
AP = {"Accept": "application/activity+json"}
TESTS = os.path.join(ROOT, "tests")


class FedifyPeer:
    def __init__(self):
        if not os.path.isdir(os.path.join(TESTS, "node_modules", "@fedify", "fedify")):
            raise AssertionError("Fedify is not installed: run scripts/deps.sh test (npm ci in tests/)")
        self.proc = subprocess.Popen(["node", os.path.join(TESTS, "fed", "peer.mjs")], cwd=TESTS,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("the Fedify peer did not start: " + self.proc.stderr.read())
        info = json.loads(line)
        self.url = "http://127.0.0.1:%d" % info["port"]
        self.actor = info["actor"]

    def control(self, path, **body):
        if body:
            r = requests.post(self.url + "/control/" + path, json=body, timeout=60)
        else:
            r = requests.get(self.url + "/control/" + path, timeout=60)
        return r

    def wait(self, kind, obj=None, timeout_ms=30000):
        q = {"type": kind, "timeout": str(timeout_ms)}
        if obj:
            q["object"] = obj
        r = requests.get(self.url + "/control/wait?" + urllib.parse.urlencode(q), timeout=timeout_ms / 1000 + 30)
        assert r.status_code == 200, "the peer received no %s of %s: %s" % (kind, obj, self.received())
        return r.json()

    def received(self):
        return self.control("received").json()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture(scope="module")
def world():
    peer = FedifyPeer()
    s = Server(extra=["--allow-private-fetch", "--fed-senders", "1"])
    s.start()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "fv_ann", PASSWORD, name="Ann of Quire")
        token = api_token(s, "fv_ann", PASSWORD)
        w = type("World", (), {})()
        w.server, w.peer = s, peer
        w.h = {"Authorization": "Bearer " + token}
        w.actor = s.url + "/@fv_ann"
        w.circle = requests.post(s.url + "/api/v1/circles", headers=w.h, json={"name": "kin"}).json()
        yield w
    finally:
        s.stop()
        s.cleanup()
        peer.stop()


def article(w, st):
    return w.server.url + "/ap/stories/" + st["id"]


def story(w, **fields):
    r = requests.post(w.server.url + "/api/v1/stories", headers=w.h, json=fields)
    assert r.status_code == 201, r.text
    return r.json()


def test_fedify_follows_and_gets_exactly_her_public_stories(world):
    w = world
    r = w.peer.control("follow", actor=w.actor)
    assert r.status_code == 200 and r.json()["ok"], r.text
    accept = w.peer.wait("Accept", r.json()["follow"])
    assert accept["actor"] == w.actor
    assert accept["signed_by"] == w.actor + "#main-key", "Fedify verified Quire's signature"
    f = requests.get(w.server.url + "/ap/users/fv_ann/followers", headers=AP).json()
    assert f["totalItems"] == 1

    circle = story(w, title="Fv circle zq", body="For kin only.", status="published",
                   audience="circle", circle_id=w.circle["id"])
    unlisted = story(w, title="Fv unlisted zq", body="For the link.", status="published",
                     audience="unlisted")
    public = story(w, title="Fv public zq", subtitle="A subtitle", body="For everyone.",
                   status="published", tags=["essays"])
    c = w.peer.wait("Create", article(w, public))
    assert c["actor"] == w.actor and c["signed_by"] == w.actor + "#main-key"
    o = c["object"]
    assert o["type"] == "Article" and o["name"] == "Fv public zq"
    assert o["summary"] == "A subtitle" and "For everyone." in o["content"]
    assert o["url"] == w.server.url + "/@fv_ann/" + public["slug"]
    assert o["attributedTo"] == w.actor
    # One sender (--fed-senders 1), oldest first: what was queued before the public story
    # has been sent by now, and nothing was.
    for st in (circle, unlisted):
        assert not [e for e in w.peer.received() if e["object"] and e["object"].get("id") == article(w, st)]
    assert "zq" not in json.dumps([e for e in w.peer.received()
                                  if e["object"] and e["object"].get("id") != article(w, public)])

    noted = story(w, title="Fv noted zq", body="Hard.", status="published", content_note="grief")
    n = w.peer.wait("Create", article(w, noted))
    assert n["object"]["summary"] == "grief" and n["object"]["sensitive"] is True

    r = requests.patch(w.server.url + "/api/v1/stories/" + public["id"], headers=w.h,
                       json={"audience": "circle", "circle_id": w.circle["id"]})
    assert r.status_code == 200
    d = w.peer.wait("Delete", article(w, public))
    assert d["actor"] == w.actor and d["signed_by"] == w.actor + "#main-key"
    kinds = [e["type"] for e in w.peer.received() if e["object"] and e["object"].get("id") == article(w, public)]
    assert kinds == ["Create", "Delete"], kinds


@pytest.mark.parametrize("mode,want", [("bad-key", [401]), ("tampered", [401]), ("stale", [401]),
                                       ("replay", [202, 409]), ("good", [202])])
def test_quire_refuses_what_fedify_forges(world, mode, want):
    w = world
    r = w.peer.control("forge", inbox=w.server.url + "/@fv_ann/inbox", object=w.actor, mode=mode)
    assert r.status_code == 200, r.text
    assert r.json()["statuses"] == want


def test_her_rules_apply_to_fedify(world):
    """Fedify replies and sees its reply held for her approval; with
    approval of followers on, its Follow is held until she approves (then
    an Accept Fedify verifies); after she blocks its server, its reply is
    refused and its follow is gone."""
    w = world
    u = w.server.url
    web = login(w.server, "fv_ann", PASSWORD)
    held = story(w, title="Fv held zq", body="Answer me.", status="published", responses="approval")
    r = w.peer.control("reply", actor=w.actor, inReplyTo=article(w, held), content="<p>A <b>Fedify</b> reply.</p>")
    assert r.status_code == 200 and r.json()["ok"], r.text
    mine = requests.get(u + "/api/v1/stories/%s/responses" % held["id"], headers=w.h).json()["responses"]
    assert [(x["status"], x["body"]) for x in mine] == [("pending", "A Fedify reply.")]
    assert mine[0]["author"]["name"] == "A Fedify reader"
    assert requests.get(u + "/api/v1/stories/%s/responses" % held["id"]).json()["responses"] == []
    assert "Waiting for your approval" in web.get(u + "/@fv_ann/" + held["slug"]).text

    page = web.get(u + "/settings/followers")
    r = web.post(u + "/settings/followers", data={"csrf": csrf_of(page.text), "action": "approval",
                                                   "approve_followers": "1"})
    assert r.status_code == 200
    r = w.peer.control("follow", actor=w.actor)
    assert r.status_code == 200 and r.json()["ok"], r.text
    follow = r.json()["follow"]
    page = web.get(u + "/settings/followers")
    assert "A Fedify reader" in page.text.split("Waiting for your approval")[1].split("From the fediverse")[0]
    assert not [e for e in w.peer.received() if e["type"] == "Accept" and e["object"] and
                e["object"].get("id") == follow]
    r = web.post(u + "/settings/followers", data={"csrf": csrf_of(page.text), "action": "approve",
                                                   "actor": w.peer.actor})
    assert r.status_code == 200
    accept = w.peer.wait("Accept", follow)
    assert accept["signed_by"] == w.actor + "#main-key"

    page = web.get(u + "/settings/responses")
    r = web.post(u + "/settings/responses", data={"csrf": csrf_of(page.text), "action": "block_server",
                                                   "domain": w.peer.url})
    assert r.status_code == 200 and "The server is blocked" in r.text
    assert requests.get(u + "/ap/users/fv_ann/followers", headers=AP).json()["totalItems"] == 0
    open_st = story(w, title="Fv open zq", body="Open.", status="published")
    r = w.peer.control("reply", actor=w.actor, inReplyTo=article(w, open_st), content="<p>Blocked.</p>")
    assert r.status_code == 200 and not r.json()["ok"] and "403" in r.json()["error"], r.text
    assert requests.get(u + "/api/v1/stories/%s/responses" % open_st["id"], headers=w.h).json()["responses"] == []
    page = web.get(u + "/settings/responses")
    r = web.post(u + "/settings/responses", data={"csrf": csrf_of(page.text), "action": "unblock_server",
                                                   "domain": w.peer.url})
    assert r.status_code == 200


def test_an_actor_on_a_private_address_is_refused_without_the_setting():
    peer = FedifyPeer()
    s = Server()
    s.start()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "fv_bob", PASSWORD)
        r = peer.control("forge", inbox=s.url + "/@fv_bob/inbox", object=s.url + "/@fv_bob", mode="good")
        assert r.json()["statuses"] == [401], r.text
        f = requests.get(s.url + "/ap/users/fv_bob/followers", headers=AP).json()
        assert f["totalItems"] == 0
    finally:
        s.stop()
        s.cleanup()
        peer.stop()
