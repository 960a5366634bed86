"""
Every "predict, then run" cell (and every "Try it" cell) of a lesson is
self-contained: it makes the data it needs, so it gives the same answer after
"Run All", when it is re-run on its own, and after ``lab.reset()``.

For each lesson: one real kernel runs the whole notebook, then re-runs each
such cell alone (one after the other, with no reset in between), then for each
``lab.reset()`` and the cell again, and compares what a learner reads (stdout
and the text of results) with the Run All output.
"""

import os
import re
import subprocess

import nbformat
import pytest

from signals_lab.layout import LESSONS, notebook_paths

pytestmark = pytest.mark.notebook

# Lessons another session is rewriting for Django 6.1: expected to pass once
# that work lands (non-strict, so a pass shows as XPASS, not a failure).
REWORKED_ELSEWHERE = set()  # the Django 6.1 rework of 01-04, 08 and 10 has landed
SITUATIONS = (("re-run alone", None), ("after lab.reset()", "lab.reset()"))
TRY_IT = re.compile(r"\*\*Try it", re.IGNORECASE)


def _lessons():
    return list(_each_lesson())


def _each_lesson():
    for path in notebook_paths(LESSONS):
        marks = []
        if path.name in REWORKED_ELSEWHERE:
            marks.append(pytest.mark.xfail(reason="lesson being reworked elsewhere", strict=False))
        yield pytest.param(path, id=path.name, marks=marks)


def questions(nb):
    """Indexes of the predict cells (``lab.predict(``) and of code cells a "Try it" introduces."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        previous = nb.cells[index - 1] if index else None
        introduced = previous is not None and previous.cell_type == "markdown"
        if "lab.predict(" in cell.source or (introduced and TRY_IT.search(previous.source)):
            found.append(index)
    return found


def readable(outputs):
    """What a learner reads in a cell's outputs: streams and text results, in order."""
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append(f"{output.ename}: {output.evalue}")
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_a_lesson_has_questions():
    assert all(questions(nbformat.read(p, as_version=4)) for p in notebook_paths(LESSONS))


@pytest.mark.parametrize("path", _lessons())
def test_questions_give_the_same_answer_after_run_all_rerun_and_reset(path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    saved = os.environ.pop("DJANGO_SETTINGS_MODULE", None)  # a learner's kernel has none
    try:
        with client.setup_kernel(stderr=subprocess.DEVNULL):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, index)
            after_run_all = {i: readable(nb.cells[i].outputs) for i in questions(nb)}
            problems = []
            # First every question re-run alone, straight after Run All (no reset
            # in between: a cell that only works on fresh data fails here), then
            # every question after lab.reset().
            for situation, before in SITUATIONS:
                for index, expected in after_run_all.items():
                    source = nb.cells[index].source
                    if before:
                        client.execute_cell(nbformat.v4.new_code_cell(before), index)
                    again = nbformat.v4.new_code_cell(source)
                    client.execute_cell(again, index)
                    if readable(again.outputs) != expected:
                        problems.append(
                            f"cell {index} {situation}:\n--- Run All ---\n{expected}"
                            f"\n--- {situation} ---\n{readable(again.outputs)}"
                        )
    finally:
        if saved is not None:
            os.environ["DJANGO_SETTINGS_MODULE"] = saved
    assert not problems, "\n\n".join(problems)
