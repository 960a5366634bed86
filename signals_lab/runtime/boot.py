"""
Boot the tutorial project inside a Jupyter kernel (or any Python process).

``boot()`` is the first cell of every notebook::

    from signals_lab import boot
    lab = boot()

It configures Django for a notebook, gives this process a fresh database, and
prints one line. Calling it again starts the lesson over; ``lab.reset()`` starts
only the data over.
"""

import atexit
import collections
import contextlib
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import types
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None
try:
    import msvcrt
except ImportError:
    msvcrt = None

from ..layout import kernels_dir
from .errors import LabError, install_error_handler

SETTINGS_MODULE = "tutorial_project.settings"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
# Every connection of the kernel's database: wait up to 10 s for a lock held by
# another thread (SQLite's busy timeout), start transactions with BEGIN
# IMMEDIATE (a deferred one that reads, then writes, gets SQLITE_BUSY without
# waiting when another thread wrote in between), and skip fsync: the database
# is thrown away with the kernel.
SQLITE_OPTIONS = {
    "timeout": 10,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA synchronous=OFF",
}
# Stamped into the cached migrated database (PRAGMA application_id and
# user_version): which kit wrote it, and for which migrations.
APPLICATION_ID = 0x53494C42  # "SILB"

# once booted: "path", "folder", "lock", "keeper" (a connection to the kernel's
# database), "template" (the database right after boot, in memory)
_booted = {}
_warned = set()


