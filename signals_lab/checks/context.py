"""
What a check sees: the learner's namespace, and questions about their receivers.
"""

import ast
import inspect
import time
import traceback

from ..runtime.dispatch import NONE_ID, live_entries

__all__ = ["NotYet", "Context", "learner_frames"]


class NotYet(Exception):
    """An unmet expectation; the message is one sentence for the learner."""


def _is_learner_file(filename):
    return (
        "ipykernel_" in filename
        or filename.startswith("<ipython-input")
        or filename.startswith("<exercise")
        or filename == "<string>"
    )


def learner_frames(error):
    """The frames of ``error``'s traceback that run the learner's own cells."""
    return [f for f in traceback.extract_tb(error.__traceback__) if _is_learner_file(f.filename)]


def _accepts_kwargs(node):
    return node.args.kwarg is not None


class Context:
    """
    What a check sees: the learner's namespace and a few helpers.

    ``limit`` is the check's time limit in seconds; :meth:`remaining` says how
    much of it is left (a check that waits on something, such as exercise 09's
    pytest run, stops before the limit so its own message shows).
    """

    def __init__(self, namespace, limit=None):
        self.namespace = namespace
        self.limit = limit
        self.started = time.monotonic()

    def remaining(self):
        """Seconds left before the check's time limit (None: no limit)."""
        if self.limit is None:
            return None
        return self.limit - (time.monotonic() - self.started)

    # -- the learner's names ------------------------------------------------

    def _cells(self):
        """The learner's cells, newest first (IPython keeps them in ``In``)."""
        history = self.namespace.get("In")
        if not isinstance(history, list):
            return []
        return [cell for cell in reversed(history) if isinstance(cell, str)]

    def _defining_cell(self, name):
        """The newest cell that defines ``name`` (a def or an assignment), or None."""
        for cell in self._cells():
            if f"def {name}(" in cell or f"{name} =" in cell or f"{name}=" in cell:
                return cell
        return None

    def _why_missing(self, name, what):
        """One sentence: why ``name`` is not in the namespace (its cell failed, or never ran)."""
        cell = self._defining_cell(name)
        if cell is None:
            called = f"{what} called `{name}`" if what else f"`{name}`"
            return f"There is no {called} yet: define it in the exercise cell."
        try:
            tree = ast.parse(cell)
        except SyntaxError as error:
            line = (error.text or "").strip()
            shown = f" (`{line}`)" if line else ""
            return (
                f"The cell that defines `{name}` has a SyntaxError on its line {error.lineno}"
                f"{shown}: {error.msg}. Fix that line and run the cell again."
            )
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name == name
                and node.decorator_list
                and not _accepts_kwargs(node)
            ):
                return (
                    f"`{name}` must accept `**kwargs`: Django calls every receiver with "
                    "signal=, sender= and the signal's own arguments (and may add more), so "
                    f"`@lab.receiver` refused to connect it and `{name}` was never defined. "
                    "Add `**kwargs` and run the cell again."
                )
        return (
            f"`{name}` is not defined: the cell that defines it stopped with an error before "
            "it got there (the error is shown under that cell). Fix it and run the cell again."
        )

    def function(self, name, *, what="function"):
        """The learner's ``name``; NotYet if it is missing or not callable."""
        value = self.namespace.get(name)
        if value is None:
            raise NotYet(self._why_missing(name, what))
        if not callable(value):
            raise NotYet(f"`{name}` should be a {what}, but it is a {type(value).__name__}.")
        return value

    def receiver(self, name):
        """The learner's receiver ``name``; NotYet unless it accepts ``**kwargs``."""
        func = self.function(name)
        try:
            parameters = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):
            return func
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            raise NotYet(
                f"`{name}` must accept `**kwargs`: Django calls every receiver with "
                "signal=, sender= and the signal's own arguments (and may add more)."
            )
        return func

    def value(self, name, kind=None):
        value = self.namespace.get(name)
        if value is None:
            raise NotYet(self._why_missing(name, None))
        if kind is not None and not isinstance(value, kind):
            raise NotYet(
                f"`{name}` should be a {kind.__name__}, but it is a {type(value).__name__}."
            )
        return value

    def name_of(self, obj):
        """The learner's name for ``obj`` (a signal of theirs ...), or None."""
        for key, value in self.namespace.items():
            if value is obj and not key.startswith("_"):
                return key
        return None

    # -- their connections --------------------------------------------------

    def connections(self, signal, func):
        """How many times ``func`` (or a function with its name) is connected to ``signal``."""
        name, module = getattr(func, "__name__", None), getattr(func, "__module__", None)
        return sum(
            1
            for _sender, target in live_entries(signal)
            if target is func
            or (
                getattr(target, "__name__", None) == name
                and getattr(target, "__module__", None) == module
            )
        )

    def senders(self, signal, func):
        """The sender ids ``func`` (matched by name) is connected with on ``signal``."""
        return [
            sender
            for sender, target in live_entries(signal)
            if getattr(target, "__name__", None) == func.__name__
        ]

    def connected_to_any_sender(self, signal, func):
        """True if ``func`` (or a function with its name) is connected with no sender."""
        return NONE_ID in self.senders(signal, func)

    def expect_connected(self, signal, func, signal_label, *, senders=1):
        """NotYet unless ``func`` is connected to ``signal`` exactly ``senders`` times."""
        count = self.connections(signal, func)
        name = func.__name__
        if count == 0:
            raise NotYet(
                f"`{name}` is not connected to {signal_label}: decorate it with "
                f"`@lab.receiver({signal_label}, ...)` and run its cell."
            )
        if count > senders:
            raise NotYet(
                f"`{name}` is connected {count} times to {signal_label}, so it runs {count} times "
                "per event: the cell ran more than once with plain connect(). Use "
                "`@lab.receiver(...)`, or restart the kernel."
            )

    def expect_sender(self, signal, func, signal_label, model):
        """
        NotYet if ``func`` is connected to ``signal`` only with senders other
        than ``model`` (e.g. ``sender=Profile`` where the signal comes from User).
        """
        ids = self.senders(signal, func)
        if not ids or id(model) in ids or NONE_ID in ids:
            return
        from django.apps import apps

        names = {id(m): m.__name__ for m in apps.get_models(include_auto_created=True)}
        wrong = next((names[i] for i in ids if i in names), None)
        if wrong is not None:
            raise NotYet(
                f"`{func.__name__}` is connected to {signal_label} with sender={wrong}, so it "
                f"runs only when a {wrong} is saved, never for a new {model.__name__}: "
                f"connect it with `sender={model.__name__}`."
            )
        raise NotYet(
            f"`{func.__name__}` is connected to {signal_label} with a sender that is not the "
            f"{model.__name__} model, so it never runs for a {model.__name__}: pass "
            f"`sender={model.__name__}` (the class itself, or the string "
            f"'{model._meta.label}')."
        )
