"""03: a slug kept in sync with the title, without recursion."""

from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from tutorial_project.catalog.models import Author, Book

from .context import NotYet

PASS = "the slug follows every rename, update_fields included, with no recursion. Well done!"


def _stored(book):
    return Book.objects.values_list("slug", flat=True).get(pk=book.pk)


def _count(queries, verb):
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith(verb))


def check(ctx):
    func = ctx.receiver("sync_slug")
    if not (ctx.connections(pre_save, func) or ctx.connections(post_save, func)):
        raise NotYet(
            "`sync_slug` is not connected to pre_save or post_save for Book: decorate it "
            "with `@lab.receiver(post_save, sender=Book)` and run its cell."
        )
    for signal, label in ((pre_save, "pre_save"), (post_save, "post_save")):
        if ctx.connections(signal, func) > 1:
            ctx.expect_connected(signal, func, label)
        if ctx.connected_to_any_sender(signal, func):
            raise NotYet(
                f"`sync_slug` is connected to {label} for every model (authors, users ...): "
                "pass `sender=Book`."
            )
    try:
        _scenarios()
    except RecursionError:
        raise NotYet(
            "`sync_slug` ended in RecursionError: save() inside a save signal sends that "
            "signal again, endlessly, so write the column with "
            "`Book.objects.filter(pk=instance.pk).update(slug=...)`, which sends no signals."
        ) from None


def _scenarios():
    author = Author.objects.create(name="Ursula K. Le Guin")
    with CaptureQueriesContext(connection) as created:
        book = Book.objects.create(author=author, title="The Left Hand of Darkness")
    if _stored(book) != "the-left-hand-of-darkness":
        raise NotYet(f"A new book's slug is {_stored(book)!r} in the database.")
    updates = _count(created.captured_queries, "UPDATE")
    if updates > 1:
        raise NotYet(f"Creating one book ran {updates} UPDATE queries; one at most is enough.")

    book.title = "The Dispossessed"
    book.save()
    if _stored(book) != "the-dispossessed":
        if book.slug == "the-dispossessed":
            raise NotYet(
                "After a rename and save(), `book.slug` is right in memory but the database "
                f"still has {_stored(book)!r}: in post_save the row is already written, so also "
                "write the column with `Book.objects.filter(pk=instance.pk).update(slug=...)`."
            )
        raise NotYet(
            f"After renaming a book and calling save(), its slug in the database is "
            f"{_stored(book)!r}, expected 'the-dispossessed': compute it from the title on "
            "every save, not only when it is empty."
        )

    book.title = "Lavinia"
    with CaptureQueriesContext(connection) as renamed:
        book.save(update_fields=["title"])
    if _stored(book) != slugify("Lavinia"):
        raise NotYet(
            f"After `book.save(update_fields=['title'])` the slug in the database is "
            f"{_stored(book)!r}, because a field changed in pre_save is not written when "
            "update_fields leaves it out: write it with QuerySet.update() in post_save."
        )
    updates = _count(renamed.captured_queries, "UPDATE")
    if updates > 2:
        raise NotYet(f"One rename ran {updates} UPDATE queries; two at most are needed.")
    if book.slug != "lavinia":
        raise NotYet(
            "The slug is right in the database, but `book.slug` in memory is stale "
            f"({book.slug!r}): set `instance.slug` too."
        )
