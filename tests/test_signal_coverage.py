"""
Every one of the installed Django's built-in signals (21 on 5.2, 24 on 6.x)
reaches a receiver written in a lesson (or in a tutorial_project app), and the
README's coverage table says exactly which lessons.

The table's claims are proved lesson by lesson (``tests/lesson_coverage.py``
runs each lesson twice in a fresh kernel with the dispatcher instrumented and
compares what ran with the table's column for that lesson); this file checks
the table itself: one row per built-in signal of this Django, each with at
least one lesson, and rows for a newer Django's signals marked with its version.
"""

import importlib
import re

import django
import nbformat
import pytest
from django.dispatch import Signal

from signals_lab.layout import LESSONS, notebook_paths
from signals_lab.runtime.names import builtin_signals
from signals_lab.tools.coverage import (
    coverage_table,
    lesson_coverage,
    merged_table,
    parse_table,
    readme_table,
    required_django,
    runs_here,
)


def test_the_list_is_every_signal_django_defines():
    # The list is read from Django's source; importing each module it names
    # must give exactly those Signal instances (an independent oracle).
    found = set()
    for module in set(builtin_signals().values()):
        namespace = vars(importlib.import_module(module))
        found |= {k for k, v in namespace.items() if isinstance(v, Signal) and k[0] != "_"}
    assert found == set(builtin_signals())
    expected = 24 if django.VERSION >= (6, 0) else 21
    assert len(found) == expected


def test_readme_table_has_a_lesson_for_every_signal_of_this_django():
    rows = parse_table(readme_table())
    ours = builtin_signals()
    missing = [signal for signal in ours if not rows.get(signal, (None, []))[1]]
    assert not missing, f"README: no lesson for {missing}"
    lessons = {path.stem: path for path in notebook_paths(LESSONS)}
    for signal, (since, credited) in rows.items():
        assert set(credited) <= set(lessons), f"README credits {signal} to {credited}"
        if signal not in ours:  # a newer Django's signal: marked, and its lessons need it
            assert since and tuple(map(int, since.split("."))) > django.VERSION[:2], signal
        needs = {required_django(lessons[lesson]) for lesson in credited}
        if since:
            assert needs == {tuple(map(int, since.split(".")))}, (signal, since, needs)
        else:
            assert None in needs, f"{signal}: every lesson showing it needs a newer Django"


def test_readme_table_has_the_rows_this_django_would_write():
    # Same signals, same "since" marks, same row order as the generator writes.
    rows = parse_table(readme_table())
    coverage = {signal: lessons for signal, (_, lessons) in rows.items()}
    regenerated = merged_table(coverage_table(coverage), readme_table())
    assert regenerated == readme_table(), (
        "README's coverage table is stale: run `.venv/bin/python -m signals_lab.tools.coverage`"
    )


def test_lessons_declare_the_django_they_need_in_their_first_cell():
    needs = {path.name: required_django(path) for path in notebook_paths(LESSONS)}
    assert needs.pop("13_tasks.ipynb") == (6, 0)
    assert set(needs.values()) == {None}
    assert runs_here(LESSONS / "13_tasks.ipynb") == (django.VERSION >= (6, 0))


@pytest.mark.notebook
def test_a_cell_that_raises_fails_the_coverage_run(tmp_path):
    # Two runs raising the same error must not pass as "the same output twice".
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from signals_lab import boot\nlab = boot()"),
        nbformat.v4.new_code_cell("raise ValueError('broken lesson')"),
    ]
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    signals, differences = lesson_coverage(path, twice=True)
    assert differences == ["code cell 2 raised ValueError", "code cell 5 raised ValueError"]
    assert signals == []


def test_a_newer_djangos_rows_survive_a_rewrite_on_an_older_one():
    readme = (
        "| signal | lessons with a live receiver |\n|---|---|\n"
        "| `post_save` | `00_start_here` |\n"
        "| `task_enqueued` (6.0+) | `13_tasks` |"
    )
    older = "\n".join(readme.splitlines()[:3])
    assert merged_table(older, readme) == readme
    assert re.search(r"\(6\.0\+\)", merged_table(older, readme))
