"""
Where everything lives: the one module that knows the kit's paths.

Every part of the kit (runtime, checks, tools), the tests and the benchmark
take their paths from here; nothing else computes a path from ``__file__``.
This module imports nothing from the kit, so anything may import it.

* ``ROOT``: the repository (the folder holding ``manage.py``).
* ``LESSONS``, ``SOLUTIONS``, ``EXERCISES``: the canonical notebooks, exactly as
  committed. Learners never edit them in place (see the workspace).
* ``CATALOGUE``: the exercises' titles, stories, goals and hints (one TOML).
* :func:`workspace_dir`: the learner's own folder: copies of the lessons and
  exercises that they edit, and the kit's state about them (``.lab/``).
  ``$SIGNALS_LAB_HOME``; else the workspace enclosing the current folder (a
  kernel runs in a notebook's folder); else ``workspace/`` in the checkout when
  it is this user's own and writable, else ``~/signals-lab`` (a shared or
  read-only install, e.g. JupyterHub).
* :func:`state_dir`: progress (``$SIGNALS_LAB_STATE_DIR``, default ``<workspace>/.lab``).
* :func:`cache_dir`: the migrated-database cache, shared by every kernel
  (``$SIGNALS_LAB_CACHE_DIR``, default ``<state>/cache``).
* :func:`kernels_dir`: each kernel's private database folder
  (``$SIGNALS_LAB_RUNTIME_DIR``, default RAM-backed ``/dev/shm``).
"""

import getpass
import os
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
LESSONS = ROOT / "notebooks"
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
CATALOGUE = PACKAGE / "checks" / "exercises.toml"
FIRST_LESSON = "00_start_here.ipynb"
WORKSPACE_MARKER = ".signals-lab-workspace"

__all__ = [
    "ROOT",
    "LESSONS",
    "SOLUTIONS",
    "EXERCISES",
    "CATALOGUE",
    "FIRST_LESSON",
    "WORKSPACE_MARKER",
    "workspace_dir",
    "state_dir",
    "cache_dir",
    "kernels_dir",
    "notebook_paths",
]


def _enclosing_workspace(folder):
    for candidate in (folder, *folder.parents):
        if (candidate / WORKSPACE_MARKER).is_file():
            return candidate
    return None


def workspace_dir():
    """The learner's workspace (see the module's docstring for how it is found)."""
    explicit = os.environ.get("SIGNALS_LAB_HOME")
    if explicit:
        return Path(explicit).expanduser().resolve()
    try:
        found = _enclosing_workspace(Path.cwd().resolve())
    except OSError:  # the current folder was removed
        found = None
    if found is not None:
        return found
    if _own_checkout():
        return ROOT / "workspace"
    return Path.home() / "signals-lab"


def _own_checkout():
    """True when this user may keep a workspace in the checkout (their own, writable)."""
    if not os.access(ROOT, os.W_OK):
        return False
    if hasattr(os, "getuid"):  # a shared, group-writable install: every user to their home
        return ROOT.stat().st_uid == os.getuid()
    return True


def state_dir():
    """The folder of the progress file (``$SIGNALS_LAB_STATE_DIR`` or ``<workspace>/.lab``)."""
    explicit = os.environ.get("SIGNALS_LAB_STATE_DIR")
    return Path(explicit) if explicit else workspace_dir() / ".lab"


def cache_dir():
    """The migrated-database cache (``$SIGNALS_LAB_CACHE_DIR`` or ``<state>/cache``)."""
    explicit = os.environ.get("SIGNALS_LAB_CACHE_DIR")
    return Path(explicit) if explicit else state_dir() / "cache"


def kernels_dir():
    """
    Where kernels keep their private databases, one folder each:
    ``$SIGNALS_LAB_RUNTIME_DIR``, else ``signals-lab-<user>`` in ``/dev/shm``
    (RAM) when it is writable, else in the temporary folder.
    """
    explicit = os.environ.get("SIGNALS_LAB_RUNTIME_DIR")
    if explicit:
        return Path(explicit)
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None
    if base is None:
        base = Path(tempfile.gettempdir())
    user = os.getuid() if hasattr(os, "getuid") else getpass.getuser()
    return base / f"signals-lab-{user}"


def notebook_paths(folder):
    """The numbered notebooks (``NN_*.ipynb``) of ``folder``, in order."""
    return sorted(Path(folder).glob("[0-9][0-9]_*.ipynb"))
