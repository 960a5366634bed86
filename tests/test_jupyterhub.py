"""
docs/teaching.md, run: a shared, read-only install of the kit and its students.

Every `bash` block of the guide runs here (unless marked "not run by the
tests", with the reason), in order, with temporary folders in place of
/opt/tljh/user (the hub's user environment), /opt/signals-lab (this checkout),
/srv/nbgrader/exchange and the homes, and `sudo` dropped; the course holds one
exercise (tests/test_nbgrader.py grades all ten). The "as a student"
parts run as the unprivileged user `nobody` (uid 65534), to whom this checkout
is read-only, as a JupyterHub user's is: a student's server makes their workspace
and opens lesson 00; then a real JupyterHub on loopback (dummy authenticator,
configurable-http-proxy from npm) serves two users, each boots lesson 00 and
checks an exercise in their own kernel, and their progress files stay apart; the
guide's nbgitpuller link pulls a (local) class repository and opens lesson 00.

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
import urllib.parse
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
        self.tmp = root / "tmp"  # everyone's temp files, removed with the rest
        self.tmp.mkdir()
        self.tmp.chmod(0o1777)

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
            TMPDIR=str(self.tmp),
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


def _progress(home, workspace="signals-lab"):
    return json.loads((home / workspace / ".lab" / "progress.json").read_text())


def test_a_students_server_on_the_read_only_install(site):
    """The guide's server configuration, without a hub: the workspace, lesson 00, a check."""
    admin = next(body for body, why in blocks() if why is None)
    site.run(admin)
    assert (site.prefix / "etc" / "jupyter" / "jupyter_server_config.py").is_file()
    with student_server(site, "ada") as url:
        assert _landing(url).split("?")[0] == f"/lab/tree/signals-lab/notebooks/{FIRST_LESSON}"
    workspace = site.home("ada") / "signals-lab"
    assert (workspace / "notebooks" / FIRST_LESSON).is_file()
    assert workspace.stat().st_uid == NOBODY
    # The learner's CLI in a terminal: a check in a fresh kernel, progress in ada's home.
    result = site.run("signals-lab check 01 || true", student="ada")
    assert "✗ 01_welcome_email: not yet" in result.stdout, result.stdout + result.stderr
    assert _progress(site.home("ada"))


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


