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

The scenarios run in a daemon worker thread, the way a server runs code:
Django's async-safety check is on there (``boot()`` switches it off for
notebook cells only), and the check waits at most :func:`time_limit` seconds
(30 by default, an exercise module's ``TIME_LIMIT``, or
``$SIGNALS_LAB_CHECK_LIMIT``). Code that does not return by then is stopped
with an exception raised in its thread; code that cannot be stopped (blocked
in ``time.sleep()`` ...) is left behind, the data is not restored (the thread
may hold the database), and the verdict, like every later check in that
kernel, says to restart the kernel. The learner CLI waits longer than any
check (``signals_lab.tools.cli.CELL_TIMEOUT``), so the check's own one-line
verdict is what the learner reads.

Each exercise module in this package defines ``check(ctx)``, which raises
:class:`NotYet` for the first unmet expectation. Results go to the progress
file (see :mod:`signals_lab.checks.progress`).
"""

import contextlib
import ctypes
import importlib
import os
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass

from ..runtime.errors import LabError
from . import progress
from .catalogue import find
from .context import Context, NotYet, learner_frames

__all__ = ["Result", "run_check", "check", "hint", "describe", "time_limit", "DEFAULT_LIMIT"]

# Every check stops waiting for the learner's code after its time limit (an
# exercise module may set TIME_LIMIT; SIGNALS_LAB_CHECK_LIMIT overrides all of
# them, for tests). The learner CLI waits longer for a whole cell
# (signals_lab.tools.cli.CELL_TIMEOUT), so the check's own verdict shows there.
DEFAULT_LIMIT = 30
LIMIT_VARIABLE = "SIGNALS_LAB_CHECK_LIMIT"
# How long a check waits for the learner's code to stop once asked to.
GRACE = 2
# Worker threads get a roomy C stack: a RecursionError must come from Python's
# limit, never from the thread's stack.
STACK_SIZE = 64 * 1024 * 1024
# The switch boot() sets for notebook cells; a check runs the learner's code
# without it, the way a server would.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

_stuck = []  # worker threads of earlier checks that never stopped


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


def _describe_learner_error(error):
    """One line for an exception from the learner's code; None if it came from the kit."""
    learner = learner_frames(error)
    if not learner:
        return None
    where = learner[-1]
    return (
        f"Your code raised {type(error).__name__}: {error} "
        f"(in `{where.name}`, line {where.lineno} of its cell)."
    )


M2M_CALL = re.compile(r"\.\w+\.(add|remove|set|clear)\(")  # instance.tags.add(...)
SAVE_CALL = re.compile(r"\.(save|create|update_or_create|get_or_create)\(")


def _recursion_message(error):
    """One sentence for a RecursionError, naming the learner's line that keeps it going."""
    frames = learner_frames(error)
    if not frames:
        return (
            "Your receiver ended in RecursionError: it triggers the signal it listens to "
            "again, endlessly."
        )
    (name, lineno, line), _count = Counter(
        (f.name, f.lineno, (f.line or "").strip()) for f in frames
    ).most_common(1)[0]
    where = f"`{name}` ended in RecursionError: its line {lineno} (`{line}`)"
    if M2M_CALL.search(line):
        return (
            f"{where} changes the many-to-many relation it listens to, which sends "
            "m2m_changed again, endlessly. Never change the relation inside its own receiver: "
            "recount and write the number with `QuerySet.update()`, which sends no signal."
        )
    if SAVE_CALL.search(line):
        return (
            f"{where} saves the instance again, which sends the same signal again, endlessly. "
            "Write the column with QuerySet.update() (no signals) or change the instance in "
            "pre_save instead."
        )
    return f"{where} sends the signal it listens to again, endlessly."


