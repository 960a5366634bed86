"""Answers to exercise 07 (custom signal, send_robust) and the message each must get."""

HEADER = """
from django.core.mail import send_mail
from django.dispatch import Signal

from tutorial_project.catalog.models import Order

order_placed = Signal()
"""

RECEIPT = """
@lab.receiver(order_placed)
def send_receipt(sender, order, **kwargs):
    send_mail("Receipt for your order", f"{order.quantity} x {order.book.title}", None,
              ["customer@example.com"])
"""


def place_order(body):
    return f"""
def place_order(book, quantity):
{body}
"""


ROBUST = """    order = Order.objects.create(book=book, quantity=quantity)
    order_placed.send_robust(sender=Order, order=order)
    return order"""

CASES = [
    ("solution", HEADER + RECEIPT + place_order(ROBUST), "✓ 07_custom_signal"),
    ("nothing written yet", "", "There is no `order_placed` yet"),
    (
        "send() instead of send_robust()",
        HEADER + RECEIPT + place_order(ROBUST.replace("send_robust", "send")),
        "place_order() raised too and the receipt was not sent: send the signal with send_robust()",
    ),
    (
        "send() wrapped in try/except",
        HEADER
        + RECEIPT
        + place_order(
            ROBUST.replace(
                "    order_placed.send_robust(sender=Order, order=order)",
                "    try:\n        order_placed.send(sender=Order, order=order)\n"
                "    except Exception:\n        pass",
            )
        ),
        "send_robust() calls every receiver even when one raises",
    ),
    (
        "order built but not saved",
        HEADER + RECEIPT + place_order(ROBUST.replace("Order.objects.create(", "Order(")),
        "did not save an Order for that book with quantity 2",
    ),
    (
        "order not returned",
        HEADER + RECEIPT + place_order(ROBUST.replace("    return order", "")),
        "place_order(book, 2) returned None",
    ),
    (
        "signal never sent",
        HEADER
        + RECEIPT
        + place_order("    return Order.objects.create(book=book, quantity=quantity)"),
        "place_order() did not send order_placed",
    ),
    (
        "receiver sends no receipt",
        HEADER
        + """
@lab.receiver(order_placed)
def send_receipt(sender, order, **kwargs):
    pass
"""
        + place_order(ROBUST),
        "no e-mail whose subject contains 'Receipt' went out",
    ),
    (
        "receiver raises, hidden by send_robust",
        HEADER
        + """
@lab.receiver(order_placed)
def send_receipt(sender, instance, **kwargs):
    send_mail("Receipt", instance.book.title, None, ["customer@example.com"])
"""
        + place_order(ROBUST),
        "`send_receipt` raised TypeError",
    ),
    (
        "receipt without the title",
        HEADER + RECEIPT.replace("{order.book.title}", "book") + place_order(ROBUST),
        "The receipt's body should name the book's title",
    ),
    (
        "receipt connected to another signal object",
        HEADER
        + RECEIPT.replace("@lab.receiver(order_placed)", "@lab.receiver(Signal())")
        + place_order(ROBUST),
        "`send_receipt` is not connected to order_placed",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "receipt lists every order ever placed",
        HEADER
        + """
@lab.receiver(order_placed)
def send_receipt(sender, order, **kwargs):
    lines = [f"{o.quantity} x {o.book.title}" for o in Order.objects.all()]
    send_mail("Receipt for your order", "\\n".join(lines), None, ["customer@example.com"])
"""
        + place_order(ROBUST),
        "another order",
    ),
    (
        "receiver waits an hour before sending (never returns in time)",
        HEADER.replace("from django.dispatch", "import time\nfrom django.dispatch")
        + RECEIPT.replace("    send_mail(", "    time.sleep(3600)\n    send_mail(", 1)
        + place_order(ROBUST),
        "did not return within",
    ),
]
CASES += [
    (
        "order sent as instance=, not order=",
        HEADER
        + RECEIPT.replace("order, **kwargs):", "instance, **kwargs):\n    order = instance")
        + place_order(ROBUST.replace("order=order)", "instance=order)")),
        "should send the signal with the order as `order=order`",
    ),
]
