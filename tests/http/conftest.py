import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from quire_server import Server  # noqa: E402

from quire_server import ADMIN  # noqa: E402,F401


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "quiet: needs the machine to itself (a latency bound under load); "
        "run alone, after the parallel run")


@pytest.fixture(scope="module")
def server():
    s = Server(admin=ADMIN)
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()
