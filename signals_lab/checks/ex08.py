"""08: an async receiver sent with asend(), run the way a server runs it."""

import asyncio
import gc
import inspect
import sys
import time
import warnings

from django.core.exceptions import SynchronousOnlyOperation
from django.dispatch import Signal

from tutorial_project.catalog.models import AuditEntry, Author, Book, Order

from .context import NotYet

PASS = "ship() awaits asend(), and the async receiver records the shipment. Well done!"

# How long the event loop may go without running other tasks before the check
# calls it blocked (a sleep inside async code is caught however short it is).
BLOCKED = 1.0
TICK = 0.01


def _run(ship, order):
    """
    Run ``ship(order)`` in a new event loop in this thread, as a server would
    (the check's worker thread has no loop and no DJANGO_ALLOW_ASYNC_UNSAFE).
    Returns what was seen: tasks left pending, time.sleep() called in the
    loop's thread, the longest time the loop was blocked.
    """
    seen = {"pending": 0, "slept": False, "blocked": 0.0}

    async def main():
        loop = asyncio.get_running_loop()
        done = asyncio.Event()

        async def heartbeat():
            last = loop.time()
            while not done.is_set():
                await asyncio.sleep(TICK)
                now = loop.time()
                seen["blocked"] = max(seen["blocked"], now - last - TICK)
                last = now

        beat = asyncio.create_task(heartbeat())
        me = asyncio.current_task()
        try:
            await ship(order)
        finally:
            done.set()
            await beat
        pending = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        seen["pending"] = len(pending)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def profile(frame, event, arg):
        if event == "c_call" and arg is time.sleep:
            seen["slept"] = True

    sys.setprofile(profile)
    try:
        asyncio.run(main())
    finally:
        sys.setprofile(None)
    return seen


def _ship(ship, order):
    """_run(), with the learner's mistakes in async code said in one sentence."""
    gc.collect()  # coroutines left unawaited before this run warn now, not inside it
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                seen = _run(ship, order)
            finally:
                gc.collect()
    except SynchronousOnlyOperation:
        raise NotYet(
            "`notify_warehouse` called the ORM synchronously inside async code, and a server "
            "refuses that with SynchronousOnlyOperation (your notebook allows it only because "
            "boot() sets DJANGO_ALLOW_ASYNC_UNSAFE for its cells): use the async ORM, "
            "`await AuditEntry.objects.acreate(...)`."
        ) from None
    except RuntimeError as error:
        if "asyncio.run() cannot be called" in str(error):
            raise NotYet(
                "ship() called asyncio.run(), which starts a second event loop and cannot run "
                "inside one (ship is already running in the server's loop): write "
                "`await order_shipped.asend(...)`."
            ) from None
        if "AsyncToSync" in str(error) or "event loop" in str(error):
            raise NotYet(
                "ship() sent the signal with send() inside async code, which cannot run "
                "async receivers there: use `await order_shipped.asend(...)`."
            ) from None
        raise
    if seen["slept"]:
        raise NotYet(
            "Your async code called time.sleep(), which blocks the event loop: while it "
            "sleeps, nothing else the server runs in that loop can go on. Use "
            "`await asyncio.sleep(...)`, which lets other tasks run meanwhile."
        )
    if seen["blocked"] > BLOCKED:
        raise NotYet(
            f"Your async code blocks the event loop for {seen['blocked']:.1f} s (a blocking "
            "call inside `async def`): await the async version of that call, or wrap it in "
            "`sync_to_async(...)`."
        )
    if seen["pending"]:
        raise NotYet(
            "ship() started the sending with asyncio.create_task() (or ensure_future()) but "
            "returned before it finished, so the receivers may never run: `await` it, e.g. "
            "`await order_shipped.asend(...)`."
        )
    if any("was never awaited" in str(w.message) for w in caught):
        raise NotYet(
            "ship() called a coroutine without `await`, so it never ran: write "
            "`await order_shipped.asend(...)`."
        )


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
    other = Order.objects.create(book=book, quantity=5)
    sync_calls = []

    def sync_receiver(sender, **kwargs):
        sync_calls.append(kwargs.get("order"))

    signal.connect(sync_receiver, weak=False, dispatch_uid="lab-check-sync")
    try:
        _ship(ship, order)
    finally:
        signal.disconnect(dispatch_uid="lab-check-sync")
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
    entry = entries.get()
    if entry.model != "catalog.Order" or entry.description != str(order):
        raise NotYet(
            f"The shipment's AuditEntry has model={entry.model!r} and "
            f"description={entry.description!r}; expected model='catalog.Order' and "
            f"description=str(order), {str(order)!r}."
        )
    if AuditEntry.objects.filter(object_pk=str(other.pk)).exists():
        raise NotYet(
            "Shipping one order also wrote an AuditEntry for another order: record only the "
            "`order` the signal sends."
        )
