"""
docs/teaching.md, run: a shared, read-only install of the kit and its students.

Every `bash` block of the guide runs here (unless marked "not run by the
tests", with the reason), in order, with temporary folders in place of
/opt/tljh/user (the hub's user environment), /opt/signals-lab (this checkout),
/srv/nbgrader/exchange and the homes, and `sudo` dropped; the course holds one
exercise (tests/test_nbgrader.py grades all ten). The "as a student"
parts run as the unprivileged user `nobody` (uid 65534), to whom this checkout
is read-only, as a JupyterHub user's is: two students (two homes), each with a
server that makes their workspace and opens lesson 00, lesson 00 run, an exercise
checked; their progress files stay apart.

Running as another user needs root (CI is root) and util-linux's `setpriv`;
elsewhere these tests skip. The student processes keep one capability,
CAP_DAC_READ_SEARCH: they may read and traverse every folder, as on a hub where
the install is world-readable (here the interpreter lives under /root), and still
may write nothing that is not theirs.
nbgrader is a teachers' extra: without it they skip too, unless
SIGNALS_LAB_REQUIRE_TEACHER=1.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from signals_lab.layout import FIRST_LESSON, ROOT, SOLUTIONS

pytestmark = pytest.mark.notebook

BIN = Path(sys.executable).parent
GUIDE = ROOT / "docs" / "teaching.md"
NOBODY = 65534
NOT_RUN = re.compile(r"<!-- not run by the tests: (?P<why>.+?) -->")
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```bash\n(?P<body>.*?)\n```", re.S)


def blocks():
    """The guide's bash blocks: [(body, reason not run or None)], in order."""
    found = []
    for match in BLOCK.finditer(GUIDE.read_text()):
        marker = NOT_RUN.search(match["before"])
        found.append((match["body"], marker["why"] if marker else None))
    return found


def test_every_block_of_the_guide_is_run_or_says_why_not():
    found = blocks()
    assert len(found) >= 8
    for body, why in found:
        assert why is None or len(why) > 20, body
    run = [body for body, why in found if why is None]
    assert len(run) == 5, run


def _require():
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("runs students as another user (nobody): needs root and setpriv (CI has both)")
    if not (BIN / "nbgrader").exists():
        reason = "nbgrader is not installed (teachers' extra: bash .ci/setup-teacher)"
        if os.environ.get("SIGNALS_LAB_REQUIRE_TEACHER") == "1":
            pytest.fail(f"SIGNALS_LAB_REQUIRE_TEACHER=1 but {reason}")
        pytest.skip(reason)


AS_STUDENT = [
    "setpriv",
    f"--reuid={NOBODY}",
    f"--regid={NOBODY}",
    "--clear-groups",
    "--inh-caps=+dac_read_search",
    "--ambient-caps=+dac_read_search",
]


