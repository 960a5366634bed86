"""The progress overview, for a notebook cell (text) and the terminal (rich)."""

from . import progress
from .catalogue import exercises

__all__ = ["rows", "summary", "next_action", "show"]


def rows():
    """``(exercise, status)`` for every exercise, status done / not yet / not started."""
    state = progress.load()["exercises"]
    return [(e, progress.status(e.name, state.get(e.name))) for e in exercises()]


def summary():
    items = rows()
    done = sum(1 for _e, status in items if status == "done")
    return done, len(items)


def next_action():
    """One clear next step, rustlings-style."""
    for exercise, status in rows():
        if status != "done":
            verb = "Continue" if status == "not yet" else "Start"
            return f"{verb} with exercises/{exercise.name}.ipynb: {exercise.title}."
    return "All exercises done. Well done! Try breaking one on purpose and read its message."


def show():
    """Print the progress table in a notebook cell (plain, deterministic text)."""
    done, total = summary()
    width = 20
    filled = round(width * done / total) if total else 0
    print(f"Progress [{'#' * filled}{'.' * (width - filled)}] {done}/{total} exercises done")
    marks = {"done": "✓ done", "not yet": "✗ not yet", "not started": "· not started"}
    for exercise, status in rows():
        print(f"  {exercise.name:<28} {marks[status]:<15} {exercise.title}")
    print(f"Next: {next_action()}")
