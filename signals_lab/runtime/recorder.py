"""
The signal recorder: see every signal Django sends, as it sends it.

Public interface (lessons, exercises and tests rely on it)::

    with record() as rec:            # or record(only=["post_save"], sender=Book)
        Book.objects.create(...)
    rec                              # a text table (and an HTML one in Jupyter)
    rec.events                       # [Event(signal, sender, kwargs, receivers, ...), ...]
    rec.names()                      # ["pre_save", "post_save"]
    rec.diagram()                    # a Mermaid sequence diagram

and the ``%%signals`` cell magic, registered by ``boot()``, which records one
cell and shows the table.

How it works: :func:`install` wraps ``Signal.send``, ``send_robust``, ``asend``
and ``asend_robust`` once, at class level. While no recording is active the
wrappers only test an empty list and call Django's own method. While one is,
they note the signal, its arguments and the receivers Django is about to call,
then call Django's method unchanged. Nothing is connected to any signal, so
the recorder sees signals that have no receivers at all, and changes nothing
about what runs or in which order.
"""

import contextvars
import copy
import functools
import re
import sys
import threading
import types
import weakref

from django.db import connection, models
from django.dispatch import Signal

from . import dispatch
from .names import builtin_modules

__all__ = ["Event", "Recording", "record", "install", "signal_name", "describe_receiver"]

# Signals that flood every table and rarely teach anything: class_prepared
# fires for every model class, connection_created once per thread, and
# pre_init/post_init once per model instance (every row of every query).
NOISE = frozenset({"class_prepared", "connection_created", "pre_init", "post_init"})


_lock = threading.RLock()
_active = []  # the recordings in progress, innermost last
_depth = contextvars.ContextVar("signals_lab_depth", default=0)
_names = {}  # id(signal) -> (weak reference to the signal, name)
_originals = {}
_formatting = threading.local()  # set while the recorder formats values


# --------------------------------------------------------------------------
# Names: signals, senders, receivers, values
# --------------------------------------------------------------------------


def signal_name(signal):
    """
    Return the name a signal is known by: ``"post_save"`` for Django's own, the
    variable name for a custom one (found in the module that defines it, or in
    the notebook), or ``"Signal"`` when it has no name anywhere.
    """
    name = _cached_name(signal)
    if name is not None:
        return name
    for module_name in builtin_modules():  # Django's own first
        module = sys.modules.get(module_name)
        if module is not None:
            _scan(vars(module))
    name = _cached_name(signal)
    if name is None:
        main = sys.modules.get("__main__")
        if main is not None:
            name = _find_in(vars(main), signal)
    if name is None:
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if namespace and (name := _find_in(namespace, signal)):
                break
    if name is None:
        return type(signal).__name__
    _remember(signal, name)
    return name


def _cached_name(signal):
    # Keyed by id() but checked through a weak reference: a new Signal may
    # reuse the id of one that was garbage-collected.
    entry = _names.get(id(signal))
    if entry is not None and entry[0]() is signal:
        return entry[1]
    return None


def _remember(signal, name, replace=True):
    if replace or _cached_name(signal) is None:
        _names[id(signal)] = (weakref.ref(signal), name)


def _scan(namespace):
    for attr, value in list(namespace.items()):
        if isinstance(value, Signal) and not attr.startswith("_"):
            _remember(value, attr, replace=False)


def _find_in(namespace, signal):
    for attr, value in list(namespace.items()):
        if value is signal and not attr.startswith("_"):
            return attr
    return None


def sender_label(sender):
    """A short, stable label: ``catalog.Book`` for a model, else a name or a repr."""
    meta = getattr(sender, "_meta", None)
    if isinstance(sender, type) and meta is not None:
        return meta.label
    if isinstance(sender, type):
        return sender.__qualname__
    if sender is None or isinstance(sender, str | int | bool):
        return repr(sender)
    name = getattr(sender, "name", None)
    if isinstance(name, str) and name:  # e.g. a Template: its file name, not its source
        return f"{type(sender).__name__} {name}"
    return short_repr(sender)


