"""The ``%%signals`` cell magic: record one cell and show what fired."""

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
    """
    from IPython import get_ipython
    from IPython.display import display

    args = parse_argstring(signals, line)
    shell = get_ipython()
    split = lambda text: [s.strip() for s in text.split(",") if s.strip()] if text else None  # noqa: E731
    recording = record(only=split(args.only), exclude=split(args.exclude), noise=args.noise)
    try:
        with recording:
            shell.run_cell(cell, store_history=False, silent=False)
    finally:
        shell.user_ns["_signals"] = recording
    display(recording)
    if args.diagram:
        display(recording.diagram())
