"""The ``%%signals`` cell magic: record one cell and show what fired."""

import contextlib

from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .recorder import record


@magic_arguments()
@argument("--only", default=None, help="comma-separated signal names to keep")
@argument("--exclude", default=None, help="comma-separated signal names to drop")
@argument("--noise", action="store_true", help="also keep class_prepared, pre_init, ...")
@argument("--diagram", action="store_true", help="also draw a sequence diagram")
def signals(line, cell):
    """
    Run the cell and show a table of every signal it sent.

    ``%%signals --only pre_save,post_save --diagram``. The recording is kept
    in the variable ``_signals`` for the next cell.

    If the cell raises (or is interrupted), the table of what was sent up to
    then is shown first, then the error is raised again, once: the cell fails
    like any failing cell, so "Run All" stops there.
    """
    __tracebackhide__ = True  # IPython leaves this frame out of tracebacks
    from IPython import get_ipython
    from IPython.display import display

    args = parse_argstring(signals, line)
    shell = get_ipython()
    split = lambda text: [s.strip() for s in text.split(",") if s.strip()] if text else None  # noqa: E731
    recording = record(only=split(args.only), exclude=split(args.exclude), noise=args.noise)
    try:
        with recording, _quiet_errors(shell):
            result = shell.run_cell(cell, store_history=False, silent=False)
    finally:
        shell.user_ns["_signals"] = recording
    display(recording)
    if args.diagram:
        display(recording.diagram())
    error = result.error_before_exec or result.error_in_exec
    if error is not None:
        raise error


@contextlib.contextmanager
def _quiet_errors(shell):
    """
    While the magic runs the cell, IPython shows nothing for its error: the
    magic raises it again after the table, and the outer cell shows it then.
    """
    silent = lambda *args, **kwargs: None  # noqa: E731
    names = ("showtraceback", "showsyntaxerror", "CustomTB")
    saved = {name: shell.__dict__.get(name) for name in names}
    for name in names:
        setattr(shell, name, silent)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                shell.__dict__.pop(name, None)
            else:
                setattr(shell, name, value)
