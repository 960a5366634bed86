"""Answers to exercise 08 (async receiver, asend) and the message each must get."""

HEADER = """
from django.dispatch import Signal

from tutorial_project.catalog.models import AuditEntry, Order

order_shipped = Signal()
"""

NOTIFY = """
@lab.receiver(order_shipped)
async def notify_warehouse(sender, order, **kwargs):
    await AuditEntry.objects.acreate(
        action="shipped", model="catalog.Order", object_pk=str(order.pk), description=str(order)
    )
"""

SHIP = """
async def ship(order):
    await order_shipped.asend(sender=Order, order=order)
"""

CASES = [
    ("solution", HEADER + NOTIFY + SHIP, "✓ 08_async_receiver"),
    ("nothing written yet", "", "There is no `order_shipped` yet"),
    (
        "send() inside async ship",
        HEADER
        + NOTIFY
        + """
async def ship(order):
    order_shipped.send(sender=Order, order=order)
""",
        "ship() sent the signal with send() inside async code",
    ),
    (
        "sync def receiver",
        HEADER
        + """
@lab.receiver(order_shipped)
def notify_warehouse(sender, order, **kwargs):
    AuditEntry.objects.create(
        action="shipped", model="catalog.Order", object_pk=str(order.pk), description=str(order)
    )
"""
        + SHIP,
        "`notify_warehouse` should be an `async def` receiver",
    ),
    (
        "ship not async",
        HEADER
        + NOTIFY
        + """
def ship(order):
    order_shipped.send(sender=Order, order=order)
""",
        "`ship` should be an `async def` function",
    ),
    (
        "asend() without await",
        HEADER
        + NOTIFY
        + """
async def ship(order):
    order_shipped.asend(sender=Order, order=order)
""",
        "ship() called a coroutine without `await`",
    ),
    (
        "order passed as instance=",
        HEADER
        + NOTIFY.replace("order, **kwargs):", "**kwargs):\n    order = kwargs['instance']")
        + SHIP.replace("order=order", "instance=order"),
        "should send the signal with `order=order`",
    ),
    (
        "receiver connected with sender=Order, signal sent with sender=order",
        HEADER
        + NOTIFY.replace("(order_shipped)", "(order_shipped, sender=Order)")
        + SHIP.replace("sender=Order", "sender=order"),
        "left 0 AuditEntry(action='shipped'",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "sync ORM call inside the async receiver",
        HEADER
        + NOTIFY.replace("await AuditEntry.objects.acreate(", "AuditEntry.objects.create(")
        + SHIP,
        "SynchronousOnlyOperation",
    ),
    (
        "time.sleep() inside the async receiver",
        "import time\n"
        + HEADER
        + NOTIFY.replace("    await AuditEntry", "    time.sleep(0.6)\n    await AuditEntry")
        + SHIP,
        "blocks the event loop",
    ),
    (
        "create_task() without await",
        "import asyncio\n"
        + HEADER
        + NOTIFY
        + """
async def ship(order):
    asyncio.create_task(order_shipped.asend(sender=Order, order=order))
""",
        "create_task",
    ),
    (
        "asyncio.run() inside ship",
        "import asyncio\n"
        + HEADER
        + NOTIFY
        + """
async def ship(order):
    asyncio.run(order_shipped.asend(sender=Order, order=order))
""",
        "asyncio.run()",
    ),
    (
        "records every order, not the shipped one",
        HEADER
        + """
@lab.receiver(order_shipped)
async def notify_warehouse(sender, order, **kwargs):
    async for each in Order.objects.select_related("book"):
        await AuditEntry.objects.acreate(
            action="shipped", model="catalog.Order", object_pk=str(each.pk),
            description=str(each),
        )
"""
        + SHIP,
        "another order",
    ),
    (
        "solution: sync_to_async around the sync ORM",
        "from asgiref.sync import sync_to_async\n"
        + HEADER
        + NOTIFY.replace(
            "await AuditEntry.objects.acreate(", "await sync_to_async(AuditEntry.objects.create)("
        )
        + SHIP,
        "✓ 08_async_receiver",
    ),
]
CASES += [
    (
        "model label lower-case",
        HEADER + NOTIFY.replace('model="catalog.Order"', 'model="catalog.order"') + SHIP,
        "expected model='catalog.Order'",
    ),
]
