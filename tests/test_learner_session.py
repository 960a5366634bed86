"""
A scripted learner, in real kernels, in the default workspace of a fresh clone:
predicts, runs a lesson all the way twice, solves one exercise, saves a huge
traceback in another, checks, saves everything as JupyterLab would. Afterwards
the clone's `git status` is empty and its hygiene and nbval tests still pass.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from signals_lab.layout import ROOT

pytestmark = pytest.mark.notebook

LEARNER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import nbformat

    from signals_lab.layout import SOLUTIONS
    from signals_lab.tools.kernel import run_in_fresh_kernel

    home = Path("workspace")

    def run(path, twice=False):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if twice:  # "Run All" twice in one kernel: the second run's outputs are kept
            nb.cells = nb.cells + [nbformat.v4.new_code_cell(c.source) for c in code]
        run_in_fresh_kernel(nb, path.parent)
        if twice:
            nb.cells = nb.cells[: len(nb.cells) - len(code)]
        nbformat.write(nb, path)  # saved, outputs and all, as JupyterLab saves
        return nb

    # A lesson: every prediction answered, Run All twice, saved.
    lesson = home / "notebooks" / "00_start_here.ipynb"
    nb = nbformat.read(lesson, as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("prediction = None", "prediction = 1")
    nbformat.write(nb, lesson)
    run(lesson, twice=True)

    # Exercise 01 solved with the reference answer, typed into the learner's copy.
    name = "01_welcome_email.ipynb"
    solved = nbformat.read(SOLUTIONS / name, as_version=4)
    mine = nbformat.read(home / "exercises" / name, as_version=4)
    for theirs, ours in zip(solved.cells, mine.cells, strict=True):
        ours.source = "\\n".join(
            line for line in theirs.source.split("\\n") if "SOLUTION" not in line
        )
    nbformat.write(mine, home / "exercises" / name)
    out = run(home / "exercises" / name)
    verdicts = [o.get("text", "") for c in out.cells for o in c.get("outputs", [])]
    assert any("✓ 01_welcome_email" in v for v in verdicts), verdicts

    # Exercise 02: a learner's endless recursion, saved with its traceback.
    path = home / "exercises" / "02_profile_for_new_users.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("def f(n):\\n    return f(n + 1)\\n\\nf(0)"))
    nbformat.write(nb, path)
    run(path)
    print("learner done")
    """
)


def test_a_learners_session_leaves_the_kit_untouched(tmp_path):
    clone = tmp_path / "kit"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIGNALS_LAB_HOME", "SIGNALS_LAB_STATE_DIR", "DJANGO_SETTINGS"))
    }
    env["PYTHONPATH"] = str(clone)  # the clone's kit, in this process and its kernels

    def sh(*args):
        result = subprocess.run(args, cwd=clone, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout

    assert "Your workspace is" in sh(sys.executable, "-m", "signals_lab.tools.cli", "init")
    assert (clone / "workspace" / "notebooks" / "00_start_here.ipynb").is_file()
    assert "learner done" in sh(sys.executable, "-c", LEARNER)
    check = sh(sys.executable, "-m", "signals_lab.tools.cli", "progress")
    assert "1/10 exercises done" in check

    assert sh("git", "status", "--porcelain") == ""
    out = sh(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "tests/test_notebook_hygiene.py",
        "tests/test_exercises.py::test_exercises_are_in_sync_with_solutions",
        "notebooks/00_start_here.ipynb",
        "solutions/01_welcome_email.ipynb",
    )
    assert " passed" in out and "failed" not in out
    assert sh("git", "status", "--porcelain") == ""
