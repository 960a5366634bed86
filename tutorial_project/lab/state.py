"""
Exercise progress: a small JSON file, git-ignored, safe with parallel kernels.

Where: ``$SIGNALS_LAB_STATE_DIR/progress.json``, by default ``.lab-state/`` at
the root of the repository. Each exercise has a status (``done`` or
``not yet``), the last message of its check, and how many hints were seen.
"""

import contextlib
import fcntl
import json
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["state_dir", "load", "record", "saw_hint", "next_hint_level", "reset_exercise"]


def state_dir():
    return Path(os.environ.get("SIGNALS_LAB_STATE_DIR") or ROOT / ".lab-state")


def _path():
    return state_dir() / "progress.json"


@contextlib.contextmanager
def _locked():
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def load():
    """The whole state: ``{"exercises": {name: {...}}}`` (empty if none yet)."""
    try:
        data = json.loads(_path().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        data = {}
    data.setdefault("exercises", {})
    return data


def _save(data):
    directory = state_dir()
    handle, temp = tempfile.mkstemp(dir=directory, prefix=".progress-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(temp, _path())


def _update(name, **changes):
    with _locked():
        data = load()
        entry = data["exercises"].setdefault(name, {"status": "not yet", "hints_seen": 0})
        entry.update(changes)
        _save(data)
        return entry


def record(name, passed, message):
    """Store the result of a check. A passed exercise stays done."""
    with _locked():
        data = load()
        entry = data["exercises"].setdefault(name, {"status": "not yet", "hints_seen": 0})
        if passed:
            entry["status"] = "done"
        elif entry.get("status") != "done":
            entry["status"] = "not yet"
        entry["message"] = message
        _save(data)


def saw_hint(name, level):
    entry = load()["exercises"].get(name, {})
    _update(name, hints_seen=max(level, entry.get("hints_seen", 0)))


def next_hint_level(name):
    return load()["exercises"].get(name, {}).get("hints_seen", 0) + 1


def reset_exercise(name):
    """Forget an exercise's status and hints (used by `exercises reset`)."""
    with _locked():
        data = load()
        data["exercises"].pop(name, None)
        _save(data)