class Site:
    """The guide's server, in a temporary folder."""

    def __init__(self, root):
        self.root = root
        self.prefix = root / "user-env"  # /opt/tljh/user
        self.exchange = root / "exchange"  # /srv/nbgrader/exchange
        self.teacher = root / "teacher"
        self.teacher.mkdir()

    def home(self, name):
        home = self.root / "homes" / name
        if not home.exists():
            home.mkdir(parents=True)
            os.chown(home, NOBODY, NOBODY)
        return home

    def env(self, home):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALS_LAB_", "JUPYTER"))}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            HOME=str(home),
            PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
            JUPYTER_CONFIG_PATH=str(self.prefix / "etc" / "jupyter"),
            SIGNALS_LAB_NETWORK_GUARD="1",
        )
        return env

    def script(self, body):
        for real, here in (
            ("/opt/tljh/user", self.prefix),
            ("/opt/signals-lab", ROOT),
            ("/srv/nbgrader/exchange", self.exchange),
        ):
            body = body.replace(real, str(here))
        return body.replace("sudo -E ", "").replace("sudo ", "")

    def run(self, body, student=None, timeout=300):
        """Run a block (bash -e) as the teacher (root), or as a student (nobody)."""
        home = self.home(student) if student else self.teacher
        result = subprocess.run(
            [*(AS_STUDENT if student else []), "bash", "-e", "-c", self.script(body)],
            cwd=home,
            env=self.env(home),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"{body}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result


@pytest.fixture(scope="module")
def site():
    _require()
    # Outside pytest's private (0700) temp folders: nbgrader checks the exchange
    # with os.access(), which counts the student's own permissions only.
    root = Path(tempfile.mkdtemp(prefix="signals-lab-hub-", dir="/tmp"))
    root.chmod(0o755)
    try:
        made = Site(root)
        code = "import signals_lab, os; print(os.access(signals_lab.__file__, os.W_OK))"
        probe = made.run(f"python -c '{code}'", student="probe")
        assert probe.stdout.strip() == "False", "the checkout should be read-only to nobody"
        yield made
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def student_server(site, name):
    """The student's Jupyter server (as nobody), started like a hub's spawner would."""
    port = _free_port()
    home = site.home(name)
    process = subprocess.Popen(
        [
            *AS_STUDENT,
            str(BIN / "jupyter-lab"),
            "--no-browser",
            f"--port={port}",
            "--ServerApp.token=t0ken",
            "--ServerApp.ip=127.0.0.1",
        ],
        cwd=home,
        env=site.env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/status?token=t0ken", timeout=5
                ):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the student's server did not start"
                assert process.poll() is None, "the student's server stopped"
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _landing(url):
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{url}/?token=t0ken", timeout=10)
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    raise AssertionError("no redirect")


def _progress(home):
    return json.loads((home / "signals-lab" / ".lab" / "progress.json").read_text())


def test_the_guide_installs_and_two_students_work_apart(site):
    admin, exchange, course, student, grading = [body for body, why in blocks() if why is None]
    site.run(admin)
    config = site.prefix / "etc" / "jupyter" / "jupyter_server_config.py"
    assert config.is_file()

    for name in ("ada", "bob"):
        with student_server(site, name) as url:
            assert _landing(url).split("?")[0] == f"/lab/tree/signals-lab/notebooks/{FIRST_LESSON}"
        workspace = site.home(name) / "signals-lab"
        assert (workspace / "notebooks" / FIRST_LESSON).is_file()
        assert workspace.stat().st_uid == NOBODY

    # ada answers exercise 01 (the reference answer); bob leaves it as it is.
    ada = site.home("ada") / "signals-lab" / "exercises" / "01_welcome_email.ipynb"
    nb = nbformat.read(SOLUTIONS / ada.name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbformat.write(nb, ada)
    os.chown(ada, NOBODY, NOBODY)
    lesson = (
        f"jupyter nbconvert --to notebook --execute --stdout notebooks/{FIRST_LESSON} > /dev/null"
    )
    for name, verdict in (("ada", "✓ 01_welcome_email"), ("bob", "✗ 01_welcome_email: not yet")):
        result = site.run(f"cd ~/signals-lab\n{lesson}\nsignals-lab check 01 || true", student=name)
        assert verdict in result.stdout, result.stdout + result.stderr
    ada_progress, bob_progress = _progress(site.home("ada")), _progress(site.home("bob"))
    assert ada_progress != bob_progress
    assert '"done"' in json.dumps(ada_progress) and '"done"' not in json.dumps(bob_progress)
    assert not (ROOT / "workspace" / ".lab" / "nobody").exists()


def test_the_guide_grades_with_nbgrader(site):
    admin, exchange, course, student, grading = [body for body, why in blocks() if why is None]
    site.run(admin)  # section 2 comes first in the guide (idempotent)
    site.run(exchange)
    # One exercise, not ten: tests/test_nbgrader.py grades all ten already.
    site.run(
        course.replace("signals-lab course ~/course", "signals-lab course ~/course --exercises 01")
    )
    assert (site.teacher / "course" / "release" / "signals-lab-exercises").is_dir()
    site.run(student, student="cy")
    assert (site.home("cy") / "signals-lab-exercises" / "01_welcome_email.ipynb").is_file()
    site.run(grading, timeout=600)
    grades = (site.teacher / "course" / "grades.csv").read_text().splitlines()
    assert len(grades) == 2 and grades[1].split(",")[3] == "nobody", grades
    assert grades[1].endswith(",0.0,0.0,0.0,1.0"), grades  # an untouched submission scores 0
