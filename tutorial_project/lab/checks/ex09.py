"""09: a pytest-django test that catches a broken confirmation e-mail."""

import inspect
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from . import NotYet

PASS = "your test passes on the real receiver and catches both broken ones. Well done!"

CONFTEST = """
import pytest

from tutorial_project.accounts import signals


@pytest.fixture(autouse=True, params=["real", "silent", "twice"])
def variant(request, monkeypatch):
    send_mail = signals.send_mail
    if request.param == "silent":
        monkeypatch.setattr(signals, "send_mail", lambda *args, **kwargs: 0)
    elif request.param == "twice":
        def twice(*args, **kwargs):
            send_mail(*args, **kwargs)
            return send_mail(*args, **kwargs)
        monkeypatch.setattr(signals, "send_mail", twice)
    return request.param
"""

HEADER = """import pytest
from django.contrib.auth.models import User
from django.core import mail

"""

OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR) \S*test_learner\.py::(\w+)\[(\w+)\]", re.M)


def _run(source):
    with tempfile.TemporaryDirectory(prefix="signals-lab-ex09-") as folder:
        Path(folder, "conftest.py").write_text(CONFTEST)
        Path(folder, "test_learner.py").write_text(HEADER + source)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("SIGNALS_LAB_DATABASE", "DJANGO_ALLOW_ASYNC_UNSAFE")
        }
        env["DJANGO_SETTINGS_MODULE"] = "tutorial_project.settings"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                folder,
                "-q",
                "-rA",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:nbval",
                "-p",
                "no:xdist",
                "-p",
                "no:randomly",
                "--rootdir",
                folder,
                "-c",
                os.devnull,
            ],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    return result.stdout + result.stderr


def check(ctx):
    test = ctx.function("test_confirmation_email", what="test function")
    try:
        source = textwrap.dedent(inspect.getsource(test))
    except (OSError, TypeError):
        raise NotYet(
            "The source of `test_confirmation_email` cannot be read: define it in a cell."
        ) from None
    output = _run(source)
    outcomes = {variant: status for status, _name, variant in OUTCOME.findall(output)}
    if set(outcomes) != {"real", "silent", "twice"}:
        last = output.strip().splitlines()[-1] if output.strip() else "no output"
        raise NotYet(f"pytest could not run your test ({last}).")
    if outcomes["real"] != "PASSED":
        if "capture_on_commit" not in source:
            raise NotYet(
                "Your test fails against the correct receiver: inside a test's transaction "
                "on_commit callbacks never run; use "
                "`with django_capture_on_commit_callbacks(execute=True):`."
            )
        raise NotYet("Your test fails against the correct receiver: check what it asserts.")
    if outcomes["silent"] == "PASSED":
        raise NotYet(
            "Your test still passes when the receiver sends no e-mail at all: assert that "
            "a message was sent to the new user."
        )
    if outcomes["twice"] == "PASSED":
        raise NotYet(
            "Your test still passes when the e-mail is sent twice: assert exactly one message."
        )
