"""
``signals-lab``: the learner's command line (rustlings-style).

    signals-lab init [DIR]        create (or update) your workspace; no Jupyter
    signals-lab lab               the same, then open JupyterLab in it
    signals-lab progress          where you are, and the one next step
    signals-lab check 03          run your exercise 03 in a fresh kernel; one verdict
    signals-lab hint 03           the next hint (--level N for a given one)
    signals-lab reset 03          your exercise 03 back to the start (yours kept once)
    signals-lab watch [03]        re-check an exercise each time you save it
    signals-lab course DIR        (teachers) write an nbgrader course from solutions/

``--home DIR`` (or ``SIGNALS_LAB_HOME``) puts the workspace anywhere; each
command is also a ``make`` target (``make check EX=03`` ...), and
``python manage.py exercises ...`` is an alias.
"""

import argparse
import os
import re
import sys
import time

from .. import layout
from ..checks import catalogue, progress
from ..runtime.errors import LabError

__all__ = ["main"]

VERDICT = re.compile(r"^[✓✗] \S+: .*$", re.M)
# A check stops the learner's code after at most CHECK_TIMEOUT seconds (see
# checks.runner); the CLI gives each cell longer, so the check's own verdict
# shows. SIGNALS_LAB_CELL_LIMIT overrides it (tests).
CHECK_TIMEOUT = 60
CELL_TIMEOUT = int(os.environ.get("SIGNALS_LAB_CELL_LIMIT") or CHECK_TIMEOUT + 30)


class CommandFailed(Exception):
    """A one-line message for the terminal; exit status 1."""


def _workspace(args, folder=None):
    """The workspace at ``folder``, else at ``--home`` / the default."""
    from .workspace import Workspace

    return Workspace(folder or args.home)


def _ready_workspace(args, quiet=True):
    """The workspace, created or updated first (quietly unless ``quiet=False``)."""
    workspace = _workspace(args)
    workspace.sync(say=(lambda _line: None) if quiet else print)
    os.environ["SIGNALS_LAB_HOME"] = str(workspace.root)
    return workspace


def cmd_init(args):
    workspace = _workspace(args, args.dir)
    new = not workspace.exists()
    written = workspace.sync()
    if new:
        print(f"Your workspace is {workspace.root}: open notebooks/{layout.FIRST_LESSON} first.")
    elif not written:
        print(f"Your workspace {workspace.root} is up to date.")
    return 0


def cmd_lab(args):
    from .launch import command, loopback_or_refuse

    loopback_or_refuse(args.host)
    workspace = _ready_workspace(args, quiet=False)
    cmd = command(args.host, args.port, open_browser=not args.no_browser, root_dir=workspace.root)
    os.chdir(workspace.root)
    os.execv(cmd[0], cmd)


def cmd_progress(args):
    from rich.console import Console
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    from ..checks.report import next_action, rows, summary

    _ready_workspace(args)
    console = Console(highlight=False)
    done, total = summary()
    console.print(f"[bold]Django Signals Lab[/]: {done}/{total} exercises done")
    console.print(ProgressBar(total=total, completed=done, width=40))
    table = Table(show_header=True, header_style="bold")
    table.add_column("exercise")
    table.add_column("status")
    table.add_column("title")
    style = {"done": "[green]✓ done[/]", "not yet": "[red]✗ not yet[/]"}
    for item, status in rows():
        table.add_row(item.name, style.get(status, "[dim]· not started[/]"), item.title)
    console.print(table)
    console.print(f"Next: {next_action()}")
    return 0


