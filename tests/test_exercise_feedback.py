"""
Each exercise's check gives the right, specific message for the mistakes
learners really make (and passes the reference answer).

The cases live in tests/feedback_cases/exNN.py as ``CASES = [(label, code,
expected_substring), ...]``; each exercise runs in one subprocess, with short
time limits. tests/test_cli.py runs one case of each kind through the learner's
CLI, in a real kernel.
"""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from signals_lab.checks import exercises
from signals_lab.layout import ROOT  # noqa: E402


def _cases():
    for exercise in exercises():
        try:
            module = importlib.import_module(f"tests.feedback_cases.ex{exercise.number}")
        except ModuleNotFoundError:
            continue
        for label, _code, expected in module.CASES:
            yield pytest.param(exercise.name, label, expected, id=f"{exercise.number}-{label}")


_results = {}
# Exercise 09 runs pytest in a subprocess (about 1 s a run here) and stops it
# 5 s before the limit: 10 s leaves it 5 s, so the case whose test never ends
# costs 5 s of waiting instead of 20.
LIMITS = {"09_testing_receivers": 10}


def _messages(exercise, tmp_path_factory):
    if exercise not in _results:
        env = {
            **os.environ,
            "SIGNALS_LAB_STATE_DIR": str(tmp_path_factory.mktemp("state")),
            # Short time limits, so the cases that never return end quickly
            # (exercise 09 runs pytest, which needs a few seconds to start).
            "SIGNALS_LAB_CHECK_LIMIT": str(LIMITS.get(exercise, 5)),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(
            [sys.executable, "-m", "tests.feedback_runner", exercise],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        _results[exercise] = {line["label"]: line["message"] for line in lines}
        _results[exercise]["__stderr__"] = result.stderr
    return _results[exercise]


@pytest.mark.parametrize("exercise, label, expected", list(_cases()))
def test_feedback(exercise, label, expected, tmp_path_factory):
    messages = _messages(exercise, tmp_path_factory)
    message = messages[label]
    assert expected in message, f"{label}: {message}"
    assert "\n" not in message.strip(), "feedback must be one line"
    assert "Traceback" not in message
    if expected.startswith("✓"):
        assert message.startswith(f"✓ {exercise}")
    else:
        assert message.startswith(f"✗ {exercise}: not yet.")


def test_every_exercise_has_feedback_cases():
    covered = {param.values[0] for param in _cases()}
    missing = [e.name for e in exercises() if e.name not in covered]
    assert not missing, f"no feedback cases for {missing}"


# ---------------------------------------------------------------------------
# The same answers through the learner's own entry point: `signals-lab check NN`
# runs the exercise notebook in a fresh kernel (where boot() has switched
# Django's async-safety check off for cells), one case of each kind.
# ---------------------------------------------------------------------------

SIGNALS_LAB = str(Path(sys.executable).parent / "signals-lab")

THROUGH_THE_CLI = [
    # A receiver with no sender that breaks saves of other models.
    ("01_welcome_email", "no sender: saving any other model breaks"),
    # Stated requirements the scenarios now exercise.
    ("01_welcome_email", "no check for a user without an address (recipient with a display name)"),
    ("03_slug_without_recursion", "QuerySet.update() without filter(): every book gets the slug"),
    ("05_tag_counter", "save() instead of QuerySet.update()"),
    ("07_custom_signal", "receipt lists every order ever placed"),
    # Async code checked the way a server runs it.
    ("08_async_receiver", "sync ORM call inside the async receiver"),
    ("08_async_receiver", "time.sleep() inside the async receiver"),
    ("08_async_receiver", "solution: sync_to_async around the sync ORM"),
    # The refactor solved with another signal.
    ("10_refactor_to_service", "another signal: a custom user_registered"),
    # Time limits: stopped, and cannot be stopped.
    ("01_welcome_email", "waits for the outbox inside a transaction (never returns)"),
    ("07_custom_signal", "receiver waits an hour before sending (never returns in time)"),
    # Messages that used to mislead.
    ("01_welcome_email", "no **kwargs under @lab.receiver (the decorator refuses it)"),
    ("01_welcome_email", "SyntaxError in the answer cell"),
    ("05_tag_counter", "re-setting the tags in order inside the receiver (recursion)"),
    ("08_async_receiver", "create_task() without await"),
    ("02_profile_for_new_users", "sender=Profile"),
    ("06_login_tracking", "string sender 'django.contrib.auth' on user_login_failed"),
    ("04_deletion_audit_log", "solution: stacked decorators without uid="),
    ("09_testing_receivers", "mock patched where send_mail is defined"),
]


def _case(exercise, label):
    number = exercise[:2]
    cases = importlib.import_module(f"tests.feedback_cases.ex{number}").CASES
    return next((code, expected) for name, code, expected in cases if name == label)


def learner_notebook(home, exercise, code, *, whole=False):
    """
    Put ``code`` into the learner's exercise notebook, as a learner would type
    it. ``whole=False`` keeps only the first cell (boot), ``code`` and the check
    cell; ``whole=True`` puts ``code`` in place of the answer cell and keeps the
    rest (the "Try it" cells too).
    """
    path = home / "exercises" / f"{exercise}.ipynb"
    nb = nbformat.read(path, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    if whole:
        answers = [c for c in code_cells if "# YOUR CODE HERE" in c.source]
        answers[0].source = code
        for extra in answers[1:]:
            extra.source = ""
    else:
        boot, check = code_cells[0], next(c for c in code_cells if "lab.check(" in c.source)
        nb.cells = [boot, nbformat.v4.new_code_cell(code), check]
    nbformat.write(nb, path)
    return path


def cli(args, home, **env):
    environment = {**os.environ, "SIGNALS_LAB_HOME": str(home), **env}
    for name in ("SIGNALS_LAB_STATE_DIR", "DJANGO_SETTINGS_MODULE"):
        environment.pop(name, None)
    return subprocess.run(
        [SIGNALS_LAB, *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def check_through_the_cli(home, exercise, code, *, whole=False, limit=None):
    """Run `signals-lab check NN` on a notebook holding ``code``; (result, verdict line)."""
    cli(["init"], home)
    learner_notebook(home, exercise, code, whole=whole)
    limit = limit or LIMITS.get(exercise, 5)
    result = cli(["check", exercise[:2]], home, SIGNALS_LAB_CHECK_LIMIT=str(limit))
    verdicts = [line for line in result.stdout.splitlines() if line.startswith(("✓", "✗"))]
    assert len(verdicts) == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result, verdicts[0]


@pytest.mark.notebook
@pytest.mark.parametrize(
    "exercise, label", THROUGH_THE_CLI, ids=[f"{e[:2]}-{label}" for e, label in THROUGH_THE_CLI]
)
def test_feedback_through_the_cli(exercise, label, tmp_path):
    code, expected = _case(exercise, label)
    result, verdict = check_through_the_cli(tmp_path / "home", exercise, code)
    assert expected in verdict, result.stdout
    if expected.startswith("✓"):
        assert result.returncode == 0 and verdict.startswith(f"✓ {exercise}:")
    else:
        assert result.returncode == 1 and verdict.startswith(f"✗ {exercise}: not yet. ")


def test_every_kind_goes_through_the_cli():
    labels = {label for _exercise, label in THROUGH_THE_CLI}
    for exercise, label in THROUGH_THE_CLI:
        assert _case(exercise, label), (exercise, label)
    assert len(labels) == len(THROUGH_THE_CLI)
