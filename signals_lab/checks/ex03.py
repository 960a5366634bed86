"""03: a slug kept in sync with the title, without recursion."""

import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils.text import slugify

from tutorial_project.catalog.models import Author, Book

from ..runtime.boot import reset
from .context import NotYet
from .scenarios import other_models

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
        ctx.expect_sender(signal, func, label, Book)
        if ctx.connected_to_any_sender(signal, func):
            other_models(
                func,
                f"it is connected to {label} for every model (authors, users ...): "
                "pass `sender=Book`.",
                skip={Book},
            )
            reset()
    try:
        _scenarios()
    except RecursionError:
        raise NotYet(
            "`sync_slug` ended in RecursionError: save() inside a save signal sends that "
            "signal again, endlessly, so write the column with "
            "`Book.objects.filter(pk=instance.pk).update(slug=...)`, which sends no signals."
        ) from None


FIXTURE = [
    {"model": "catalog.author", "pk": 50, "fields": {"name": "Ursula K. Le Guin", "friends": []}},
    {
        "model": "catalog.book",
        "pk": 50,
        "fields": {
            "author": 50,
            "title": "Tehanu",
            "slug": "tehanu-1990",
            "tags": [],
            "updated_at": "2024-01-01T00:00:00Z",
        },
    },
]


def _expect_slugified(book, after):
    stored = _stored(book)
    expected = slugify(book.title)
    if stored != expected:
        raise NotYet(
            f"After {after}, the slug in the database is {stored!r}, but "
            f"slugify({book.title!r}) is {expected!r}: make it with "
            "`django.utils.text.slugify(instance.title)`."
        )


def _others_unchanged(other, after):
    if _stored(other) != "the-word-for-world-is-forest":
        raise NotYet(
            f"After {after}, another book's slug became {_stored(other)!r}: your update() "
            "wrote every other book too. Filter it to this book: "
            "`Book.objects.filter(pk=instance.pk).update(...)`."
        )


def _fixture_keeps_its_slug():
    with tempfile.TemporaryDirectory(prefix="signals-lab-ex03-") as folder:
        path = Path(folder, "books_with_slugs.json")
        path.write_text(json.dumps(FIXTURE))
        call_command("loaddata", str(path), verbosity=0)
    stored = Book.objects.values_list("slug", flat=True).get(pk=50)
    if stored != "tehanu-1990":
        raise NotYet(
            f"Loading a fixture replaced its book's own slug 'tehanu-1990' with {stored!r}: "
            "fixtures bring their own slugs, so return early when `raw` is True."
        )


def _scenarios():
    author = Author.objects.create(name="Ursula K. Le Guin")
    other = Book.objects.create(author=author, title="The Word for World Is Forest")
    with CaptureQueriesContext(connection) as created:
        book = Book.objects.create(author=author, title="The Left Hand of Darkness")
    if _stored(book) != "the-left-hand-of-darkness":
        raise NotYet(f"A new book's slug is {_stored(book)!r} in the database.")
    _others_unchanged(other, "creating a book")
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

    _others_unchanged(other, "renaming a book")

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

    book.title = "Always Coming Home: A Novel!"
    book.save()
    _expect_slugified(book, "renaming a book to 'Always Coming Home: A Novel!'")
    _fixture_keeps_its_slug()