def boot(settings_module=SETTINGS_MODULE, *, quiet=False):
    """
    Set up Django for this kernel and return the ``signals_lab`` module.

    * ``DJANGO_SETTINGS_MODULE`` is set to ``settings_module``.
    * Django's async-safety check is off *in this process only*: ipykernel
      runs every cell inside a running asyncio event loop, and Django refuses
      ORM calls from a thread with a running loop (``SynchronousOnlyOperation``)
      unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. ``boot()`` answers that
      question for Django's check without writing the variable into
      ``os.environ``, so ``!python manage.py runserver`` started from a
      notebook gets the environment a terminal would give it. Notebooks only:
      this switch is never for a server.
    * The database is a private SQLite file of this kernel, in a folder of its
      own under :func:`kernels_dir` (RAM-backed ``/dev/shm`` where there is
      one), in WAL mode with a busy timeout: every thread of the kernel sees
      the same data and may write concurrently (``sync_to_async``, ``asave``,
      ``asend``, thread pools), parallel kernels never share it. The folder is
      removed when the kernel exits; a killed kernel's folder is removed by the
      next ``boot()`` of any kernel (each kernel holds a lock on its folder for
      its lifetime, and the operating system drops it when the process dies).
    * Migrations are applied: the migrated database is cached in
      :func:`signals_lab.layout.cache_dir`, keyed by a hash of Django's version,
      the settings module and the name and content of every migration file,
      stamped with that key, and validated before use (stamp, integrity, every
      model's table, every migration recorded); an invalid cache is rebuilt.
      E-mail goes to ``mail.outbox``. None of these settings is written to
      ``os.environ``.
    * The recorder is installed and the ``%%signals`` cell magic registered.

    Calling it again (re-running the first cell, or "Run all" twice) is
    harmless and starts over: the data goes back to its state after the first
    boot, ``mail.outbox`` is emptied and receivers connected with
    ``@lab.receiver`` are disconnected, so a lesson runs the same every time.

    Raises :class:`LabError` with one sentence saying what to do when the
    settings module cannot be imported, a settings or models module has a
    syntax error (file and line), or models have unmigrated changes.
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
    # "in memory": the kernel's database file lives in /dev/shm (RAM) where
    # there is one; elsewhere, a file this small stays in the page cache. The
    # line is the same everywhere, since every notebook stores it.
    return (
        f"Django {django.get_version()} ready: {vendor} in memory (private to this kernel), "
        f"apps {', '.join(local)}, e-mail to mail.outbox."
    )


def _syntax_error(error, what):
    """A LabError naming the file and line of a SyntaxError, in one sentence."""
    from ..layout import ROOT

    filename = error.filename or "?"
    with contextlib.suppress(ValueError):
        filename = str(Path(filename).resolve().relative_to(ROOT))
    return LabError(
        f"{what} has a syntax error: {filename}, line {error.lineno}: {error.msg}. "
        "Fix it, then restart the kernel."
    )


def _first_boot(settings_module):
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module

    import django
    from django.conf import settings

    if settings.configured and settings.SETTINGS_MODULE != settings_module:
        raise LabError(
            f"Django was set up with {settings.SETTINGS_MODULE!r} before boot(); "
            f"restart the kernel to boot {settings_module!r} instead."
        )
    try:
        settings.INSTALLED_APPS  # noqa: B018 - imports the settings module
    except SyntaxError as error:
        raise _syntax_error(error, f"The settings module {settings_module!r}") from None
    except ImportError as exc:
        raise LabError(
            f"Cannot import the settings module {settings_module!r} ({exc}): "
            f"check its spelling, or call boot() without arguments for {SETTINGS_MODULE!r}."
        ) from None
    path, folder, lock = _kernel_database()
    # If Django was set up before boot() (e.g. `manage.py shell_plus --lab`
    # loads it in the kernel), point it at this kernel's database anyway.
    database = settings.DATABASES["default"]
    database["NAME"] = str(path)
    database["OPTIONS"] = {**database.get("OPTIONS", {}), **SQLITE_OPTIONS}
    _send_mail_to_outbox()
    _allow_async_unsafe_here()
    if not settings.DEBUG:
        import warnings

        warnings.warn(
            f"DEBUG is off but {ASYNC_UNSAFE} is on: that switch is for "
            "notebooks only, never for a server.",
            stacklevel=3,
        )
    try:
        django.setup()
    except SyntaxError as error:
        raise _syntax_error(error, "A module of an installed app") from None
    from django.db import connections

    connection = connections["default"]
    if connection.settings_dict["NAME"] != database["NAME"]:
        connection.close()
        connection.settings_dict.update(NAME=database["NAME"], OPTIONS=database["OPTIONS"])

    keeper = sqlite3.connect(path, check_same_thread=False)
    keeper.execute("PRAGMA journal_mode=WAL")
    keeper.execute("PRAGMA synchronous=OFF")
    executor = _check_migrations()
    if not _load_template(keeper, executor):
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        _save_template(keeper)
    template = sqlite3.connect(":memory:", check_same_thread=False)
    keeper.backup(template)
    _booted.update(path=path, folder=folder, lock=lock, keeper=keeper, template=template)
    _fresh_outbox()
    _one_line_dispatch_errors()
    _one_line_task_logs()


class _KernelEnviron(collections.ChainMap):
    """``os.environ`` as Django's async-safety check should see it in a kernel."""


class _OsView(types.ModuleType):
    """The ``os`` module, but with a :class:`_KernelEnviron` as ``environ``."""

    def __init__(self):
        super().__init__("os")
        self.environ = _KernelEnviron({ASYNC_UNSAFE: "true"}, os.environ)

    def __getattr__(self, name):
        return getattr(os, name)


def _send_mail_to_outbox():
    """
    Every mailer sends to ``mail.outbox``, as Django's test runner does: on
    Django 6.1+ with ``MAILERS``, each alias gets the locmem backend; otherwise
    ``EMAIL_BACKEND`` is set (which 6.1 deprecates: the project's own settings
    already warned about it, so setting it here does not warn a second time).
    """
    from django.conf import settings

    if hasattr(settings, "MAILERS"):
        settings.MAILERS = {alias: {"BACKEND": LOCMEM} for alias in settings.MAILERS}
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        settings.EMAIL_BACKEND = LOCMEM


def _allow_async_unsafe_here():
    """
    Make Django's ``async_unsafe`` check (``django.utils.asyncio``, which reads
    ``os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")`` on every call) see the
    switch on, in this process only: its module gets a view of ``os.environ``
    with the switch added, and ``os.environ`` itself, which every subprocess
    inherits, stays as it was. A Django without that module attribute gets
    the variable instead.
    """
    import django.utils.asyncio as django_asyncio

    module_os = getattr(django_asyncio, "os", None)
    if module_os is os:
        django_asyncio.os = _OsView()
    elif not isinstance(module_os, _OsView):
        os.environ[ASYNC_UNSAFE] = "true"


