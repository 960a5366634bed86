"""
What a check sees: the learner's namespace, and questions about their receivers.
"""

import inspect

from ..runtime.dispatch import NONE_ID, live_entries

__all__ = ["NotYet", "Context"]


class NotYet(Exception):
    """An unmet expectation; the message is one sentence for the learner."""


class Context:
    """What a check sees: the learner's namespace and a few helpers."""

    def __init__(self, namespace):
        self.namespace = namespace

    def function(self, name, *, what="function"):
        """The learner's ``name``; NotYet if it is missing or not callable."""
        value = self.namespace.get(name)
        if value is None:
            raise NotYet(f"There is no {what} called `{name}` yet: define it in the exercise cell.")
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
            raise NotYet(f"There is no `{name}` yet: define it in the exercise cell.")
        if kind is not None and not isinstance(value, kind):
            raise NotYet(
                f"`{name}` should be a {kind.__name__}, but it is a {type(value).__name__}."
            )
        return value

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
