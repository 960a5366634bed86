"""
Exercise checks: run the kit's scenarios against the learner's live code.

    lab.check("01_welcome_email")     # in the exercise notebook
    lab.hint("01_welcome_email")      # the next hint, one level at a time
    lab.progress()                    # all exercises: done / not yet / not started

A check finds the learner's functions in the notebook's namespace, runs real
scenarios on the real project (create, update, fixture load with raw=True,
rollback, a request through the test client ...) and prints either a pass or
the first unmet expectation in one sentence. The learner's data is safe: the
database and ``mail.outbox`` are snapshotted before the scenarios and put
back afterwards. An exception raised by the learner's code is reported in one
line that points at the learner's cell; the kit's own traceback is never shown.

Each exercise module in this package defines ``check(ctx)``, which raises
:class:`NotYet` for the first unmet expectation. Results go to the progress
file (see :mod:`tutorial_project.lab.state`).
"""

import contextlib
import importlib
import sys
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LabError
from ..listeners import live_entries

__all__ = ["NotYet", "Context", "check", "hint", "describe", "exercises", "Exercise", "run_check"]

CATALOGUE = Path(__file__).resolve().parent.parent / "exercises.toml"


class NotYet(Exception):
    """An unmet expectation; the message is one sentence for the learner."""


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    lesson: str
    story: str
    goal: str
    hints: list = field(default_factory=list)

    @property
    def number(self):
        return self.name.split("_", 1)[0]


def exercises():
    """All exercises, in order, from ``exercises.toml``."""
    with CATALOGUE.open("rb") as handle:
        data = tomllib.load(handle)
    return [Exercise(**entry) for entry in data["exercises"]]


def find(name):
    """The exercise called ``name`` (or its number, ``"03"``); LabError if none."""
    name = str(name).strip()
    for exercise in exercises():
        if name in (exercise.name, exercise.number, exercise.number.lstrip("0")):
            return exercise
    known = ", ".join(e.name for e in exercises())
    raise LabError(f"There is no exercise {name!r}. The exercises are: {known}.")


# --------------------------------------------------------------------------
# The context a check works with
# --------------------------------------------------------------------------


class Context:
    """What a check sees: the learner's namespace and a few helpers."""

    def __init__(self, namespace):
        self.namespace = namespace

    def function(self, name, *, what="function"):
        """The learner's ``name``; NotYet if it is missing or not callable."""
        value = self.namespace.get(name)
        if value is None:
            raise NotYet(f"There is no {what} called `{name}` yet: define it in the exercise cell.")
        if not callable(value):
            raise NotYet(f"`{name}` should be a {what}, but it is a {type(value).__name__}.")
        return value

    def receiver(self, name):
        """The learner's receiver ``name``; NotYet unless it accepts ``**kwargs``."""
        import inspect

        func = self.function(name)
        try:
            parameters = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):
            return func
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            raise NotYet(
                f"`{name}` must accept `**kwargs`: Django calls every receiver with "
                "signal=, sender= and the signal's own arguments (and may add more)."
            )
        return func

    def value(self, name, kind=None):
        value = self.namespace.get(name)
        if value is None:
            raise NotYet(f"There is no `{name}` yet: define it in the exercise cell.")
        if kind is not None and not isinstance(value, kind):
            raise NotYet(
                f"`{name}` should be a {kind.__name__}, but it is a {type(value).__name__}."
            )
        return value

    def connections(self, signal, func):
        """How many times ``func`` (or a function with its name) is connected to ``signal``."""
        name, module = getattr(func, "__name__", None), getattr(func, "__module__", None)
        return sum(
            1
            for _sender, target in live_entries(signal)
            if target is func
            or (
                getattr(target, "__name__", None) == name
                and getattr(target, "__module__", None) == module
            )
        )

    def senders(self, signal, func):
        """The sender ids ``func`` (matched by name) is connected with on ``signal``."""
        return [
            sender
            for sender, target in live_entries(signal)
            if getattr(target, "__name__", None) == func.__name__
        ]

    def connected_to_any_sender(self, signal, func):
        """True if ``func`` (or a function with its name) is connected with no sender."""
        return id(None) in self.senders(signal, func)

    def expect_connected(self, signal, func, signal_label, *, senders=1):
        """NotYet unless ``func`` is connected to ``signal`` exactly ``senders`` times."""
        count = self.connections(signal, func)
        name = func.__name__
        if count == 0:
            raise NotYet(
                f"`{name}` is not connected to {signal_label}: decorate it with "
                f"`@lab.receiver({signal_label}, ...)` and run its cell."
            )
        if count > senders:
            raise NotYet(
                f"`{name}` is connected {count} times to {signal_label}, so it runs {count} times "
                "per event: the cell ran more than once with plain connect(). Use "
                "`@lab.receiver(...)`, or restart the kernel."
            )


