"""Committed notebooks are canonical: executed, deterministic, nbval-ready."""

import copy
import json
import re

import nbformat
import pytest

from signals_lab.layout import LESSONS, SOLUTIONS, notebook_paths
from signals_lab.tools.canonical import normalise

EXECUTED = notebook_paths(LESSONS) + notebook_paths(SOLUTIONS)
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def test_there_are_lessons():
    assert notebook_paths(LESSONS), "notebooks/ has no lesson"


@pytest.fixture(params=EXECUTED, ids=lambda p: f"{p.parent.name}/{p.name}")
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_valid_and_canonical(notebook):
    path, nb = notebook
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert normalise(copy.deepcopy(nb), path.name) == nb, "run `make execute` on it"


def test_every_code_cell_was_executed_in_order(notebook):
    # Strict nbval silently skips a code cell that has no stored execution.
    _, nb = notebook
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


def test_first_code_cell_boots(notebook):
    _, nb = notebook
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "boot()" in first.source


def test_outputs_are_deterministic_and_small(notebook):
    _, nb = notebook
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        dumped = json.dumps(cell.outputs)
        assert not ADDRESS.search(dumped), f"cell {index} stores a memory address"
        assert "image/svg+xml" not in dumped, f"cell {index} stores a drawing JupyterLab saved"
        assert len(dumped) < 20_000, f"cell {index} stores {len(dumped)} characters"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            assert "NBVAL_RAISES_EXCEPTION" in cell.source, f"cell {index} raised unexpectedly"
            assert len(json.dumps(errors)) < 3_000, f"cell {index} stores a long traceback"
        assert "execution" not in cell.metadata


@pytest.mark.parametrize("path", notebook_paths(LESSONS), ids=lambda p: p.name)
def test_lessons_link_the_django_docs(path):
    nb = nbformat.read(path, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    # 5.2 LTS docs, or 6.1 docs where a lesson is about what 6.x changed or added.
    assert re.search(r"docs\.djangoproject\.com/en/(5\.2|6\.1)/", prose)


LONGEST_CELL = 20  # non-blank lines: longer machinery belongs in a kit helper (lab.demos)
# Lessons another session is rewriting; expected to pass once that work lands
# (non-strict: a pass shows as XPASS). Today 08 has cells of 21 to 37 lines.
LONG_CELLS_BEING_REWORKED = set()  # the Django 6.1 rework of 01-04, 08 and 10 has landed


def _lesson_params():
    for path in notebook_paths(LESSONS):
        marks = []
        if path.name in LONG_CELLS_BEING_REWORKED:
            marks.append(pytest.mark.xfail(reason="being reworked elsewhere", strict=False))
        yield pytest.param(path, id=path.name, marks=marks)


@pytest.mark.parametrize("path", list(_lesson_params()))
def test_lesson_code_cells_are_short(path):
    nb = nbformat.read(path, as_version=4)
    long_cells = {
        index: lines
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and (lines := sum(1 for line in cell.source.splitlines() if line.strip())) > LONGEST_CELL
    }
    assert not long_cells, f"cells longer than {LONGEST_CELL} lines (cell: lines): {long_cells}"
