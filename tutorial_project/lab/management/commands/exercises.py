"""
``python manage.py exercises``: progress, checks, hints and resets for the exercises.

    python manage.py exercises              # progress bar, table, next step
    python manage.py exercises check 03     # run exercises/03_*.ipynb headless and check it
    python manage.py exercises hint 03      # the next hint (--level N for a given one)
    python manage.py exercises reset 03     # back up your notebook, then regenerate it
"""

import re

from django.core.management.base import BaseCommand, CommandError

from tutorial_project.lab import state as progress
from tutorial_project.lab.checks import find, hint
from tutorial_project.lab.errors import LabError
from tutorial_project.lab.progress_view import next_action, rows, summary

RESULT = re.compile(r"^[✓✗] \S+: .*$", re.M)


class Command(BaseCommand):
    help = "Show exercise progress; check, hint or reset one exercise."

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["list", "check", "hint", "reset"])
        parser.add_argument(
            "exercise", nargs="?", help="a name such as 03_slug_without_recursion, or 03"
        )
        parser.add_argument("--level", type=int, help="with hint: show this hint level")

    def handle(self, *args, action=None, exercise=None, level=None, **options):
        try:
            if action in (None, "list"):
                return self.show_progress()
            if exercise is None:
                raise CommandError(
                    f"Which exercise? e.g. `python manage.py exercises {action} 01`."
                )
            target = find(exercise)
            if action == "hint":
                hint(target.name, level)
            elif action == "check":
                self.check(target)
            elif action == "reset":
                self.reset(target)
        except LabError as error:
            raise CommandError(str(error)) from None

    def show_progress(self):
        from rich.console import Console
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        console = Console()
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

    def check(self, target):
        from tutorial_project.lab.notebooks import EXERCISES

        path = EXERCISES / f"{target.name}.ipynb"
        if not path.exists():
            raise CommandError(f"{path} does not exist: run `make exercises` to create it.")
        import nbformat
        from nbclient import NotebookClient

        self.stdout.write(f"Running {path.name} in a fresh kernel ...")
        nb = nbformat.read(path, as_version=4)  # a copy in memory: your file is not touched
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        found = []
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                found += RESULT.findall(output.get("text", ""))
        if not found:
            raise CommandError("The notebook ran, but no check cell printed a result.")
        for line in found:
            self.stdout.write(line)

    def reset(self, target):
        from tutorial_project.lab.exercises import backup, generate_all
        from tutorial_project.lab.notebooks import EXERCISES

        path = EXERCISES / f"{target.name}.ipynb"
        if path.exists():
            saved = backup(path)
            self.stdout.write(f"Your version is saved as {saved}.")
        generate_all(force=True, names={target.name}, quiet=True)
        progress.reset_exercise(target.name)
        self.stdout.write(f"{path.name} is back to its starting state.")
