"""The solution stripper never leaks answer text: malformed markers stop generation."""

import nbformat
import pytest

from signals_lab.layout import EXERCISES
from signals_lab.tools.generate import MarkerError, exercise_from_solution, strip_solutions

ANSWER = "secret_answer = 42"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (f"### END SOLUTION\n{ANSWER}\n### BEGIN SOLUTION", "without a ### BEGIN"),
        (
            f"### BEGIN SOLUTION\n### BEGIN SOLUTION\n{ANSWER}\n### END SOLUTION\n### END SOLUTION",
            "inside another",
        ),
        (f"### BEGIN SOLUTION\n{ANSWER}", "without an ### END"),
        (f"x = 1  ### BEGIN SOLUTION\n{ANSWER}\n### END SOLUTION", "alone on its line"),
        (f"### BEGIN SOLUTION\n{ANSWER}  ### END SOLUTION", "alone on its line"),
        (f"### BEGIN SOLUTION please\n{ANSWER}\n### END SOLUTION", "alone on its line"),
    ],
    ids=["end-first", "nested", "unterminated", "mid-line-begin", "mid-line-end", "trailing-text"],
)
def test_malformed_markers_raise_instead_of_leaking(source, problem):
    with pytest.raises(MarkerError, match=problem):
        strip_solutions(source)


def test_the_error_names_the_notebook_and_the_cell(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell(f"### BEGIN SOLUTION\n### BEGIN SOLUTION\n{ANSWER}"),
        ]
    )
    path = tmp_path / "01_demo.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(MarkerError, match=r"^01_demo\.ipynb, cell 1: line 2"):
        exercise_from_solution(path)


def test_regions_become_stubs_with_their_indentation():
    source = (
        "def f(**kwargs):\n    ### BEGIN SOLUTION\n    return 42\n    ### END SOLUTION\n\nx = 1"
    )
    assert strip_solutions(source) == "def f(**kwargs):\n    # YOUR CODE HERE\n    ...\n\nx = 1"
    assert strip_solutions("### BEGIN SOLUTION\nMy answer.\n### END SOLUTION", markdown=True) == (
        "*Your answer here.*"
    )


def test_generated_exercises_hold_no_marker_of_either_kind():
    for path in EXERCISES.glob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path.name
