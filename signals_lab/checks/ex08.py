"""08: an async receiver sent with asend()."""

import asyncio
import inspect
import warnings
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from django.dispatch import Signal

from tutorial_project.catalog.models import AuditEntry, Author, Book, Order

from .context import NotYet

PASS = "ship() awaits asend(), and the async receiver records the shipment. Well done!"


def _in_thread(coroutine_function, *args):
    try:
        return asyncio.run(coroutine_function(*args))
    finally:
        connections.close_all()


def _run(coroutine_function, *args):
    """Run a coroutine in its own event loop, in a worker thread (like a server would)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_in_thread, coroutine_function, *args).result()


def check(ctx):
    signal = ctx.value("order_shipped", Signal)
    notify = ctx.receiver("notify_warehouse")
    if not inspect.iscoroutinefunction(notify):
        raise NotYet(
            "`notify_warehouse` should be an `async def` receiver (a plain `def` one would "
            "be run in a worker thread through sync_to_async)."
        )
    ctx.expect_connected(signal, notify, "order_shipped")
    ship = ctx.function("ship")
    if not inspect.iscoroutinefunction(ship):
        raise NotYet(
            "`ship` should be an `async def` function that sends the signal with "
            "`await order_shipped.asend(...)`."
        )

    book = Book.objects.create(author=Author.objects.create(name="Le Guin"), title="Tehanu")
    order = Order.objects.create(book=book, quantity=1)
    sync_calls = []

    def sync_receiver(sender, **kwargs):
        sync_calls.append(kwargs.get("order"))

    signal.connect(sync_receiver, weak=False, dispatch_uid="lab-check-sync")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _run(ship, order)
    except RuntimeError as error:
        if "AsyncToSync" in str(error) or "event loop" in str(error):
            raise NotYet(
                "ship() sent the signal with send() inside async code, which cannot run "
                "async receivers there: use `await order_shipped.asend(...)`."
            ) from None
        raise
    finally:
        signal.disconnect(dispatch_uid="lab-check-sync")
    if any("was never awaited" in str(w.message) for w in caught):
        raise NotYet(
            "ship() called a coroutine without `await`, so it never ran: write "
            "`await order_shipped.asend(...)`."
        )
    if not sync_calls:
        raise NotYet(
            "ship(order) did not send order_shipped (a sync receiver of the check never ran)."
        )
    if sync_calls[0] != order:
        raise NotYet("ship(order) should send the signal with `order=order`.")
    entries = AuditEntry.objects.filter(action="shipped", object_pk=str(order.pk))
    if entries.count() != 1:
        raise NotYet(
            f"Shipping one order left {entries.count()} AuditEntry(action='shipped', "
            "object_pk=str(order.pk)) rows for it; expected one, written by "
            "`notify_warehouse` (if you connected it with a sender, it must be the sender "
            "ship() sends)."
        )
