"""Federation (issue 20), the sender: one failing server never slows the
others. An inbox host that takes the TCP connection and never answers
(Hang, below) holds only the senders delivering to it, and never more
than fed-domain-concurrency (2) of them: a healthy peer (tests/lib/
ap_peer.py) gets its Accepts and Creates while both connections to the
hanging host are still open, unanswered. Each step waits on an explicit
condition (select() on the hanging host's sockets, the peer's condition
variable), never a sleep.
"""
import select
import socket
import time

import pytest
import requests

from ap_peer import Peer
from quire_server import ADMIN, Server, api_token, invite_and_signup, login

PASSWORD = "a password for tests"


class Hang:
    """Accepts connections on its own port and never answers. What it
    knows of each connection (its bytes, whether the client closed it)
    is read when asked, so a close is seen the moment it happened."""

    def __init__(self):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.ls.setblocking(False)
        self.url = "http://127.0.0.1:%d" % self.ls.getsockname()[1]
        self.conns = []  # [socket, bytes, closed]

    def _poll(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except BlockingIOError:
                break
            c.setblocking(False)
            self.conns.append([c, b"", False])
        for e in self.conns:
            while not e[2]:
                try:
                    data = e[0].recv(65536)
                except BlockingIOError:
                    break
                except ConnectionResetError:
                    data = b""
                if not data:
                    e[2] = True
                else:
                    e[1] += data

    def posts(self):
        """How many connections carried a POST."""
        self._poll()
        return sum(1 for e in self.conns if e[1].startswith(b"POST "))

    def open_posts(self):
        """... of which the client has not given up."""
        self._poll()
        return sum(1 for e in self.conns if e[1].startswith(b"POST ") and not e[2])

    def wait(self, pred, timeout=30):
        deadline = time.time() + timeout
        while True:
            if pred():
                return
            left = deadline - time.time()
            assert left > 0, "the hanging host never got what the test waits for"
            select.select([self.ls] + [e[0] for e in self.conns if not e[2]], [], [], left)

    def close(self):
        for e in self.conns:
            e[0].close()
        self.ls.close()


@pytest.fixture(scope="module")
def world():
    peer = Peer()
    hang = Hang()
    s = Server(extra=["--allow-private-fetch"])
    s.start()
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, "fd_ann", PASSWORD)
    w = type("World", (), {})()
    w.server, w.peer, w.hang = s, peer, hang
    w.h = {"Authorization": "Bearer " + api_token(s, "fd_ann", PASSWORD)}
    peer.add("healthy")
    peer.add("stuck", inbox=hang.url)
    yield w
    s.stop()
    s.cleanup()
    peer.stop()
    hang.close()


def follow(w, name):
    f = {"id": "%s/follows/1" % w.peer.actor_id(name), "type": "Follow",
         "actor": w.peer.actor_id(name), "object": w.server.url + "/@fd_ann"}
    assert w.peer.post(name, w.server.url + "/@fd_ann/inbox", f).status_code == 202
    return f


def publish(w, title):
    r = requests.post(w.server.url + "/api/v1/stories", headers=w.h,
                      json={"title": title, "body": "For everyone.", "status": "published"})
    assert r.status_code == 201, r.text
    return w.server.url + "/ap/stories/" + r.json()["id"]


def test_a_hanging_server_does_not_hold_up_the_others(world):
    w = world
    # The hanging host's follower is accepted first: its Accept hangs.
    follow(w, "stuck")
    w.hang.wait(lambda: w.hang.open_posts() == 1)

    # The healthy peer's Accept goes out meanwhile.
    f = follow(w, "healthy")
    w.peer.wait_for(lambda j: j.get("type") == "Accept" and j["object"]["id"] == f["id"])
    assert w.hang.open_posts() == 1, "the healthy peer waited for the hanging host to time out"

    # A story: its Create reaches the healthy peer, and a second sender
    # now hangs on the other host too.
    first = publish(w, "Fd first")
    w.peer.wait_for(lambda j: j.get("type") == "Create" and j["object"]["id"] == first)
    w.hang.wait(lambda: w.hang.posts() == 2)
    assert w.hang.open_posts() == 2

    # With two held there (fed-domain-concurrency), the next deliveries
    # to it wait their turn, and the healthy peer still gets each story
    # (without the limit, the free senders would hang there one by one).
    for n in range(3):
        later = publish(w, "Fd later %d" % n)
        w.peer.wait_for(lambda j: j.get("type") == "Create" and j["object"]["id"] == later)
    assert w.hang.posts() == 2, "more than fed-domain-concurrency in flight to one host"
    assert w.hang.open_posts() == 2, "the hanging connections were given up before the check"
