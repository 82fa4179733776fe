"""smtp_sink - a real SMTP server for the tests (Debian's python3-aiosmtpd)
on a free loopback port: it keeps every message it accepts, parsed by
Python's email package, and lets a test wait for one."""
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from quire_server import free_port


class Sink:
    """The messages the SMTP server accepted, in order; each one is parsed.
    hold_at: when the Nth message arrives, do not answer it until
    released (so a test can kill Quire while the server holds it)."""

    def __init__(self):
        self.lock = threading.Condition()
        self.messages = []
        self.refuse = {}          # address -> SMTP reply (e.g. "550 ...")
        self.hold_at = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.port = free_port()
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = len(self.messages) + 1
        if self.hold_at is not None and n == self.hold_at:
            self.held.set()
            # Never answered: the client is killed meanwhile.
            while not self.release.is_set():
                import asyncio
                await asyncio.sleep(0.01)
            return "451 try again"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "msg": msg, "raw": envelope.content})
            self.lock.notify_all()
        return "250 OK"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def wait_for(self, pred, what, timeout=60):
        deadline = time.time() + timeout
        with self.lock:
            while True:
                found = [m for m in self.messages if pred(m)]
                if found:
                    return found
                left = deadline - time.time()
                assert left > 0, "no message %s; got %s" % (
                    what, [(m["to"], m["msg"]["Subject"]) for m in self.messages])
                self.lock.wait(left)

    def to(self, addr):
        with self.lock:
            return [m for m in self.messages if addr in m["to"]]
