"""04: an audit log of deletions that survives cascades and QuerySet.delete()."""

from django.db.models.signals import post_delete, pre_delete

from tutorial_project.catalog.models import AuditEntry, Author, Book, Chapter

from . import NotYet

PASS = "every deleted book and chapter is logged, cascades and QuerySet.delete() included."


def _library():
    author = Author.objects.create(name="Terry Pratchett")
    books = [Book.objects.create(author=author, title=t) for t in ("Mort", "Sourcery")]
    chapters = [
        Chapter.objects.create(book=book, number=n, title=f"{book.title} {n}")
        for book in books
        for n in (1, 2)
    ]
    return author, books, chapters


def _logged(model, pk):
    return AuditEntry.objects.filter(model=model, object_pk=str(pk)).count()


def check(ctx):
    func = ctx.receiver("log_deletion")
    if not (ctx.connections(pre_delete, func) or ctx.connections(post_delete, func)):
        raise NotYet("`log_deletion` is not connected to post_delete (or pre_delete).")

    author, books, chapters = _library()
    first = chapters[0]
    first_pk = first.pk
    first.delete()
    entries = list(AuditEntry.objects.all())
    if not entries:
        raise NotYet("Deleting a chapter with chapter.delete() left no AuditEntry.")
    entry = entries[0]
    if entry.model != "catalog.Chapter":
        raise NotYet(
            f"AuditEntry.model should be the model's label 'catalog.Chapter' "
            f"(sender._meta.label), got {entry.model!r}."
        )
    if entry.object_pk != str(first_pk) or entry.action != "delete":
        raise NotYet(
            f"The entry for chapter {first_pk} has action={entry.action!r}, "
            f"object_pk={entry.object_pk!r}; expected 'delete' and {str(first_pk)!r}."
        )
    if len(entries) > 1:
        raise NotYet(
            "One deletion was logged twice: is `log_deletion` connected to both "
            "pre_delete and post_delete, or twice?"
        )

    Book.objects.filter(pk=books[1].pk).delete()
    if not _logged("catalog.Book", books[1].pk):
        raise NotYet("Book.objects.filter(...).delete() left no AuditEntry for the book.")
    if not all(_logged("catalog.Chapter", c.pk) for c in chapters[2:]):
        raise NotYet(
            "Deleting a book logged the book but not its chapters, deleted by the cascade: "
            "connect `log_deletion` to Chapter too."
        )

    author.delete()
    if not _logged("catalog.Book", books[0].pk):
        raise NotYet("Deleting an author did not log its book, deleted by the cascade.")
    if not _logged("catalog.Chapter", chapters[1].pk):
        raise NotYet("Deleting an author did not log the chapters deleted by the cascade.")
    expected = 1 + 1 + 2 + 1 + 1  # chapter, book + 2 chapters, book + chapter
    if AuditEntry.objects.count() != expected:
        raise NotYet(
            f"{AuditEntry.objects.count()} entries for {expected} deleted books and "
            "chapters: log each deleted object exactly once, and only books and chapters."
        )
