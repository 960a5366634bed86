"""exercises/ is generated from solutions/ and runs unsolved; the catalogue matches both."""

import re

import nbformat
import pytest

from signals_lab.checks import exercises as catalogue
from signals_lab.layout import EXERCISES, SOLUTIONS, notebook_paths
from signals_lab.tools import generate as generator
from tests.kernel import run_cells, text

SOLVED = notebook_paths(SOLUTIONS)


def test_every_exercise_in_the_catalogue_has_a_solution_and_an_exercise():
    names = [e.name for e in catalogue()]
    assert len(names) >= 10
    assert [p.stem for p in SOLVED] == names
    assert [p.stem for p in notebook_paths(EXERCISES)] == names


@pytest.mark.parametrize("solution", SOLVED, ids=lambda p: p.stem)
def test_exercises_are_in_sync_with_solutions(solution):
    committed = (EXERCISES / solution.name).read_text()
    assert committed == generator.exercise_text(solution), (
        "exercises/ is stale: run `make exercises`"
    )


@pytest.mark.parametrize("solution", SOLVED, ids=lambda p: p.stem)
def test_solutions_mark_their_answers_and_check_them(solution):
    nb = nbformat.read(solution, as_version=4)
    sources = "\n".join(c.source for c in nb.cells)
    assert "### BEGIN SOLUTION" in sources
    assert f'lab.check("{solution.stem}")' in sources
    exercise = (EXERCISES / solution.name).read_text()
    assert "SOLUTION" not in exercise and "# YOUR CODE HERE" in exercise


def test_strip_solutions_keeps_indentation_and_valid_python():
    source = (
        "def f(sender, **kwargs):\n"
        "    ### BEGIN SOLUTION\n"
        "    return 42\n"
        "    ### END SOLUTION\n"
        "\n"
        "x = 1\n"
    )
    stripped = generator.strip_solutions(source)
    assert stripped == "def f(sender, **kwargs):\n    # YOUR CODE HERE\n    ...\n\nx = 1"
    compile(stripped, "<cell>", "exec")
    with pytest.raises(generator.MarkerError):
        generator.strip_solutions("### BEGIN SOLUTION\nx = 1\n")


@pytest.mark.notebook
@pytest.mark.parametrize("exercise", notebook_paths(EXERCISES), ids=lambda p: p.stem)
def test_unsolved_exercise_runs_to_the_end_and_says_not_yet(exercise):
    nb = nbformat.read(exercise, as_version=4)
    outputs = run_cells(*[c.source for c in nb.cells if c.cell_type == "code"])
    everything = "\n".join(text(o) for o in outputs)
    errors = [o for cell in outputs for o in cell if o.output_type == "error"]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    assert re.search(rf"^✗ {exercise.stem}: not yet\. \S", everything, re.M), everything[-500:]
    assert "Traceback" not in everything


def test_progress_view_in_a_notebook_cell(monkeypatch, tmp_path, capsys):
    from signals_lab import progress
    from signals_lab.checks import progress as state
    from signals_lab.checks import runner

    monkeypatch.setenv("SIGNALS_LAB_STATE_DIR", str(tmp_path))
    # Only the runner records a pass (see test_only_a_check_by_the_kit_marks_done).
    runner._recorded(runner.Result("01_welcome_email", True, "✓"), True)
    state.record("02_profile_for_new_users", False, "✗")
    progress()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Progress [##..................] 1/10 exercises done"
    assert "✓ done" in out[1] and "✗ not yet" in out[2] and "· not started" in out[3]
    assert out[-1].startswith("Next: Continue with exercises/02_profile_for_new_users.ipynb")


@pytest.mark.parametrize("exercise", catalogue(), ids=lambda e: e.number)
def test_each_exercise_and_its_lesson_link_each_other(exercise):
    from signals_lab.layout import ROOT

    lesson = (ROOT / exercise.lesson).read_text()
    assert f"exercises/{exercise.name}.ipynb" in lesson
    solution = (SOLUTIONS / f"{exercise.name}.ipynb").read_text()
    assert exercise.lesson.split("/")[-1] in solution


def test_only_a_check_by_the_kit_marks_done(monkeypatch, tmp_path):
    """A cell cannot fake "done": record() refuses, a hand-written file does not count."""
    import json

    from signals_lab.checks import progress as state
    from signals_lab.checks import report, runner

    monkeypatch.setenv("SIGNALS_LAB_STATE_DIR", str(tmp_path))
    with pytest.raises(state.ProgressError, match="Only a check run by the kit"):
        state.record("01_welcome_email", True, "✓ 01_welcome_email: fake")
    forged = {"exercises": {"01_welcome_email": {"status": "done", "hints_seen": 0}}}
    state.path().write_text(json.dumps(forged))
    assert report.rows()[0][1] == "not yet"
    # A passing check by the kit seals it; a later failing one says not yet again.
    runner._recorded(runner.Result("01_welcome_email", True, "✓ 01_welcome_email: ok"), True)
    assert report.rows()[0][1] == "done"
    entry = state.load()["exercises"]["01_welcome_email"]
    entry["message"] = "✓ 01_welcome_email: edited"
    state.path().write_text(json.dumps({"exercises": {"01_welcome_email": entry}}))
    assert report.rows()[0][1] == "not yet"
    runner._recorded(runner.Result("01_welcome_email", False, "✗ 01_welcome_email: no"), True)
    assert report.rows()[0][1] == "not yet"