@contextlib.contextmanager
def _sandbox():
    """Snapshot the database and the outbox; put both back afterwards (see _Stuck)."""
    from django.core import mail

    from ..runtime.boot import booted, reset, restore, snapshot

    if not booted():
        raise LabError("Run the first cell (`lab = boot()`) before checking an exercise.")
    outbox = list(getattr(mail, "outbox", []))
    saved = snapshot()
    stuck = False
    try:
        reset()
        yield
    except _Stuck:
        # The learner's code still runs in a thread that may hold the database
        # locked: restoring now could wait forever. The verdict says to restart.
        stuck = True
        raise
    finally:
        if stuck:
            saved.close()
        else:
            restore(saved)
        mail.outbox = outbox


class _Abandon(BaseException):
    """Raised inside the learner's code when the check stops waiting for it."""


class _Stuck(Exception):
    """The learner's code did not stop when asked: its thread is left behind."""


class _TimedOut(Exception):
    """The learner's code did not return within the limit, and was stopped."""


def time_limit(module=None):
    """The time limit in seconds of a check (``module``'s TIME_LIMIT, or the default)."""
    override = os.environ.get(LIMIT_VARIABLE)
    if override:
        with contextlib.suppress(ValueError):
            return max(1.0, float(override))
    return getattr(module, "TIME_LIMIT", DEFAULT_LIMIT)


def _interrupt(thread):
    """Ask ``thread`` to stop by raising _Abandon in it; True once it has stopped."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(_Abandon)
    )
    thread.join(GRACE)
    return not thread.is_alive()


def _in_worker(function, ctx, limit):
    """
    Run ``function(ctx)`` in a daemon thread with no DJANGO_ALLOW_ASYNC_UNSAFE
    (as a server runs code); return its result or raise its exception. After
    ``limit`` seconds raise _TimedOut if the code could be stopped, _Stuck if
    not (a daemon thread never keeps the kernel from exiting).
    """
    from django.db import connections

    box = {}

    def target():
        try:
            box["value"] = function(ctx)
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            box["error"] = error
        finally:
            with contextlib.suppress(Exception):
                connections.close_all()

    with _as_a_server_runs():
        before = threading.stack_size()
        with contextlib.suppress(ValueError, RuntimeError):
            threading.stack_size(STACK_SIZE)
        try:
            thread = threading.Thread(target=target, name="signals-lab-check", daemon=True)
            thread.start()
        finally:
            with contextlib.suppress(ValueError, RuntimeError):
                threading.stack_size(before)
        _wait(thread, limit)
    if "error" in box:
        error = box["error"]
        if isinstance(error, _Abandon):
            raise _TimedOut
        raise error
    return box.get("value")


@contextlib.contextmanager
def _as_a_server_runs():
    """
    Switch Django's async-safety check back on for the block: boot() turns it
    off for notebook cells (DJANGO_ALLOW_ASYNC_UNSAFE, or a view of os.environ
    given to django.utils.asyncio), but a server never does.
    """
    import django.utils.asyncio as django_asyncio

    module_os = getattr(django_asyncio, "os", None)
    unsafe = os.environ.pop(ASYNC_UNSAFE, None)
    if module_os is not None:
        django_asyncio.os = os
    try:
        yield
    finally:
        if module_os is not None:
            django_asyncio.os = module_os
        if unsafe is not None:
            os.environ[ASYNC_UNSAFE] = unsafe


def _wait(thread, limit):
    """Wait for the check's thread; _TimedOut or _Stuck after ``limit`` seconds."""
    try:
        thread.join(limit)
        if thread.is_alive():
            if _interrupt(thread):
                raise _TimedOut
            _stuck.append(thread)
            raise _Stuck
    except KeyboardInterrupt:
        if not _interrupt(thread):
            _stuck.append(thread)
        raise


def _seconds(limit):
    return f"{limit:g} s"


