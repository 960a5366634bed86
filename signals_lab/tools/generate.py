"""
Generate ``exercises/`` from ``solutions/`` (``make exercises``).

A solution notebook marks each answer like nbgrader does, each marker alone
on its line::

    def send_welcome_email(sender, instance, created, raw, **kwargs):
        ### BEGIN SOLUTION
        if raw or not created:
            return
        ...
        ### END SOLUTION

The exercise gets, in place of each region, the same indentation and::

    # YOUR CODE HERE
    ...

(``...`` keeps the cell valid Python, so the notebook runs to the end and its
check says "not yet"). Outputs are cleared. Markdown cells may hold solution
regions too; they become ``*Your answer here.*``.

Like nbgrader's ``ClearSolutions``, the stripper is a line-based state machine
that refuses to guess: a nested, unterminated or END-first region, or a marker
that is not alone on its line, raises :class:`MarkerError` naming the notebook
and the cell, so answer text can never leak into an exercise.

``exercises/`` is generated, never edited: learners work on copies in their
workspace, so this overwrites it freely.
"""

import sys

from ..layout import EXERCISES, SOLUTIONS, notebook_paths
from .canonical import normalise

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_STUB = "# YOUR CODE HERE\n..."
MARKDOWN_STUB = "*Your answer here.*"

__all__ = ["MarkerError", "strip_solutions", "exercise_from_solution", "generate_all"]


class MarkerError(ValueError):
    """A solution marker is malformed; the message names where."""


def strip_solutions(source, markdown=False):
    """Replace every solution region of a cell's source by a placeholder."""
    out, inside = [], False
    for number, line in enumerate(source.split("\n"), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise MarkerError(f"line {number}: {BEGIN} inside another solution region")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            stub = MARKDOWN_STUB if markdown else CODE_STUB
            out.extend(indent + part for part in stub.split("\n"))
        elif stripped == END:
            if not inside:
                raise MarkerError(f"line {number}: {END} without a {BEGIN} before it")
            inside = False
        elif "BEGIN SOLUTION" in line or "END SOLUTION" in line:
            raise MarkerError(
                f"line {number}: a solution marker must be alone on its line: {stripped!r}"
            )
        elif not inside:
            out.append(line)
    if inside:
        raise MarkerError(f"{BEGIN} without an {END}")
    return "\n".join(out).rstrip("\n")


def exercise_from_solution(path):
    """The exercise notebook (an nbformat node) generated from solution ``path``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        try:
            cell.source = strip_solutions(cell.source, markdown=cell.cell_type == "markdown")
        except MarkerError as error:
            raise MarkerError(f"{path.name}, cell {index}: {error}") from None
        if cell.cell_type == "code":
            cell.outputs = []
    normalise(nb, path.name, execution_counts=False)
    return nb


def exercise_text(path):
    """The exercise generated from solution ``path``, as the text written to disk."""
    import nbformat

    return nbformat.writes(exercise_from_solution(path)) + "\n"


def generate_all(names=None, quiet=False):
    """Write ``exercises/NN_*.ipynb`` for every solution (or only ``names``); return 0."""
    for solution in notebook_paths(SOLUTIONS):
        if names and solution.stem not in names:
            continue
        target = EXERCISES / solution.name
        text = exercise_text(solution)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        target.write_text(text, encoding="utf-8")
        if not quiet:
            print(f"wrote exercises/{target.name}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(generate_all())
    except MarkerError as error:
        sys.exit(f"make exercises: {error}")
