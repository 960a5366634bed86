"""
The Signals Lab toolkit: ``lab`` in every notebook.

    from tutorial_project.lab import boot
    lab = boot()                      # Django ready in this kernel

    with lab.record() as rec:         # see every signal sent in the block
        ...
    rec                               # a table; rec.diagram() draws it

    @lab.receiver(post_save, sender=Book)   # like @receiver, but re-run safe
    def on_book_saved(sender, instance, created, **kwargs): ...

    lab.reset()                       # fresh data, empty mail.outbox

Everything here is importable before ``boot()``; nothing touches Django until
it is called.
"""

from .boot import boot, booted, reset
from .checks import check, hint
from .checks import describe as exercise
from .errors import LabError
from .listeners import listeners
from .progress_view import show as progress
from .receivers import connected, connected_receivers, forget, receiver
from .recorder import Event, Recording, record
from .teaching import predict, source

__all__ = [
    "boot",
    "booted",
    "reset",
    "LabError",
    "check",
    "exercise",
    "hint",
    "progress",
    "listeners",
    "receiver",
    "connected",
    "forget",
    "connected_receivers",
    "record",
    "Recording",
    "Event",
    "predict",
    "source",
]
