"""
Django Signals Lab, the kit: ``lab`` in every notebook.

    from signals_lab import boot
    lab = boot()                      # Django ready in this kernel

    with lab.record() as rec:         # see every signal sent in the block
        ...
    rec                               # a table; rec.diagram() draws it

    @lab.receiver(post_save, sender=Book)   # like @receiver, but re-run safe
    def on_book_saved(sender, instance, created, **kwargs): ...

    lab.reset()                       # fresh data, empty mail.outbox

Everything here is importable before ``boot()``; nothing reads Django's
settings until it is called.

The kit lives beside the Django project it teaches (``tutorial_project/``),
in three parts, and the import rules between them are checked by a test:

* ``layout``: every path (imports nothing of the kit);
* ``runtime/``: what a kernel runs (boot, recorder, receivers, ...);
* ``checks/``: the exercise checks and progress (imports ``runtime``);
* ``tools/``: terminal and maintainer tools; no kernel imports them.
"""

from .checks import check, hint
from .checks import describe as exercise
from .checks.report import show as progress
from .runtime import demos  # noqa: F401 - lab.demos: the lessons' small test benches
from .runtime.boot import boot, booted, reset
from .runtime.errors import LabError
from .runtime.listeners import listeners
from .runtime.receivers import connected, connected_receivers, forget, receiver
from .runtime.recorder import Event, Recording, record
from .runtime.teaching import predict, source

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
