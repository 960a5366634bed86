"""
The only reader of Django's private dispatcher layout.

Django documents ``Signal.connect()``, ``disconnect()``, ``send()`` and friends,
but not how a signal stores its receivers. The kit needs a little more than the
public API (who is listening, which receivers a send will call, moving one
receiver to the front), so this module reads ``Signal.receivers``,
``Signal.sender_receivers_cache`` and ``Signal._live_receivers()`` and nothing
else in the kit does (a test scans the sources).

The layouts it knows, by Django version:

* 5.2: ``receivers`` holds ``((id(receiver), id(sender)), receiver_ref, is_async)``.
* 6.0 and later: ``((id(receiver), id(sender)), receiver_ref, sender_ref, is_async)``
  (senders are weakly referenced, ticket #35801): ``sender_ref`` is None for
  ``sender=None`` or a sender that cannot be weakly referenced. A connection
  whose sender was garbage-collected is dead, like one whose receiver was;
  on 5.2 it stays, keyed by the dead sender's id.

(The first item of the key is ``dispatch_uid`` instead of ``id(receiver)``
when one was given.)

On a layout it does not know, :func:`check_layout` raises :class:`LayoutError`
naming the Django version, so a new release fails loudly in one place instead
of in many.
"""

import weakref
from dataclasses import dataclass

import django
from django.dispatch import Signal
from django.dispatch.dispatcher import NO_RECEIVERS, NONE_ID

__all__ = [
    "Entry",
    "LayoutError",
    "NONE_ID",
    "check_layout",
    "entries",
    "live_entries",
    "planned",
    "remove",
    "move_last_to_front",
]

# Length of one ``Signal.receivers`` entry -> where its parts are.
_LAYOUTS = {3: "5.2", 4: "6.0+"}


class LayoutError(RuntimeError):
    """Django stores receivers in a way this kit does not know yet."""


@dataclass(frozen=True)
class Entry:
    """
    One connection: the keys Django files it under (receiver id or
    ``dispatch_uid``, sender id), and the receiver (None if the connection is
    dead: its receiver, or on 6.0+ its sender, was garbage-collected).
    """

    receiver_key: object
    sender_key: object
    receiver: object
    is_async: bool


def _resolve(target):
    if isinstance(target, weakref.ReferenceType):
        target = target()
    return target


def _parse(raw):
    if not isinstance(raw, tuple) or len(raw) not in _LAYOUTS:
        raise LayoutError(
            f"Django {django.get_version()} stores a signal's receivers as {raw!r}; "
            f"this kit knows the layouts of Django {' and '.join(_LAYOUTS.values())}. "
            "Update signals_lab/runtime/dispatch.py."
        )
    key, target, *middle, is_async = raw
    if not (isinstance(key, tuple) and len(key) == 2 and isinstance(is_async, bool)):
        raise LayoutError(
            f"Django {django.get_version()} stores a signal's receivers as {raw!r}, "
            "not as ((receiver id, sender id), receiver, ..., is_async)."
        )
    receiver = _resolve(target)
    if middle and isinstance(middle[0], weakref.ReferenceType) and middle[0]() is None:
        receiver = None  # 6.0+: the sender was garbage-collected, so is the connection
    return Entry(key[0], key[1], receiver, is_async)


def entries(signal):
    """Every connection of ``signal``, in connection order (dead receivers too)."""
    with signal.lock:
        raw = list(signal.receivers)
    return [_parse(item) for item in raw]


def live_entries(signal):
    """
    ``(sender id, function)`` for every receiver of ``signal`` still alive, in
    connection order: weak references resolved, bound methods unwrapped.
    """
    for entry in entries(signal):
        if entry.receiver is not None:
            yield entry.sender_key, getattr(entry.receiver, "__func__", entry.receiver)


def planned(signal, sender):
    """
    ``(sync receivers, async receivers)`` that ``signal.send(sender, ...)``
    would call now, exactly as Django computes them (its cache included).
    """
    if not signal.receivers or signal.sender_receivers_cache.get(sender) is NO_RECEIVERS:
        return [], []
    return signal._live_receivers(sender)


def remove(signal, predicate):
    """Disconnect every connection whose live receiver satisfies ``predicate``; count them."""
    with signal.lock:
        kept = []
        for raw in signal.receivers:
            receiver = _parse(raw).receiver
            target = getattr(receiver, "__func__", receiver)
            if target is None or not predicate(target):
                kept.append(raw)
        removed = len(signal.receivers) - len(kept)
        signal.receivers = kept
        signal.sender_receivers_cache.clear()
    return removed


def move_last_to_front(signal):
    """Make the most recently connected receiver of ``signal`` the first one called."""
    with signal.lock:
        signal.receivers.insert(0, signal.receivers.pop())
        signal.sender_receivers_cache.clear()


def check_layout():
    """
    Connect a receiver to a private signal and read it back; LayoutError if
    the layout is not one this module knows. Returns the layout's name.
    """
    probe = Signal()

    def receiver(**kwargs):
        return None

    probe.connect(receiver, sender=Signal)
    raw = probe.receivers[0]
    entry = _parse(raw)
    if entry.receiver is not receiver or entry.sender_key != id(Signal):
        raise LayoutError(
            f"Django {django.get_version()} stores receivers as {raw!r}: the kit cannot "
            "find the receiver and its sender in it. Update signals_lab/runtime/dispatch.py."
        )
    probe.disconnect(receiver, sender=Signal)
    return _LAYOUTS[len(raw)]
