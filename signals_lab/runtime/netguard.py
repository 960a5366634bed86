"""
A guard that refuses network connections beyond loopback (tests only).

The test suite sets ``SIGNALS_LAB_NETWORK_GUARD=1``; the pytest process and
every kernel that calls ``boot()`` then install this guard, so a lesson or a
test that tries to reach the internet fails loudly instead of passing on a
machine that happens to be online.
"""

import ipaddress
import os
import socket

__all__ = ["install", "NetworkBlocked", "enabled"]

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NetworkBlocked(OSError):
    pass


def enabled():
    return bool(os.environ.get("SIGNALS_LAB_NETWORK_GUARD"))


def _allowed(sock, address):
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True  # Unix sockets and friends never leave the machine
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: it would need DNS, which is off the machine


def _guarded_connect(self, address):
    if not _allowed(self, address):
        raise NetworkBlocked(f"Signals Lab blocks network access beyond loopback: {address!r}")
    return _original_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _allowed(self, address):
        raise NetworkBlocked(f"Signals Lab blocks network access beyond loopback: {address!r}")
    return _original_connect_ex(self, address)


def install():
    """Refuse non-loopback connections in this process (idempotent)."""
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
