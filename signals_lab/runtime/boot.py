"""
Boot the tutorial project inside a Jupyter kernel (or any Python process).

``boot()`` is the first cell of every notebook::

    from signals_lab import boot
    lab = boot()

It configures Django for a notebook, gives this process a fresh database, and
prints one line. Calling it again starts the lesson over; ``lab.reset()`` starts
only the data over.
"""

import contextlib
import itertools
import logging
import os
import sqlite3
import sys

from .errors import LabError, install_error_handler

SETTINGS_MODULE = "tutorial_project.settings"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

_booted = {}  # once booted: "uri", "keeper" (keeps the database alive), "template"


def database_uri(suffix=""):
    """A shared-cache in-memory SQLite URI private to this process."""
    return f"file:signals-lab-{os.getpid()}{suffix}?mode=memory&cache=shared"


def boot(settings_module=SETTINGS_MODULE, *, quiet=False):
    """
    Set up Django for this kernel and return the ``signals_lab`` module.

    * ``DJANGO_SETTINGS_MODULE`` is set to ``settings_module``.
    * ``DJANGO_ALLOW_ASYNC_UNSAFE=true``: ipykernel runs every cell inside a
      running asyncio event loop, and Django refuses ORM calls from a thread
      with a running loop (``SynchronousOnlyOperation``). Notebooks only: this
      switch is never for a server.
    * The database is a shared-cache in-memory SQLite database named after
      this process: every thread of the kernel sees it (so ``sync_to_async``,
      ``asave`` and ``asend`` work), parallel kernels never share it, and it
      vanishes with the process, even when the process is killed.
    * Migrations are applied (the migrated database is cached in
      ``.lab-state/cache/``, keyed by a hash of every migration file, and
      copied in with SQLite's backup API); e-mail goes to ``mail.outbox``.
    * The recorder is installed and the ``%%signals`` cell magic registered.

    Calling it again (re-running the first cell, or "Run all" twice) is
    harmless and starts over: the data goes back to its state after the first
    boot, ``mail.outbox`` is emptied and receivers connected with
    ``@lab.receiver`` are disconnected, so a lesson runs the same every time.

    Raises :class:`LabError` with one sentence saying what to do when the
    settings module cannot be imported or models have unmigrated changes.
    Prints one line (unless ``quiet``); the same line on every call.
    """
    install_error_handler()
    from . import netguard, recorder

    if netguard.enabled():
        netguard.install()

    if not _booted:
        _first_boot(settings_module)
    else:
        from django.conf import settings

        if settings.SETTINGS_MODULE != settings_module:
            raise LabError(
                f"This kernel already runs Django with {settings.SETTINGS_MODULE!r}; "
                f"restart the kernel to boot {settings_module!r} instead."
            )
        from .receivers import forget

        forget()
        reset()
    recorder.install()
    _register_magic()
    _start_coverage()
    if not quiet:
        print(summary())
    return sys.modules["signals_lab"]


def summary():
    """The one line boot() prints."""
    import django
    from django.apps import apps
    from django.conf import settings

    local = sorted(
        c.label for c in apps.get_app_configs() if c.name.startswith("tutorial_project.")
    )
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return (
        f"Django {django.get_version()} ready: {vendor} in memory (private to this kernel), "
        f"apps {', '.join(local)}, e-mail to mail.outbox."
    )


def _first_boot(settings_module):
    uri = database_uri()
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    os.environ["SIGNALS_LAB_DATABASE"] = uri
    os.environ["DJANGO_EMAIL_BACKEND"] = LOCMEM

    import django
    from django.conf import settings

    if settings.configured and settings.SETTINGS_MODULE != settings_module:
        raise LabError(
            f"Django was set up with {settings.SETTINGS_MODULE!r} before boot(); "
            f"restart the kernel to boot {settings_module!r} instead."
        )
    try:
        settings.INSTALLED_APPS  # noqa: B018 - imports the settings module
    except ImportError as exc:
        raise LabError(
            f"Cannot import the settings module {settings_module!r} ({exc}): "
            f"check its spelling, or call boot() without arguments for {SETTINGS_MODULE!r}."
        ) from None
    # If Django was set up before boot() (e.g. `manage.py shell_plus --lab`
    # loads it in the kernel), point it at this kernel's database anyway.
    settings.DATABASES["default"]["NAME"] = uri
    settings.EMAIL_BACKEND = LOCMEM
    if not settings.DEBUG and os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"):
        import warnings

        warnings.warn(
            "DEBUG is off but DJANGO_ALLOW_ASYNC_UNSAFE is on: that switch is for "
            "notebooks only, never for a server.",
            stacklevel=3,
        )
    django.setup()
    from django.db import connections

    connection = connections["default"]
    if connection.settings_dict["NAME"] != uri:
        connection.close()
        connection.settings_dict["NAME"] = uri

    # Keep one connection open for the life of the kernel: an in-memory
    # database disappears when its last connection closes.
    keeper = sqlite3.connect(uri, uri=True, check_same_thread=False)
    _check_migrations()
    if not _load_template(keeper):
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        _save_template(keeper)
    template = sqlite3.connect(database_uri("-template"), uri=True, check_same_thread=False)
    keeper.backup(template)
    _booted.update(uri=uri, keeper=keeper, template=template)
    _fresh_outbox()
    _one_line_dispatch_errors()


