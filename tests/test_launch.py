"""`make lab` (`signals-lab lab`) and `manage.py shell_plus --lab`: loopback only, token on."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from signals_lab.layout import ROOT
from signals_lab.tools import launch
from tests.kernel import run_cells, text

SIGNALS_LAB = str(Path(sys.executable).parent / "signals-lab")

pytestmark = pytest.mark.notebook


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, timeout=60):
    """Status code of the first answer from ``url`` (JupyterLab redirects to login: 302)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            opener = urllib.request.build_opener(NoRedirect)
            return opener.open(url, timeout=2).status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {timeout} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_command_is_loopback_with_token_and_allows_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    args = launch.command("127.0.0.1", 8888)
    assert "--ServerApp.ip=127.0.0.1" in args and "--allow-root" in args
    assert not any("token" in a.lower() or "password" in a.lower() for a in args)
    assert args[-2].endswith("notebooks/00_start_here.ipynb") or any(
        "00_start_here.ipynb" in a for a in args
    )
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in launch.command()


def test_command_defaults_to_loopback_in_the_workspace(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNALS_LAB_HOME", str(tmp_path))
    args = launch.command()
    assert "--ServerApp.ip=127.0.0.1" in args
    assert f"--ServerApp.root_dir={tmp_path}" in args


def test_lab_refuses_other_interfaces_in_one_line(tmp_path):
    result = subprocess.run(
        [SIGNALS_LAB, "--home", str(tmp_path), "lab", "--host", "0.0.0.0", "--no-browser"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Refusing to serve on 0.0.0.0: the kit serves on loopback only "
        "(use an SSH tunnel to reach it from elsewhere)."
    ]
    assert not list(tmp_path.iterdir())  # refused before anything was written


def _serve(args, **env):
    return subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1", **env},
    )


def test_make_lab_serves_lesson_00_behind_the_token(tmp_path):
    port = free_port()
    server = _serve(
        [SIGNALS_LAB, "lab", "--port", str(port), "--no-browser"],
        SIGNALS_LAB_HOME=str(tmp_path / "home"),
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/lab", server) == 302  # to the login page
        status = wait_for(f"http://127.0.0.1:{port}/api/contents/notebooks", server)
        assert status == 403  # no token, no content
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Served from the learner's workspace, created on first use.
    assert (tmp_path / "home" / "notebooks" / "00_start_here.ipynb").is_file()


def test_shell_plus_lab_starts_too():
    port = free_port()
    extra = ["--allow-root"] if os.geteuid() == 0 else []
    server = _serve(
        [
            sys.executable,
            "manage.py",
            "shell_plus",
            "--lab",
            "--",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            *extra,
        ]
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/lab", server) == 302
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_boot_in_a_kernel_where_django_extensions_set_django_up_first():
    # What the "Django Shell-Plus" kernel of `shell_plus --lab` does before any cell.
    outputs = run_cells(
        "import os\nos.environ['DJANGO_SETTINGS_MODULE'] = 'tutorial_project.settings'\n"
        "%load_ext django_extensions.management.notebook_extension",
        "from signals_lab import boot\nlab = boot()",
        "from django.db import connection\nfrom django.conf import settings\n"
        "print('signals-lab-' in str(connection.settings_dict['NAME']))\n"
        "from django.core import mail\n"
        "mail.send_mail('Hi', 'Body', None, ['ada@example.com'])\n"
        "print(len(mail.outbox))\n"
        "print(User.objects.count())",  # User comes from shell_plus's auto-imports
    )
    assert re.match(r"Django \d+\.\d+\.\d+ ready: ", text(outputs[1]))  # 5.2 LTS or 6.x
    assert text(outputs[2]).split() == ["True", "1", "0"]


def test_runserver_serves_the_same_project(tmp_path):
    env = {**os.environ, "SIGNALS_LAB_DATABASE": str(tmp_path / "db.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/", server) == 200
        assert wait_for(f"http://127.0.0.1:{port}/accounts/register/", server) == 200
        assert wait_for(f"http://127.0.0.1:{port}/books/no-such-book/", server) == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
