"""
Exercise progress: a small JSON file, git-ignored, safe with parallel kernels.

Where: ``progress.json`` in :func:`signals_lab.layout.state_dir`
(``$SIGNALS_LAB_STATE_DIR``, by default ``.lab-state/``). Each exercise has a
status (``done`` or ``not yet``), the last message of its check, and how many
hints were seen.

Only a check run by the kit marks an exercise done: :func:`record` accepts
``passed=True`` from :mod:`signals_lab.checks.runner` alone, and seals the entry
with an HMAC keyed by a random file beside it (``.progress.key``). An entry that
says "done" without a valid seal (a cell or an editor wrote it) counts as "not
yet" (:func:`status`), and every failing check writes "not yet" again.

Writes hold a cross-platform file lock (``filelock``: parallel kernels, the
CLI) and replace the file atomically. A file that cannot be read, or holds
something other than progress, is never overwritten: it is moved aside to
``progress.json.broken-N`` (named in a one-line message) and a fresh file starts.
"""

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sys
import tempfile

from filelock import FileLock

from ..layout import state_dir

__all__ = [
    "ProgressError",
    "path",
    "load",
    "status",
    "record",
    "saw_hint",
    "next_hint_level",
    "reset_exercise",
]

STATUSES = ("done", "not yet")


class ProgressError(OSError):
    """The progress file could not be written (one sentence for the learner)."""


def path():
    """The progress file."""
    return state_dir() / "progress.json"


@contextlib.contextmanager
def _locked():
    directory = state_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock = FileLock(directory / ".progress.lock", timeout=30)
        lock.acquire()
    except OSError as error:
        raise _unwritable(error) from None
    try:
        yield
    finally:
        lock.release()


def _unwritable(error):
    return ProgressError(
        f"Progress could not be saved in {state_dir()} ({type(error).__name__}: "
        f"{error.strerror or error}); set SIGNALS_LAB_STATE_DIR to a folder you can write."
    )


def _valid(data):
    if not isinstance(data, dict) or not isinstance(data.get("exercises", {}), dict):
        return False
    for entry in data.get("exercises", {}).values():
        if not isinstance(entry, dict) or entry.get("status", "not yet") not in STATUSES:
            return False
        if not isinstance(entry.get("hints_seen", 0), int):
            return False
    return True


def _read():
    """``(data, problem)``: the stored progress, or None and why it cannot be used."""
    try:
        text = path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"exercises": {}}, None
    except (OSError, UnicodeDecodeError) as error:
        return None, f"cannot be read ({type(error).__name__})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None, "is not valid JSON"
    if not _valid(data):
        return None, "does not hold exercise progress"
    data.setdefault("exercises", {})
    return data, None


def load():
    """The whole state: ``{"exercises": {name: {...}}}`` (empty if none yet or unusable)."""
    data, _problem = _read()
    return data if data is not None else {"exercises": {}}


def _set_aside(problem):
    """Move an unusable progress file aside (never delete it); say so in one line."""
    broken = path()
    n = 1
    while (target := broken.with_name(f"{broken.name}.broken-{n}")).exists():
        n += 1
    os.replace(broken, target)
    print(f"Your progress file {problem}: kept it as {target} and started a fresh one.")


def _save(data):
    directory = state_dir()
    handle, temp = tempfile.mkstemp(dir=directory, prefix=".progress-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(temp, path())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _change(apply):
    """Read, ``apply(data)``, write back: under the lock, atomically, never losing a file."""
    try:
        with _locked():
            data, problem = _read()
            if data is None:
                _set_aside(problem)
                data = {"exercises": {}}
            result = apply(data)
            _save(data)
            return result
    except ProgressError:
        raise
    except OSError as error:
        raise _unwritable(error) from None


def _update(name, change):
    """Apply ``change(entry)`` to exercise ``name``'s entry."""

    def apply(data):
        entry = data["exercises"].setdefault(name, {"status": "not yet", "hints_seen": 0})
        change(entry)
        return entry

    return _change(apply)


def _key_path():
    return state_dir() / ".progress.key"


def _key(create=False):
    """The random key that seals "done" entries (None if there is none yet)."""
    path = _key_path()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
    key = secrets.token_bytes(32)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(handle, "wb") as out:
        out.write(key)
    return key


def _seal(key, name, message):
    return hmac.new(key, f"{name}\0done\0{message}".encode(), hashlib.sha256).hexdigest()


def status(name, entry):
    """``done`` (sealed by a passing check), ``not yet``, or ``not started`` (no entry)."""
    if not entry:
        return "not started"
    if entry.get("status") != "done":
        return "not yet"
    key = _key()
    seal = entry.get("seal")
    if key is None or not isinstance(seal, str):
        return "not yet"
    expected = _seal(key, name, str(entry.get("message", "")))
    return "done" if hmac.compare_digest(seal, expected) else "not yet"


def _from_runner():
    caller = sys._getframe(2).f_globals.get("__name__")
    return caller == "signals_lab.checks.runner"


def record(name, passed, message):
    """
    Store the result of a check: done when it passed, not yet when it did not.
    Only the kit's runner may store a pass (ProgressError for anyone else).
    """
    if passed and not _from_runner():
        raise ProgressError(
            "Only a check run by the kit (lab.check(...) or `signals-lab check`) can mark an "
            "exercise done."
        )

    def change(entry):
        entry["status"] = "done" if passed else "not yet"
        entry["message"] = message
        entry.pop("seal", None)
        if passed:
            entry["seal"] = _seal(_key(create=True), name, message)

    _update(name, change)


def saw_hint(name, level):
    def change(entry):
        entry["hints_seen"] = max(level, entry.get("hints_seen", 0))

    _update(name, change)


def next_hint_level(name):
    return load()["exercises"].get(name, {}).get("hints_seen", 0) + 1


def reset_exercise(name):
    """Forget an exercise's status and hints (used by reset)."""
    _change(lambda data: data["exercises"].pop(name, None))
