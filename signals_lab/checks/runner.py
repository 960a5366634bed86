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
file (see :mod:`signals_lab.checks.progress`).
"""

import contextlib
import importlib
import sys
import traceback
from dataclasses import dataclass

from ..runtime.errors import LabError
from . import progress
from .catalogue import find
from .context import Context, NotYet

__all__ = ["Result", "run_check", "check", "hint", "describe"]


@dataclass
class Result:
    exercise: str
    passed: bool
    message: str
    note: str = ""

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

    from ..runtime.boot import booted, reset, restore, snapshot

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
    module = importlib.import_module(f"signals_lab.checks.ex{exercise.number}")
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
        try:
            progress.record(exercise.name, result.passed, result.message)
        except progress.ProgressError as error:
            result.note = str(error)
    return result


def check(name, *, strict=False):
    """
    Check an exercise in the notebook: print the result in one line.

    ``strict=True`` (for graders such as nbgrader) also raises
    ``AssertionError`` carrying that line when the answer is not right yet, so
    the cell fails and an autograder scores it 0.
    """
    result = run_check(name)
    print(result.message)
    if result.note:
        print(result.note)
    if not result.passed:
        if strict:
            raise AssertionError(result.message)
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
    exercise = find(name)
    hints = exercise.hints
    if level is None:
        level = min(progress.next_hint_level(exercise.name), len(hints))
    if not 1 <= level <= len(hints):
        raise LabError(f"{exercise.name} has hints 1 to {len(hints)}.")
    try:
        progress.saw_hint(exercise.name, level)
    except progress.ProgressError as error:
        note = str(error)
    else:
        note = ""
    print(f"Hint {level}/{len(hints)} for {exercise.name}: {hints[level - 1]}")
    if level == len(hints):
        print("  That was the last hint; the solution is in solutions/ if you need it.")
    if note:
        print(note)
