"""The suite opens no network connection beyond loopback (the guard is on everywhere)."""

import socket

import pytest

from signals_lab.runtime import netguard
from tests.kernel import run_cells, text


def test_guard_is_on_in_the_test_process():
    assert netguard.enabled()
    with pytest.raises(netguard.NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)  # TEST-NET-1, never reached


def test_the_guard_is_what_answers_connect_and_sendto():
    assert netguard.installed()
    assert socket.socket.connect is netguard._guarded_connect


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),  # all of 127.0.0.0/8 is loopback
        ("::1", True),
        ("localhost", True),
        ("192.0.2.1", False),
        ("10.0.0.1", False),  # private, but not this machine
        ("0.0.0.0", False),
        ("::ffff:192.0.2.1", False),
        ("example.com", False),  # a name needs DNS
    ],
)
def test_only_loopback_addresses_are_allowed(host, allowed):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        assert netguard._allowed(sock, (host, 80)) is allowed


def test_loopback_connections_still_work_under_the_guard():
    assert netguard.installed()
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=1) as client:
            accepted, _ = server.accept()
            with accepted:
                client.sendall(b"ping")
                assert accepted.recv(4) == b"ping"


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
