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
LIMITS = {"09_testing_receivers": 25}


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
