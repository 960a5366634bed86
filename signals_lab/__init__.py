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

import importlib

# Where each public name lives. They are imported on first use (PEP 562), so
# `import signals_lab.tools.cli` or a kernel's start-up loads no Django until a
# name that needs it is used: `from signals_lab import boot` loads the runtime.
_PUBLIC = {
    "boot": ".runtime.boot",
    "booted": ".runtime.boot",
    "reset": ".runtime.boot",
    "LabError": ".runtime.errors",
    "check": ".checks.runner",
    "exercise": (".checks.runner", "describe"),
    "hint": ".checks.runner",
    "progress": (".checks.report", "show"),
    "demos": (".runtime.demos", None),  # lab.demos: the lessons' small test benches
    "listeners": ".runtime.listeners",
    "receiver": ".runtime.receivers",
    "connected": ".runtime.receivers",
    "forget": ".runtime.receivers",
    "connected_receivers": ".runtime.receivers",
    "record": ".runtime.recorder",
    "Recording": ".runtime.recorder",
    "Event": ".runtime.recorder",
    "predict": ".runtime.teaching",
    "source": ".runtime.teaching",
}

__all__ = [name for name in _PUBLIC if name != "demos"]


def __getattr__(name):
    where = _PUBLIC.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = (where, name) if isinstance(where, str) else where
    value = importlib.import_module(module, __name__)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_PUBLIC})
