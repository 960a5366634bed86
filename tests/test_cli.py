"""
The learner's commands, run as a learner types them (subprocesses): `signals-lab`,
its `make` targets and the `manage.py exercises` alias, in a temporary workspace.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from signals_lab.layout import EXERCISES, LESSONS, ROOT, SOLUTIONS

BIN = Path(sys.executable).parent
SIGNALS_LAB = str(BIN / "signals-lab")


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def run(args, home, extra_env=None, **kwargs):
    env = {**os.environ, "SIGNALS_LAB_HOME": str(home), **(extra_env or {})}
    env.pop("SIGNALS_LAB_STATE_DIR", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)


def make(target, home, *variables):
    # The venv is already installed: make must not reinstall (its stamp is newer).
    return run(["make", "--no-print-directory", target, *variables], home)


def test_init_creates_the_workspace_and_says_where(home):
    result = run([SIGNALS_LAB, "init"], home)
    assert result.returncode == 0, result.stderr
    assert f"Your workspace is {home}" in result.stdout
    lessons = sorted(p.name for p in (home / "notebooks").glob("*.ipynb"))
    exercises = sorted(p.name for p in (home / "exercises").glob("*.ipynb"))
    assert lessons == sorted(p.name for p in LESSONS.glob("[0-9]*.ipynb"))
    assert exercises == sorted(p.name for p in EXERCISES.glob("[0-9]*.ipynb"))
    again = run([SIGNALS_LAB, "init"], home)
    assert again.stdout.strip() == f"Your workspace {home} is up to date."


def test_init_with_a_folder_argument(tmp_path):
    target = tmp_path / "elsewhere"
    result = run([SIGNALS_LAB, "init", str(target)], tmp_path / "unused")
    assert result.returncode == 0, result.stderr
    assert (target / "notebooks" / "00_start_here.ipynb").is_file()
    assert not (tmp_path / "unused").exists()


def test_make_progress_and_manage_py_exercises_show_progress(home):
    for args in (
        ["make", "--no-print-directory", "progress"],
        [sys.executable, "manage.py", "exercises"],
        [SIGNALS_LAB, "progress"],
    ):
        result = run(args, home)
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "0/10 exercises done" in out and "01_welcome_email" in out, out
        assert "Next: Start with exercises/01_welcome_email.ipynb" in out.replace("\n", " ")


def test_hint_goes_up_one_level_at_a_time_and_says_when_it_was_the_last(home):
    outs = [run([SIGNALS_LAB, "hint", "01"], home).stdout for _ in range(4)]
    assert outs[0].startswith("Hint 1/3 for 01_welcome_email:")
    assert outs[1].startswith("Hint 2/3") and outs[2].startswith("Hint 3/3")
    assert "the last hint" in outs[2] and "the last hint" in outs[3]
    via_make = make("hint", home, "EX=02")
    assert via_make.returncode == 0 and "Hint 1/3 for 02_profile_for_new_users" in via_make.stdout
    via_manage = run([sys.executable, "manage.py", "exercises", "hint", "03"], home)
    assert via_manage.returncode == 0, via_manage.stderr
    assert "Hint 1/3 for 03_slug_without_recursion" in via_manage.stdout


def test_bad_input_is_one_line(home):
    result = run([SIGNALS_LAB, "hint", "nope"], home)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip()
    ] and result.stderr.startswith("There is no exercise 'nope'. The exercises are: 01_")
    missing = make("check", home)
    assert missing.returncode != 0 and "Which exercise? e.g. make check EX=03" in missing.stdout


def _solve(home, number):
    """Put the reference answer into the learner's exercise, as a learner would type it."""
    name = next(p for p in SOLUTIONS.glob(f"{number}_*.ipynb"))
    solved = nbformat.read(name, as_version=4)
    for cell in solved.cells:
        cell.outputs = [] if cell.cell_type == "code" else None
        if cell.cell_type == "code":
            cell.execution_count = None
        else:
            del cell["outputs"]
    nbformat.write(solved, home / "exercises" / name.name)


@pytest.mark.notebook
def test_check_unsolved_then_solved_and_progress_follows(home):
    result = run([SIGNALS_LAB, "check", "01"], home)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "Running exercises/01_welcome_email.ipynb in a fresh kernel ..."
    assert lines[1].startswith("✗ 01_welcome_email: not yet. No e-mail whose subject contains")
    assert "Kernel is running over TCP" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr

    _solve(home, "01")
    solved = make("check", home, "EX=01")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert "✓ 01_welcome_email:" in solved.stdout
    progress = json.loads((home / ".lab" / "progress.json").read_text())
    assert progress["exercises"]["01_welcome_email"]["status"] == "done"