# --------------------------------------------------------------------------
# Running a check
# --------------------------------------------------------------------------


@dataclass
class Result:
    exercise: str
    passed: bool
    message: str

    def __repr__(self):
        return self.message

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.message)


def _learner_namespace():
    if "IPython" in sys.modules:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    return vars(sys.modules["__main__"])


def _is_learner_frame(frame_summary):
    filename = frame_summary.filename
    return (
        "ipykernel_" in filename
        or filename.startswith("<ipython-input")
        or filename.startswith("<exercise")
        or filename == "<string>"
    )


def _describe_learner_error(error):
    """One line for an exception from the learner's code; None if it came from the kit."""
    frames = traceback.extract_tb(error.__traceback__)
    learner = [f for f in frames if _is_learner_frame(f)]
    if not learner:
        return None
    where = learner[-1]
    return (
        f"Your code raised {type(error).__name__}: {error} "
        f"(in `{where.name}`, line {where.lineno} of its cell)."
    )


@contextlib.contextmanager
def _sandbox():
    """Snapshot the database and the outbox; put both back afterwards."""
    from django.core import mail

    from ..boot import booted, reset, restore, snapshot

    if not booted():
        raise LabError("Run the first cell (`lab = boot()`) before checking an exercise.")
    outbox = list(getattr(mail, "outbox", []))
    saved = snapshot()
    try:
        reset()
        yield
    finally:
        restore(saved)
        mail.outbox = outbox


def run_check(name, namespace=None, *, record_progress=True):
    """
    Run exercise ``name``'s check against ``namespace`` (default: the
    notebook's). Returns a :class:`Result`; never raises for the learner's
    mistakes, only LabError for a wrong exercise name or a kernel not booted.
    """
    exercise = find(name)
    module = importlib.import_module(f"{__name__}.ex{exercise.number}")
    ctx = Context(_learner_namespace() if namespace is None else namespace)
    limit = sys.getrecursionlimit()
    try:
        with _sandbox():
            module.check(ctx)
    except NotYet as unmet:
        result = Result(exercise.name, False, f"✗ {exercise.name}: not yet. {unmet}")
    except RecursionError:
        result = Result(
            exercise.name,
            False,
            f"✗ {exercise.name}: not yet. Your receiver ended in RecursionError: it saves "
            "the instance again, which sends the same signal again, endlessly. Write the "
            "column with QuerySet.update() or change the instance in pre_save instead.",
        )
    except LabError:
        raise
    except Exception as error:  # the learner's code raised (or a kit bug: say which)
        line = _describe_learner_error(error)
        if line is None:
            line = (
                f"The checker itself failed with {type(error).__name__}: {error}. "
                "This is a bug in the kit, not in your code: please report it."
            )
        result = Result(exercise.name, False, f"✗ {exercise.name}: not yet. {line}")
    else:
        result = Result(exercise.name, True, f"✓ {exercise.name}: {module.PASS}")
    finally:
        sys.setrecursionlimit(limit)
    if record_progress:
        from .. import state as progress

        progress.record(exercise.name, result.passed, result.message)
    return result


def check(name):
    """Check an exercise in the notebook: print the result in one line."""
    result = run_check(name)
    print(result.message)
    if not result.passed:
        print(f"  Stuck? lab.hint({find(name).name!r}) shows a hint.")


def describe(name):
    """Print an exercise's title, story, goal and where to learn it (from exercises.toml)."""
    exercise = find(name)
    print(f"Exercise {exercise.name}: {exercise.title}")
    print(f"Story: {exercise.story}")
    print(f"Goal:  {exercise.goal}")
    print(f"Learn it in {exercise.lesson}. Check with lab.check({exercise.name!r}).")


def hint(name, level=None):
    """
    Print the next hint for exercise ``name`` (the first, then the second on
    the next call ...), or hint number ``level``. Hints never give the answer.
    """
    from .. import state as progress

    exercise = find(name)
    hints = exercise.hints
    if level is None:
        level = min(progress.next_hint_level(exercise.name), len(hints))
    if not 1 <= level <= len(hints):
        raise LabError(f"{exercise.name} has hints 1 to {len(hints)}.")
    progress.saw_hint(exercise.name, level)
    print(f"Hint {level}/{len(hints)} for {exercise.name}: {hints[level - 1]}")
