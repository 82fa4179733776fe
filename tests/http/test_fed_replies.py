"""Federation (issue 20), replies: a Create(Note) whose inReplyTo is one of
a writer's public stories (its Article id, or its address) becomes a
response on it through the same rules as a reader's: shown to everyone
when the story takes responses openly, held for her approval, held for a
muted word, refused when responses are off or only for circle members.
Its author is the remote actor: name (linking to the actor's URL) and
handle@domain. A Note not addressed to the public, or answering anything
else, is only remembered. A Delete of the Note by its actor removes the
response; a Delete of the actor removes its responses and its follows.
A reported reply from there is on /admin/reports like a reader's, its
author linking to the actor, and the admin may hide it.
The peer is tests/lib/ap_peer.py on loopback.
"""
import html
import itertools

import pytest
import requests

from ap_peer import AP, Peer
from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

PASSWORD = "a password for tests"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
SEQ = itertools.count(1)


@pytest.fixture(scope="module")
def world():
    peer = Peer()
    s = Server(extra=["--allow-private-fetch"])
    s.start()
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, "fr_ann", PASSWORD)
    w = type("World", (), {})()
    w.server, w.peer, w.admin = s, peer, admin
    invite_and_signup(s, admin, "fr_reader", PASSWORD)
    w.reader = {"Authorization": "Bearer " + api_token(s, "fr_reader", PASSWORD)}
    w.h = {"Authorization": "Bearer " + api_token(s, "fr_ann", PASSWORD)}
    w.web = login(s, "fr_ann", PASSWORD)
    for name in ("alice", "bob", "carol"):
        peer.add(name)
    yield w
    s.stop()
    s.cleanup()
    peer.stop()


