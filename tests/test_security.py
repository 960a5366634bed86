"""No real secrets, no e-mail leaving the machine, and a warning for a risky mix."""

import os
import re
import subprocess
import sys

from signals_lab.layout import ROOT  # noqa: E402


def test_secret_key_comes_from_the_environment_with_a_dev_only_default():
    source = (ROOT / "tutorial_project" / "settings.py").read_text()
    assert "DJANGO_SECRET_KEY" in source
    assert "django-insecure" in source  # the default says what it is
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tutorial_project.settings",
            "DJANGO_SECRET_KEY": "from-the-environment",
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "from-the-environment"


def test_no_secret_looking_strings_in_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    pattern = re.compile(
        r"(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|ghp_[A-Za-z0-9]{30,})"
    )
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".py", ".toml", ".txt", ".md", ".json", ".cfg", ".ipynb"}:
            assert not pattern.search(path.read_text(errors="ignore")), name


# Send one e-mail with the project's settings, and print only the lines a console
# backend writes for its headers (an independent oracle of where mail goes,
# whichever setting names the backend: EMAIL_BACKEND on 5.2, MAILERS on 6.1).
SEND_A_MAIL = (
    "import django; django.setup()\n"
    "import contextlib, io\n"
    "from django.core import mail\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    mail.send_mail('Hi', 'Body', None, ['ada@example.com'])\n"
    "print(*[l for l in out.getvalue().splitlines() if l.startswith(('Subject:', 'To:'))])"
)
CONSOLE_MAIL = ["Subject:", "Hi", "To:", "ada@example.com"]


def _settings_in_a_fresh_process(code, **env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tutorial_project.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_runserver_e_mail_goes_to_the_console_never_smtp():
    # The project's settings as runserver and manage.py load them (no pytest-django,
    # which always swaps in locmem): the console.
    assert _settings_in_a_fresh_process(SEND_A_MAIL) == CONSOLE_MAIL
    source = (ROOT / "tutorial_project" / "settings.py").read_text()
    assert "smtp" not in source.lower()


def test_a_kernel_keeps_e_mail_in_memory_and_its_subprocesses_use_the_console():
    code = (
        "import subprocess, sys\n"
        "from signals_lab import boot\n"
        "boot(quiet=True)\n"
        f"{SEND_A_MAIL}\n"
        "from django.core import mail\n"
        "print('outbox:', len(mail.outbox))\n"
        f"child = {SEND_A_MAIL!r}\n"
        "print(subprocess.run([sys.executable, '-c', child], capture_output=True,\n"
        "                     text=True).stdout.strip())\n"
    )
    assert _settings_in_a_fresh_process(code) == ["outbox:", "1", *CONSOLE_MAIL]


def test_kernel_warns_when_debug_is_off_but_the_async_unsafe_switch_is_on():
    result = subprocess.run(
        [sys.executable, "-c", "from signals_lab import boot; boot()"],
        env={**os.environ, "DJANGO_DEBUG": "0"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "DEBUG is off but DJANGO_ALLOW_ASYNC_UNSAFE is on" in result.stderr


def test_project_settings_load_without_deprecation_warnings():
    # Django 6.1 deprecates EMAIL_BACKEND for MAILERS (RemovedInDjango2028Warning,
    # a PendingDeprecationWarning); the project picks the setting its Django knows.
    # Through the learner's door: manage.py with every deprecation made an error.
    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::DeprecationWarning",
            "-W",
            "error::PendingDeprecationWarning",
            "manage.py",
            "check",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr
