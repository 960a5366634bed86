"""05: a denormalised tag counter kept right by m2m_changed."""

from django.db.models.signals import m2m_changed

from tutorial_project.catalog.models import Author, Book, Tag

from . import NotYet

PASS = "tag_count stays right after add, remove, set and clear, from both sides. Well done!"


def _count(book):
    return Book.objects.values_list("tag_count", flat=True).get(pk=book.pk)


def _expect(book, expected, after, hint):
    got = _count(book)
    if got != expected:
        raise NotYet(f"After {after}, tag_count is {got}, expected {expected}{hint}")


def check(ctx):
    func = ctx.receiver("update_tag_count")
    ctx.expect_connected(m2m_changed, func, "m2m_changed")

    author = Author.objects.create(name="Le Guin")
    book = Book.objects.create(author=author, title="Earthsea")
    other = Book.objects.create(author=author, title="Tehanu")
    fantasy, classic, magic = (Tag.objects.create(name=n) for n in ("fantasy", "classic", "magic"))

    book.tags.add(fantasy, classic)
    _expect(
        book,
        2,
        "book.tags.add(two tags)",
        ": count on post_add (on pre_add the rows are not there yet).",
    )
    book.tags.remove(fantasy)
    _expect(book, 1, "book.tags.remove(one tag)", ": handle post_remove too.")
    book.tags.set([classic, magic])
    _expect(book, 2, "book.tags.set([two tags])", ".")
    book.tags.add(classic)
    _expect(book, 2, "adding a tag the book already has", " (pk_set is empty then).")
    fantasy.books.add(book, other)
    _expect(
        book,
        3,
        "tag.books.add(book) from the reverse side",
        ": with reverse=True, `instance` is a Tag and `pk_set` holds Book pks.",
    )
    _expect(other, 1, "tag.books.add(other_book) from the reverse side", ".")
    fantasy.books.remove(book)
    _expect(book, 2, "tag.books.remove(book) from the reverse side", ".")
    book.tags.clear()
    _expect(book, 0, "book.tags.clear()", ": handle post_clear (pk_set is None for clear).")
    fantasy.books.clear()
    _expect(
        other,
        0,
        "tag.books.clear() from the reverse side",
        ": pk_set is None, so remember the tag's books in pre_clear.",
    )
