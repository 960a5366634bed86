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

from .catalogue import Exercise, exercises, find
from .context import Context, NotYet
from .runner import check, describe, hint, run_check

__all__ = [
    "Exercise",
    "exercises",
    "find",
    "Context",
    "NotYet",
    "check",
    "describe",
    "hint",
    "run_check",
]