def describe_receiver(receiver):
    """``module.qualname`` of a receiver; just the qualname for notebook code."""
    func = receiver
    while isinstance(func, functools.partial):
        func = func.func
    func = getattr(func, "__func__", func)
    module = getattr(func, "__module__", None) or ""
    name = getattr(func, "__qualname__", None) or type(func).__qualname__
    if module in ("__main__", "builtins") or not module:
        return name
    return f"{module}.{name}"


_ADDRESS = re.compile(r" (object )?at 0x[0-9a-fA-F]+")


class _QueryBlocked(Exception):
    pass


def _block_queries(execute, sql, params, many, context):
    raise _QueryBlocked


def _model_repr(instance):
    """``<Book: Earthsea>``, unless ``__str__`` needs the database: ``<Chapter pk=1>``."""
    name = type(instance).__name__
    logged = len(connection.queries_log)
    try:
        with connection.execute_wrapper(_block_queries):
            return f"<{name}: {instance}>"
    except Exception:  # __str__ wanted a query (or failed): never run one here
        return f"<{name} pk={instance.pk!r}>"
    finally:
        # The blocked query was still logged: keep it out of the learner's
        # query counts (CaptureQueriesContext, connection.queries).
        while len(connection.queries_log) > logged:
            connection.queries_log.pop()


def short_repr(value, limit=60):
    """
    A deterministic, one-line repr: no memory addresses, sets sorted, long
    text cut, and never a database query (a QuerySet is not evaluated, a model
    whose ``__str__`` needs a query shows its pk instead).
    """
    kind = type(value)
    if value is None or kind is bool or kind is int:  # the common cases, fast
        return repr(value)
    if kind is str and len(value) < limit - 2 and "\n" not in value:
        return repr(value)
    if isinstance(value, models.QuerySet):
        text = f"<QuerySet {value.model._meta.label}>"  # repr() would run a query
    elif isinstance(value, models.Model):
        text = _model_repr(value)
    elif isinstance(value, type):
        text = sender_label(value)
    elif _is_task_result(value):
        text = _task_result_repr(value)
    elif isinstance(value, set | frozenset):
        items = ", ".join(repr(v) for v in sorted(value, key=repr))
        text = "{" + items + "}" if items else "set()"
        if isinstance(value, frozenset):
            text = f"frozenset({text})" if items else "frozenset()"
    elif isinstance(value, dict) and len(value) > 4:
        text = f"{{…{len(value)} keys}}"
    elif isinstance(value, list | tuple) and len(value) > 4:
        text = f"[…{len(value)} items]" if isinstance(value, list) else f"(…{len(value)} items)"
    else:
        try:
            text = repr(value)
        except Exception as exc:  # a broken __repr__ must not break the table
            text = f"<{type(value).__name__}: repr failed ({type(exc).__name__})>"
    text = _ADDRESS.sub("", text).replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


# --------------------------------------------------------------------------
# Arguments that differ between Django versions (owned by the 6.x work, issue 12)
# --------------------------------------------------------------------------


def _is_task_result(value):
    """A ``django.tasks`` TaskResult (Django 6.0+), without importing django.tasks on 5.2."""
    kind = type(value)
    return kind.__name__ == "TaskResult" and kind.__module__ == "django.tasks.base"


def _task_result_repr(value):
    """
    ``<TaskResult send_welcome RUNNING>``: the task's name and its status when
    the signal was sent (a TaskResult's own repr holds a random id, times and
    a function's address); a failed one adds its errors' class names.
    """
    text = f"<TaskResult {value.task.name} {value.status}"
    if value.errors:
        text += ": " + ", ".join(e.exception_class_path.rsplit(".", 1)[-1] for e in value.errors)
    return text + ">"


