"""09: a pytest-django test that catches a broken confirmation e-mail."""

import ast
import inspect
import linecache
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from .context import NotYet

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

TIMEOUT = 120
OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR) \S*test_learner\.py::(\w+)\[(\w+)\]", re.M)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Environment the learner's pytest must not inherit: the kernel's private
# database and async switch, and whatever an outer pytest run sets.
DROPPED = ("SIGNALS_LAB_DATABASE", "DJANGO_ALLOW_ASYNC_UNSAFE", "FORCE_COLOR", "PY_COLORS")


def _imports(func):
    """The top-level import statements of the cell that defined ``func``."""
    try:
        cell = "".join(linecache.getlines(inspect.getsourcefile(func) or ""))
        tree = ast.parse(cell)
    except (SyntaxError, TypeError, ValueError):
        return ""
    return "".join(
        ast.get_source_segment(cell, node) + "\n"
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom) and node.col_offset == 0
    )


def _run(source):
    with tempfile.TemporaryDirectory(prefix="signals-lab-ex09-") as folder:
        Path(folder, "conftest.py").write_text(CONFTEST)
        Path(folder, "test_learner.py").write_text(source)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in DROPPED and not key.startswith(("PYTEST_", "COV_CORE_"))
        }
        env["DJANGO_SETTINGS_MODULE"] = "tutorial_project.settings"
        env["NO_COLOR"] = "1"
        command = [sys.executable, "-m", "pytest", folder, "-q", "-rA", "--color=no"]
        for plugin in ("cacheprovider", "nbval", "xdist", "randomly", "cov"):
            command += ["-p", f"no:{plugin}"]
        command += ["--rootdir", folder, "-c", os.devnull]
        try:
            result = subprocess.run(
                command,
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise NotYet(
                f"Your test ran for more than {TIMEOUT} seconds: look for a loop that never ends."
            ) from None
    return ANSI.sub("", result.stdout + result.stderr)


def _last_line(output):
    error = re.search(r"^E\s+(\S.*)$", output, re.M)
    if error:
        return error.group(1).strip()
    lines = [line for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return "no output"
    return re.sub(r" in [0-9.]+s", "", lines[-1].strip(" ="))


def check(ctx):
    test = ctx.function("test_confirmation_email", what="test function")
    try:
        source = textwrap.dedent(inspect.getsource(test))
    except (OSError, TypeError):
        raise NotYet(
            "The source of `test_confirmation_email` cannot be read: define it in a cell."
        ) from None
    output = _run(HEADER + _imports(test) + "\n\n" + source)
    outcomes = {variant: status for status, _name, variant in OUTCOME.findall(output)}
    if set(outcomes) != {"real", "silent", "twice"}:
        raise NotYet(f"pytest could not run your test ({_last_line(output)}).")
    if outcomes["real"] != "PASSED":
        missing = re.search(r"fixture '(\w+)' not found", output)
        if missing:
            raise NotYet(
                f"pytest has no fixture called `{missing.group(1)}`: the on_commit one is "
                "`django_capture_on_commit_callbacks` (and `mailoutbox` holds the e-mails)."
            )
        if "Database access not allowed" in output:
            raise NotYet(
                "Your test may not use the database: mark it with `@pytest.mark.django_db`."
            )
        if "capture_on_commit" not in source:
            raise NotYet(
                "Your test fails against the correct receiver: inside a test's transaction "
                "on_commit callbacks never run; use "
                "`with django_capture_on_commit_callbacks(execute=True):`."
            )
        if not re.search(r"execute\s*=\s*True", source):
            raise NotYet(
                "Your test fails against the correct receiver: "
                "django_capture_on_commit_callbacks() only collects the callbacks unless "
                "you pass `execute=True`."
            )
        raise NotYet(
            "Your test fails against the correct receiver: check what it asserts (the "
            "e-mail goes to the new user's address, once)."
        )
    if outcomes["silent"] == "PASSED":
        raise NotYet(
            "Your test still passes when the receiver sends no e-mail at all: assert that "
            "a message was sent to the new user."
        )
    if outcomes["twice"] == "PASSED":
        raise NotYet(
            "Your test still passes when the e-mail is sent twice: assert exactly one message, "
            "e.g. `assert len(mail.outbox) == 1`."
        )
