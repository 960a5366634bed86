"""exercises/ is generated from solutions/, never loses a learner's edit, and runs unsolved."""

import json
import re

import nbformat
import pytest
from django.core.management import call_command

from tests.kernel import run_cells, text
from tutorial_project.lab import exercises as generator
from tutorial_project.lab.checks import exercises as catalogue
from tutorial_project.lab.checks import find
from tutorial_project.lab.notebooks import EXERCISES, SOLUTIONS, notebook_paths

SOLVED = notebook_paths(SOLUTIONS)


def test_every_exercise_in_the_catalogue_has_a_solution_and_an_exercise():
    names = [e.name for e in catalogue()]
    assert len(names) >= 10
    assert [p.stem for p in SOLVED] == names
    assert [p.stem for p in notebook_paths(EXERCISES)] == names


@pytest.mark.parametrize("solution", SOLVED, ids=lambda p: p.stem)
def test_exercises_are_in_sync_with_solutions(solution):
    generated = nbformat.writes(generator.exercise_from_solution(solution)) + "\n"
    committed = (EXERCISES / solution.name).read_text()
    assert committed == generated, "run `make exercises` (never edit exercises/ by hand)"
    manifest = json.loads(generator.MANIFEST.read_text())
    assert manifest[solution.name] == generator._digest(committed)


@pytest.mark.parametrize("solution", SOLVED, ids=lambda p: p.stem)
def test_solutions_mark_their_answers_and_check_them(solution):
    nb = nbformat.read(solution, as_version=4)
    sources = "\n".join(c.source for c in nb.cells)
    assert "### BEGIN SOLUTION" in sources
    assert f'lab.check("{solution.stem}")' in sources
    exercise = (EXERCISES / solution.name).read_text()
    assert "BEGIN SOLUTION" not in exercise and "# YOUR CODE HERE" in exercise


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


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """The generator pointed at temporary solutions/, exercises/ and backups."""
    solutions, exercises, backups = (tmp_path / n for n in ("solutions", "exercises", "backups"))
    for folder in (solutions, exercises):
        folder.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION")]
    )
    nbformat.write(nb, solutions / "01_demo.ipynb")
    monkeypatch.setattr(generator, "SOLUTIONS", solutions)
    monkeypatch.setattr(generator, "EXERCISES", exercises)
    monkeypatch.setattr(generator, "MANIFEST", exercises / ".generated.json")
    monkeypatch.setattr(generator, "BACKUPS", backups)
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    monkeypatch.setenv("SIGNALS_LAB_STATE_DIR", str(tmp_path / "state"))  # a fresh progress file
    return exercises / "01_demo.ipynb", backups


def test_generator_never_overwrites_an_edited_exercise(sandbox, capsys):
    target, backups = sandbox
    assert generator.generate_all() == 0
    assert "# YOUR CODE HERE" in target.read_text()
    target.write_text(target.read_text().replace("# YOUR CODE HERE", "y = 'my answer'"))
    edited = target.read_text()

    assert generator.generate_all() == 1  # kept, and says so
    assert target.read_text() == edited
    assert "you edited it" in capsys.readouterr().out

    assert generator.generate_all(force=True) == 0  # replaced, after a backup
    assert "# YOUR CODE HERE" in target.read_text()
    assert [p.read_text() for p in backups.iterdir()] == [edited]
    generator.generate_all(force=True)  # an unedited file is replaced without a backup
    assert len(list(backups.iterdir())) == 1


def test_manage_py_exercises_shows_progress_hints_and_resets(sandbox, monkeypatch, capsys):
    call_command("exercises")
    out = capsys.readouterr().out
    assert "exercises done" in out and "01_welcome_email" in out and "Next: Start with" in out

    call_command("exercises", "hint", "01")
    call_command("exercises", "hint", "01")
    out = capsys.readouterr().out
    assert "Hint 1/3 for 01_welcome_email" in out and "Hint 2/3" in out
    assert "### BEGIN" not in out


def test_manage_py_exercises_reset_keeps_a_backup(sandbox, monkeypatch, capsys):
    target, backups = sandbox
    generator.generate_all()
    target.write_text(target.read_text().replace("# YOUR CODE HERE", "y = 'mine'"))
    from tutorial_project.lab.management.commands import exercises as command

    monkeypatch.setattr("tutorial_project.lab.notebooks.EXERCISES", target.parent)
    monkeypatch.setattr(command, "find", lambda name: type("E", (), {"name": "01_demo"}))
    call_command("exercises", "reset", "01")
    assert "# YOUR CODE HERE" in target.read_text()
    assert "y = 'mine'" in next(backups.iterdir()).read_text()


def test_unknown_exercise_is_one_clear_sentence():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"There is no exercise 'nope'\. The exercises are: 01_"):
        call_command("exercises", "hint", "nope")
    assert find("3").name.startswith("03_")


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


@pytest.mark.notebook
def test_manage_py_exercises_check_runs_the_notebook_headless(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNALS_LAB_STATE_DIR", str(tmp_path))
    call_command("exercises", "check", "01")
    out = capsys.readouterr().out
    assert "Running 01_welcome_email.ipynb in a fresh kernel" in out
    assert "✗ 01_welcome_email: not yet. No e-mail whose subject contains 'Welcome'" in out


def test_progress_view_in_a_notebook_cell(monkeypatch, tmp_path, capsys):
    from tutorial_project.lab import progress, state

    monkeypatch.setenv("SIGNALS_LAB_STATE_DIR", str(tmp_path))
    state.record("01_welcome_email", True, "✓")
    state.record("02_profile_for_new_users", False, "✗")
    progress()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Progress [##..................] 1/10 exercises done"
    assert "✓ done" in out[1] and "✗ not yet" in out[2] and "· not started" in out[3]
    assert out[-1].startswith("Next: Continue with exercises/02_profile_for_new_users.ipynb")


@pytest.mark.parametrize("exercise", catalogue(), ids=lambda e: e.number)
def test_each_exercise_and_its_lesson_link_each_other(exercise):
    from tutorial_project.lab.notebooks import ROOT

    lesson = (ROOT / exercise.lesson).read_text()
    assert f"exercises/{exercise.name}.ipynb" in lesson
    solution = (SOLUTIONS / f"{exercise.name}.ipynb").read_text()
    assert exercise.lesson.split("/")[-1] in solution
