"""
Every one of Django 5.2's 21 built-in signals reaches a receiver written in a
lesson (or in a tutorial_project app) while the lessons run, and the README's
coverage table says exactly which lessons. Running a lesson twice in one
kernel gives the same outputs and leaves the same receivers connected.

Proved by running every lesson in a fresh kernel with the dispatcher
instrumented (``SIGNALS_LAB_COVERAGE``: the recorder stays on for the whole
kernel and writes which receivers ran for which signal), not by searching the
notebooks' text.
"""

import importlib

import pytest
from django.dispatch import Signal

from tutorial_project.lab.notebooks import (
    BUILT_IN_SIGNALS,
    LESSONS,
    coverage_table,
    notebook_paths,
    readme_table,
    signal_coverage,
)
from tutorial_project.lab.recorder import BUILTIN_MODULES


def test_the_list_is_every_signal_django_defines():
    found = set()
    for module in BUILTIN_MODULES:
        namespace = vars(importlib.import_module(module))
        found |= {k for k, v in namespace.items() if isinstance(v, Signal) and k[0] != "_"}
    assert found == set(BUILT_IN_SIGNALS)
    assert len(found) == 21


@pytest.mark.notebook
def test_every_built_in_signal_reaches_a_lesson_receiver_and_run_all_twice_is_stable():
    # One pass over the lessons proves both claims: each lesson runs twice in
    # the same kernel ("Run all" twice), and the second run must show the same
    # outputs and leave the same receivers connected as the first.
    coverage, differences = signal_coverage(notebook_paths(LESSONS), twice=True)
    assert not differences, f"outputs changed on the second run: {differences}"
    missing = [s for s in BUILT_IN_SIGNALS if not coverage.get(s)]
    assert not missing, f"no lesson receiver ran for: {missing}"
    assert readme_table() == coverage_table(coverage), (
        "README's coverage table is stale: run "
        "`.venv/bin/python -m tutorial_project.lab.notebooks coverage`"
    )
