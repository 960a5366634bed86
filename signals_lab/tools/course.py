"""
``signals-lab course DIR``: an nbgrader course built from ``solutions/``.

Writes a complete course folder that nbgrader's own commands use without
edits::

    DIR/nbgrader_config.py                  course id, the kit's stubs, timeouts
    DIR/source/<assignment>/NN_*.ipynb      solutions/ with nbgrader cell metadata

then, in ``DIR``: ``nbgrader generate_assignment <assignment>``,
``release_assignment``, (students: ``fetch_assignment``, ``submit``),
``collect``, ``autograde``, ``generate_feedback``, ``export``.

Cell metadata, from the solution notebooks (which carry none of nbgrader's):

* a cell holding a ``### BEGIN SOLUTION`` region: an autograded answer
  (``solution``), where ``generate_assignment`` puts the kit's stub
  (:data:`~signals_lab.tools.generate.CODE_STUB`, set as
  ``ClearSolutions.code_stub``), exactly as ``make exercises`` does;
* the check cell ``lab.check("NN_name")``: an autograder test worth
  ``points``, with a hidden strict check in front of it::

      ### BEGIN HIDDEN TESTS
      lab.check("NN_name", strict=True)
      ### END HIDDEN TESTS
      lab.check("NN_name")

  nbgrader removes the hidden region from the students' copy, so the release
  is exactly ``exercises/``; when grading, it puts the region back, and the
  strict check raises ``AssertionError`` (the cell fails, 0 points) unless the
  answer is right. When it passes, the student's own check after it prints
  nothing more (one verdict on the feedback page, the scenarios run once);
* every other cell: locked (read-only, restored from the source when grading).

One assignment holds all the exercises (ten notebooks): the exercises build a
single course of practice, released and fetched once, submitted when done and
graded together (one score out of the total, one feedback page per notebook).
A teacher who wants them due one by one builds one course per week with
``--exercises`` (or renames the assignment with ``--assignment``).

Grading kernels inherit nbgrader's environment: ``nbgrader_config.py`` points
``SIGNALS_LAB_STATE_DIR`` at ``DIR/.grading-state`` when the ``nbgrader``
command runs, so the students' check results never land in the teacher's own
progress.
"""

import re
import sys
from pathlib import Path

from ..checks import catalogue
from ..layout import SOLUTIONS
from .generate import BEGIN, CODE_STUB, MARKDOWN_STUB, MarkerError, strip_solutions

__all__ = [
    "ASSIGNMENT",
    "COURSE_ID",
    "POINTS",
    "CourseError",
    "source_notebook",
    "config_text",
    "write_course",
]

ASSIGNMENT = "signals-lab-exercises"
COURSE_ID = "signals-lab"
POINTS = 1
SCHEMA_VERSION = 3
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
# Kernels of autograding: a check runs for at most 60 s (checks.runner), a cell longer.
CELL_TIMEOUT = 90
CHECK_CALL = re.compile(r'^lab\.check\("(?P<name>[^"]+)"\)$')
NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


class CourseError(ValueError):
    """The course cannot be written as asked; the message says why."""


def _metadata(grade_id, *, solution=False, grade=False, locked=False, points=None):
    data = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        data["points"] = points
    return data


def source_notebook(path, points=POINTS):
    """
    The nbgrader source version of solution notebook ``path`` (an nbformat
    node): every cell gets nbgrader metadata, the check cell a hidden strict
    check. Raises :class:`CourseError` for a notebook without exactly one check
    cell, or with an answer region in a Markdown cell (nbgrader grades those by
    hand: the kit has none).
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    checks = 0
    for index, cell in enumerate(nb.cells):
        try:
            strip_solutions(cell.source)  # refuses malformed markers, like nbgrader
        except MarkerError as error:
            raise CourseError(f"{path.name}, cell {index}: {error}") from None
        has_answer = any(line.strip() == BEGIN for line in cell.source.split("\n"))
        metadata = dict(cell.get("metadata", {}))
        match = CHECK_CALL.match(cell.source.strip())
        if has_answer:
            if cell.cell_type != "code":
                raise CourseError(
                    f"{path.name}, cell {index}: an answer region in a Markdown cell "
                    "(nbgrader grades those by hand; mark it in the course yourself)"
                )
            metadata["nbgrader"] = _metadata(f"answer_{index:02d}", solution=True)
        elif cell.cell_type == "code" and match:
            if match["name"] != path.stem:
                raise CourseError(f"{path.name}: its check cell checks {match['name']!r}")
            checks += 1
            cell.source = "\n".join(
                [BEGIN_HIDDEN, f'lab.check("{path.stem}", strict=True)', END_HIDDEN, cell.source]
            )
            metadata["nbgrader"] = _metadata(
                f"check_{path.stem.split('_', 1)[0]}", grade=True, locked=True, points=points
            )
        else:
            metadata["nbgrader"] = _metadata(f"locked_{index:02d}", locked=True)
        cell["metadata"] = metadata
    if checks != 1:
        raise CourseError(
            f"{path.name}: {checks} check cells (`lab.check({path.stem!r})`), expected one"
        )
    return nb


CONFIG = """\
# nbgrader configuration of the Django Signals Lab course, written by
# `signals-lab course` (re-running it rewrites this file and source/).
import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - nbgrader defines it

