"""07: a custom signal sent with send_robust so a broken receiver stops nothing."""

import contextlib
import logging

from django.dispatch import Signal

from tutorial_project.catalog.models import Author, Book, Order

from ..runtime.dispatch import move_last_to_front
from .context import NotYet
from .scenarios import mails

PASS = "orders are placed and receipts sent, even when another receiver crashes. Well done!"


def _broken(sender, **kwargs):
    raise RuntimeError("the stock service is down")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.errors = []

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append((record.args[0] if record.args else "?", record.exc_info[1]))


@contextlib.contextmanager
def _robust_failures():
    """Collect (receiver name, exception) logged by send_robust(); print nothing."""
    logger = logging.getLogger("django.dispatch")
    handler = _Collect()
    before = logger.handlers, logger.propagate, logger.disabled
    logger.handlers, logger.propagate, logger.disabled = [handler], False, False
    try:
        yield handler.errors
    finally:
        logger.handlers, logger.propagate, logger.disabled = before


def _first(signal, receiver, uid):
    """Connect ``receiver`` in front of every other receiver of ``signal``."""
    signal.connect(receiver, weak=False, dispatch_uid=uid)
    move_last_to_front(signal)


def _learner_error(errors):
    """One sentence for an exception a learner's receiver raised inside send_robust()."""
    for name, error in errors:
        if not name.startswith("_"):
            return (
                f"`{name}` raised {type(error).__name__}: {error} (send_robust() caught it "
                "and logged it, so place_order() went on without a receipt)."
            )
    return None


def check(ctx):
    signal = ctx.value("order_placed", Signal)
    receipt = ctx.receiver("send_receipt")
    ctx.expect_connected(signal, receipt, "order_placed")
    place_order = ctx.function("place_order")

    pratchett = Author.objects.create(name="Pratchett")
    book = Book.objects.create(author=pratchett, title="Mort")
    sourcery = Book.objects.create(author=pratchett, title="Sourcery")
    sent = []

    def _spy(sender, **kwargs):
        sent.append(kwargs.get("order"))

    signal.connect(_spy, weak=False, dispatch_uid="lab-check-spy")
    try:
        with _robust_failures() as errors:
            order = place_order(book, 2)
    finally:
        signal.disconnect(dispatch_uid="lab-check-spy")
    if not isinstance(order, Order):
        got = "None" if order is None else f"a {type(order).__name__}"
        raise NotYet(f"place_order(book, 2) returned {got}: it should return the Order it created.")
    if not Order.objects.filter(pk=order.pk, book=book, quantity=2).exists():
        raise NotYet(
            "place_order(book, 2) did not save an Order for that book with quantity 2: "
            "create it with Order.objects.create(...) (an Order's UUID pk is set before "
            "any save, so a pk does not mean it is saved)."
        )
    if not sent:
        raise NotYet("place_order() did not send order_placed: call send_robust() on it.")
    if len(sent) > 1:
        raise NotYet(f"place_order() sent order_placed {len(sent)} times for one order.")
    if sent[0] != order:
        raise NotYet(
            "place_order() should send the signal with the order as `order=order` (other "
            "teams' receivers will read `order`)."
        )
    receipts = mails("receipt")
    if not receipts:
        raise NotYet(
            _learner_error(errors)
            or "place_order() sent order_placed but no e-mail whose subject contains "
            "'Receipt' went out: `send_receipt` should send one (and if you connected it "
            "with a sender, it must be the sender place_order() sends)."
        )
    if len(receipts) > 1:
        raise NotYet(f"One order sent {len(receipts)} receipts instead of one.")
    if book.title not in receipts[0].body:
        raise NotYet("The receipt's body should name the book's title (`order.book.title`).")

    _first(signal, _broken, "lab-check-broken")
    try:
        with _robust_failures():
            try:
                place_order(sourcery, 1)
            except RuntimeError as error:
                if str(error) != "the stock service is down":
                    raise
                raise NotYet(
                    "When another receiver of order_placed raised, place_order() raised too "
                    "and the receipt was not sent: send the signal with send_robust()."
                ) from None
    finally:
        signal.disconnect(dispatch_uid="lab-check-broken")
    if not Order.objects.filter(book=sourcery, quantity=1).exists():
        raise NotYet("With a broken receiver connected first, the order was not saved.")
    if len(mails("receipt")) < 2:
        raise NotYet(
            "With a broken receiver connected first, no receipt was sent: send_robust() "
            "calls every receiver even when one raises, send() stops at the first error."
        )
    if len(mails("receipt")) > 2:
        raise NotYet(
            f"A second order sent {len(mails('receipt')) - 1} receipts instead of one: send one "
            "receipt, for the `order` the signal sends."
        )
    second = mails("receipt")[1]
    if "Sourcery" not in second.body:
        raise NotYet(
            "The receipt for an order of 'Sourcery' does not name it: build the receipt from "
            "the `order` the signal sends (`order.book.title`)."
        )
    if "Mort" in second.body:
        raise NotYet(
            "The receipt for an order of 'Sourcery' also names 'Mort', another order's book: "
            "build the receipt from the `order` the signal sends, not from every order."
        )