@pytest.mark.notebook
def test_check_shows_the_learners_own_error_in_one_line(home):
    run([SIGNALS_LAB, "init"], home)
    path = home / "exercises" / "01_welcome_email.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "# YOUR CODE HERE" in c.source)
    cell.source = cell.source.replace("# YOUR CODE HERE", "if raw created:")
    nbformat.write(nb, path)
    result = run([SIGNALS_LAB, "check", "01"], home)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert re.match(r"  Your code cell \d+ raised SyntaxError: ", lines[1]), lines
    assert lines[1].endswith("(fix that cell, then check again).")
    assert lines[2].startswith("✗ 01_welcome_email: not yet.")
    assert "Traceback" not in result.stdout + result.stderr


def test_reset_keeps_exactly_one_backup_and_prints_its_path(home):
    run([SIGNALS_LAB, "init"], home)
    path = home / "exercises" / "03_slug_without_recursion.ipynb"
    original = path.read_text()
    path.write_text(original.replace("# YOUR CODE HERE", "mine = True"))
    result = make("reset", home, "EX=03")
    assert result.returncode == 0, result.stderr
    backups = list((home / ".lab" / "backups").iterdir())
    assert len(backups) == 1
    assert f"Your version is kept as {backups[0]}." in result.stdout
    assert "mine = True" in backups[0].read_text()
    assert path.read_text() == original
    assert "reload it" in result.stdout and "restart its kernel" in result.stdout
    # Resetting an untouched exercise keeps no backup.
    again = run([sys.executable, "manage.py", "exercises", "reset", "03"], home)
    assert again.returncode == 0, again.stderr
    assert len(list((home / ".lab" / "backups").iterdir())) == 1
    assert "kept as" not in again.stdout


def test_updating_the_kit_never_touches_an_edited_notebook(home):
    run([SIGNALS_LAB, "init"], home)
    edited = home / "notebooks" / "01_signal_api.ipynb"
    untouched = home / "notebooks" / "02_save_and_init.ipynb"
    edited.write_text(edited.read_text().replace("Signal", "MY NOTE", 1))
    mine = edited.read_text()
    # An older kit: the manifest says both were written from different text.
    manifest_path = home / ".lab" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    stale = untouched.read_text().replace("Signal", "Old", 1)
    untouched.write_text(stale)
    import hashlib

    manifest["notebooks/02_save_and_init.ipynb"] = hashlib.sha256(stale.encode()).hexdigest()
    manifest["notebooks/01_signal_api.ipynb"] = "an older version"
    manifest_path.write_text(json.dumps(manifest))
    (home / "notebooks" / "00_start_here.ipynb").unlink()

    result = run([SIGNALS_LAB, "init"], home)
    lines = result.stdout.strip().splitlines()
    assert "added notebooks/00_start_here.ipynb" in lines
    assert "updated notebooks/02_save_and_init.ipynb" in lines
    assert any(line.startswith("kept your edited notebooks/01_signal_api.ipynb") for line in lines)
    assert edited.read_text() == mine