c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.course_id = {course_id!r}
{exchange}
# The students' stubs are the kit's own, so the release is exactly exercises/.
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
c.ClearSolutions.text_stub = {text_stub!r}

# A check stops the learner's code after 60 s; a grading cell waits longer.
c.Execute.timeout = {timeout}

# Grading kernels inherit this environment: the students' check results go to a
# scratch folder of the course, never into the teacher's own progress.
if Path(sys.argv[0]).name == "nbgrader":
    os.environ["SIGNALS_LAB_STATE_DIR"] = str(Path(__file__).resolve().parent / ".grading-state")
"""


def config_text(course_id=COURSE_ID, exchange=None):
    """The text of the course's ``nbgrader_config.py``."""
    if exchange:
        line = f"c.Exchange.root = {str(Path(exchange).expanduser().resolve())!r}\n"
    else:
        line = (
            "# Exchange folder: nbgrader's default, /srv/nbgrader/exchange (create it\n"
            "# world-writable once; see docs/teaching.md), or set c.Exchange.root here.\n"
        )
    return CONFIG.format(
        course_id=course_id,
        exchange=line,
        code_stub=CODE_STUB,
        text_stub=MARKDOWN_STUB,
        timeout=CELL_TIMEOUT,
    )


def _selected(numbers):
    if not numbers:
        return [e.name for e in catalogue.exercises()]
    return [catalogue.find(number).name for number in numbers]


def write_course(
    folder,
    assignment=ASSIGNMENT,
    course_id=COURSE_ID,
    exercises=None,
    exchange=None,
    points=POINTS,
    say=print,
):
    """
    Write (or rewrite) the nbgrader course in ``folder``; return its path.
    ``exercises``: numbers or names (default: all); ``exchange``: the folder
    nbgrader exchanges assignments through (default: nbgrader's own).
    """
    import nbformat

    for label, value in (("assignment", assignment), ("course id", course_id)):
        if not NAME.match(value):
            raise CourseError(f"the {label} {value!r} may hold only letters, digits, - _ .")
    root = Path(folder).expanduser().resolve()
    names = _selected(exercises)
    target = root / "source" / assignment
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("[0-9][0-9]_*.ipynb"):
        if stale.stem not in names:
            stale.unlink()
    for name in names:
        nb = source_notebook(SOLUTIONS / f"{name}.ipynb", points=points)
        (target / f"{name}.ipynb").write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    (root / "nbgrader_config.py").write_text(config_text(course_id, exchange), encoding="utf-8")
    total = len(names) * points
    say(f"wrote the nbgrader course {root}: source/{assignment}/ ({len(names)} notebooks, ")
    say(f"  {total} points) and nbgrader_config.py. Next, in that folder:")
    say(f"  nbgrader generate_assignment {assignment}")
    say(f"  nbgrader release_assignment {assignment}")
    return root


def main(argv=None):
    import argparse

    top = argparse.ArgumentParser(prog="signals-lab course", description=__doc__.split("\n")[1])
    add_arguments(top)
    args = top.parse_args(argv)
    return run(args)


def add_arguments(command):
    """The ``course`` subcommand's arguments (shared with the learner CLI)."""
    command.add_argument("dir", help="the course folder (created if missing)")
    command.add_argument("--assignment", default=ASSIGNMENT, help=f"default: {ASSIGNMENT}")
    command.add_argument("--course-id", default=COURSE_ID, help=f"default: {COURSE_ID}")
    command.add_argument(
        "--exercises", nargs="+", metavar="NN", help="only these exercises (default: all)"
    )
    command.add_argument(
        "--exchange", help="nbgrader's exchange folder (default: /srv/nbgrader/exchange)"
    )
    command.add_argument("--points", type=int, default=POINTS, help="points per exercise")


def run(args):
    """Run the ``course`` subcommand; return the exit status."""
    from ..runtime.errors import LabError

    try:
        write_course(
            args.dir,
            assignment=args.assignment,
            course_id=args.course_id,
            exercises=args.exercises,
            exchange=args.exchange,
            points=args.points,
        )
    except (CourseError, LabError) as error:
        print(f"signals-lab course: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
