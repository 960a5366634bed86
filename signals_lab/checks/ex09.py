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

# Each run of the learner's test gets one variant of the project's receiver:
# the real one, none at all ("silent"), or the real one connected twice.
CONFTEST = """
import pytest
from django.contrib.auth.models import User
from django.db.models.signals import post_save

from tutorial_project.accounts import signals

UID = "accounts.confirmation_email"


@pytest.fixture(autouse=True, params=VARIANTS)
def variant(request):
    receiver = signals.send_confirmation_email
    if request.param == "silent":
        post_save.disconnect(sender=User, dispatch_uid=UID)
    elif request.param == "twice":
        post_save.connect(receiver, sender=User, dispatch_uid="signals-lab-twice")
    yield request.param
    if request.param == "silent":
        post_save.connect(receiver, sender=User, dispatch_uid=UID)
    elif request.param == "twice":
        post_save.disconnect(sender=User, dispatch_uid="signals-lab-twice")
"""

HEADER = """import pytest
from django.contrib.auth.models import User
from django.core import mail

"""

# The check's own limit (see runner.time_limit); pytest is stopped a little
# before it, so this module's "ran for more than N seconds" is what shows.
TIME_LIMIT = 60
MARGIN = 5
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


def _run(source, timeout, variants=("real", "silent", "twice")):
    with tempfile.TemporaryDirectory(prefix="signals-lab-ex09-") as folder:
        Path(folder, "conftest.py").write_text(CONFTEST.replace("VARIANTS", repr(list(variants))))
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
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            raise NotYet(
                f"Your test ran for more than {timeout:.0f} seconds: look for a loop that "
                "never ends (e.g. waiting for an e-mail that only on_commit would send)."
            ) from None
    return ANSI.sub("", result.stdout + result.stderr)


def _timeout(ctx):
    remaining = ctx.remaining() if ctx is not None else None
    if remaining is None:
        return TIME_LIMIT - MARGIN
    return max(1.0, remaining - MARGIN)


def _source(test):
    try:
        source = textwrap.dedent(inspect.getsource(test))
    except (OSError, TypeError):
        raise NotYet(
            "The source of `test_confirmation_email` cannot be read: define it in a cell."
        ) from None
    return source, HEADER + _imports(test) + "\n\n" + source


WRONG_PLACE = re.compile(
    r"""patch\(\s*["']django\.core\.mail\.send_mail["']"""
    r"""|patch\.object\(\s*(django\.core\.)?mail\s*,\s*["']send_mail["']"""
    r"""|setattr\(\s*(["']django\.core\.mail\.send_mail["']|(django\.core\.)?mail\s*,"""
    r"""\s*["']send_mail["'])"""
)


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
    source, module = _source(test)
    output = _run(module, _timeout(ctx))
    outcomes = {variant: status for status, _name, variant in OUTCOME.findall(output)}
    if set(outcomes) != {"real", "silent", "twice"}:
        raise NotYet(f"pytest could not run your test ({_last_line(output)}).")
    if outcomes["real"] != "PASSED":
        raise NotYet(_why_real_fails(source, output))
    if outcomes["silent"] == "PASSED":
        raise NotYet(
            "Your test still passes when no confirmation e-mail is sent at all (the check "
            "disconnected the receiver): create a user and assert that a message went to "
            "their address."
        )
    if outcomes["twice"] == "PASSED":
        raise NotYet(
            "Your test still passes when the e-mail is sent twice: assert exactly one message, "
            "e.g. `assert len(mail.outbox) == 1`."
        )


def _why_real_fails(source, output):
    """One sentence: why the learner's test fails against the correct receiver."""
    missing = re.search(r"fixture '(\w+)' not found", output)
    if missing:
        return (
            f"pytest has no fixture called `{missing.group(1)}`: the on_commit one is "
            "`django_capture_on_commit_callbacks` (and `mailoutbox` holds the e-mails)."
        )
    if "Database access not allowed" in output:
        return "Your test may not use the database: mark it with `@pytest.mark.django_db`."
    if WRONG_PLACE.search(source):
        return (
            "Your test fails against the correct receiver because it patches send_mail in "
            "django.core.mail, where it is defined, but accounts.signals did `from "
            "django.core.mail import send_mail`, so the receiver calls its own name and never "
            "sees your mock. Patch a name where it is looked up: "
            "`mock.patch('tutorial_project.accounts.signals.send_mail')`."
        )
    if "capture_on_commit" not in source:
        return (
            "Your test fails against the correct receiver: inside a test's transaction "
            "on_commit callbacks never run; use "
            "`with django_capture_on_commit_callbacks(execute=True):`."
        )
    if not re.search(r"execute\s*=\s*True", source):
        return (
            "Your test fails against the correct receiver: "
            "django_capture_on_commit_callbacks() only collects the callbacks unless "
            "you pass `execute=True`."
        )
    return (
        "Your test fails against the correct receiver "
        f"({_last_line(output)}): check what it asserts (the e-mail goes to the new user's "
        "address, once)."
    )


def try_test(test):
    """
    Run the learner's test once, the way pytest runs it (a separate process,
    pytest-django's fixtures, a transaction rolled back at the end), against the
    project's real receiver; print one line.
    """
    try:
        source, module = _source(test)
        output = _run(module, TIME_LIMIT - MARGIN, variants=("real",))
    except NotYet as unmet:
        print(f"✗ {unmet}")
        return
    outcomes = {variant: status for status, _name, variant in OUTCOME.findall(output)}
    if outcomes.get("real") == "PASSED":
        print("✓ pytest ran your test against the real receiver: it passes.")
    elif "real" in outcomes:
        print(f"✗ {_why_real_fails(source, output)}")
    else:
        print(f"✗ pytest could not run your test ({_last_line(output)}).")
