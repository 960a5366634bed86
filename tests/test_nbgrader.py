"""
Grading a class with nbgrader, as a teacher runs it: `signals-lab course DIR`,
then nbgrader's own commands as subprocesses (generate, release; three students
fetch, answer and submit; collect, autograde, feedback, export) in a temporary
course with its own exchange folder.

The students: one with the reference answers, one who changed nothing, and one
who hands in two notebooks only: a wrong welcome e-mail receiver (01) and the
reference answer to the next exercise. Their scores: full, 0, and one point
(nbgrader counts the missing notebooks as 0).

nbgrader is a teacher's extra (requirements-teacher.txt, installed by
.ci/setup-teacher): without it these tests skip, unless
SIGNALS_LAB_REQUIRE_TEACHER=1 says it must be there.

Autograding costs about 1.3 s a notebook (a fresh kernel, boot(), the check):
22 notebooks take about 30 s on 2 cores (run alone).
SIGNALS_LAB_CLASS_EXERCISES="01 03" grades the class on fewer exercises.
"""

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from signals_lab.checks import catalogue
from signals_lab.layout import EXERCISES, SOLUTIONS
from signals_lab.tools.course import (
    ASSIGNMENT,
    COURSE_ID,
    CourseError,
    source_notebook,
    write_course,
)
from signals_lab.tools.generate import BEGIN, END

pytestmark = pytest.mark.notebook

BIN = Path(sys.executable).parent
NBGRADER = BIN / "nbgrader"
CLASS = os.environ.get("SIGNALS_LAB_CLASS_EXERCISES", "all")
WRONG_EXERCISE = "01_welcome_email"
# Written where the student's copy says "# YOUR CODE HERE": no raw check, no
# on_commit (a rolled-back registration still sends the e-mail).
WRONG_ANSWER = """\
if created:
        send_mail("Welcome to Signals Lab", "Hello!", None, [instance.email])"""


@pytest.mark.parametrize("name", [e.name for e in catalogue.exercises()])
def test_source_cells_carry_nbgrader_metadata(name):
    """No nbgrader needed: what `signals-lab course` writes for each solution."""
    nb = source_notebook(SOLUTIONS / f"{name}.ipynb")
    kit = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    metadata = [cell.metadata["nbgrader"] for cell in nb.cells]
    assert len({m["grade_id"] for m in metadata}) == len(nb.cells)
    for cell, data, exercise in zip(nb.cells, metadata, kit.cells, strict=True):
        if data["solution"]:
            assert BEGIN in cell.source and not data["locked"] and not data["grade"]
        elif data["grade"]:
            assert data["locked"] and data["points"] == 1
            hidden, visible = cell.source.split("### END HIDDEN TESTS\n")
            assert hidden.startswith("### BEGIN HIDDEN TESTS\n")
            assert f'lab.check("{name}", strict=True)' in hidden
            assert visible == exercise.source
        else:
            assert data["locked"] and cell.source == exercise.source
    assert sum(m["grade"] for m in metadata) == 1


def test_course_refuses_what_nbgrader_would_refuse(tmp_path):
    with pytest.raises(CourseError, match="may hold only"):
        write_course(tmp_path, assignment="two words", say=lambda line: None)
    broken = tmp_path / "01_broken.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(nb, broken)
    with pytest.raises(CourseError, match="0 check cells"):
        source_notebook(broken)
    nb.cells.append(nbformat.v4.new_markdown_cell(f"{BEGIN}\nanswer\n{END}"))
    nb.cells.append(nbformat.v4.new_code_cell('lab.check("01_broken")'))
    nbformat.write(nb, broken)
    with pytest.raises(CourseError, match="Markdown"):
        source_notebook(broken)


def test_course_writes_config_and_only_the_chosen_exercises(tmp_path):
    write_course(tmp_path, exercises=["03", "01"], say=lambda line: None)
    write_course(tmp_path, exercises=["01"], say=lambda line: None)  # a rerun drops 03
    source = sorted(p.name for p in (tmp_path / "source" / ASSIGNMENT).iterdir())
    assert source == ["01_welcome_email.ipynb"]
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert "c.ClearSolutions.code_stub = {\"python\": '# YOUR CODE HERE\\n...'}" in config
    compile(config, "nbgrader_config.py", "exec")


def _require_nbgrader():
    if NBGRADER.exists():
        return
    reason = "nbgrader is not installed (teachers' extra: bash .ci/setup-teacher)"
    if os.environ.get("SIGNALS_LAB_REQUIRE_TEACHER") == "1":
        pytest.fail(f"SIGNALS_LAB_REQUIRE_TEACHER=1 but {reason}")
    pytest.skip(reason)


def _names(spec):
    if spec.strip() == "all":
        return [e.name for e in catalogue.exercises()]
    return [catalogue.find(part).name for part in spec.replace(",", " ").split()]


