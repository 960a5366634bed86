"""
A guard that refuses network traffic beyond loopback (tests only): TCP
``connect``/``connect_ex`` and UDP ``sendto``/``sendmsg`` to an address that is
not loopback (a host name counts as not loopback: resolving it needs DNS).

The test suite sets ``SIGNALS_LAB_NETWORK_GUARD=1``; the pytest process and
every kernel that calls ``boot()`` then install this guard, so a lesson or a
test that tries to reach the internet fails loudly instead of passing on a
machine that happens to be online.
"""

import ipaddress
import os
import socket

__all__ = ["install", "installed", "NetworkBlocked", "enabled"]

_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex
_original_sendto = socket.socket.sendto
_original_sendmsg = getattr(socket.socket, "sendmsg", None)


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


def _refuse(address):
    raise NetworkBlocked(f"Signals Lab blocks network access beyond loopback: {address!r}")


def _guarded_sendto(self, data, *args):
    # sendto(data, address) or sendto(data, flags, address)
    address = args[-1] if args else None
    if address is not None and not _allowed(self, address):
        _refuse(address)
    return _original_sendto(self, data, *args)


def _guarded_sendmsg(self, buffers, ancdata=(), flags=0, address=None):
    if address is not None and not _allowed(self, address):
        _refuse(address)
    if address is None:
        return _original_sendmsg(self, buffers, ancdata, flags)
    return _original_sendmsg(self, buffers, ancdata, flags, address)


def installed():
    """True when this process's sockets are guarded."""
    return socket.socket.connect is _guarded_connect and socket.socket.sendto is _guarded_sendto


def install():
    """Refuse non-loopback connections and datagrams in this process (idempotent)."""
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.socket.sendto = _guarded_sendto
    if _original_sendmsg is not None:
        socket.socket.sendmsg = _guarded_sendmsg