CHP = BIN.parent / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
HUB_CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
# Every user's server runs as the hub's own user, with their own HOME.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{homes}/{{username}}"
c.Spawner.cmd = ["{bin}/jupyterhub-singleuser"]
c.Spawner.environment = {{
    "PATH": "{bin}:/usr/bin:/bin",
    "JUPYTER_CONFIG_PATH": "{config_path}",
    "SIGNALS_LAB_NETWORK_GUARD": "1",
    "TMPDIR": "{tmp}",
    "SIGNALS_LAB_HOME": "{workspace}",
}}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.ConfigurableHTTPProxy.command = ["{chp}"]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.JupyterHub.services = [{{"name": "grader", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [
    {{"name": "grader", "scopes": ["admin:users", "admin:servers", "access:servers"],
      "services": ["grader"]}}
]
"""


HUB_USERS = ("cleo", "dan")


def spawner_workspace():
    """The guide's SIGNALS_LAB_HOME for the spawner (from its TLJH configuration block)."""
    found = re.findall(r'"SIGNALS_LAB_HOME": "([^"]+)"', GUIDE.read_text())
    assert len(found) == 1, found
    assert found[0].startswith("~/")
    return found[0]


class Hub:
    """A JupyterHub on loopback (dummy authenticator), driven through its REST API."""

    def __init__(self, site):
        self.site = site
        self.token = "signals-lab-hub-test-token"
        self.port, hub_port = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = site.home("hub")
        (self.dir / "jupyterhub_config.py").write_text(
            HUB_CONFIG.format(
                port=self.port,
                hub_port=hub_port,
                homes=site.root / "homes",
                bin=BIN,
                config_path=site.prefix / "etc" / "jupyter",
                chp=CHP,
                proxy_api_port=_free_port(),
                tmp=site.tmp,
                workspace=spawner_workspace(),
                token=self.token,
            )
        )

    def request(self, method, path, data=None, follow=True):
        body = None if data is None else json.dumps(data).encode()
        request = urllib.request.Request(f"{self.url}{path}", data=body, method=method)
        request.add_header("Authorization", f"token {self.token}")
        opener = (
            urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
        )
        try:
            with opener.open(request, timeout=60) as response:
                text = response.read().decode()
                return (
                    response.status,
                    (json.loads(text) if text.strip() else None),
                    response.headers,
                )
        except urllib.error.HTTPError as error:
            return error.code, None, error.headers

    def text(self, path):
        """GET ``path``; (status, body as text)."""
        request = urllib.request.Request(f"{self.url}{path}")
        request.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read().decode()

    def up(self):
        try:
            return self.request("GET", "/hub/api/")[0] == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    def spawn(self, name):
        self.site.home(name)  # homes/ belongs to root: the spawner (nobody) cannot make it
        self.request("POST", f"/hub/api/users/{name}")
        self.request("POST", f"/hub/api/users/{name}/server")
        deadline = time.monotonic() + 120
        while True:
            _, user, _ = self.request("GET", f"/hub/api/users/{name}")
            if user and user["servers"].get("", {}).get("ready"):
                return
            if time.monotonic() > deadline:
                log = (self.dir / "hub.log").read_text()[-4000:]
                raise AssertionError(f"{name}'s server did not start: {user}\n{log}")
            time.sleep(0.5)

    def run_in_kernel(self, name, notebook, code):
        """Open ``notebook`` (a session, as JupyterLab does), run ``code``; its stdout."""
        import websocket

        status, session, _ = self.request(
            "POST",
            f"/user/{name}/api/sessions",
            {"path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
        )
        assert status == 201, status
        kernel = session["kernel"]["id"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/user/{name}/api/kernels/{kernel}/channels",
            header=[f"Authorization: token {self.token}"],
            timeout=120,
        )
        try:
            msg_id = f"run-{name}"
            ws.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "msg_type": "execute_request",
                            "username": name,
                            "session": msg_id,
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "channel": "shell",
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": False,
                            "user_expressions": {},
                            "allow_stdin": False,
                            "stop_on_error": True,
                        },
                    }
                )
            )
            out = []
            while True:
                message = json.loads(ws.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = message["header"]["msg_type"]
                if kind == "stream":
                    out.append(message["content"]["text"])
                elif kind == "error":
                    out.append(f"{message['content']['ename']}: {message['content']['evalue']}")
                elif kind == "execute_reply":
                    return "".join(out)
        finally:
            ws.close()
            self.request("DELETE", f"/user/{name}/api/sessions/{session['id']}")


@contextlib.contextmanager
def running_hub(site):
    hub = Hub(site)
    log = (hub.dir / "hub.log").open("w")
    process = subprocess.Popen(
        [*AS_STUDENT, str(BIN / "jupyterhub"), "-f", str(hub.dir / "jupyterhub_config.py")],
        cwd=hub.dir,
        env=site.env(hub.dir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not hub.up():
            assert process.poll() is None, (hub.dir / "hub.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.3)
        yield hub
    finally:
        for name in HUB_USERS:
            hub.request("DELETE", f"/hub/api/users/{name}/server")
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        log.close()


def class_notes(site):
    """A teacher's git repository (bare, local), as nbgitpuller pulls from."""
    work = site.root / "class-notes-work"
    work.mkdir()
    (work / "README.md").write_text("Week 1: signals\n")
    git = ["git", "-c", "user.name=Teacher", "-c", "user.email=teacher@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "README.md"], ["commit", "-qm", "notes"]):
        subprocess.run([*git, *args], cwd=work, check=True, capture_output=True)
    bare = site.root / "class-notes.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    for folder, _, files in os.walk(bare):
        os.chown(folder, NOBODY, NOBODY)
        for name in files:
            os.chown(os.path.join(folder, name), NOBODY, NOBODY)
    return bare


def test_the_guides_nbgitpuller_link_opens_lesson_00_of_the_workspace():
    links = re.findall(r"https://YOUR-HUB/hub/user-redirect/git-pull\?(\S+)", GUIDE.read_text())
    assert len(links) == 1
    query = urllib.parse.parse_qs(links[0])
    assert query["urlpath"] == [f"lab/tree/signals-lab/notebooks/{FIRST_LESSON}"]
    assert set(query) == {"repo", "branch", "urlpath"}


def test_two_jupyterhub_users_each_boot_lesson_00_and_check_an_exercise(site):
    if not CHP.exists() or not (BIN / "jupyterhub").exists():
        reason = "JupyterHub or configurable-http-proxy is not installed (bash .ci/setup-teacher)"
        if os.environ.get("SIGNALS_LAB_REQUIRE_TEACHER") == "1":
            pytest.fail(f"SIGNALS_LAB_REQUIRE_TEACHER=1 but {reason}")
        pytest.skip(reason)
    admin = next(body for body, why in blocks() if why is None)
    site.run(admin)
    solution = nbformat.read(SOLUTIONS / "01_welcome_email.ipynb", as_version=4)
    answer = solution.cells[4].source
    # The spawner sets SIGNALS_LAB_HOME as the guide says: each workspace moves there.
    where = spawner_workspace().removeprefix("~/")
    lesson = f"{where}/notebooks/{FIRST_LESSON}"
    exercise = f"{where}/exercises/01_welcome_email.ipynb"
    with running_hub(site) as hub:
        for name, code, verdict in (
            ("cleo", answer, "✓ 01_welcome_email"),
            ("dan", "", "✗ 01_welcome_email: not yet"),
        ):
            hub.spawn(name)
            _, _, headers = hub.request("GET", f"/user/{name}/", follow=False)
            assert headers["Location"].split("?")[0] == f"/user/{name}/lab/tree/{lesson}"
            out = hub.run_in_kernel(name, lesson, "from signals_lab import boot\n\nlab = boot()")
            assert out.startswith("Django"), out
            check = (
                f'from signals_lab import boot\nlab = boot()\n{code}\nlab.check("01_welcome_email")'
            )
            out = hub.run_in_kernel(name, exercise, check)
            assert verdict in out, out
        # The guide's nbgitpuller link: pull a class repository, then open lesson 00.
        notes = class_notes(site)
        query = urllib.parse.urlencode(
            {"repo": str(notes), "branch": "main", "urlpath": f"lab/tree/{lesson}"}
        )
        status, page = hub.text(f"/user/cleo/git-pull?{query}")
        assert status == 200 and f"lab/tree/{lesson}" in page
        pull = urllib.parse.urlencode({"repo": str(notes), "branch": "main", "targetpath": "notes"})
        _, events = hub.text(f"/user/cleo/git-pull/api?{pull}")
        assert '"phase": "finished"' in events, events[-2000:]
        assert (site.home("cleo") / "notes" / "README.md").read_text() == "Week 1: signals\n"
    homes = site.root / "homes"
    cleo, dan = _progress(homes / "cleo", where), _progress(homes / "dan", where)
    assert '"done"' in json.dumps(cleo) and '"done"' not in json.dumps(dan)
