"""04: an audit log of deletions that survives cascades and QuerySet.delete()."""

from django.db.models.signals import post_delete, pre_delete

from tutorial_project.catalog.models import AuditEntry, Author, Book, Chapter

from .context import NotYet
from .scenarios import other_models

PASS = "every deleted book and chapter is logged, cascades and QuerySet.delete() included."


def _library():
    author = Author.objects.create(name="Terry Pratchett")
    books = [Book.objects.create(author=author, title=t) for t in ("Mort", "Sourcery", "Eric")]
    chapters = {
        book.pk: [
            Chapter.objects.create(book=book, number=n, title=f"{book.title} {n}") for n in (1, 2)
        ]
        for book in books
    }
    return author, books, chapters


def _entries(model, pk):
    return list(AuditEntry.objects.filter(model=model, object_pk=str(pk)))


def _duplicates(ctx, func):
    """Why one deletion left two entries, from how ``func`` is connected."""
    if ctx.senders(pre_delete, func) and ctx.senders(post_delete, func):
        return (
            "`log_deletion` is connected to both pre_delete and post_delete: keep post_delete only"
        )
    return (
        "`log_deletion` is connected twice for the same model: connect it once per sender "
        "with `@lab.receiver`, or restart the kernel"
    )


def check(ctx):
    func = ctx.receiver("log_deletion")
    if not (ctx.connections(pre_delete, func) or ctx.connections(post_delete, func)):
        raise NotYet(
            "`log_deletion` is not connected to post_delete: decorate it with "
            "`@lab.receiver(post_delete, sender=...)` and run its cell."
        )

    author, books, chapters = _library()
    mort = books[0]
    mort_pk, mort_chapters = mort.pk, [(c.pk, str(c)) for c in chapters[mort.pk]]
    mort.delete()
    if not AuditEntry.objects.exists():
        raise NotYet("Deleting a book with book.delete() left no AuditEntry.")
    entry = AuditEntry.objects.first()
    if entry.model not in ("catalog.Book", "catalog.Chapter"):
        raise NotYet(
            "AuditEntry.model should be the model's label, 'catalog.Book' or "
            f"'catalog.Chapter' (`sender._meta.label`), got {entry.model!r}."
        )
    book_entries = _entries("catalog.Book", mort_pk)
    chapter_entries = [_entries("catalog.Chapter", pk) for pk, _ in mort_chapters]
    if not book_entries:
        raise NotYet(
            "Deleting a book logged its chapters but not the book itself: connect "
            "`log_deletion` to post_delete for Book too (stack a second "
            "`@lab.receiver(post_delete, sender=Book)` decorator on it)."
        )
    if not all(chapter_entries):
        raise NotYet(
            "Deleting a book logged the book but not its chapters, deleted by the cascade: "
            "connect `log_deletion` to post_delete for Chapter too (stack a second "
            "`@lab.receiver(post_delete, sender=Chapter)` decorator on it)."
        )
    if len(book_entries) > 1 or any(len(e) > 1 for e in chapter_entries):
        raise NotYet(f"Deleting a book logged it twice, because {_duplicates(ctx, func)}.")
    entry = book_entries[0]
    if entry.action != "delete":
        raise NotYet(
            f"The entry for a deleted book has action={entry.action!r}, expected 'delete'."
        )
    if entry.description != "Mort":
        raise NotYet(
            f"The entry for the deleted book 'Mort' has description={entry.description!r}, "
            "expected 'Mort': use `str(instance)`."
        )
    if chapter_entries[0][0].description != mort_chapters[0][1]:
        raise NotYet(
            f"The entry for a deleted chapter has description "
            f"{chapter_entries[0][0].description!r}, expected {mort_chapters[0][1]!r}: "
            "use `str(instance)`."
        )
    if AuditEntry.objects.count() != 3:
        raise NotYet(
            f"Deleting one book with two chapters left {AuditEntry.objects.count()} entries, "
            "expected 3: log only the deleted books and chapters."
        )

    sourcery, eric = books[1], books[2]
    lone = chapters[sourcery.pk][0]
    lone_pk = lone.pk
    lone.delete()
    if len(_entries("catalog.Chapter", lone_pk)) != 1:
        raise NotYet("Deleting one chapter with chapter.delete() did not log it exactly once.")

    Book.objects.filter(pk=sourcery.pk).delete()
    if not _entries("catalog.Book", sourcery.pk):
        raise NotYet("Book.objects.filter(...).delete() left no AuditEntry for the book.")
    if not _entries("catalog.Chapter", chapters[sourcery.pk][1].pk):
        raise NotYet(
            "Book.objects.filter(...).delete() did not log the chapter deleted by the cascade."
        )

    before = AuditEntry.objects.count()
    author.delete()
    if not _entries("catalog.Book", eric.pk):
        raise NotYet("Deleting an author did not log its book, deleted by the cascade.")
    if not all(_entries("catalog.Chapter", c.pk) for c in chapters[eric.pk]):
        raise NotYet("Deleting an author did not log the chapters deleted by the cascade.")
    added = AuditEntry.objects.count() - before
    if added != 3:
        raise NotYet(
            f"Deleting an author with one book of two chapters added {added} entries, "
            "expected 3: log only books and chapters (sender=Book and sender=Chapter), "
            "not the author."
        )

    other_models(
        func,
        "log only books and chapters (`sender=Book` and `sender=Chapter`).",
        skip={Book},
        watch={"left an AuditEntry": AuditEntry.objects.count},
    )
