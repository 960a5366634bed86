"""
Clear, one-sentence errors for learners.

``LabError`` is what the kit raises when the learner can fix something (run
``boot()`` first, create a migration, pick an existing exercise ...). Inside a
Jupyter kernel, :func:`install_error_handler` makes IPython print it as one
line, ``LabError: <what to do>``, instead of a traceback through the kit.
"""

import sys


class LabError(Exception):
    """Something the learner can fix; the message says what to do."""


NOT_BOOTED = (
    "Django is not set up in this kernel yet: run the notebook's first cell "
    "(`from signals_lab import boot; lab = boot()`), then this cell again."
)

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
    elif issubclass(etype, (AppRegistryNotReady, ImproperlyConfigured)) and not apps.ready:
        _one_line(shell, LabError(NOT_BOOTED))
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def _one_line(shell, error):
    # The error still reaches Jupyter as an error (the cell fails, "Run all"
    # stops, nbval sees ename/evalue), but its traceback is this one line.
    shell._showtraceback(type(error), error, [f"{type(error).__name__}: {error}"])


def install_error_handler():
    """In an IPython kernel, show LabError (and "not booted yet") as one line."""
    global _installed
    shell = _ipython()
    if shell is None or _installed:
        return
    from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured

    shell.set_custom_exc((LabError, AppRegistryNotReady, ImproperlyConfigured), _handler)
    _installed = True


def load_ipython_extension(shell):
    """
    ``%load_ext signals_lab.runtime.errors``: the one-line errors from the very
    first cell, even one run before ``boot()``. ``make install`` loads it in
    every kernel of the kit's environment (see ``signals_lab.tools.kernel``).
    """
    install_error_handler()
