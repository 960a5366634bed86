"""07: a custom signal sent with send_robust so a broken receiver stops nothing."""

from django.dispatch import Signal

from tutorial_project.catalog.models import Author, Book, Order

from . import NotYet
from ._common import mails, quiet_logger

PASS = "orders are placed and receipts sent, even when another receiver crashes. Well done!"


def _broken(sender, **kwargs):
    raise RuntimeError("the stock service is down")


def _first(signal, receiver):
    """Connect ``receiver`` in front of every other receiver of ``signal``."""
    signal.connect(receiver, weak=False, dispatch_uid="lab-check-broken")
    with signal.lock:
        entry = signal.receivers.pop()
        signal.receivers.insert(0, entry)
        signal.sender_receivers_cache.clear()


def check(ctx):
    signal = ctx.value("order_placed", Signal)
    receipt = ctx.receiver("send_receipt")
    ctx.expect_connected(signal, receipt, "order_placed")
    place_order = ctx.function("place_order")

    book = Book.objects.create(author=Author.objects.create(name="Pratchett"), title="Mort")
    order = place_order(book, 2)
    if not isinstance(order, Order) or order.pk is None:
        raise NotYet("place_order(book, 2) should return the saved Order.")
    if not Order.objects.filter(pk=order.pk, book=book, quantity=2).exists():
        raise NotYet("place_order(book, 2) did not save an Order for that book with quantity 2.")
    receipts = mails("receipt")
    if len(receipts) != 1:
        raise NotYet(
            f"place_order() sent {len(receipts)} e-mails whose subject contains 'Receipt'; "
            "expected one, from `send_receipt`."
        )
    if book.title not in receipts[0].body:
        raise NotYet("The receipt's body should name the book's title.")

    _first(signal, _broken)
    try:
        with quiet_logger("django.dispatch"):
            try:
                place_order(book, 1)
            except RuntimeError:
                raise NotYet(
                    "When another receiver of order_placed raised, place_order() raised too "
                    "and the receipt was not sent: send the signal with send_robust()."
                ) from None
    finally:
        signal.disconnect(dispatch_uid="lab-check-broken")
    if len(mails("receipt")) != 2:
        raise NotYet("With a broken receiver connected first, no receipt was sent.")
