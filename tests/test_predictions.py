"""
Every "predict, then run" cell (and every "Try it" cell) of a lesson is
self-contained: it makes the data it needs, so it gives the same answer after
"Run All", when it is re-run on its own, and after ``lab.reset()``.

For each lesson, the kernel of its run-twice-and-coverage item
(``tests/lesson_coverage.py``, one kernel per lesson) then re-runs each such
cell alone (one after the other, with no reset in between), then for each
``lab.reset()`` and the cell again; what a learner reads (stdout and the text
of results) must be what Run All showed. This module has the helpers, and the
checks that need no kernel.
"""

import re

import nbformat

from signals_lab.layout import LESSONS, notebook_paths

SITUATIONS = (("re-run alone", None), ("after lab.reset()", "lab.reset()"))
TRY_IT = re.compile(r"\*\*Try it", re.IGNORECASE)


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


def rerun_cells(nb):
    """
    The cells that re-run a lesson's questions, to run straight after the
    lesson's Run All in the same kernel: every question alone, one after the
    other (no reset in between: a cell that only works on fresh data fails
    here), then every question after its own ``lab.reset()`` cell.
    Returns ``[(situation, index, cell), ...]``, ``cell`` an nbformat node;
    the reset cells have no situation.
    """
    reruns = []
    for situation, before in SITUATIONS:
        for index in questions(nb):
            if before:
                reruns.append((None, index, nbformat.v4.new_code_cell(before)))
            reruns.append((situation, index, nbformat.v4.new_code_cell(nb.cells[index].source)))
    return reruns


def rerun_problems(first_run, reruns):
    """
    ``first_run``: {question index: its outputs in Run All}. One message per
    re-run whose readable output differs.
    """
    problems = []
    for situation, index, cell in reruns:
        if situation is None:
            continue
        expected, got = readable(first_run[index]), readable(cell.outputs)
        if got != expected:
            problems.append(
                f"cell {index} {situation}:\n--- Run All ---\n{expected}"
                f"\n--- {situation} ---\n{got}"
            )
    return problems