def _check_migrations():
    """LabError in one sentence if models changed without a migration."""
    from django.db import connections
    from django.db.migrations.autodetector import MigrationAutodetector
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.state import ProjectState

    executor = MigrationExecutor(connections["default"])
    autodetector = MigrationAutodetector(
        executor.loader.project_state(), ProjectState.from_apps(_apps())
    )
    changes = autodetector.changes(graph=executor.loader.graph)
    if changes:
        apps_changed = ", ".join(sorted(changes))
        raise LabError(
            f"Models in {apps_changed} have changes that no migration describes: run "
            f"`python manage.py makemigrations {' '.join(sorted(changes))}` in a terminal, "
            "then restart the kernel."
        )


def _template_path():
    """
    Where the migrated database is cached between kernels: a file named after
    a hash of Django's version, the settings module and every migration file,
    so any change to a migration builds a new one.
    """
    import hashlib
    from pathlib import Path

    import django
    from django.conf import settings

    from ..layout import cache_dir

    digest = hashlib.sha256(f"{django.get_version()}|{settings.SETTINGS_MODULE}".encode())
    for config in sorted(_apps().get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for migration in sorted(folder.glob("*.py")):
            digest.update(migration.name.encode())
            digest.update(migration.read_bytes())
    # Not under SIGNALS_LAB_STATE_DIR: tests isolate progress, but share this
    # cache (it depends only on the code), like every learner's kernel does.
    return cache_dir() / f"migrated-{digest.hexdigest()[:16]}.sqlite3"


def _load_template(keeper):
    """Copy the cached migrated database into this kernel's database, if there is one."""
    path = _template_path()
    if not path.exists():
        return False
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(keeper)
        finally:
            source.close()
    except sqlite3.Error:
        return False
    return True


def _save_template(keeper):
    """Cache the freshly migrated database for the next kernels (best effort, atomic)."""
    path = _template_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(temporary)
        try:
            keeper.backup(target)
        finally:
            target.close()
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _apps():
    from django.apps import apps

    return apps


class _OneLine(logging.Handler):
    """Print a log record as one stable line on stdout (no traceback, no time)."""

    def emit(self, record):
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            if str(error) not in message:
                message = f"{message} ({error})"
            message = f"{message} [{type(error).__name__}]"
        print(f"[{record.name} {record.levelname}] {message}")


def _one_line_dispatch_errors():
    """
    ``send_robust()`` logs each receiver's exception on ``django.dispatch``;
    with DEBUG=True Django prints it with a traceback on stderr. In a notebook
    that becomes one line on stdout instead, so lessons can show it stably.
    """
    logger = logging.getLogger("django.dispatch")
    logger.handlers = [_OneLine()]
    logger.propagate = False


def _fresh_outbox():
    from django.core import mail

    mail.outbox = []


def reset():
    """
    Start the data over: the database goes back to its state right after
    ``boot()`` (migrated, no rows of yours), and ``mail.outbox`` is emptied.
    Receivers stay connected.
    """
    if not _booted:
        raise LabError("Nothing to reset yet: run `lab = boot()` first.")
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            raise LabError("reset() cannot run inside transaction.atomic(): leave the block first.")
    _booted["template"].backup(_booted["keeper"])
    ContentType.objects.clear_cache()
    _fresh_outbox()


_snapshots = itertools.count(1)


def snapshot():
    """
    Copy this kernel's database into a new in-memory database and return a
    handle for :func:`restore` (about a millisecond, with SQLite's backup API).
    """
    if not _booted:
        raise LabError("Nothing to snapshot yet: run `lab = boot()` first.")
    name = database_uri(f"-snapshot-{next(_snapshots)}")
    copy = sqlite3.connect(name, uri=True, check_same_thread=False)
    _booted["keeper"].backup(copy)
    return copy


def restore(copy):
    """Put the database back as it was when :func:`snapshot` returned ``copy``."""
    from django.contrib.contenttypes.models import ContentType

    copy.backup(_booted["keeper"])
    copy.close()
    ContentType.objects.clear_cache()


def booted():
    """True once boot() has run in this process."""
    return bool(_booted)


_coverage = {}


def _start_coverage():
    """
    With ``SIGNALS_LAB_COVERAGE=<folder>`` set (tests only), keep a recording
    open for the life of the kernel and, after every cell, write which
    receivers ran for which signal to ``<folder>/<pid>.json``.
    """
    folder = os.environ.get("SIGNALS_LAB_COVERAGE")
    if not folder or _coverage:
        return
    import json
    from pathlib import Path

    from .recorder import record

    recording = record(noise=True).__enter__()
    _coverage["recording"] = recording
    target = Path(folder) / f"{os.getpid()}.json"

    def dump(*args):
        seen = {}
        for event in recording.events:
            seen.setdefault(event.signal, set()).update(event.receivers)
        data = {name: sorted(receivers) for name, receivers in seen.items()}
        target.write_text(json.dumps(data, indent=1, sort_keys=True))

    _coverage["dump"] = dump
    dump()
    if "IPython" in sys.modules:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.events.register("post_run_cell", dump)


def _register_magic():
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    from .magic import signals

    shell.register_magic_function(signals, magic_kind="cell", magic_name="signals")