# --------------------------------------------------------------------------
# The kernel's own database folder
# --------------------------------------------------------------------------


def _lock(path):
    """
    An exclusive lock on ``path`` held by this process (an fd), or None if
    another process holds it. The operating system drops it when the process
    dies, however it dies. Without ``fcntl`` or ``msvcrt`` nothing is locked
    and :func:`sweep` asks whether the folder's owner process is alive instead.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif msvcrt is not None:  # pragma: no cover - Windows
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        os.close(fd)
        return None
    return fd


def _owner_alive(folder_name):
    """Without file locks: is the process named in ``<pid>-...`` still running?"""
    try:
        pid = int(folder_name.split("-", 1)[0])
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (ValueError, OSError):
        return True  # not ours to judge: leave it
    return True


_STAGING = ".new-"
_LOCK = "owner.lock"


def sweep(root=None):
    """
    Remove the folders of kernels that are gone (killed ones included): a
    folder whose lock nobody holds and whose owner process has exited. A
    folder still being set up (``.new-*``) is left alone for a minute.
    Returns how many were removed.
    """
    root = Path(root) if root is not None else kernels_dir()
    removed = 0
    try:
        entries = list(os.scandir(root))
    except OSError:
        return 0
    now = time.time()
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.startswith(_STAGING) and now - entry.stat().st_mtime < 60:
                continue
            # The owner's pid is asked too: a kernel on a system without file
            # locks (or that lost its lock) holds none, yet is alive.
            if _owner_alive(entry.name):
                continue
            fd = _lock(os.path.join(entry.path, _LOCK))
        except OSError:
            continue
        if fd is None:
            continue  # a live kernel's
        try:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


def _kernel_database():
    """``(database path, folder, lock fd)``: a new private folder for this kernel."""
    root = kernels_dir()
    try:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        sweep(root)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=root))
        lock = _lock(staging / _LOCK)
        folder = root / f"{os.getpid()}-{staging.name[len(_STAGING) :]}"
        os.replace(staging, folder)
    except OSError as error:
        raise LabError(
            f"Cannot create this kernel's database folder in {root} ({error.strerror or error}): "
            "set SIGNALS_LAB_RUNTIME_DIR to a folder you can write."
        ) from None
    atexit.register(_remove_folder, folder, lock)
    return folder / "db.sqlite3", folder, lock


def _remove_folder(folder, lock):
    for connection in (_booted.get("keeper"), _booted.get("template")):
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()
    with contextlib.suppress(Exception):
        from django.db import connections

        connections.close_all()
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.close(lock)


# --------------------------------------------------------------------------
# Migrations and the migrated-database cache
# --------------------------------------------------------------------------


def _check_migrations():
    """LabError in one sentence if models changed without a migration; else the executor."""
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
    return executor


def cache_key():
    """
    The migrated database's key: a hash of Django's version, the settings
    module and the name and content of every migration file of every app, so
    any change to a migration (even an edit in place) builds a new one.
    """
    import hashlib

    import django
    from django.conf import settings

    digest = hashlib.sha256(f"{django.get_version()}|{settings.SETTINGS_MODULE}".encode())
    for config in sorted(_apps().get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for migration in sorted(folder.glob("*.py")):
            digest.update(f"{config.label}/{migration.name}\0".encode())
            digest.update(migration.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _stamp(key):
    """The key as SQLite's signed 32-bit ``user_version``."""
    return int.from_bytes(bytes.fromhex(key[:8]), "big", signed=True)


def _template_path(key=None):
    """Where the migrated database is cached between kernels (named after its key)."""
    from ..layout import cache_dir

    # Not under SIGNALS_LAB_STATE_DIR: tests isolate progress, but share this
    # cache (it depends only on the code), like every learner's kernel does.
    return cache_dir() / f"migrated-{(key or cache_key())[:16]}.sqlite3"


