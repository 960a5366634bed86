"""
Run wrong (and right) answers to an exercise through its real check.

Used by tests/test_exercise_feedback.py in a subprocess per exercise:

    python -m tests.feedback_runner 01_welcome_email

boots the kit, then for every case in tests/feedback_cases/exNN.py executes the
case's code in a fresh notebook-like namespace (``In`` holds the case's code,
as IPython's history would), runs the check even when that code raised (as a
notebook's check cell runs after a failed cell), prints one JSON line per case:
{"label": ..., "message": ..., "cell_error": ...}, and disconnects the case's
receivers before the next one.
"""

import importlib
import json
import linecache
import sys


def run(exercise, only=None):
    import signals_lab as lab
    from signals_lab.checks import find, run_check, runner

    number = find(exercise).number
    cases = importlib.import_module(f"tests.feedback_cases.ex{number}").CASES
    for index, (label, code, _expected) in enumerate(cases):
        if only is not None and label not in only:
            continue
        lab.reset()
        namespace = {"__name__": "__main__", "lab": lab, "In": ["", code]}
        filename = f"<exercise-case-{number}-{index}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        cell_error = None
        try:
            try:
                exec(compile(code, filename, "exec"), namespace)
            except Exception as error:  # the case's cell failed: the check still runs
                cell_error = f"{type(error).__name__}: {error}"
            message = run_check(exercise, namespace, record_progress=False).message
        except Exception as error:  # the check itself raised (a kit bug)
            message = f"CHECK ERROR {type(error).__name__}: {error}"
        finally:
            # A receiver that could not be stopped is left behind on purpose;
            # the next case must not be refused because of it.
            runner._stuck.clear()
            # The case's receivers, however it connected them (plain connect() too).
            lab.forget()
            names = [
                name
                for name, value in namespace.items()
                if callable(value) and getattr(value, "__module__", None) == "__main__"
            ]
            for signal in _signals() if names else ():
                for name in names:
                    lab.forget(signal=signal, name=name)
        line = {"label": label, "message": message, "cell_error": cell_error}
        print(json.dumps(line), flush=True)


def _signals():
    import gc

    from django.dispatch import Signal

    return [obj for obj in gc.get_objects() if isinstance(obj, Signal)]


if __name__ == "__main__":
    from signals_lab import boot

    boot(quiet=True)
    run(sys.argv[1], set(sys.argv[2:]) or None)
