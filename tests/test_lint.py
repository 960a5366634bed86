"""The code follows Django's style: ruff clean (lint and format)."""

import subprocess
import sys

from signals_lab.layout import ROOT  # noqa: E402


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_check():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format():
    result = ruff("format", "--check", "tutorial_project", "signals_lab", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout
