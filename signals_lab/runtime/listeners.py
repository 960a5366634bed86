"""
"Who is listening?": every receiver connected to every signal, right now.

django-extensions' ``manage.py list_signals`` lists the model signals only;
:func:`listeners` covers every ``Signal`` instance in the process: built-in
(request, auth, management, test, database, autoreload), model, and custom.
"""

import gc

from django.dispatch import Signal

from .dispatch import NONE_ID, live_entries
from .recorder import describe_receiver, sender_label, signal_name

__all__ = ["listeners", "Listeners"]


def _all_signals():
    return [obj for obj in gc.get_objects() if isinstance(obj, Signal)]


def _resolve_sender(signal, sender_key):
    """Find the object whose id() is the receiver's sender key (None for any sender)."""
    from django.apps import apps

    if sender_key == NONE_ID:
        return "(any sender)"
    if apps.ready:
        for model in apps.get_models(include_auto_created=True):
            if id(model) == sender_key:
                return sender_label(model)
        for config in apps.get_app_configs():
            if id(config) == sender_key:
                return f"app {config.label}"
    return "(one specific sender)"


class Listeners(list):
    """Rows of ``(signal, sender, receiver)``; shown as a table in a cell."""

    def table(self):
        if not self:
            return "(no receivers connected)"
        widths = [max(len(row[i]) for row in self) for i in range(2)]
        widths = [max(w, len(h)) for w, h in zip(widths, ("signal", "sender"), strict=True)]
        lines = [f"{'signal':<{widths[0]}}  {'sender':<{widths[1]}}  receiver"]
        lines += [f"{s:<{widths[0]}}  {d:<{widths[1]}}  {r}" for s, d, r in self]
        return "\n".join(lines)

    def __repr__(self):
        return self.table()

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.table())


def listeners(signal=None, *, include_django=True):
    """
    Every live receiver of ``signal`` (a Signal or its name), or of every
    signal when ``signal`` is None, sorted by signal name then connection
    order. ``include_django=False`` leaves out receivers defined in Django
    itself (``django.*``), keeping your project's and the notebook's.
    """
    if isinstance(signal, Signal):
        signals = [signal]
    else:
        signals = [s for s in _all_signals() if signal is None or signal_name(s) == signal]
    rows = []
    for s in sorted(signals, key=signal_name):
        name = signal_name(s)
        for sender_key, target in live_entries(s):
            receiver = describe_receiver(target)
            if not include_django and receiver.startswith("django."):
                continue
            rows.append((name, _resolve_sender(s, sender_key), receiver))
    return Listeners(rows)
