"""
Exercise checks (imported by kernels): the kit's scenarios, run against the
learner's live code.

* ``catalogue``: the exercises (``exercises.toml``: title, story, goal, hints).
* ``context``: what a check sees (``Context``) and how it says "not yet" (``NotYet``).
* ``runner``: ``check()``, ``hint()``, ``describe()``; the sandbox around a check.
* ``progress``: the progress file; ``report``: the overview built from it.
* ``scenarios``: helpers the exercise modules share; ``exNN``: one module per exercise.

May import ``signals_lab.layout`` and ``signals_lab.runtime``; never ``signals_lab.tools``.
"""

import importlib

# Imported on first use (PEP 562): the learner's CLI reads the catalogue and
# the progress file without loading the checks' Django machinery.
_PUBLIC = {
    "Exercise": ".catalogue",
    "exercises": ".catalogue",
    "find": ".catalogue",
    "Context": ".context",
    "NotYet": ".context",
    "check": ".runner",
    "describe": ".runner",
    "hint": ".runner",
    "run_check": ".runner",
}

__all__ = list(_PUBLIC)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_PUBLIC})