def _shown(name, named):
    """
    The ``name=value`` texts of one send, keyed by argument. Django 6.1 added
    ``raw`` to ``m2m_changed`` (True only from ``loaddata``); its default
    ``raw=False`` is left out like ``using='default'``, so a table reads the
    same on 5.2 and 6.1, and ``raw=True`` still shows.
    """
    shown = {key: short_repr(value) for key, value in named.items()}
    if name == "m2m_changed" and named.get("raw") is False:
        del shown["raw"]
    return shown


# --------------------------------------------------------------------------
# Events and recordings
# --------------------------------------------------------------------------


class Collected:
    """
    Stands for an argument or sender that was garbage-collected after the
    signal was sent (the recorder holds senders and instances weakly, so
    recording never keeps an object alive). Its repr is what the table showed.
    """

    __slots__ = ("summary",)

    def __init__(self, summary):
        self.summary = summary

    def __repr__(self):
        return f"<collected: {self.summary}>"

    def __bool__(self):
        return False


def _hold(value):
    """
    How an event keeps a value: weakly for classes and objects (model
    instances, requests, app configs, ...), so that recording changes nothing
    about what gets garbage-collected; as is for plain data (None, numbers,
    text, tuples, lists, dicts, sets) and for objects that cannot be weakly
    referenced.
    """
    if isinstance(value, type) or type(value).__module__ != "builtins":
        try:
            return weakref.ref(value)
        except TypeError:
            return value
    return value


def _release(held, summary):
    if type(held) is weakref.ref:
        value = held()
        return Collected(summary) if value is None else value
    return held


def _detached(error):
    """A copy of ``error`` without its traceback (whose frames hold locals), if it can be made."""
    if error is None:
        return None
    try:
        clone = copy.copy(error)
    except Exception:
        return error
    return clone if type(clone) is type(error) else error


class Event:
    """
    One signal sent while a recording was active.

    ``signal``: the signal's name (``"post_save"``); ``signal_obj``: the Signal.
    ``sender``: the object sent as sender. ``kwargs``: the other arguments sent,
    without ``signal`` and ``sender``. ``receivers``: qualified names of the
    receivers Django called, in order (up to the one that raised, if one did);
    for ``asend`` the list is in response order, sync group (run in a worker
    thread) first: Django 6.1 also calls them in that order, 5.2 and 6.0 run the
    sync group concurrently with the async receivers, which usually start first.
    ``method``: ``send``, ``send_robust``, ``asend`` or ``asend_robust``.
    ``depth``: 0 for a signal sent by your code, 1 for one sent from inside a
    receiver, and so on. ``raised``: the exception that escaped ``send()``
    (a copy without its traceback), or None. ``failed``: receivers whose
    exception ``send_robust`` caught.

    An event never keeps its sender, its signal or an argument alive: classes
    and objects are held weakly, and one garbage-collected since reads as a
    :class:`Collected` placeholder (what the table showed stays in ``shown``).
    Read an event, do not change it: events of the same receivers share one
    ``receivers`` list.
    """

    # Slots and tuples rather than dicts: a recording may hold many events.
    __slots__ = (
        "index",
        "signal",
        "_sender",
        "sender_text",
        "_keys",
        "_held",
        "receivers",
        "method",
        "depth",
        "raised",
        "failed",
        "_signal_obj",
        "_shown_keys",
        "_texts",
    )

    def __init__(
        self,
        index,
        signal,
        sender,
        kwargs,
        receivers=None,
        method="send",
        depth=0,
        raised=None,
        failed=None,
        signal_obj=None,
        shown=None,
    ):
        self.index = index
        self.signal = signal
        self._sender = _hold(sender)
        self.sender_text = sys.intern(sender_label(sender))
        self._keys = _interned(tuple(kwargs))
        self._held = tuple(_hold(value) for value in kwargs.values())
        self.receivers = receivers if receivers is not None else []
        self.method = method
        self.depth = depth
        self.raised = raised
        self.failed = failed if failed is not None else ()
        self._signal_obj = None if signal_obj is None else weakref.ref(signal_obj)
        shown = shown if shown is not None else {}
        self._shown_keys = _interned(tuple(shown))
        self._texts = tuple(shown.values())

    @property
    def sender(self):
        return _release(self._sender, self.sender_text)

    @property
    def shown(self):
        """The arguments as the table shows them: ``{name: text}``, taken when sent."""
        return dict(zip(self._shown_keys, self._texts, strict=True))

    @property
    def kwargs(self):
        shown = self.shown
        return {
            key: _release(held, shown.get(key, "?"))
            for key, held in zip(self._keys, self._held, strict=True)
        }

    @property
    def signal_obj(self):
        return None if self._signal_obj is None else self._signal_obj()

    def __repr__(self):
        return (
            f"Event(index={self.index}, signal={self.signal!r}, sender={self.sender_text}, "
            f"kwargs={{{', '.join(self.arguments(hide_default_using=False))}}}, "
            f"receivers={self.receivers!r}, method={self.method!r}, depth={self.depth})"
        )

    def arguments(self, hide_default_using=True):
        """
        The arguments as ``name=value`` strings, deterministic and short, as
        they were when the signal was sent (an instance saved again later
        still shows its state at the time).
        """
        return [
            f"{key}={text}"
            for key, text in zip(self._shown_keys, self._texts, strict=True)
            if not (hide_default_using and key == "using" and text == "'default'")
        ]