class Course:
    """A temporary nbgrader course, its exchange and its students' homes."""

    def __init__(self, root, exercises):
        self.root = root
        self.dir = root / "course"
        self.exchange = root / "exchange"
        self.exercises = exercises
        self.timings = {}

    def env(self, home):
        env = {**os.environ, "HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        for name in ("SIGNALS_LAB_STATE_DIR", "DJANGO_SETTINGS_MODULE", "JUPYTER_CONFIG_DIR"):
            env.pop(name, None)
        return env

    def run(self, *args, cwd=None, home=None, timeout=600):
        home = home or self.root / "teacher"
        home.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        result = subprocess.run(
            [str(a) for a in args],
            cwd=cwd or self.dir,
            env=self.env(home),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.timings.setdefault(args[1] if len(args) > 1 else args[0], []).append(
            time.perf_counter() - start
        )
        assert result.returncode == 0, f"{args}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result

    def nbgrader(self, *args, **kwargs):
        return self.run(NBGRADER, *args, **kwargs)

    def student(self, name, *args):
        home = self.root / "students" / name
        return self.nbgrader(
            *args,
            f"--Exchange.root={self.exchange}",
            f"--CourseDirectory.course_id={COURSE_ID}",
            cwd=home,
            home=home,
        )

    def setup(self):
        self.exchange.mkdir(parents=True)
        numbers = [name.split("_", 1)[0] for name in self.exercises]
        self.run(
            BIN / "signals-lab",
            "course",
            self.dir,
            "--exchange",
            self.exchange,
            "--exercises",
            *numbers,
            cwd=self.root,
        )
        self.nbgrader("generate_assignment", ASSIGNMENT)
        self.nbgrader("release_assignment", ASSIGNMENT)

    def fetched(self, name):
        self.student(name, "fetch_assignment", ASSIGNMENT)
        return self.root / "students" / name / ASSIGNMENT


def _reference(source):
    """A solution cell as a student would write it (the markers are the kit's, not theirs)."""
    return "\n".join(line for line in source.split("\n") if line.strip() not in (BEGIN, END))


def answer(folder, wrong=None, only=None):
    """
    Fill every answer cell of the fetched notebooks with the reference answer
    (a wrong one in notebook ``wrong``); with ``only``, delete the other notebooks.
    """
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        if only is not None and path.stem not in only:
            path.unlink()
            continue
        nb = nbformat.read(path, as_version=4)
        solution = nbformat.read(SOLUTIONS / path.name, as_version=4)
        for cell, reference in zip(nb.cells, solution.cells, strict=True):
            if cell.metadata.get("nbgrader", {}).get("solution"):
                if path.stem == wrong:
                    assert "# YOUR CODE HERE\n    ..." in cell.source
                    cell.source = cell.source.replace("# YOUR CODE HERE\n    ...", WRONG_ANSWER)
                else:
                    cell.source = _reference(reference.source)
        nbformat.write(nb, path)


def _scores(course):
    """{student: {notebook: score}} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    url = f"sqlite:///{course.dir / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        assignment = gradebook.find_assignment(ASSIGNMENT)
        return {
            submission.student_id: {nb.name: nb.score for nb in submission.notebooks}
            for submission in assignment.submissions
        }


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    _require_nbgrader()
    made = Course(tmp_path_factory.mktemp("nbgrader"), _names(CLASS))
    made.setup()
    return made


def test_the_release_is_the_kits_exercises(course):
    release = course.dir / "release" / ASSIGNMENT
    assert sorted(p.stem for p in release.glob("*.ipynb")) == course.exercises
    for path in sorted(release.glob("*.ipynb")):
        released = nbformat.read(path, as_version=4)
        kit = nbformat.read(EXERCISES / path.name, as_version=4)
        assert [(c.cell_type, c.source) for c in released.cells] == [
            (c.cell_type, c.source) for c in kit.cells
        ], path.name
        assert not any(c.get("outputs") for c in released.cells if c.cell_type == "code")


def test_three_students_graded_by_nbgrader(course, capsys):
    assert WRONG_EXERCISE in course.exercises
    # cy hands in two notebooks: the wrong 01 and the next exercise, right.
    handed_in = [WRONG_EXERCISE, *[e for e in course.exercises if e != WRONG_EXERCISE][:1]]
    students = {"ada": {}, "bob": None, "cy": {"wrong": WRONG_EXERCISE, "only": handed_in}}
    for name, how in students.items():
        folder = course.fetched(name)
        if how is not None:
            answer(folder, **how)
        course.student(name, "submit", ASSIGNMENT, f"--student={name}")
    course.nbgrader("collect", ASSIGNMENT)
    start = time.perf_counter()
    course.nbgrader("autograde", ASSIGNMENT)
    elapsed = time.perf_counter() - start
    notebooks = 2 * len(course.exercises) + len(handed_in)
    course.nbgrader("generate_feedback", ASSIGNMENT)
    course.nbgrader("export")

    full = len(course.exercises)
    with (course.dir / "grades.csv").open(newline="") as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert {name: float(row["score"]) for name, row in grades.items()} == {
        "ada": full,
        "bob": 0,
        "cy": len(handed_in) - 1,
    }
    assert {float(row["max_score"]) for row in grades.values()} == {full}
    scores = _scores(course)
    assert set(scores["ada"].values()) == {1} and set(scores["bob"].values()) == {0}
    assert scores["cy"][WRONG_EXERCISE] == 0
    assert {nb: score for nb, score in scores["cy"].items() if score} == {
        name: 1 for name in handed_in if name != WRONG_EXERCISE
    }
    # Feedback: one page per notebook handed in; the wrong answer's page says what is not right.
    feedback = course.dir / "feedback" / "cy" / ASSIGNMENT
    assert sorted(p.stem for p in feedback.glob("*.html")) == sorted(handed_in)
    page = (feedback / f"{WRONG_EXERCISE}.html").read_text(encoding="utf-8")
    assert "not yet" in page and "AssertionError" in page
    # A right answer's page shows its verdict once (the hidden strict check's).
    right = handed_in[-1]
    page = (course.dir / "feedback" / "cy" / ASSIGNMENT / f"{right}.html").read_text("utf-8")
    assert page.count(f"✓ {right}:") == 1, page.count(f"✓ {right}:")
    # The students' check results stayed in the course's scratch folder.
    assert (course.dir / ".grading-state" / "progress.json").is_file()
    with capsys.disabled():
        print(
            f"\n  nbgrader autograde: {notebooks} notebooks in {elapsed:.1f} s "
            f"({elapsed / notebooks:.2f} s a notebook, nbgrader's start included)"
        )
