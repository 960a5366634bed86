"""
Small, named helpers that keep the lessons' cells about signals.

A lesson calls them as ``lab.demos.<name>(...)``; ``lab.source(lab.demos.<name>)``
shows the code for the curious. None of them is needed in a real project:
they are the lessons' test benches (count calls, capture queries, run pytest in
a subprocess, write a throwaway module), so that every visible cell is about
the signal it teaches.

Every function imports Django lazily: this module is importable before
``boot()``.
"""

import contextlib
import functools
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import traceback
import tracemalloc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..layout import ROOT

__all__ = [
    "register",
    "orm_call_without_the_switch",
    "in_another_thread",
    "atomic_requests",
    "serve_asgi",
    "write_module",
    "scratch_folder",
    "forget_modules",
    "counted",
    "how_many",
    "Outcome",
    "attempt",
    "before_after",
    "plainly_connected",
    "memory_of",
    "query_kinds",
    "TestFolder",
    "forget_model",
    "fast_delete_by_on_delete",
    "wsgi_requests",
    "admin_client",
]

PASSWORD = "analytical-engine-1843"


# --- lesson 00 and 05: the registration view, the async guard ------------------------


def register(username, email, *, client=None):
    """
    Register ``username`` through the project's real view, ``/accounts/register/``,
    with Django's test ``Client`` (or ``client``, e.g. one with
    ``raise_request_exception=False``). Returns the response.
    """
    from django.test import Client

    data = {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return (client or Client()).post("/accounts/register/", data)


@contextlib.contextmanager
def _async_safety_check_on():
    """
    Django's async-safety check switched back on inside the block: its module
    (``django.utils.asyncio``) gets the real ``os`` without
    ``DJANGO_ALLOW_ASYNC_UNSAFE``, whichever way ``boot()`` set it; both are
    put back on the way out.
    """
    import django.utils.asyncio as django_asyncio

    saved_module = getattr(django_asyncio, "os", os)
    saved_value = os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    django_asyncio.os = os
    try:
        yield
    finally:
        django_asyncio.os = saved_module
        if saved_value is not None:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved_value


def orm_call_without_the_switch(call):
    """
    Run ``call()`` with Django's async-safety check switched back on for a
    moment (``boot()`` switches it off, as ``DJANGO_ALLOW_ASYNC_UNSAFE`` does)
    and return what happened: its result, or the exception's name. The switch
    is always put back.

    Django's check (``django.utils.asyncio``) reads the variable from its
    module's ``os.environ``; this helper gives that module the real ``os``
    without the variable, whichever way ``boot()`` set it.
    """
    from django.core.exceptions import SynchronousOnlyOperation

    with _async_safety_check_on():
        try:
            return call()
        except SynchronousOnlyOperation as error:
            return type(error).__name__


def in_another_thread(call):
    """
    Run ``call()`` in a new thread (which has no event loop), close that
    thread's database connections, and return what ``call()`` returned.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@contextlib.contextmanager
def atomic_requests(alias="default"):
    """
    Turn ``ATOMIC_REQUESTS`` on for database ``alias`` inside the block, as if
    settings.py said ``DATABASES[alias]["ATOMIC_REQUESTS"] = True``.

    Django reads that key from the connection settings on every request
    (``BaseHandler.make_view_atomic``), so flipping it for a block is enough;
    ``override_settings(DATABASES=...)`` would not reach the open connection.
    """
    from django.db import connections

    settings_dict = connections.settings[alias]
    saved = settings_dict["ATOMIC_REQUESTS"]
    settings_dict["ATOMIC_REQUESTS"] = True
    try:
        yield
    finally:
        settings_dict["ATOMIC_REQUESTS"] = saved


async def serve_asgi(application, path, *, method="GET", host="localhost"):
    """
    Play an ASGI server (daphne, uvicorn) for one request: call ``application``
    (e.g. Django's ``ASGIHandler()``) with an HTTP ``scope`` for ``path``, feed
    it an empty request body, and collect what it sends back. Returns
    ``(status, body)``.

    The server's ``receive()`` hands over the body once, then waits, as a
    client that stays connected does (Django listens for a disconnect).
    """
    import asyncio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 50000),
        "server": (host, 80),
    }
    bodies = [{"type": "http.request", "body": b"", "more_body": False}]
    sent = []

    async def receive():
        if bodies:
            return bodies.pop()
        await asyncio.Event().wait()  # the client stays connected until cancelled

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


# --- lesson 05: "my receiver never fires" (or fires twice) ---------------------------


def scratch_folder():
    """
    A new, empty folder for a lesson's files, inside this kernel's private
    folder: it goes when the kernel exits, and the next boot sweeps it if the
    kernel was killed, so lessons leave nothing in the temp folder.
    """
    from .boot import kernel_folder

    return Path(tempfile.mkdtemp(prefix="scratch-", dir=kernel_folder()))


def write_module(folder, dotted_name, code):
    """
    Write ``code`` as the module ``dotted_name`` under ``folder`` (packages get
    an ``__init__.py``) and return the file's path. Nothing is imported.
    """
    parts = dotted_name.split(".")
    path = Path(folder)
    for package in parts[:-1]:
        path = path / package
        path.mkdir(parents=True, exist_ok=True)
        (path / "__init__.py").touch()
    path = path / f"{parts[-1]}.py"
    path.write_text(textwrap.dedent(code).lstrip())
    return path


def forget_modules(*names):
    """Remove modules and their submodules from ``sys.modules``: a re-run imports them afresh."""
    for name in list(sys.modules):
        if any(name == n or name.startswith(n + ".") for n in names):
            del sys.modules[name]


# --- lesson 06: the recursion bench ---------------------------------------------------

_calls = 0


def counted(receiver):
    """
    Decorate a receiver so that the bench counts its calls (``attempt()``
    reports them). The wrapper keeps the receiver's name, so recordings and
    ``disconnect(receiver, ...)`` by that name work as usual.
    """

    @functools.wraps(receiver)
    def wrapper(*args, **kwargs):
        global _calls
        _calls += 1
        return receiver(*args, **kwargs)

    return wrapper


def how_many(n):
    """Exact up to 100, else '>100': the exact recursion depth differs between Pythons."""
    return str(n) if n <= 100 else ">100"


def query_kinds(captured):
    """The first word of each query a ``CaptureQueriesContext`` caught: ['INSERT', ...]."""
    return [query["sql"].split()[0] for query in captured.captured_queries]


@dataclass
class Outcome:
    """What one ``attempt()`` did."""

    result: str  # "saved" or the exception's name
    calls: int  # receiver calls
    queries: Counter  # {"INSERT": 1, "UPDATE": 243, ...}
    slugs: list  # the slug of every Book row afterwards
    frames: int = 0  # entries in the traceback of the error, if one was raised

    def __str__(self):
        kinds = ", ".join(f"{how_many(n)} {kind}" for kind, n in self.queries.items())
        return (
            f"{self.result:<14} receiver calls: {how_many(self.calls):<4}  "
            f"queries: {kinds or 'none'}  rows: {self.slugs}"
        )


def attempt(signal, receiver, *, model=None, atomic=False, connect=None):
    """
    Start the data over, connect ``receiver`` (if any) to ``signal`` for
    ``model`` (default ``Book``), create one book "Earthsea" by Ursula K. Le
    Guin (inside ``atomic()`` if asked) and report an :class:`Outcome`.

    A ``RecursionError`` is caught (the kernel lives on; no traceback hundreds
    of frames long is printed) and becomes the outcome's ``result``.
    ``connect`` is the context manager that connects (default
    ``lab.connected``; ``plainly_connected`` for a plain ``connect()``).
    """
    global _calls
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from tutorial_project.catalog.models import Author, Book

    from .boot import reset
    from .receivers import connected

    model = model or Book
    connect = connect or connected
    reset()
    author = Author.objects.create(name="Ursula K. Le Guin")
    _calls, result, frames = 0, "saved", 0
    hooked = connect(signal, receiver, sender=model) if receiver else contextlib.nullcontext()
    with hooked, CaptureQueriesContext(connection) as captured:
        try:
            with transaction.atomic() if atomic else contextlib.nullcontext():
                model.objects.create(author=author, title="Earthsea")
        except RecursionError as error:
            result = type(error).__name__
            frames = len(traceback.extract_tb(error.__traceback__))
    queries = Counter(query_kinds(captured))
    slugs = list(Book.objects.values_list("slug", flat=True))
    return Outcome(result, _calls, queries, slugs, frames)


def before_after(signal, broken, fixed, **options):
    """
    Run ``attempt()`` with the broken receiver, then with the fixed one; print
    both lines and check the fix: saved, with one INSERT and at most one UPDATE.
    """
    before, after = attempt(signal, broken, **options), attempt(signal, fixed, **options)
    print("before:", before)
    print("after: ", after)
    assert before.result == "RecursionError", before
    assert after.result == "saved", after
    assert after.queries["INSERT"] == 1 and after.queries["UPDATE"] <= 1, after


@contextlib.contextmanager
def plainly_connected(signal, receiver, sender):
    """``signal.connect(receiver, sender=sender)`` for a block, no dispatch_uid; then disconnect."""
    signal.connect(receiver, sender=sender)
    try:
        yield
    finally:
        signal.disconnect(receiver, sender=sender)


@dataclass
class Memory:
    """Bytes, measured by ``tracemalloc``: the most in use at once, and what stayed."""

    peak: int
    held: int


def memory_of(action, *, repeat=10):
    """
    Run ``action()`` once to warm Django's caches, then ``repeat`` times under
    ``tracemalloc``; return a :class:`Memory` relative to the memory in use
    before: ``peak`` (the deepest point of any run) and ``held`` (still in use
    after all runs and a garbage collection).
    """
    action()
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(repeat):
            action()
        gc.collect()
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Memory(peak=peak - baseline, held=after - baseline)


# --- lesson 11: real test runs in a subprocess ---------------------------------------


class TestFolder:
    """
    A temporary folder of test files, run by pytest or Django's test runner in
    a subprocess (a separate test database, Django's test environment), with
    a short, stable summary.

    The folder gets its own empty ``pytest.ini``, so it is pytest's rootdir
    and the repository's pytest settings (nbval, strict notebook checks) are
    not picked up.
    """

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="signals-lab-tests-"))
        (self.path / "pytest.ini").write_text("[pytest]\n")

    def write(self, name, code, *, append=False):
        """Write (or append) test code to ``name``; print how many tests the file holds."""
        path = self.path / name
        code = textwrap.dedent(code).strip("\n") + "\n"
        with path.open("a" if append else "w") as file:
            file.write(("\n\n" if append else "") + code)
        count = len(re.findall(r"^\s*def test_", path.read_text(), flags=re.MULTILINE))
        print(f"{name}: {count} test{'s' if count != 1 else ''}")

    def _env(self):
        """This kernel's environment minus the lab's and pytest's variables, plus the settings."""
        drop = ("DJANGO_", "SIGNALS_LAB_", "PYTEST_", "FORCE_COLOR", "CLICOLOR")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env["DJANGO_SETTINGS_MODULE"] = "tutorial_project.settings"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def _run(self, command):
        return subprocess.run(
            command, cwd=self.path, env=self._env(), capture_output=True, text=True, timeout=120
        )

    def pytest(self, *files):
        """``python -m pytest FILES -v`` in the folder; print each test's outcome and the counts."""
        result = self._run(
            [sys.executable, "-m", "pytest", *files, "-v", "--color=no", "-p", "no:cacheprovider",
             "-p", "no:nbval", "-p", "no:xdist", "-o", "addopts=",
             "-o", "console_output_style=classic"]
        )  # fmt: skip
        lines = result.stdout.splitlines()
        rootdir = next(
            (line.split(": ", 1)[1] for line in lines if line.startswith("rootdir: ")), "?"
        )
        print("rootdir is the temporary folder:", Path(rootdir).resolve() == self.path.resolve())
        for line in lines:
            if match := re.match(r"(\S+::\S+) (PASSED|FAILED|ERROR)", line):
                print(f"  {match[2]:<6} {match[1]}")
            elif line.startswith("E  "):
                print("        ", line)
        counts = re.findall(r"(\d+) (passed|failed|errors?)", lines[-1] if lines else "")
        print("result:", ", ".join(f"{n} {word}" for n, word in counts) or result.stderr[-500:])

    def django_test(self, label):
        """``python -m django test LABEL -v 2`` (``manage.py test``); print a stable summary."""
        result = self._run([sys.executable, "-m", "django", "test", label, "-v", "2"])
        lines = (result.stdout + result.stderr).splitlines()
        for line in lines:
            if match := re.match(r"(test\w*) \(.*\) \.\.\. (\w+)", line):
                print(f"  {match[2]:<4} {match[1]}")
        ran = next((line.split(" in ")[0] for line in lines if line.startswith("Ran ")), "?")
        verdict = next(
            (line for line in lines if line in ("OK",) or line.startswith("FAILED")), "?"
        )
        print(ran, "→", verdict)

    def remove(self):
        """Delete the folder; print that it is gone."""
        shutil.rmtree(self.path)
        print("temporary folder removed:", not self.path.exists())


# --- lesson 12 (and 06): a model class defined in a cell ------------------------------


def forget_model(label):
    """
    Forget the model ``"app_label.ModelName"`` if a cell defined it before, so
    that re-running the cell that defines it does not make Django warn "Model
    ... was already registered". Reaches into Django's app registry
    (``apps.all_models``), which is fine for a notebook and never needed in a
    project, where each model class is defined once.
    """
    from django.apps import apps

    app_label, model_name = label.split(".")
    if apps.all_models[app_label].pop(model_name.lower(), None) is not None:
        apps.clear_cache()


# --- lesson 03: which on_delete lets a model be fast-deleted --------------------------


def fast_delete_by_on_delete(options=("DO_NOTHING", "CASCADE", "SET_NULL", "PROTECT", "RESTRICT")):
    """
    For each ``on_delete`` option, point a throwaway model's foreign key
    (``Bookmark.chapter``) at ``Chapter`` with that option, delete three
    chapters with ``QuerySet.delete()`` and count the ``Chapter`` objects
    Django built: 0 means the fast path (one ``DELETE``, no object, no signal).

    Swapping ``remote_field.on_delete`` on one model class (instead of
    defining five models) is a test-bench shortcut; a project never does it.
    The table and the model are gone afterwards.
    """
    from django.db import connection, models
    from django.db.models.signals import pre_init

    from tutorial_project.catalog.models import Chapter

    forget_model("catalog.Bookmark")

    class Bookmark(models.Model):  # noqa: DJ008 - shown as Django's default repr
        chapter = models.ForeignKey(Chapter, null=True, on_delete=models.DO_NOTHING)

        class Meta:
            app_label = "catalog"

    with connection.schema_editor() as editor:
        editor.create_model(Bookmark)
    field = Bookmark._meta.get_field("chapter")
    built = Counter()

    def count(sender, **kwargs):
        built[field.remote_field.on_delete.__name__] += 1

    results = {}
    try:
        for name in options:
            field.remote_field.on_delete = getattr(models, name)
            Chapter.objects.bulk_create(
                Chapter(book_id=1, number=n, title=f"Chapter {n}") for n in (101, 102, 103)
            )
            pre_init.connect(count, sender=Chapter)
            try:
                Chapter.objects.filter(number__gt=100).delete()
            finally:
                pre_init.disconnect(count, sender=Chapter)
            results[name] = built[name]
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Bookmark)
        forget_model("catalog.Bookmark")
    return results


# --- lesson 08: requests through a real WSGI handler, with a chosen CONN_MAX_AGE ------


def wsgi_requests(path, n, *, conn_max_age=0):
    """
    Serve ``n`` GET requests for ``path`` through Django's real ``WSGIHandler``,
    as a WSGI server would (read the body, then ``close()`` it, which sends
    ``request_finished``), with ``CONN_MAX_AGE`` set to ``conn_max_age`` for the
    default database (see :func:`conn_max_age`). Return the status lines.

    The test ``Client`` cannot show connection handling: it disconnects
    ``close_old_connections`` while it runs.
    """
    from wsgiref.util import setup_testing_defaults

    from django.core.handlers.wsgi import WSGIHandler

    statuses = []
    with _with_conn_max_age(conn_max_age):
        for _ in range(n):
            environ = {"PATH_INFO": path}
            setup_testing_defaults(environ)
            body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
            try:
                b"".join(body)
            finally:
                body.close()
    return statuses


# --- lessons 03 and 04: the admin, as a logged-in superuser ---------------------------


def admin_client(username="admin"):
    """
    Return a ``django.test.Client`` logged in as a superuser,
    for the admin URLs of tutorial_project (``/admin/...``).

    The user is written with ``bulk_create`` (no save signals), so that the
    project's own ``post_save`` receiver for users (the confirmation e-mail)
    stays out of the lesson's recordings.
    """
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        User.objects.bulk_create(
            [
                User(
                    username=username,
                    email=f"{username}@example.com",
                    is_staff=True,
                    is_superuser=True,
                )
            ]
        )
        user = User.objects.get(username=username)
    # What Client.force_login() does, minus its session-key rotation (which deletes
    # a Session row: a pre_delete/post_delete with a random key in a lesson's output)
    # and minus the user_logged_in signal.
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


# --- lesson 07: what close_old_connections closes --------------------------------------


@contextlib.contextmanager
def conn_max_age(seconds, alias="default"):
    """
    Give database ``alias`` a ``CONN_MAX_AGE`` of ``seconds`` inside the block,
    as if settings.py said ``DATABASES[alias]["CONN_MAX_AGE"] = seconds``;
    yield the connection.

    Django reads the setting when it opens a connection (``connect()`` works
    out when it should be closed), so the connection is closed on the way in
    and on the way out. Assigning to ``connection.settings_dict`` is a
    test-bench shortcut; a project sets it in ``DATABASES``.
    """
    from django.db import connections

    connection = connections[alias]
    old = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = seconds
    connection.close()  # the next connection reads the new CONN_MAX_AGE
    try:
        yield connection
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = old
        connection.close()  # back to a connection with the project's setting


# wsgi_requests() takes a conn_max_age= keyword, which hides the function's name there.
_with_conn_max_age = conn_max_age


# --- lesson 00: the async ORM needs no switch ------------------------------------------


async def async_orm_call_without_the_switch(call):
    """
    Await ``call()`` (an async ORM method such as ``User.objects.acount``)
    with Django's async-safety check switched back on, as
    :func:`orm_call_without_the_switch` does for a sync call, and return what
    happened: its result, or the exception's name. The switch is always put
    back.
    """
    from django.core.exceptions import SynchronousOnlyOperation

    with _async_safety_check_on():
        try:
            return await call()
        except SynchronousOnlyOperation as error:
            return type(error).__name__


# --- lesson 05: what changed between the Django versions the kit runs ------------------


def version_facts():
    """
    Three facts that differ between Django 5.2, 6.0 and 6.1, read from the
    running Django: whether ``django.tasks`` (with its signals) exists, whether
    ``m2m_changed`` sends a ``raw`` argument (seen on a real ``clear()``, which
    sends it even with no receiver; ``send()`` is replaced by a note-taker for
    that one call, so nothing is connected; rolled back), and the Python
    versions the installed Django says it needs.
    """
    import importlib.metadata
    import importlib.util
    from unittest import mock

    from django.contrib.auth.models import User
    from django.db import transaction
    from django.db.models.signals import m2m_changed

    arguments = []

    def note_arguments(**kwargs):
        arguments.append(kwargs)
        return []

    with transaction.atomic(), mock.patch.object(m2m_changed, "send", note_arguments):
        User.objects.create_user("version-facts").groups.clear()
        transaction.set_rollback(True)
    if not arguments:
        raise RuntimeError("clear() sent no m2m_changed")
    return {
        "django.tasks signals": importlib.util.find_spec("django.tasks") is not None,
        "m2m_changed has raw": all("raw" in kwargs for kwargs in arguments),
        "Python": importlib.metadata.metadata("django")["Requires-Python"],
    }
