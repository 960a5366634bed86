"""
End to end, in a real browser, the way a learner meets the kit: `signals-lab
init` makes a workspace, JupyterLab serves it, lesson 00 opens without being
marked modified, runs every cell, shows the recorder's table and draws its
sequence diagram as a picture; lesson 06 and an exercise open clean too.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright; no browser is
ever downloaded. `.ci/run` installs Chromium and sets SIGNALS_LAB_REQUIRE_BROWSER,
so CI fails rather than skips without it. What a browser shows does not depend
on the Django version, so CI runs these tests in its Django 6.1 run only: its
5.2 run sets SIGNALS_LAB_BROWSER=skip. The workspace is a temporary folder,
so JupyterLab's autosave never touches the repository. Screenshots are saved
under .artifacts/ (git-ignored): lesson-00-diagram.png, lesson-06.png,
exercise-03.png.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from signals_lab.layout import ROOT
from signals_lab.tools import launch
from tests.test_launch import free_port, wait_for

pytestmark = pytest.mark.notebook

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _require_browser():
    if os.environ.get("SIGNALS_LAB_BROWSER") == "skip":
        pytest.skip("SIGNALS_LAB_BROWSER=skip: the real-browser tests run in another run")
    if CHROMIUM.exists():
        return
    message = "Debian's chromium is not installed (`apt-get install chromium`)"
    if os.environ.get("SIGNALS_LAB_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def jupyterlab(tmp_path):
    _require_browser()
    root = tmp_path / "workspace"
    made = subprocess.run(
        [str(Path(sys.executable).parent / "signals-lab"), "init", str(root)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    port, token = free_port(), secrets.token_hex(16)
    # A private settings folder: render every cell (no virtual scrolling, which
    # detaches off-screen outputs) and ask nothing about news.
    settings = tmp_path / "settings"
    for plugin, values in {
        "notebook-extension/tracker": {"windowingMode": "none"},
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        target = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    args = launch.command(port=port, open_browser=False, root_dir=root)
    args.append(f"--LabApp.user_settings_dir={settings}")
    server = subprocess.Popen(
        args,
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "JUPYTER_TOKEN": token,
            "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
            "SIGNALS_LAB_HOME": str(root),
        },
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/lab", server)
        yield f"http://127.0.0.1:{port}", token, root
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_lesson_00_runs_in_jupyterlab_and_draws_its_diagram(jupyterlab):
    from playwright.sync_api import sync_playwright

    base, token, _root = jupyterlab
    shots = ROOT / ".artifacts"
    shots.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            opened = _open_clean(page, base, token, "notebooks/00_start_here.ipynb")
            assert opened == 0, "opening the lesson marked it modified"
            page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
            page.click("li.lm-Menu-item:has-text('Run All Cells')")

            table = page.locator("table.signals-lab-recording").first
            table.wait_for(timeout=90_000)
            assert "send_confirmation_email" in page.locator("table.signals-lab-recording").nth(
                1
            ).inner_text(timeout=90_000)

            diagram = page.locator(".jp-RenderedMermaid").first
            diagram.wait_for(timeout=90_000)
            picture = diagram.locator("img[src^='data:image/svg+xml'], svg").first
            picture.wait_for(timeout=60_000)
            diagram.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "lesson-00-diagram.png"))
            # Drawn, not shown as text: the picture has a size, and no raw source is visible.
            box = picture.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 100
            assert "sequenceDiagram" not in diagram.inner_text()
        finally:
            browser.close()


def _modified_tabs(page):
    """How many open documents JupyterLab marks as modified (the tab's dot)."""
    return page.locator("li.lm-TabBar-tab.jp-mod-dirty").count()


def _open_clean(page, base, token, path):
    page.goto(f"{base}/lab/tree/{path}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # The kernel up and idle (under load it can take longer to start than a
    # fixed pause allows), then a moment for its language_info to arrive. Only
    # the visible indicator: JupyterLab restores the earlier notebook's tab too,
    # and its hidden indicator comes first in the page.
    idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']:visible"
    page.locator(idle).first.wait_for(timeout=90_000)
    page.wait_for_timeout(2000)
    return _modified_tabs(page)


def test_lesson_06_and_an_exercise_open_unmodified_from_the_workspace(jupyterlab):
    from playwright.sync_api import sync_playwright

    base, token, root = jupyterlab
    shots = ROOT / ".artifacts"
    shots.mkdir(exist_ok=True)
    before = _notebooks(root)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            assert _open_clean(page, base, token, "notebooks/06_recursion.ipynb") == 0
            page.screenshot(path=str(shots / "lesson-06.png"))
            exercise = "exercises/03_slug_without_recursion.ipynb"
            assert _open_clean(page, base, token, exercise) == 0
            page.screenshot(path=str(shots / "exercise-03.png"))
        finally:
            browser.close()
    assert _notebooks(root) == before, "opening notebooks wrote to them"


def _notebooks(root):
    # JupyterLab's own checkpoints (made on open) aside: the learner's files.
    return {p: p.read_bytes() for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts}
