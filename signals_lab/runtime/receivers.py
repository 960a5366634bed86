"""
Re-run-safe receivers for notebooks.

Re-running a notebook cell that connects a receiver is everyday life in
Jupyter, and plain Django makes it treacherous (Django 5.2, DEBUG=True):

* ``signal.connect(f)`` again after editing ``f`` adds the new ``f`` *and* keeps
  the old one alive (an ``lru_cache`` in DEBUG mode holds it), so both fire;
* ``signal.connect(f, dispatch_uid="x")`` again silently keeps the *first*
  version: your edit is ignored.

``@lab.receiver(...)`` takes the same arguments as ``django.dispatch.receiver``
and replaces every earlier version of the same function (same name in the same
module) on every signal and sender it was connected to, so a cell run three
times leaves exactly the latest version, connected where the latest cell says,
even after an edit from ``pre_save`` to ``post_save``. Several decorators
stacked on one function (one cell run) stay several connections.
In a project's ``signals.py`` use Django's own ``@receiver``: modules are
imported once, so the problem does not arise there.
"""

import contextlib
import itertools

from django.dispatch import Signal

from . import dispatch
from .errors import LabError

__all__ = ["receiver", "connected", "forget", "connected_receivers"]

# uid -> [(signal, sender, function), ...]: every connection made under that
# uid. A dict keyed by uid, so connecting costs the same with 10,000 receivers.
_registry = {}
_counter = itertools.count(1)


def _signals(signal):
    signals = list(signal) if isinstance(signal, list | tuple) else [signal]
    for s in signals:
        if not isinstance(s, Signal):
            raise LabError(
                f"{s!r} is not a signal: pass one from django.db.models.signals, "
                "django.core.signals, ... or a django.dispatch.Signal() of your own."
            )
    return signals


def _sender_key(sender):
    return sender.lower() if isinstance(sender, str) else id(sender)


def _connect(signal, func, sender, uid):
    try:
        signal.connect(func, sender=sender, weak=False, dispatch_uid=uid)
    except (ValueError, TypeError) as exc:
        name = getattr(func, "__qualname__", repr(func))
        raise LabError(f"Django refused to connect {name}: {exc}") from None


def receiver(signal, *, sender=None, uid=None):
    """
    Connect the decorated function to ``signal`` (or a list of signals).

    Every earlier version of the function connected by this decorator under
    the same ``uid`` (default: the function's module and qualified name) is
    disconnected first, from every signal and sender: re-running a cell
    replaces its receiver, wherever the earlier run connected it. The same
    function object decorated several times (stacked decorators) keeps every
    connection; the same signal and sender twice is connected once.

    Receivers are held strongly (``weak=False``), so they stay connected until
    :func:`forget` disconnects them. Returns the function unchanged.
    """
    signals = _signals(signal)

    def decorator(func):
        if not callable(func):
            raise LabError(f"{func!r} is not callable, so it cannot be a receiver.")
        key = uid or f"lab:{func.__module__}.{func.__qualname__}"
        kept = []
        for old_signal, old_sender, old_func in _registry.get(key, ()):
            same_place = old_signal in signals and _same_sender(old_sender, sender)
            if old_func is not func or same_place:
                # An earlier version (the cell ran again), or this very
                # connection again: disconnect, whatever signal it was on.
                old_signal.disconnect(sender=old_sender, dispatch_uid=key)
            else:
                kept.append((old_signal, old_sender, old_func))
        _registry[key] = kept
        for s in signals:
            _connect(s, func, sender, key)
            kept.append((s, sender, func))
        return func

    return decorator


def _same_sender(a, b):
    return _sender_key(a) == _sender_key(b)


@contextlib.contextmanager
def connected(signal, func, *, sender=None):
    """
    Connect ``func`` to ``signal`` for the duration of a ``with`` block only.

    The receiver is disconnected on the way out, even when the block raises,
    so nothing is left behind for the next cell.
    """
    signals = _signals(signal)
    key = f"lab:connected:{next(_counter)}"
    done = []
    try:
        for s in signals:
            _connect(s, func, sender, key)
            done.append(s)
        yield func
    finally:
        for s in done:
            s.disconnect(sender=sender, dispatch_uid=key)


def forget(func=None, *, signal=None, name=None):
    """
    Disconnect receivers connected with :func:`receiver`: all of them, or
    only ``func``. Returns how many connections were removed.

    ``forget(signal=post_save, name="f")`` instead removes *every* receiver
    of ``signal`` whose function is called ``f``, however it was connected:
    the way out when plain ``connect()`` calls in re-run cells stacked copies.
    """
    if name is not None:
        if signal is None:
            raise LabError(
                "forget(name=...) needs the signal too: forget(signal=post_save, name=...)."
            )
        return _forget_by_name(_signals(signal)[0], name)
    removed = 0
    for key, entries in list(_registry.items()):
        kept = []
        for signal, sender, f in entries:
            if (
                func is None
                or f is func
                or getattr(f, "__qualname__", None) == getattr(func, "__qualname__", object())
            ):
                signal.disconnect(sender=sender, dispatch_uid=key)
                removed += 1
            else:
                kept.append((signal, sender, f))
        if kept:
            _registry[key] = kept
        else:
            del _registry[key]
    return removed


def _forget_by_name(signal, name):
    removed = dispatch.remove(signal, lambda target: getattr(target, "__name__", None) == name)
    for key, entries in list(_registry.items()):
        kept = [
            (s, sender, func)
            for s, sender, func in entries
            if not (s is signal and getattr(func, "__name__", None) == name)
        ]
        if kept:
            _registry[key] = kept
        else:
            del _registry[key]
    return removed


def connected_receivers():
    """The receivers connected with :func:`receiver`, as ``(signal name, function name)``."""
    from .recorder import signal_name

    return sorted(
        (signal_name(signal), getattr(func, "__qualname__", repr(func)))
        for entries in _registry.values()
        for signal, _sender, func in entries
    )