_KEY_TUPLES = {}  # one shared tuple per set of argument names (few per signal)
_NAME_LISTS = {}  # one shared list of receiver names per sequence of receivers


def _interned(keys):
    return _KEY_TUPLES.setdefault(keys, keys)


# How many events a recording keeps, and a table shows, unless told otherwise.
KEEP = 10_000
ROWS = 100
_DEFAULT = object()  # "the recording's own ``rows``"


class Recording:
    """
    The signals recorded by one ``record()`` block.

    Display it in a cell for a table; ``events`` holds :class:`Event` objects.
    """

    def __init__(self, only=None, exclude=None, sender=None, noise=False, keep=KEEP, rows=ROWS):
        self.only = _name_set(only)
        self.exclude = _name_set(exclude) or frozenset()
        self.sender = sender
        self.noise = noise
        self.keep = keep
        self.rows_shown = rows
        self.events = []
        self.seen = 0  # every event recorded, kept or not
        self.dropped = 0  # events past ``keep``: counted, not kept
        self.active = False

    # -- filtering --------------------------------------------------------
    def wants(self, name, sender):
        if self.only is not None:
            if name not in self.only:
                return False
        elif not self.noise and name in NOISE:
            return False
        if name in self.exclude:
            return False
        if self.sender is not None and not _same_sender(self.sender, sender):
            return False
        return True

    # -- context manager ----------------------------------------------------
    def __enter__(self):
        install()
        with _lock:
            _active.append(self)
        self.active = True
        return self

    def __exit__(self, *exc):
        with _lock:
            if self in _active:
                _active.remove(self)
        self.active = False
        return False

    # -- reading ---------------------------------------------------------------
    def __len__(self):
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __getitem__(self, index):
        return self.events[index]

    def names(self):
        """The signal names in the order they were sent."""
        return [event.signal for event in self.events]

    def filter(self, signal=None, sender=None):
        """A new Recording with only the events of ``signal`` (a name) and/or ``sender``."""
        subset = Recording(only=None, noise=True, rows=self.rows_shown)
        wanted = _name_set(signal)
        subset.events = [
            e
            for e in self.events
            if (wanted is None or e.signal in wanted)
            and (sender is None or _same_sender(sender, e.sender))
        ]
        return subset

    def head(self, n=5):
        """A new Recording with only the first ``n`` events (for long recordings)."""
        subset = Recording(only=None, noise=True)
        subset.events = self.events[:n]
        return subset

    def all(self):
        """The same events, shown without a row limit (``rec.all()`` in a cell)."""
        subset = Recording(only=None, noise=True, rows=None)
        subset.events = self.events
        subset.dropped = self.dropped
        return subset

    def receivers(self):
        """Every receiver that ran, in call order."""
        return [name for event in self.events for name in event.receivers]

    # -- display -----------------------------------------------------------------
    def _shown_events(self, rows):
        """``(events to show, how many more were recorded)``."""
        limit = self.rows_shown if rows is _DEFAULT else rows
        events = self.events if limit is None else self.events[:limit]
        return events, len(self.events) - len(events) + self.dropped

    def _more(self, shown, hidden):
        """The last line of a table cut short: how many more, and how to see them."""
        ways = []
        if len(self.events) > shown:
            ways.append("rec.all() shows every event kept")
        if self.dropped:
            ways.append(f"record(keep=None) keeps more than {len(self.events):,}")
        hint = f" ({'; '.join(ways)})" if ways else ""
        return f"… {hidden:,} more events not shown{hint}"

    def rows(self, rows=_DEFAULT):
        """``(number, signal, sender, arguments, [receivers])`` for each event shown."""
        return [_row(e) for e in self._shown_events(rows)[0]]

    def table(self, rows=_DEFAULT):
        """
        The deterministic text table that notebooks store and nbval compares:
        at most ``rows`` events (default: the recording's ``rows``, 100), then
        one line saying how many more there are. ``rows=None`` shows all.
        """
        if not self.events and not self.dropped:
            return "(no signals recorded)"
        events, hidden = self._shown_events(rows)
        headers = ("#", "signal", "sender", "arguments", "receivers")
        rows = [_row(e) for e in events]
        widths = [len(h) for h in headers[:4]]
        for row in rows:
            for i in range(4):
                widths[i] = max(widths[i], len(row[i]))
        fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
        lines = [fmt.format(*headers).rstrip()]
        for number, signal, sender, arguments, receivers in rows:
            lines.append(fmt.format(number, signal, sender, arguments, receivers[0]).rstrip())
            for extra in receivers[1:]:
                lines.append(fmt.format("", "", "", "", extra).rstrip())
        if hidden:
            lines.append(self._more(len(events), hidden))
        return "\n".join(lines)

    def __repr__(self):
        return self.table()

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.table())

    def _repr_html_(self, rows=_DEFAULT):
        from django.utils.html import escape

        if not self.events and not self.dropped:
            return "<p><em>(no signals recorded)</em></p>"
        events, hidden = self._shown_events(rows)
        left = 'style="text-align: left; vertical-align: top"'
        head = "".join(
            f"<th {left}>{h}</th>" for h in ("#", "signal", "sender", "arguments", "receivers")
        )
        body = []
        for event, (number, signal, sender, arguments, receivers) in zip(
            events, (_row(e) for e in events), strict=True
        ):
            # Leading spaces collapse in HTML: indent nested events with
            # non-breaking ones, as the text table does with spaces.
            indent = "&#160;&#160;" * event.depth
            cells = [
                escape(number),
                indent + escape(signal.lstrip(" ")),
                escape(sender),
                escape(arguments),
                "<br>".join(map(escape, receivers)),
            ]
            body.append("<tr>" + "".join(f"<td {left}>{c}</td>" for c in cells) + "</tr>")
        if hidden:
            body.append(
                f'<tr><td {left} colspan="5">{escape(self._more(len(events), hidden))}</td></tr>'
            )
        return (
            '<table class="signals-lab-recording" style="font-family: monospace">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    def diagram(self):
        """A Mermaid sequence diagram of the recording (see :class:`Diagram`)."""
        return Diagram(self)


def _row(e):
    signal = "  " * e.depth + e.signal
    if e.method != "send":
        signal += f" ({e.method})"
    receivers = list(e.receivers) or ["(no receivers)"]
    for name in e.failed:
        i = receivers.index(name) if name in receivers else None
        if i is not None:
            receivers[i] = f"{name}  ✗ caught"
    if e.raised is not None and e.receivers:
        receivers[-1] += f"  ✗ raised {type(e.raised).__name__}"
    elif e.raised is not None:
        receivers = [f"✗ raised {type(e.raised).__name__}"]
    return (str(e.index), signal, e.sender_text, ", ".join(e.arguments()), receivers)


def _name_set(value):
    if value is None:
        return None
    if isinstance(value, str | Signal):
        value = [value]
    return frozenset(v if isinstance(v, str) else signal_name(v) for v in value)


def _same_sender(wanted, actual):
    if wanted is actual:
        return True
    if isinstance(wanted, str) and isinstance(actual, type) and hasattr(actual, "_meta"):
        return actual._meta.label_lower == wanted.lower()
    return False


# --------------------------------------------------------------------------
# The Mermaid diagram
# --------------------------------------------------------------------------

_UNSAFE = re.compile(r"[;#<>{}\"]")


class Diagram:
    """
    A Mermaid sequence diagram: Django sends each signal to its receivers.

    Shown as ``text/vnd.mermaid``, which JupyterLab 4.1+ draws offline, with a
    ``text/markdown`` fence that Notebook 7 draws and the source as plain text.
    """

    def __init__(self, recording):
        self.recording = recording

    def source(self):
        events, hidden = self.recording._shown_events(_DEFAULT)
        lines = ["sequenceDiagram", "    participant Django"]
        aliases = {}
        for event in events:
            for name in event.receivers:
                if name not in aliases:
                    aliases[name] = f"R{len(aliases) + 1}"
                    label = _clean(name.rsplit(".", 1)[-1])
                    lines.append(f"    participant {aliases[name]} as {label}")
        for event in events:
            text = _clean(" ".join([event.signal, event.sender_text, *_key_args(event)]))
            if not event.receivers:
                lines.append(f"    Note right of Django: {text} (no receivers)")
            for name in event.receivers:
                lines.append(f"    Django->>{aliases[name]}: {text}")
            if event.raised is not None:
                lines.append(f"    Note right of Django: raised {type(event.raised).__name__}")
        if hidden:
            lines.append(f"    Note right of Django: … {hidden:,} more events not shown")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        source = self.source()
        return {
            "text/vnd.mermaid": source,
            "text/markdown": f"```mermaid\n{source}\n```",
            "text/plain": source,
        }

    def __repr__(self):
        return self.source()


_KEY_ARGS = ("created", "raw", "update_fields", "action", "pk_set", "reverse", "enter")


def _key_args(event):
    return [f"{k}={event.shown[k]}" for k in _KEY_ARGS if k in event.shown]


def _clean(text):
    return _UNSAFE.sub("", text).replace("frozenset(", "(").replace("'", "")


# --------------------------------------------------------------------------
# The instrumented dispatcher
# --------------------------------------------------------------------------


def record(only=None, exclude=None, sender=None, noise=False, keep=KEEP, rows=ROWS):
    """
    Record the signals sent inside a ``with`` block.

    ``only``: signal names (or Signal objects) to keep; ``exclude``: names to
    drop; ``sender``: keep one sender (a model class, or ``"app.Model"``);
    ``noise``: also keep ``class_prepared``, ``connection_created``,
    ``pre_init`` and ``post_init``, which are left out by default (naming them
    in ``only`` keeps them too). Signals from every thread are recorded.

    Limits, so that a loop of a million saves stays cheap: the recording keeps
    the first ``keep`` events (10,000; ``None``: all) and counts the rest; its
    table and diagram show the first ``rows`` (100; ``None``: all) and end
    with "… N more events not shown". ``rec.all()`` shows every event kept.
    """
    return Recording(only=only, exclude=exclude, sender=sender, noise=noise, keep=keep, rows=rows)


def install():
    """Wrap Signal's four send methods once per process (idempotent)."""
    with _lock:
        if _originals:
            return
        for method in ("send", "send_robust"):
            original = getattr(Signal, method)
            _originals[method] = original
            setattr(Signal, method, _make_sync_wrapper(method, original))
        for method in ("asend", "asend_robust"):
            original = getattr(Signal, method)
            _originals[method] = original
            setattr(Signal, method, _make_async_wrapper(method, original))


def _recordings_for(signal, sender):
    if getattr(_formatting, "active", False):
        return None  # a signal sent by a __str__ the recorder called: not the learner's
    with _lock:
        if not _active:
            return None
        name = signal_name(signal)
        wanting = [r for r in _active if r.wants(name, sender)]
    return (name, wanting) if wanting else None


def _begin(signal, method, sender, named, target):
    name, recordings = target
    depth = _depth.get()
    with _lock:
        slots = []
        for recording in recordings:
            recording.seen += 1
            if recording.keep is not None and len(recording.events) >= recording.keep:
                recording.dropped += 1
            else:
                slots.append((recording, recording.seen))
    if not slots:
        return [], ()
    sync_receivers, async_receivers = dispatch.planned(signal, sender)
    # Response order: sync receivers, then async ones. send() also calls them in
    # that order, and so does asend() since Django 6.1 (5.2 and 6.0 gather the
    # sync group and the async ones concurrently).
    planned = list(sync_receivers) + list(async_receivers)
    _formatting.active = True
    try:
        shown = _shown(name, named)
        events = [
            Event(
                index=index,
                signal=name,
                sender=sender,
                kwargs=named,
                method=method,
                depth=depth,
                signal_obj=signal,
                shown=shown,
            )
            for _recording, index in slots
        ]
    finally:
        _formatting.active = False
    with _lock:
        for (recording, _index), event in zip(slots, events, strict=True):
            recording.events.append(event)
    return events, planned


def _finish(events, planned, responses=None, error=None):
    if not events:
        return
    ran = planned
    failed = ()
    if error is not None:
        ran = _ran_until(planned, error)
    elif responses is not None:
        failed = [
            describe_receiver(r) for r, response in responses if isinstance(response, Exception)
        ] or ()
    names = [sys.intern(describe_receiver(r)) for r in ran]
    names = _NAME_LISTS.setdefault(tuple(names), names)  # one list per receiver sequence
    raised = _detached(error)
    for event in events:
        event.receivers = names
        event.failed = failed
        event.raised = raised


def _ran_until(planned, error):
    """The receivers up to the one whose frame is in the error's traceback."""
    codes = {}
    for i, receiver in enumerate(planned):
        func = receiver
        while isinstance(func, functools.partial):
            func = func.func
        func = getattr(func, "__func__", func)
        code = getattr(func, "__code__", None)
        if code is None:  # a callable object: its __call__ method's code
            code = getattr(type(func).__call__, "__code__", None)
        if isinstance(code, types.CodeType):
            codes.setdefault(code, i)
    tb = error.__traceback__
    while tb is not None:
        i = codes.get(tb.tb_frame.f_code)
        if i is not None:
            return planned[: i + 1]
        tb = tb.tb_next
    return planned


def _make_sync_wrapper(method, original):
    @functools.wraps(original)
    def wrapper(self, sender, **named):
        if not _active:
            return original(self, sender, **named)
        target = _recordings_for(self, sender)
        if target is None:
            return original(self, sender, **named)
        events, planned = _begin(self, method, sender, named, target)
        token = _depth.set(_depth.get() + 1)
        try:
            responses = original(self, sender, **named)
        except BaseException as error:
            _finish(events, planned, error=error)
            raise
        finally:
            _depth.reset(token)
        _finish(events, planned, responses=responses)
        return responses

    return wrapper


def _make_async_wrapper(method, original):
    @functools.wraps(original)
    async def wrapper(self, sender, **named):
        if not _active:
            return await original(self, sender, **named)
        target = _recordings_for(self, sender)
        if target is None:
            return await original(self, sender, **named)
        events, planned = _begin(self, method, sender, named, target)
        token = _depth.set(_depth.get() + 1)
        try:
            responses = await original(self, sender, **named)
        except BaseException as error:
            _finish(events, planned, error=error)
            raise
        finally:
            _depth.reset(token)
        _finish(events, planned, responses=responses)
        return responses

    return wrapper