def test_watch_checks_an_exercise_when_it_is_saved(home):
    run([SIGNALS_LAB, "init"], home)
    env = {**os.environ, "SIGNALS_LAB_HOME": str(home)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    watcher = subprocess.Popen(
        [SIGNALS_LAB, "watch", "02", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = watcher.stdout.readline()
        assert first.startswith("Watching"), first
        time.sleep(0.5)
        path = home / "exercises" / "02_profile_for_new_users.ipynb"
        path.write_text(path.read_text())  # a save
        line = watcher.stdout.readline()
        assert line.startswith("✗ 02_profile_for_new_users: not yet."), line
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)


def test_make_exercises_regenerates_nothing_when_in_sync():
    result = subprocess.run(
        ["make", "--no-print-directory", "exercises"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "wrote" not in result.stdout


# ---------------------------------------------------------------------------
# Issue 14: time limits, strict mode and progress, through the learner's CLI.
# ---------------------------------------------------------------------------


def test_every_check_ends_before_the_cli_stops_waiting():
    import importlib

    from signals_lab.checks import exercises, runner
    from signals_lab.tools import cli

    limits = {
        e.name: runner.time_limit(importlib.import_module(f"signals_lab.checks.ex{e.number}"))
        for e in exercises()
    }
    assert max(limits.values()) <= cli.CHECK_TIMEOUT < cli.CELL_TIMEOUT, limits
    ex09 = importlib.import_module("signals_lab.checks.ex09")
    # Exercise 09 stops pytest before its own limit, so its message can show.
    assert ex09.TIME_LIMIT - ex09.MARGIN < limits["09_testing_receivers"]


@pytest.mark.notebook
def test_exercise_09_says_when_the_learners_test_never_ends(home):
    from tests.test_exercise_feedback import _case, check_through_the_cli

    code, expected = _case(
        "09_testing_receivers", "waits for the e-mail without capturing on_commit (never ends)"
    )
    result, verdict = check_through_the_cli(home, "09_testing_receivers", code, limit=10)
    assert verdict.startswith("✗ 09_testing_receivers: not yet. Your test ran for more than 5 ")
    assert result.returncode == 1


@pytest.mark.notebook
def test_exercise_09_try_it_runs_a_test_with_fixtures_as_pytest_would(home):
    from tests.test_exercise_feedback import check_through_the_cli

    answer = (
        "import pytest\n"
        "from django.contrib.auth.models import User\n\n\n"
        "@pytest.mark.django_db\n"
        "def test_confirmation_email(django_capture_on_commit_callbacks, mailoutbox):\n"
        "    with django_capture_on_commit_callbacks(execute=True):\n"
        "        User.objects.create_user('ada', 'ada@example.com', 'analytical-engine-1843')\n"
        "    assert [m.to for m in mailoutbox] == [['ada@example.com']]\n"
    )
    result, verdict = check_through_the_cli(home, "09_testing_receivers", answer, whole=True)
    assert verdict.startswith("✓ 09_testing_receivers:"), result.stdout
    assert "Your code cell" not in result.stdout  # the Try it cell raised nothing
    nb = nbformat.read(home / "exercises" / "09_testing_receivers.ipynb", as_version=4)
    assert "try_test(test_confirmation_email)" in "".join(c.source for c in nb.cells)


@pytest.mark.notebook
def test_a_cell_cannot_mark_an_exercise_done(home):
    from tests.test_exercise_feedback import learner_notebook

    run([SIGNALS_LAB, "init"], home)
    forge = (
        "import json\n"
        "from signals_lab.checks import progress\n"
        "try:\n"
        "    progress.record('02_profile_for_new_users', True, 'forged')\n"
        "except progress.ProgressError as error:\n"
        "    print(error)\n"
        "progress.path().write_text(json.dumps({'exercises': {'02_profile_for_new_users':"
        " {'status': 'done', 'hints_seen': 0, 'message': 'forged'}}}))\n"
    )
    path = learner_notebook(home, "02_profile_for_new_users", forge)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(forge))  # after the check, too
    nbformat.write(nb, path)
    result = run([SIGNALS_LAB, "check", "02"], home)
    assert result.returncode == 1
    assert "✗ 02_profile_for_new_users: not yet." in result.stdout
    progress = run([SIGNALS_LAB, "progress"], home)
    assert "0/10 exercises done" in progress.stdout, progress.stdout
    row = next(line for line in progress.stdout.splitlines() if "02_profile" in line)
    assert "not yet" in row and "done" not in row, row


@pytest.mark.notebook
def test_strict_check_raises_the_one_line_verdict_and_passes_a_right_answer():
    from tests.kernel import run_cells, text

    wrong = (
        "from django.contrib.auth.models import User\n"
        "from django.db.models.signals import post_save\n"
        "@lab.receiver(post_save, sender=User)\n"
        "def create_profile(sender, instance, created, raw, **kwargs):\n"
        "    pass\n"
    )
    right = wrong.replace(
        "    pass\n",
        "    from tutorial_project.accounts.models import Profile\n"
        "    if created and not raw:\n"
        "        Profile.objects.create(user=instance)\n",
    )
    strict = 'lab.check("02_profile_for_new_users", strict=True)'
    plain = 'lab.check("02_profile_for_new_users")'
    # nbgrader's grading cell: the hidden strict check, then the student's own.
    graded = f"{strict}\n{plain}"
    outputs = run_cells(
        "from signals_lab import boot\nlab = boot()", wrong, strict, right, strict, graded, plain
    )
    errors = [o for o in outputs[2] if o.output_type == "error"]
    assert [e.ename for e in errors] == ["AssertionError"]
    assert errors[0].evalue.startswith("✗ 02_profile_for_new_users: not yet. Creating a user")
    assert "\n" not in errors[0].evalue
    assert not [o for o in outputs[4] if o.output_type == "error"], text(outputs[4])
    assert text(outputs[4]).startswith("✓ 02_profile_for_new_users:")
    # Once in the grading cell (the strict check's verdict), again in a cell of its own.
    verdicts = [text(outputs[i]).count("✓ 02_profile_for_new_users:") for i in (5, 6)]
    assert verdicts == [1, 1], [text(outputs[i]) for i in (5, 6)]


@pytest.mark.notebook
def test_a_receiver_that_never_returns_leaves_the_kernel_usable(monkeypatch):
    from tests.kernel import run_cells, text

    monkeypatch.setenv("SIGNALS_LAB_CHECK_LIMIT", "3")
    hangs = (
        "import time\n"
        "from django.contrib.auth.models import User\n"
        "from django.db.models.signals import post_save\n"
        "@lab.receiver(post_save, sender=User)\n"
        "def create_profile(sender, instance, created, raw, **kwargs):\n"
        "    time.sleep(3600)\n"
    )
    outputs = run_cells(
        "from signals_lab import boot\nlab = boot()",
        hangs,
        'lab.check("02_profile_for_new_users")',
        "print(1 + 1)",
        'lab.check("02_profile_for_new_users")',
        timeout=60,
    )
    first = text(outputs[2])
    assert first.startswith(
        "✗ 02_profile_for_new_users: not yet. Your receiver did not return within 3 s"
    ), first
    assert "restart the kernel" in first
    assert text(outputs[3]).strip() == "2"
    assert "restart the kernel" in text(outputs[4])
    assert "Traceback" not in first + text(outputs[4])


@pytest.mark.notebook
def test_a_try_it_cell_that_never_returns_is_stopped_and_the_check_still_speaks(home):
    run([SIGNALS_LAB, "init"], home)
    path = home / "exercises" / "02_profile_for_new_users.ipynb"
    nb = nbformat.read(path, as_version=4)
    check = next(i for i, c in enumerate(nb.cells) if "lab.check(" in c.source)
    nb.cells.insert(
        check, nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.05)")
    )
    nbformat.write(nb, path)
    env = {**os.environ, "SIGNALS_LAB_HOME": str(home), "SIGNALS_LAB_CELL_LIMIT": "5"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [SIGNALS_LAB, "check", "02"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert re.match(r"  Your code cell \d+ did not finish within 5 s, so it was stopped", lines[1])
    assert lines[2].startswith("✗ 02_profile_for_new_users: not yet."), lines
    assert "Traceback" not in result.stdout + result.stderr


def check_with_a_kernel_that(script, home, tmp_path, **env):
    """
    `signals-lab check 01` where the "python3" kernel (found first on
    JUPYTER_PATH) is a shell ``script``: (the result, how often it was started).
    """
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    started = tmp_path / "started"
    argv = ["sh", "-c", f"echo start >> {started}; {script}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "language": "python"}))
    assert run([SIGNALS_LAB, "init"], home).returncode == 0
    env["JUPYTER_PATH"] = str(tmp_path / "jupyter")
    result = run([SIGNALS_LAB, "check", "01"], home, env)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    return result, len(started.read_text().split())


@pytest.mark.notebook
def test_a_kernel_that_never_answers_is_started_again_then_one_line(home, tmp_path):
    # A kernel that never answers: the CLI starts it twice, then says so in one line.
    result, starts = check_with_a_kernel_that(
        "exec sleep 600", home, tmp_path, SIGNALS_LAB_KERNEL_START_LIMIT="2"
    )
    assert starts == 2
    assert result.stdout == "Running exercises/01_welcome_email.ipynb in a fresh kernel ...\n"
    assert result.stderr == (
        "✗ 01_welcome_email: not checked: no Jupyter kernel answered within 2 s (2 tries): "
        "the machine may be very busy; try again.\n"
    )


@pytest.mark.notebook
def test_a_kernel_that_stops_while_starting_is_started_again_then_one_line(home, tmp_path):
    # A kernel that exits at once (a broken install): started twice, then one
    # line saying so, with the kernel's last words.
    result, starts = check_with_a_kernel_that(
        "echo 'ImportError: no zmq' >&2; exit 1", home, tmp_path
    )
    assert starts == 2
    assert result.stderr == (
        "✗ 01_welcome_email: not checked: the Jupyter kernel stopped while starting (2 tries): "
        "ImportError: no zmq.\n"
    )