def run_exercise(workspace, exercise):
    """Run the learner's exercise notebook in a fresh kernel; return the verdict lines."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from .kernel import KernelStartError, run_in_fresh_kernel

    path = workspace.path("exercises", f"{exercise.name}.ipynb")
    if not path.exists():
        raise CommandFailed(
            f"{path} does not exist: `signals-lab reset {exercise.number}` makes it."
        )
    try:
        nb = nbformat.read(path, as_version=4)  # a copy in memory: the file is not touched
    except Exception as error:  # noqa: BLE001 - a broken file is the learner's to fix
        raise CommandFailed(f"{path.name} cannot be read as a notebook ({error}).") from None
    try:
        # A cell that never returns (a hanging receiver in "Try it") is
        # interrupted, so the check cell still runs and gives its verdict.
        run_in_fresh_kernel(nb, path.parent, timeout=CELL_TIMEOUT, interrupt=True)
    except CellTimeoutError:
        raise CommandFailed(
            f"✗ {exercise.name}: not yet. A cell ran for more than {CELL_TIMEOUT} s: "
            "something in your notebook never returns."
        ) from None
    except DeadKernelError:
        raise CommandFailed(
            f"✗ {exercise.name}: not yet. The kernel died while running it."
        ) from None
    except KernelStartError as error:
        raise CommandFailed(f"✗ {exercise.name}: not checked: {error}.") from None
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found += VERDICT.findall(output.get("text", ""))
    error = _first_error(nb)
    if found:
        # The learner's own error first: the verdict is often its consequence.
        return ([f"  {error}"] if error else []) + found
    raise CommandFailed(f"✗ {exercise.name}: not yet. {error or NO_VERDICT}")


NO_VERDICT = "The notebook ran, but no check cell printed a result: is `lab.check(...)` there?"


def _first_error(nb):
    """The first error in the notebook, as one line pointing at its cell (None if none)."""
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        for output in cell.get("outputs", []):
            if output.output_type == "error" and output.ename == "KeyboardInterrupt":
                return (
                    f"Your code cell {number} did not finish within {CELL_TIMEOUT} s, so it "
                    "was stopped: something in it never returns."
                )
            if output.output_type == "error":
                return (
                    f"Your code cell {number} raised {output.ename}: {output.evalue} "
                    "(fix that cell, then check again)."
                )
    return None


def cmd_check(args):
    workspace = _ready_workspace(args)
    exercise = catalogue.find(args.exercise)
    print(f"Running exercises/{exercise.name}.ipynb in a fresh kernel ...", flush=True)
    lines = run_exercise(workspace, exercise)
    for line in lines:
        print(line)
    verdicts = [line for line in lines if VERDICT.match(line)]
    return 0 if all(line.startswith("✓") for line in verdicts) else 1


def cmd_hint(args):
    from ..checks.runner import hint

    _ready_workspace(args)
    hint(catalogue.find(args.exercise).name, args.level)
    return 0


def cmd_reset(args):
    workspace = _ready_workspace(args)
    exercise = catalogue.find(args.exercise)
    saved = workspace.restore("exercises", f"{exercise.name}.ipynb")
    progress.reset_exercise(exercise.name)
    if saved is not None:
        print(f"Your version is kept as {saved}.")
    print(
        f"exercises/{exercise.name}.ipynb is back to its start. If it is open in JupyterLab, "
        "reload it (File → Reload Notebook from Disk) and restart its kernel so your old "
        "receivers go too."
    )
    return 0


def cmd_watch(args):
    workspace = _ready_workspace(args)
    only = catalogue.find(args.exercise) if args.exercise else None
    folder = workspace.root / "exercises"
    print(f"Watching {folder} (Ctrl+C to stop): every save is checked.", flush=True)

    def stamps():
        return {
            p.stem: p.stat().st_mtime_ns
            for p in layout.notebook_paths(folder)
            if only is None or p.stem == only.name
        }

    seen = stamps()
    try:
        while True:
            time.sleep(args.interval)
            now = stamps()
            for name, stamp in sorted(now.items()):
                if seen.get(name) != stamp:
                    try:
                        for line in run_exercise(workspace, catalogue.find(name)):
                            print(line, flush=True)
                    except CommandFailed as failure:
                        print(failure, flush=True)
            seen = now
    except KeyboardInterrupt:
        return 0


def cmd_course(args):
    from . import course

    return course.run(args)


def parser():
    top = argparse.ArgumentParser(
        prog="signals-lab",
        description="Django Signals Lab: your workspace, progress, checks and hints.",
    )
    top.add_argument(
        "--home", help="your workspace folder (default: $SIGNALS_LAB_HOME or workspace/)"
    )
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    init = sub.add_parser("init", help="create or update your workspace (no Jupyter)")
    init.add_argument("dir", nargs="?", help="where (default: --home, or workspace/)")
    lab = sub.add_parser("lab", help="create or update your workspace, then open JupyterLab")
    lab.add_argument("--host", default="127.0.0.1")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--no-browser", action="store_true")
    sub.add_parser("progress", help="your progress and the next step")
    for name, text in (
        ("check", "run an exercise in a fresh kernel and print its verdict"),
        ("hint", "the next hint for an exercise"),
        ("reset", "put an exercise back to its start (your version is kept once)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("exercise", help="its number (03) or name (03_slug_without_recursion)")
        if name == "hint":
            command.add_argument("--level", type=int, help="show this hint (1, 2, 3)")
    watch = sub.add_parser("watch", help="check an exercise every time you save it")
    watch.add_argument("exercise", nargs="?", help="only this one (default: every exercise)")
    watch.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    from .course import add_arguments

    add_arguments(sub.add_parser("course", help="(teachers) write an nbgrader course"))
    return top


COMMANDS = {
    "init": cmd_init,
    "lab": cmd_lab,
    "progress": cmd_progress,
    "check": cmd_check,
    "hint": cmd_hint,
    "reset": cmd_reset,
    "watch": cmd_watch,
    "course": cmd_course,
}


def main(argv=None):
    args = parser().parse_args(argv)
    if args.home:
        os.environ["SIGNALS_LAB_HOME"] = str(args.home)
    try:
        return COMMANDS[args.command or "progress"](args)
    except (CommandFailed, LabError, OSError) as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