def _cache_problem(source, key, executor):
    """None if ``source`` (a connection to a cached database) can be used, else why not."""
    from django.db import connections

    app_id = source.execute("PRAGMA application_id").fetchone()[0]
    version = source.execute("PRAGMA user_version").fetchone()[0]
    if (app_id, version) != (APPLICATION_ID, _stamp(key)):
        return "not stamped for these migrations"
    if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        return "damaged"
    tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    expected = set(connections["default"].introspection.django_table_names(only_existing=False))
    if not expected <= tables or "django_migrations" not in tables:
        return "tables missing"
    applied = set(source.execute("SELECT app, name FROM django_migrations"))
    if not set(executor.loader.graph.leaf_nodes()) <= applied:
        return "migrations missing"
    return None


def _load_template(keeper, executor):
    """
    Copy the cached migrated database into this kernel's database if there is
    one and it is valid (see :func:`_cache_problem`); False means: migrate.
    """
    key = cache_key()
    path = _template_path(key)
    if not path.is_file():
        return False
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if _cache_problem(source, key, executor) is not None:
                return False
            source.backup(keeper)
        finally:
            source.close()
    except sqlite3.Error:
        return False
    return True


def _save_template(keeper):
    """
    Cache the freshly migrated database for the next kernels, stamped with its
    key: atomically (a temporary file, then a rename), and harmlessly: if it
    cannot be written (read-only or full disk, folder removed meanwhile) the
    temporary file is removed and one warning per process says so.
    """
    key = cache_key()
    path = _template_path(key)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(temporary)
        try:
            keeper.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            target.execute(f"PRAGMA application_id={APPLICATION_ID}")
            target.execute(f"PRAGMA user_version={_stamp(key)}")
            target.commit()
        finally:
            target.close()
        os.replace(temporary, path)
    except (OSError, sqlite3.Error) as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        _warn_once(
            "cache",
            f"Signals Lab could not cache the migrated database in {path.parent} "
            f"({type(error).__name__}: {error}); each kernel will migrate on its own "
            "(slower). Set SIGNALS_LAB_CACHE_DIR to a folder you can write.",
        )


def _warn_once(topic, message):
    if topic not in _warned:
        _warned.add(topic)
        print(message, file=sys.stderr)


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


class _WithoutTaskId(logging.Filter):
    """Drop ``id=<random>`` from a ``django.tasks`` log message (its one random part)."""

    def filter(self, record):
        prefix = "Task id=%s "
        if isinstance(record.msg, str) and record.msg.startswith(prefix) and record.args:
            record.msg = "Task " + record.msg[len(prefix) :]
            record.args = record.args[1:]
        return True


def _one_line_task_logs():
    """
    Django 6.0+ logs task state changes on ``django.tasks`` ("Task id=... path=...
    state=RUNNING") to stderr, with a random id and, for a failed task, a
    traceback. In a notebook each becomes one line on stdout without the id, so
    a lesson on tasks shows it stably. Nothing to do on 5.2 (no tasks).
    """
    logger = logging.getLogger("django.tasks")
    handler = _OneLine()
    handler.addFilter(_WithoutTaskId())
    logger.handlers = [handler]
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


def snapshot():
    """
    Copy this kernel's database into a new in-memory database and return a
    handle for :func:`restore` (about a millisecond, with SQLite's backup API).
    """
    if not _booted:
        raise LabError("Nothing to snapshot yet: run `lab = boot()` first.")
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    _booted["keeper"].backup(copy)
    return copy


def restore(copy):
    """Put the database back as it was when :func:`snapshot` returned ``copy``."""
    from django.contrib.contenttypes.models import ContentType

    copy.backup(_booted["keeper"])
    copy.close()
    ContentType.objects.clear_cache()


def kernel_folder():
    """This kernel's private folder (its database lives there); removed when the kernel exits."""
    if not _booted:
        raise LabError("Run the first cell (`lab = boot()`) first.")
    return _booted["folder"]


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

    recording = record(noise=True, keep=None).__enter__()
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
