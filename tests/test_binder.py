"""
Binder and dev containers: what repo2docker would build from this repository,
binder/'s scripts, and .devcontainer/.

`repo2docker --no-build --debug` writes the Dockerfile it would build, without
Docker: the test asserts the Python of binder/runtime.txt, one install step (the
kit's pins, whose `-e .` installs the kit: no second `pip install .`), postBuild
and start. repo2docker is a test tool (.ci/teacher-checks.txt, installed by
.ci/setup-teacher): without it that test skips, unless SIGNALS_LAB_REQUIRE_TEACHER=1.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from signals_lab.layout import FIRST_LESSON, ROOT

BIN = Path(sys.executable).parent
BINDER = ROOT / "binder"
REPO2DOCKER = BIN / "repo2docker"


def _runtime_python():
    text = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", text)
    assert match, f"binder/runtime.txt: {text!r}"
    return match[1]


def _django_pins(python):
    """The Django pins of requirements.txt that apply on ``python`` (markers evaluated)."""
    environment = {**default_environment(), "python_version": python}
    environment["python_full_version"] = f"{python}.0"
    pins = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement = Requirement(line)
        if requirement.name.lower() == "django" and (
            requirement.marker is None or requirement.marker.evaluate(environment)
        ):
            pins.append(str(requirement.specifier))
    return pins


def test_binder_python_is_one_the_pins_are_made_for():
    python = _runtime_python()
    # The interpreters CI tests the pins with: 3.11 (Django 5.2 LTS) and 3.13
    # (Django 6.1, every lesson including tasks: what Binder gives learners).
    assert python in ("3.11", "3.13"), python
    assert len(_django_pins(python)) == 1, _django_pins(python)
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if line and not line.startswith("#")] == [
        "-r ../requirements.txt"
    ]


@pytest.fixture(scope="module")
def dockerfile():
    if not REPO2DOCKER.exists():
        reason = "jupyter-repo2docker is not installed (test tool: bash .ci/setup-teacher)"
        if os.environ.get("SIGNALS_LAB_REQUIRE_TEACHER") == "1":
            pytest.fail(f"SIGNALS_LAB_REQUIRE_TEACHER=1 but {reason}")
        pytest.skip(reason)
    result = subprocess.run(
        [str(REPO2DOCKER), "--no-build", "--no-run", "--debug", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout + result.stderr


def test_repo2docker_builds_the_intended_python(dockerfile):
    python = _runtime_python()
    assert f"Building conda environment for python={python}" in dockerfile
    assert "Python version unspecified" not in dockerfile
    assert f"environment-2epy-2d{python.replace('.', '-2e')}-2dlinux" in dockerfile


def test_repo2docker_installs_once_then_postbuild_and_start(dockerfile):
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs == [
        'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    ]
    assert "RUN ./binder/postBuild" in dockerfile
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in dockerfile


def test_start_makes_the_workspace_then_runs_the_server(tmp_path):
    home = tmp_path / "workspace"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env["SIGNALS_LAB_HOME"] = str(home)
    result = subprocess.run(
        ["bash", str(BINDER / "start"), "echo", "the server starts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "the server starts\n" and result.stderr == ""
    assert (home / "notebooks" / FIRST_LESSON).is_file()


def test_postbuild_removes_rfc3987_writes_kernel_and_server_config(tmp_path):
    # A stand-in `python` records what postBuild asks of it; its prefix is tmp_path.
    calls = tmp_path / "calls"
    shim = tmp_path / "bin" / "python"
    shim.parent.mkdir()
    shim.write_text(
        "#!/bin/bash\n"
        f'if [ "$1" = "-c" ]; then echo {tmp_path / "prefix"}; exit 0; fi\n'
        f'echo "$*" >> {calls}\n'
    )
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = calls.read_text().splitlines()
    assert lines[0].startswith("-m pip uninstall") and lines[0].endswith("rfc3987-syntax")
    assert lines[1] == "-m signals_lab.tools.kernel"
    config = tmp_path / "prefix/etc/jupyter/jupyter_server_config.d/signals-lab.json"
    urls = {app["default_url"] for app in json.loads(config.read_text()).values()}
    # The workspace binder/start makes: workspace/ in the (writable) repository.
    assert urls == {f"/lab/tree/workspace/notebooks/{FIRST_LESSON}"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALS_LAB_")}
    code = "from signals_lab.layout import workspace_dir; print(workspace_dir())"
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert found.stdout.strip() == str(ROOT / "workspace"), found.stderr


def _jsonc(path):
    """JSON with // comment lines (devcontainer.json's dialect)."""
    lines = path.read_text().splitlines()
    return json.loads("\n".join(line for line in lines if not line.strip().startswith("//")))


def test_devcontainer_installs_with_make_and_forwards_jupyter():
    config = _jsonc(ROOT / ".devcontainer" / "devcontainer.json")
    assert config["postCreateCommand"].startswith("make install")
    assert config["forwardPorts"] == [8888]
    assert f":1-{_runtime_python()}-" in config["image"]
    make = (ROOT / "Makefile").read_text()
    assert re.search(r"^PORT\s*\?=\s*8888$", make, re.M)
