"""
Every one of the installed Django's built-in signals (21 on 5.2, 24 on 6.x)
reaches a receiver written in a lesson (or in a tutorial_project app) while the
lessons run, and the README's coverage table says exactly which lessons. Running a
lesson twice in one kernel gives the same outputs and leaves the same receivers connected.

Proved by running every lesson in a fresh kernel with the dispatcher
instrumented (``SIGNALS_LAB_COVERAGE``: the recorder stays on for the whole
kernel and writes which receivers ran for which signal), not by searching the
notebooks' text.
"""

import importlib

import django
import pytest
from django.dispatch import Signal

from signals_lab.layout import LESSONS, notebook_paths
from signals_lab.runtime.names import builtin_signals
from signals_lab.tools.coverage import coverage_table, readme_table, signal_coverage


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


@pytest.mark.notebook
def test_every_built_in_signal_reaches_a_lesson_receiver_and_run_all_twice_is_stable():
    # One pass over the lessons proves both claims: each lesson runs twice in
    # the same kernel ("Run all" twice), and the second run must show the same
    # outputs and leave the same receivers connected as the first.
    coverage, differences = signal_coverage(notebook_paths(LESSONS), twice=True)
    assert not differences, f"outputs changed on the second run: {differences}"
    missing = [s for s in builtin_signals() if not coverage.get(s)]
    assert not missing, f"no lesson receiver ran for: {missing}"
    assert readme_table() == coverage_table(coverage), (
        "README's coverage table is stale: run `.venv/bin/python -m signals_lab.tools.coverage`"
    )
