"""
Every one of Django 5.2's 21 built-in signals reaches a receiver written in a
lesson (or in a tutorial_project app) while the lessons run.

Proved by running every lesson in a fresh kernel with the dispatcher
instrumented (``SIGNALS_LAB_COVERAGE``: the recorder stays on for the whole
kernel and writes which receivers ran for which signal), not by searching the
notebooks' text.
"""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from tutorial_project.lab.notebooks import LESSONS, notebook_paths

pytestmark = pytest.mark.notebook

BUILT_IN = {
    "pre_init", "post_init", "pre_save", "post_save", "pre_delete", "post_delete",
    "m2m_changed", "class_prepared", "pre_migrate", "post_migrate",
    "request_started", "request_finished", "got_request_exception",
    "setting_changed", "template_rendered", "connection_created",
    "user_logged_in", "user_logged_out", "user_login_failed",
    "autoreload_started", "file_changed",
}  # fmt: skip


def test_the_list_is_every_signal_django_defines():
    import importlib

    from django.dispatch import Signal

    found = set()
    for module in (
        "django.db.models.signals",
        "django.core.signals",
        "django.db.backends.signals",
        "django.test.signals",
        "django.contrib.auth.signals",
        "django.utils.autoreload",
    ):
        namespace = vars(importlib.import_module(module))
        found |= {k for k, v in namespace.items() if isinstance(v, Signal) and k[0] != "_"}
    assert found == BUILT_IN


def _run(path, folder):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()


def test_every_built_in_signal_reaches_a_lesson_receiver(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNALS_LAB_COVERAGE", str(tmp_path))
    lessons = notebook_paths(LESSONS)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda p: _run(p, tmp_path), lessons))
    received = {}
    for dump in tmp_path.glob("*.json"):
        for signal, receivers in json.loads(dump.read_text()).items():
            ours = [r for r in receivers if not r.startswith("django.")]
            received.setdefault(signal, set()).update(ours)
    missing = sorted(s for s in BUILT_IN if not received.get(s))
    assert not missing, f"no lesson receiver ran for: {missing}"
    assert len(list(tmp_path.glob("*.json"))) == len(lessons)
    assert os.environ["SIGNALS_LAB_COVERAGE"] == str(tmp_path)