def story(w, **fields):
    body = {"title": "A story %d" % next(SEQ), "body": "Words.", "status": "published"}
    body.update(fields)
    r = requests.post(w.server.url + "/api/v1/stories", headers=w.h, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def article(w, st):
    return w.server.url + "/ap/stories/" + st["id"]


def note(w, name, target, content, to=(PUBLIC,), attributed=None):
    n = next(SEQ)
    actor = w.peer.actor_id(name)
    obj = {"id": "%s/notes/%d" % (actor, n), "type": "Note", "attributedTo": attributed or actor,
           "inReplyTo": target, "content": content, "to": list(to),
           "cc": [actor + "/followers"]}
    return {"@context": "https://www.w3.org/ns/activitystreams", "id": obj["id"] + "/activity",
            "type": "Create", "actor": actor, "object": obj, "to": list(to)}


def send(w, name, act):
    return w.peer.post(name, w.server.url + "/inbox", act)


def public_responses(w, st):
    r = requests.get(w.server.url + "/api/v1/stories/%s/responses" % st["id"])
    assert r.status_code == 200
    return r.json()["responses"]


def all_responses(w, st):
    r = requests.get(w.server.url + "/api/v1/stories/%s/responses" % st["id"], headers=w.h)
    assert r.status_code == 200
    return r.json()["responses"]


def domain(w):
    return w.peer.url.split("://", 1)[1]


def test_a_reply_is_a_response_shown_with_its_remote_author(world):
    w = world
    st = story(w)
    act = note(w, "alice", article(w, st), '<p><span class="h-card"><a href="%s">@<span>fr_ann'
               '</span></a></span> Lovely <b>essay</b> &amp; more.</p>' % (w.server.url + "/@fr_ann"))
    r = send(w, "alice", act)
    assert r.status_code == 202, r.text
    rs = public_responses(w, st)
    assert len(rs) == 1
    assert rs[0]["status"] == "visible"
    assert rs[0]["author"] == {"handle": "alice@" + domain(w), "name": "Alice"}
    assert rs[0]["body"] == "@fr_ann Lovely essay & more."
    assert "<script" not in rs[0]["html"] and "<b>" not in rs[0]["html"]
    # On the story page, like other responses, the name links to the actor.
    page = requests.get(w.server.url + "/@fr_ann/" + st["slug"]).text
    assert 'href="%s"' % html.escape(w.peer.actor_id("alice")) in page
    assert ">Alice</a>" in page and "@alice@" + domain(w) in page
    assert "Lovely essay" in page
    # The story's address works as inReplyTo too; a replay is refused.
    act2 = note(w, "bob", w.server.url + "/@fr_ann/" + st["slug"], "<p>Second.</p>")
    assert send(w, "bob", act2).status_code == 202
    assert send(w, "bob", act2).status_code == 409
    assert sorted(x["author"]["handle"] for x in public_responses(w, st)) == [
        "alice@" + domain(w), "bob@" + domain(w)]


def test_a_reported_remote_reply_is_on_the_admin_reports(world):
    w = world
    st = story(w)
    assert send(w, "carol", note(w, "carol", article(w, st), "<p>Rude words zq-report.</p>")).status_code == 202
    rid = [x for x in public_responses(w, st) if "zq-report" in x["body"]][0]["id"]
    r = requests.post(w.server.url + "/api/v1/responses/%s/report" % rid, headers=w.reader)
    assert r.status_code == 204, r.text
    page = w.admin.get(w.server.url + "/admin/reports")
    assert page.status_code == 200
    assert "zq-report" in page.text and "@carol@" + domain(w) in page.text
    assert 'href="%s"' % html.escape(w.peer.actor_id("carol")) in page.text
    assert "reported 1 times" in page.text and 'value="%s"' % rid in page.text
    r = w.admin.post(w.server.url + "/admin/reports",
                     data={"action": "hide", "id": rid, "csrf": csrf_of(page.text)})
    assert r.status_code == 200, r.text[:300]
    assert "zq-report" not in w.admin.get(w.server.url + "/admin/reports").text
    assert not [x for x in public_responses(w, st) if x["id"] == rid]


def test_her_rules_apply(world):
    w = world
    u = w.server.url
    held = story(w, responses="approval")
    assert send(w, "alice", note(w, "alice", article(w, held), "<p>Please approve.</p>")).status_code == 202
    assert public_responses(w, held) == []
    mine = all_responses(w, held)
    assert [x["status"] for x in mine] == ["pending"]
    page = w.web.get(u + "/@fr_ann/" + held["slug"]).text
    assert "Waiting for your approval" in page and "Please approve." in page
    # She approves it as she would any response.
    r = w.web.get(u + "/moderation")
    assert "Please approve." in r.text

    # Muted words hold it.
    assert requests.put(u + "/api/v1/muted-words", headers=w.h, json={"words": ["ugly"]}).status_code == 200
    open_st = story(w)
    assert send(w, "alice", note(w, "alice", article(w, open_st), "<p>How <i>UGLY</i>.</p>")).status_code == 202
    assert public_responses(w, open_st) == []
    assert [(x["status"]) for x in all_responses(w, open_st)] == ["pending"]
    assert requests.put(u + "/api/v1/muted-words", headers=w.h, json={"words": []}).status_code == 200

    # Responses off, or circle members only: refused, nothing kept.
    off = story(w, responses="off")
    r = send(w, "alice", note(w, "alice", article(w, off), "<p>Hello?</p>"))
    assert r.status_code == 403
    assert all_responses(w, off) == []
    circle_only = story(w, responders="circle")
    assert send(w, "alice", note(w, "alice", article(w, circle_only), "<p>Hi.</p>")).status_code == 403
    assert all_responses(w, circle_only) == []

    # A story that is not public is not there for the fediverse.
    unlisted = story(w, audience="unlisted")
    assert send(w, "alice", note(w, "alice", article(w, unlisted), "<p>Hi.</p>")).status_code == 404
    assert all_responses(w, unlisted) == []


def test_what_is_not_a_public_reply_to_her_is_only_remembered(world):
    w = world
    st = story(w)
    # Addressed to her alone (a direct message): not a public response.
    act = note(w, "alice", article(w, st), "<p>Just for you.</p>", to=(w.server.url + "/@fr_ann",))
    assert send(w, "alice", act).status_code == 202
    # Answering something elsewhere.
    assert send(w, "alice", note(w, "alice", "https://example.org/notes/1", "<p>x</p>")).status_code == 202
    assert all_responses(w, st) == []
    # A Note said to be by another actor than the one who sends it.
    act = note(w, "alice", article(w, st), "<p>Forged.</p>", attributed=w.peer.actor_id("bob"))
    assert send(w, "alice", act).status_code == 400
    assert all_responses(w, st) == []


def delete_of(w, name, obj):
    actor = w.peer.actor_id(name)
    return {"@context": "https://www.w3.org/ns/activitystreams",
            "id": "%s/deletes/%d" % (actor, next(SEQ)), "type": "Delete", "actor": actor,
            "object": obj, "to": [PUBLIC]}


def test_delete_of_a_note_and_of_an_actor(world):
    w = world
    st = story(w)
    a1, a2 = (note(w, "carol", article(w, st), "<p>Carol %d.</p>" % i) for i in (1, 2))
    b1 = note(w, "bob", article(w, st), "<p>Bob here.</p>")
    for name, act in (("carol", a1), ("carol", a2), ("bob", b1)):
        assert send(w, name, act).status_code == 202
    assert len(public_responses(w, st)) == 3
    # Only its own author deletes a Note.
    assert send(w, "bob", delete_of(w, "bob", a1["object"]["id"])).status_code == 202
    assert len(public_responses(w, st)) == 3
    tomb = {"id": a1["object"]["id"], "type": "Tombstone"}
    assert send(w, "carol", delete_of(w, "carol", tomb)).status_code == 202
    assert sorted(x["body"] for x in public_responses(w, st)) == ["Bob here.", "Carol 2."]
    # Carol follows her; then Carol's actor is deleted: all of hers go.
    f = {"id": w.peer.actor_id("carol") + "/follows/1", "type": "Follow",
         "actor": w.peer.actor_id("carol"), "object": w.server.url + "/@fr_ann"}
    assert send(w, "carol", f).status_code == 202

    def followers():
        return requests.get(w.server.url + "/ap/users/fr_ann/followers",
                            headers={"Accept": AP}).json()["totalItems"]
    assert followers() == 1
    assert send(w, "carol", delete_of(w, "carol", w.peer.actor_id("carol"))).status_code == 202
    assert [x["body"] for x in public_responses(w, st)] == ["Bob here."]
    assert followers() == 0


def test_a_blocked_server(world):
    """She blocks a server on /settings/responses: its actors' follows of
    her end, their replies and Follows are refused (403), nothing of hers
    is delivered there; another server is untouched; unblocked, it may
    follow again."""
    w = world
    u = w.server.url
    other = Peer()
    try:
        other.add("mallory")
        f = {"id": other.actor_id("mallory") + "/follows/1", "type": "Follow",
             "actor": other.actor_id("mallory"), "object": u + "/@fr_ann"}
        assert other.post("mallory", u + "/inbox", f).status_code == 202
        other.wait_for(lambda j: j.get("type") == "Accept")
        fa = {"id": w.peer.actor_id("alice") + "/follows/b", "type": "Follow",
              "actor": w.peer.actor_id("alice"), "object": u + "/@fr_ann"}
        assert send(w, "alice", fa).status_code == 202

        def followers():
            return requests.get(u + "/ap/users/fr_ann/followers", headers={"Accept": AP}).json()["totalItems"]
        assert followers() == 2
        mdomain = other.url.split("://", 1)[1]
        page = w.web.get(u + "/settings/responses").text
        assert "Blocked servers" in page and "No server is blocked." in page
        from quire_server import csrf_of
        r = w.web.post(u + "/settings/responses", data={
            "csrf": csrf_of(page), "action": "block_server", "domain": "HTTP://" + mdomain.upper() + "/x"})
        assert r.status_code == 200 and "The server is blocked" in r.text
        page = w.web.get(u + "/settings/responses").text
        assert "<li>" + mdomain in page
        assert followers() == 1, "its follower is removed"
        r = w.web.post(u + "/settings/responses", data={
            "csrf": csrf_of(page), "action": "block_server", "domain": "not a server!"})
        assert r.status_code == 422

        st = story(w)
        act = note(w, "alice", article(w, st), "<p>From a good server.</p>")
        assert send(w, "alice", act).status_code == 202
        mnote = {"id": other.actor_id("mallory") + "/notes/1", "type": "Note",
                 "attributedTo": other.actor_id("mallory"), "inReplyTo": article(w, st),
                 "content": "<p>From a blocked one.</p>", "to": [PUBLIC]}
        create = {"id": mnote["id"] + "/activity", "type": "Create",
                  "actor": other.actor_id("mallory"), "object": mnote}
        assert other.post("mallory", u + "/inbox", create).status_code == 403
        assert other.post("mallory", u + "/@fr_ann/inbox", dict(create, id=create["id"] + "b")).status_code == 403
        f2 = dict(f, id=f["id"] + "-again")
        assert other.post("mallory", u + "/inbox", f2).status_code == 403
        assert other.post("mallory", u + "/@fr_ann/inbox", dict(f2, id=f2["id"] + "b")).status_code == 403
        assert [x["body"] for x in all_responses(w, st)] == ["From a good server."]
        assert followers() == 1
        # Her public story reaches the good server, not the blocked one.
        aid = article(w, st)
        w.peer.wait_for(lambda j: j.get("type") == "Create" and isinstance(j.get("object"), dict)
                        and j["object"].get("id") == aid)
        with other.cond:
            assert not any(b'"Create"' in body for _, _, body in other.received)

        # Unblocked: it may follow again.
        page = w.web.get(u + "/settings/responses").text
        r = w.web.post(u + "/settings/responses", data={
            "csrf": csrf_of(page), "action": "unblock_server", "domain": mdomain})
        assert r.status_code == 200 and "The server is unblocked." in r.text
        assert "No server is blocked." in r.text
        assert other.post("mallory", u + "/inbox", dict(f, id=f["id"] + "-3")).status_code == 202
        assert followers() == 2
    finally:
        other.stop()


def test_a_blocked_account(world):
    """She blocks one account elsewhere (not its server) on
    /settings/responses, or from her followers page: its follow of her
    ends, its replies, Follows and Likes are refused (403), nothing of
    hers is sent to it; another account on that server still replies;
    unblocked, it may follow again."""
    w = world
    u = w.server.url
    other = Peer()
    try:
        mallory, trent = other.add("mallory"), other.add("trent")
        f = {"id": mallory + "/follows/1", "type": "Follow", "actor": mallory, "object": u + "/@fr_ann"}
        assert other.post("mallory", u + "/inbox", f).status_code == 202
        other.wait_for(lambda j: j.get("type") == "Accept")
        fa = {"id": w.peer.actor_id("alice") + "/follows/acct", "type": "Follow",
              "actor": w.peer.actor_id("alice"), "object": u + "/@fr_ann"}
        assert send(w, "alice", fa).status_code == 202
        w.peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["id"] == fa["id"])

        def followers():
            return requests.get(u + "/ap/users/fr_ann/followers", headers={"Accept": AP}).json()["totalItems"]
        before = followers()
        # Her followers page offers to block it.
        page = w.web.get(u + "/settings/followers").text
        assert 'name="actor" value="%s"><button type="submit" class="link">Block' % html.escape(mallory) in page
        page = w.web.get(u + "/settings/responses").text
        assert "Blocked fediverse accounts" in page and "No account is blocked." in page
        r = w.web.post(u + "/settings/responses", data={
            "csrf": csrf_of(page), "action": "block_actor", "actor": "mallory@nowhere"})
        assert r.status_code == 422
        r = w.web.post(u + "/settings/responses", data={
            "csrf": csrf_of(page), "action": "block_actor", "actor": " " + mallory + "#main-key "})
        assert r.status_code == 200 and "The account is blocked" in r.text
        assert 'href="%s"' % html.escape(mallory) in r.text and "No account is blocked." not in r.text
        assert followers() == before - 1, "its follow ends"

        st = story(w)
        def reply(name, n):
            obj = {"id": "%s/notes/%d" % (other.actor_id(name), n), "type": "Note",
                   "attributedTo": other.actor_id(name), "inReplyTo": article(w, st),
                   "content": "<p>%s here.</p>" % name, "to": [PUBLIC]}
            return {"id": obj["id"] + "/activity", "type": "Create", "actor": other.actor_id(name),
                    "object": obj}
        assert other.post("mallory", u + "/inbox", reply("mallory", 1)).status_code == 403
        assert other.post("mallory", u + "/@fr_ann/inbox", reply("mallory", 2)).status_code == 403
        assert other.post("mallory", u + "/inbox", dict(f, id=f["id"] + "-again")).status_code == 403
        like = {"id": mallory + "/likes/1", "type": "Like", "actor": mallory, "object": article(w, st)}
        assert other.post("mallory", u + "/inbox", like).status_code == 403
        assert other.post("trent", u + "/inbox", reply("trent", 3)).status_code == 202
        assert [x["body"] for x in all_responses(w, st)] == ["trent here."]
        assert followers() == before - 1
        # Her next public story reaches her other followers, not it.
        nxt = story(w)
        aid = article(w, nxt)
        w.peer.wait_for(lambda j: j.get("type") == "Create" and isinstance(j.get("object"), dict)
                        and j["object"].get("id") == aid)
        with other.cond:
            assert not any(b'"Create"' in body for _, _, body in other.received)

        page = w.web.get(u + "/settings/responses").text
        r = w.web.post(u + "/settings/responses", data={
            "csrf": csrf_of(page), "action": "unblock_actor", "actor": mallory})
        assert r.status_code == 200 and "The account is unblocked." in r.text
        assert "No account is blocked." in r.text
        assert other.post("mallory", u + "/inbox", dict(f, id=f["id"] + "-3")).status_code == 202
        assert followers() == before
    finally:
        other.stop()
