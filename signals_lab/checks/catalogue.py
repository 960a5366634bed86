"""
The exercise catalogue: titles, stories, goals and hints, from ``exercises.toml``.

Read by the checks (in a kernel) and by the tools (CLI, generator); it imports
nothing but the layout and the kit's error type.
"""

import tomllib
from dataclasses import dataclass, field

from ..layout import CATALOGUE
from ..runtime.errors import LabError

__all__ = ["Exercise", "exercises", "find"]


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    lesson: str
    story: str
    goal: str
    hints: list = field(default_factory=list)

    @property
    def number(self):
        return self.name.split("_", 1)[0]


def exercises():
    """All exercises, in order, from ``exercises.toml``."""
    with CATALOGUE.open("rb") as handle:
        data = tomllib.load(handle)
    return [Exercise(**entry) for entry in data["exercises"]]


def find(name):
    """The exercise called ``name`` (or its number, ``"03"``); LabError if none."""
    name = str(name).strip()
    for exercise in exercises():
        if name in (exercise.name, exercise.number, exercise.number.lstrip("0")):
            return exercise
    known = ", ".join(e.name for e in exercises())
    raise LabError(f"There is no exercise {name!r}. The exercises are: {known}.")
