"""Where a learner's workspace is: their own choice, the enclosing one, the checkout, or home."""

import os

import nbformat
import pytest

from signals_lab import layout


def _clear(monkeypatch):
    monkeypatch.delenv("SIGNALS_LAB_HOME", raising=False)
    monkeypatch.delenv("SIGNALS_LAB_STATE_DIR", raising=False)
    monkeypatch.delenv("SIGNALS_LAB_CACHE_DIR", raising=False)


def test_explicit_home_wins(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.setenv("SIGNALS_LAB_HOME", str(tmp_path / "mine"))
    assert layout.workspace_dir() == tmp_path / "mine"
    assert layout.state_dir() == tmp_path / "mine" / ".lab"
    assert layout.cache_dir() == tmp_path / "mine" / ".lab" / "cache"


def test_a_kernel_finds_the_workspace_it_runs_in(monkeypatch, tmp_path):
    _clear(monkeypatch)
    (tmp_path / layout.WORKSPACE_MARKER).write_text("")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert layout.workspace_dir() == tmp_path


def test_the_owner_of_the_checkout_works_in_it(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.chdir(tmp_path)
    assert layout.workspace_dir() == layout.ROOT / "workspace"


def test_other_users_of_a_shared_install_work_in_their_home(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(os, "getuid", lambda: layout.ROOT.stat().st_uid + 1)
    assert layout.workspace_dir() == tmp_path / "home" / "signals-lab"


def test_a_read_only_checkout_sends_everyone_home(monkeypatch, tmp_path):
    _clear(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: False if path == layout.ROOT else real_access(path, mode)
    )
    assert layout.workspace_dir() == tmp_path / "home" / "signals-lab"


@pytest.mark.parametrize(
    "canonical",
    [*layout.notebook_paths(layout.LESSONS), *layout.notebook_paths(layout.EXERCISES)],
    ids=lambda path: f"{path.parent.name}/{path.name}",
)
def test_workspace_copies_are_what_nbformat_writes(canonical):
    # The CLI prepares them as plain JSON (fast); here nbformat reads, validates
    # and writes the same copy.
    from signals_lab.tools.workspace import PREDICT_CALL, language_info, prepared_text

    nb = nbformat.read(canonical, as_version=4)
    nb.metadata["language_info"] = language_info()
    for cell in nb.cells:
        if cell.cell_type == "code" and PREDICT_CALL in cell.source:
            cell.outputs = []
            cell.execution_count = None
    text = prepared_text(canonical)
    assert text == nbformat.writes(nb) + "\n"
    nbformat.validate(nbformat.reads(text, as_version=4))
