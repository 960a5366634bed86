"""
Clear, short errors for learners.

``LabError`` is what the kit raises when the learner can fix something (run
``boot()`` first, create a migration, pick an existing exercise ...). Inside a
Jupyter kernel, :func:`install_error_handler` makes IPython print it as one
line, ``LabError: <what to do>``, instead of a traceback through the kit.

It also keeps very deep tracebacks short: an uncaught ``RecursionError`` (a
``save()`` inside a ``post_save`` receiver ...) or any error whose traceback
has hundreds of frames prints a few lines saying which calls repeated, how
often, and where it started, in milliseconds, instead of IPython's full
traceback (hundreds of kilobytes, tens of seconds). Every other error is shown
by IPython exactly as usual.
"""

import sys
from collections import Counter
from pathlib import Path

__all__ = ["LabError", "NOT_BOOTED", "install_error_handler", "short_traceback"]


class LabError(Exception):
    """Something the learner can fix; the message says what to do."""


NOT_BOOTED = (
    "Django is not set up in this kernel yet: run the notebook's first cell "
    "(`from signals_lab import boot; lab = boot()`), then this cell again."
)

# A traceback deeper than this is summarised rather than shown frame by frame
# (a Django request or save is a few dozen frames deep).
DEEP = 100

_installed = False


def _ipython():
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def _handler(shell, etype, value, tb, tb_offset=None):
    from django.apps import apps
    from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

    if issubclass(etype, LabError):
        _one_line(shell, value)
        return
    if issubclass(etype, (AppRegistryNotReady, ImproperlyConfigured)) and not apps.ready:
        _one_line(shell, LabError(NOT_BOOTED))
        return
    lines = short_traceback(etype, value, tb, shell=shell)
    if lines is not None:
        shell._showtraceback(etype, value, lines)
        return
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)


def _one_line(shell, error):
    # The error still reaches Jupyter as an error (the cell fails, "Run all"
    # stops, nbval sees ename/evalue), but its traceback is this one line.
    shell._showtraceback(type(error), error, [f"{type(error).__name__}: {error}"])


# --------------------------------------------------------------------------
# Deep tracebacks
# --------------------------------------------------------------------------


def _frames(tb):
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        frames.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return frames


def _where(frame, shell):
    filename, lineno, name = frame
    label = None
    compiler = getattr(shell, "compile", None)
    if compiler is not None and hasattr(compiler, "format_code_name"):
        named = compiler.format_code_name(filename)
        if named is not None:
            label = " ".join(named)
    if label is None:
        label = filename
        for marker in ("site-packages/", "dist-packages/"):
            if marker in filename:
                label = filename.split(marker, 1)[1]
                break
        else:
            from ..layout import ROOT

            try:
                label = str(Path(filename).relative_to(ROOT))
            except ValueError:
                pass
    return f"{label}, line {lineno}, in {name}"


def _in_a_cell(frame, shell):
    compiler = getattr(shell, "compile", None)
    if compiler is not None and hasattr(compiler, "format_code_name"):
        return compiler.format_code_name(frame[0]) is not None
    return False


def _in_a_library(frame):
    filename = frame[0]
    return "-packages" in filename or filename.startswith("<frozen")


def _skip_ipython(frames):
    """Drop IPython's own frames at the top (``run_code``), as IPython does."""
    i = 0
    while i < len(frames) - 1 and "/IPython/" in frames[i][0]:
        i += 1
    return frames[i:]


def short_traceback(etype, value, tb, shell=None):
    """
    A few lines for a traceback too deep to read, or None for a normal one.

    For a recursion: the calls that repeat (one cycle, starting at the
    learner's own code when it is in the cycle), how many times, and the
    first frame, where it started. Otherwise: the first and last frames.
    """
    frames = _skip_ipython(_frames(tb))
    deep = len(frames) > DEEP or (issubclass(etype, RecursionError) and len(frames) > 20)
    if not deep:
        return None
    header = f"{etype.__name__}: {value}"
    counts = Counter(frames)
    frame, times = counts.most_common(1)[0]
    lines = []
    if times >= 3:
        positions = [i for i, f in enumerate(frames) if f == frame]
        cycle = frames[positions[-2] : positions[-1]]
        starts = [i for i, f in enumerate(cycle) if _in_a_cell(f, shell)]
        starts = starts or [i for i, f in enumerate(cycle) if not _in_a_library(f)]
        if starts:
            cycle = cycle[starts[0] :] + cycle[: starts[0]]
        calls = "this call" if len(cycle) == 1 else f"these {len(cycle)} calls"
        lines.append(
            f"{etype.__name__}: {calls} repeated {times:,} times "
            f"({len(frames):,} frames deep; the full traceback is not shown):"
        )
        lines += [f"  {_where(f, shell)}" for f in cycle]
        lines.append(f"It started at {_where(frames[0], shell)}.")
    else:
        lines.append(
            f"{etype.__name__}: a traceback {len(frames):,} frames deep; the first and last frames:"
        )
        lines += [f"  {_where(f, shell)}" for f in frames[:3]]
        lines.append(f"  … {len(frames) - 8:,} frames not shown …")
        lines += [f"  {_where(f, shell)}" for f in frames[-5:]]
    lines.append(header)
    return lines


def install_error_handler():
    """
    In an IPython kernel, show LabError (and "not booted yet") as one line
    and a very deep traceback as a few lines; other errors as usual.
    """
    global _installed
    shell = _ipython()
    if shell is None or _installed:
        return
    shell.set_custom_exc((Exception,), _handler)
    _short_stored_tracebacks(shell)
    _installed = True


def _short_stored_tracebacks(shell):
    """
    IPython 9 also formats every error's full traceback to store it in the
    history (``_format_exception_for_storage``, seconds for a recursion):
    store the short one instead when there is one.
    """
    original = getattr(shell, "_format_exception_for_storage", None)
    if original is None:
        return

    def storage(exception, *args, **kwargs):
        lines = short_traceback(type(exception), exception, exception.__traceback__, shell=shell)
        if lines is None:
            return original(exception, *args, **kwargs)
        return {"ename": type(exception).__name__, "evalue": str(exception), "traceback": lines}

    shell._format_exception_for_storage = storage


def load_ipython_extension(shell):
    """
    ``%load_ext signals_lab.runtime.errors``: the one-line errors from the very
    first cell, even one run before ``boot()``. ``make install`` loads it in
    every kernel of the kit's environment (see ``signals_lab.tools.kernel``).
    """
    install_error_handler()
