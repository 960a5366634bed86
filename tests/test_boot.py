"""boot() in real kernels and processes: one line, private data, clear errors."""

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

from tests.kernel import run_cells, text

pytestmark = pytest.mark.notebook

BOOT = "from signals_lab import boot\nlab = boot()"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def python(code, **env):
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),  # not the repo: the -e install must be enough
        env={**os.environ, **env},
        timeout=120,
    )
    return result


def test_boot_prints_one_stable_line_and_is_idempotent():
    result = python(BOOT + "\nboot()\nboot()")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and len(set(lines)) == 1
    assert re.match(r"Django \d+\.\d+\.\d+ ready: ", lines[0])  # 5.2 LTS or 6.x
    assert result.stderr == ""


def test_every_thread_sees_the_same_data_and_reset_starts_over():
    code = (
        BOOT
        + """
import asyncio
from asgiref.sync import sync_to_async
from tutorial_project.catalog.models import Author
Author.objects.create(name="main thread")
async def main():
    await Author.objects.acreate(name="worker thread")
    return await sync_to_async(Author.objects.count)()
print("count", asyncio.run(main()))
lab.reset()
print("after reset", Author.objects.count())
"""
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert "count 2" in result.stdout and "after reset 0" in result.stdout


def test_parallel_processes_do_not_share_data_and_leave_no_files(tmp_path):
    runtime = tmp_path / "kernels"
    code = (
        BOOT
        + """
from tutorial_project.catalog.models import Tag
import time
Tag.objects.create(name="mine")
time.sleep(0.5)
print("tags", Tag.objects.count())
"""
    )
    env = {"TMPDIR": str(tmp_path), "SIGNALS_LAB_RUNTIME_DIR": str(runtime)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
            cwd=tmp_path,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [out.splitlines()[-1] for out in outputs] == ["tags 1", "tags 1"]
    assert os.listdir(tmp_path) == ["kernels"] and os.listdir(runtime) == []


def test_each_kernel_database_lives_in_its_own_folder_under_the_runtime_dir(tmp_path):
    code = BOOT + "\nfrom django.db import connection\nprint(connection.settings_dict['NAME'])"
    result = python(code, SIGNALS_LAB_RUNTIME_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    name = result.stdout.splitlines()[-1]
    folder = os.path.dirname(name)
    assert os.path.dirname(folder) == str(tmp_path) and name.endswith("db.sqlite3")
    assert os.listdir(tmp_path) == []  # gone with the process


def test_wrong_settings_module_is_one_sentence():
    result = python("from signals_lab import boot\nboot('tutorial_project.setings')")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("signals_lab.runtime.errors.LabError: Cannot import the settings")


def test_in_a_kernel_errors_are_one_line_not_a_traceback():
    outputs = run_cells(
        "from tutorial_project.catalog.models import Book",
        "from signals_lab import boot\nboot('no.such.settings')",
        BOOT + "\nfrom tutorial_project.catalog.models import Book",
        "lab.receiver('post_save')",
        "boot('tests.settings_unmigrated')",
    )
    not_booted, wrong, ok, bad_input, other = (ANSI.sub("", text(o)) for o in outputs)
    assert not_booted.strip() == (
        "LabError: Django is not set up in this kernel yet: run the notebook's first cell "
        "(`from signals_lab import boot; lab = boot()`), then this cell again."
    )
    assert wrong.strip().startswith(
        "LabError: Cannot import the settings module 'no.such.settings'"
    )
    assert wrong.count("\n") == 0
    assert re.match(r"Django \d+\.\d+\.\d+ ready: ", ok)
    assert bad_input.strip().startswith("LabError: 'post_save' is not a signal")
    assert other.strip() == (
        "LabError: This kernel already runs Django with 'tutorial_project.settings'; "
        "restart the kernel to boot 'tests.settings_unmigrated' instead."
    )


def test_unmigrated_model_changes_are_one_sentence():
    outputs = run_cells("from signals_lab import boot\nboot('tests.settings_unmigrated')")
    message = ANSI.sub("", text(outputs[0])).strip()
    assert message == (
        "LabError: Models in unmigrated_app have changes that no migration describes: run "
        "`python manage.py makemigrations unmigrated_app` in a terminal, then restart the kernel."
    )


def test_notebook_kernel_runs_async_orm_and_sync_orm_together():
    outputs = run_cells(
        BOOT,
        "from tutorial_project.catalog.models import Author\n"
        "await Author.objects.acreate(name='async')\n"
        "Author.objects.create(name='sync')\n"
        "print(await Author.objects.acount(), Author.objects.count())",
        "%%signals --only post_save\nAuthor.objects.create(name='magic')",
    )
    assert text(outputs[1]).strip() == "2 2"
    table = text(outputs[2])
    assert "post_save" in table and "catalog.Author" in table


def test_migrated_database_is_cached_between_kernels(tmp_path):
    code = (
        BOOT.replace("lab = boot()", "lab = boot(quiet=True)")
        + """
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.migrations.recorder import MigrationRecorder
from django.db import connection
print(ContentType.objects.count(), Permission.objects.count(),
      MigrationRecorder(connection).migration_qs.count())
"""
    )
    first = python(code, SIGNALS_LAB_CACHE_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    cached = list(tmp_path.glob("migrated-*.sqlite3"))
    assert len(cached) == 1
    second = python(code, SIGNALS_LAB_CACHE_DIR=str(tmp_path))
    assert second.stdout == first.stdout  # same tables, rows and applied migrations
    assert [p.name for p in tmp_path.iterdir()] == [cached[0].name]


# --------------------------------------------------------------------------
# boot() and reset() starting over: one process, one fact per test
# --------------------------------------------------------------------------

START_OVER = """
import json
from django.core import mail
from django.db.models.signals import post_save
from signals_lab import boot
lab = boot(quiet=True)
from tutorial_project.catalog.models import Author
calls = []

@lab.receiver(post_save, sender=Author)
def count(sender, **kwargs):
    calls.append(1)

facts = {}
Author.objects.create(name="a")
mail.send_mail("s", "b", "from@example.com", ["to@example.com"])
lab.reset()
facts["reset: rows"] = Author.objects.count()
facts["reset: outbox"] = len(mail.outbox)
Author.objects.create(name="b")
facts["reset: receivers stay"] = len(calls)
mail.send_mail("s", "b", "from@example.com", ["to@example.com"])
boot(quiet=True)
facts["boot again: rows"] = Author.objects.count()
facts["boot again: outbox"] = len(mail.outbox)
Author.objects.create(name="c")
facts["boot again: receivers gone"] = len(calls)
facts["boot again: connected_receivers"] = lab.connected_receivers()
print(json.dumps(facts))
"""


@pytest.fixture(scope="module")
def start_over():
    result = python(START_OVER)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_reset_empties_the_database(start_over):
    assert start_over["reset: rows"] == 0


def test_reset_empties_mail_outbox(start_over):
    assert start_over["reset: outbox"] == 0


def test_reset_keeps_receivers_connected(start_over):
    assert start_over["reset: receivers stay"] == 2


def test_boot_again_empties_the_database(start_over):
    assert start_over["boot again: rows"] == 0


def test_boot_again_empties_mail_outbox(start_over):
    assert start_over["boot again: outbox"] == 0


def test_boot_again_disconnects_lab_receivers(start_over):
    assert start_over["boot again: receivers gone"] == 2
    assert start_over["boot again: connected_receivers"] == []
