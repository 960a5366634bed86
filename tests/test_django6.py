"""
What the kit adds for Django 6.0+ features, checked on 6.x (skipped on 5.2 LTS,
where the features do not exist): a TaskResult's short, stable repr in
recordings, and django.tasks log lines as one line without the random task id.
"""

import logging

import django
import pytest

from signals_lab.runtime import boot
from signals_lab.runtime.recorder import short_repr

pytestmark = pytest.mark.skipif(django.VERSION < (6, 0), reason="tasks need Django 6.0+")


def send_welcome():
    return None


def _result(status, errors=()):
    from django.tasks import task
    from django.tasks.base import TaskError, TaskResult

    return TaskResult(
        task=task(send_welcome),
        id="x" * 32,
        status=status,
        enqueued_at=None,
        started_at=None,
        last_attempted_at=None,
        finished_at=None,
        args=[],
        kwargs={},
        backend="default",
        errors=[TaskError(exception_class_path=path, traceback="...") for path in errors],
        worker_ids=[],
    )


def test_task_result_shows_its_task_and_status_only():
    assert short_repr(_result("RUNNING")) == "<TaskResult send_welcome RUNNING>"
    failed = _result("FAILED", errors=["builtins.ValueError"])
    assert short_repr(failed) == "<TaskResult send_welcome FAILED: ValueError>"


def test_task_log_lines_lose_the_random_id(capsys):
    logger = logging.getLogger("django.tasks")
    saved = logger.handlers, logger.propagate
    try:
        boot._one_line_task_logs()
        logger.warning("Task id=%s path=%s state=%s", "x" * 32, "app.send", "RUNNING")
        logger.warning("Something else: %s", "kept")
    finally:
        logger.handlers, logger.propagate = saved
    assert capsys.readouterr().out.splitlines() == [
        "[django.tasks WARNING] Task path=app.send state=RUNNING",
        "[django.tasks WARNING] Something else: kept",
    ]