def run_check(name, namespace=None, *, record_progress=True, limit=None):
    """
    Run exercise ``name``'s check against ``namespace`` (default: the
    notebook's), in a worker thread, for at most ``limit`` seconds (default:
    :func:`time_limit`). Returns a :class:`Result`; never raises for the
    learner's mistakes, only LabError for a wrong exercise name or a kernel
    not booted.
    """
    exercise = find(name)
    module = importlib.import_module(f"signals_lab.checks.ex{exercise.number}")
    limit = time_limit(module) if limit is None else limit

    def not_yet(text):
        return Result(exercise.name, False, f"✗ {exercise.name}: not yet. {text}")

    if any(thread.is_alive() for thread in _stuck):
        result = not_yet(
            "Code of yours from an earlier check is still running in this kernel (it did not "
            "return in time and could not be stopped): restart the kernel (Kernel → Restart "
            "Kernel), run the cells again, then check."
        )
        return _recorded(result, record_progress)
    ctx = Context(_learner_namespace() if namespace is None else namespace, limit=limit)
    recursion_limit = sys.getrecursionlimit()
    started = time.monotonic()
    try:
        with _sandbox():
            _in_worker(module.check, ctx, limit)
    except NotYet as unmet:
        result = not_yet(str(unmet))
    except _TimedOut:
        result = not_yet(
            f"Your receiver did not return within {_seconds(limit)}, so the check stopped it: "
            "look for a loop or a wait that never ends."
        )
    except _Stuck:
        result = not_yet(
            f"Your receiver did not return within {_seconds(limit)} and cannot be stopped (it "
            "waits inside a call such as time.sleep()): restart the kernel (Kernel → Restart "
            "Kernel) before you check again."
        )
    except KeyboardInterrupt:
        waited = time.monotonic() - started
        result = not_yet(f"You interrupted the check after {waited:.0f} s.")
    except RecursionError as error:
        result = not_yet(_recursion_message(error))
    except LabError:
        raise
    except Exception as error:  # the learner's code raised (or a kit bug: say which)
        line = _describe_learner_error(error)
        if line is None:
            line = (
                f"The checker itself failed with {type(error).__name__}: {error}. "
                "This is a bug in the kit, not in your code: please report it."
            )
        result = not_yet(line)
    else:
        result = Result(exercise.name, True, f"✓ {exercise.name}: {module.PASS}")
    finally:
        sys.setrecursionlimit(recursion_limit)
    return _recorded(result, record_progress)


def _recorded(result, record_progress):
    if record_progress:
        try:
            progress.record(result.exercise, result.passed, result.message)
        except progress.ProgressError as error:
            result.note = str(error)
    return result


# Per exercise, the cell run (its request's id) whose strict check passed; see check().
_passed_strictly = {}


def _cell_run():
    """The id of the Jupyter request running this cell; None outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the kit
        return None
    kernel = getattr(get_ipython(), "kernel", None)
    try:
        return kernel.get_parent("shell")["header"]["msg_id"]
    except (AttributeError, KeyError, TypeError):
        return None


def check(name, *, strict=False):
    """
    Check an exercise in the notebook: print the result in one line.

    ``strict=True`` (for graders such as nbgrader) also raises
    ``AssertionError`` carrying that line when the answer is not right yet, so
    the cell fails and an autograder scores it 0.

    nbgrader grades with a hidden strict check in front of the student's own
    ``lab.check()``, in one cell (see :mod:`signals_lab.tools.course`). When the
    strict one passed, the plain one right after it in the same cell says
    nothing more: its verdict is already printed, and the scenarios do not
    run a second time. Any other call runs the check.
    """
    exercise = find(name)
    cell = _cell_run()
    earlier = _passed_strictly.pop(exercise.name, None)
    if not strict and cell is not None and earlier == cell:
        return
    result = run_check(name)
    print(result.message)
    if result.note:
        print(result.note)
    if result.passed:
        if strict and cell is not None:
            _passed_strictly[exercise.name] = cell
    else:
        if strict:
            raise AssertionError(result.message)
        print(f"  Stuck? lab.hint({exercise.name!r}) shows a hint.")


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
