"""
Django's built-in signals, found in the installed Django itself.

The kit never types the list in: :func:`builtin_signals` reads Django's
source for module-level ``name = Signal(...)`` / ``ModelSignal(...)``
assignments (Django's own tests aside). A Django release that adds a signal
(6.0 added ``django.tasks.signals``) shows up here, and the coverage test then
fails until a lesson covers the new signal.
"""

import ast
import functools
from pathlib import Path

import django

__all__ = ["builtin_signals", "builtin_modules"]

_CLASSES = {"Signal", "ModelSignal"}


def _module_name(path, root):
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def builtin_signals():
    """``{signal name: defining module}`` for every built-in signal of this Django, sorted."""
    root = Path(django.__file__).resolve().parent
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.relative_to(root).parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "Signal(" not in text:
            continue
        for node in ast.parse(text).body:
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            func = node.value.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called not in _CLASSES:
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and not target.id.startswith("_"):
                    found[target.id] = _module_name(path, root)
    return dict(sorted(found.items()))


def builtin_modules():
    """The modules that define Django's built-in signals."""
    return tuple(sorted(set(builtin_signals().values())))
