"""The suite opens no network connection beyond loopback (the guard is on everywhere)."""

import socket

import pytest

from signals_lab.runtime import netguard
from tests.kernel import run_cells, text


def test_guard_is_on_in_the_test_process():
    assert netguard.enabled()
    with pytest.raises(netguard.NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never reached


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1):
            pass


@pytest.mark.notebook
def test_guard_is_on_in_every_booted_kernel():
    outputs = run_cells(
        "from signals_lab import boot\nlab = boot()",
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except OSError as error:\n"
        "    print(type(error).__name__)",
    )
    assert text(outputs[1]).strip() == "NetworkBlocked"
