"""05: a denormalised tag counter kept right by m2m_changed."""

from django.db.models.signals import m2m_changed, pre_save

from tutorial_project.catalog.models import Author, Book, Tag

from ..runtime.boot import reset
from .context import NotYet
from .scenarios import other_models

PASS = "tag_count stays right after add, remove, set and clear, from both sides. Well done!"

REVERSE = (
    "with reverse=True (`tag.books.add(book)`) `instance` is a Tag and `pk_set` holds Book "
    "pks, so recount the books in `pk_set`."
)


def _count(book):
    return Book.objects.values_list("tag_count", flat=True).get(pk=book.pk)


def _expect(book, expected, after, hint):
    got = _count(book)
    if got != expected:
        raise NotYet(f"After {after}, tag_count is {got}, expected {expected}{hint}")


def _model_senders(ctx, func):
    """The models (Book, Tag) ``func`` is connected to as sender on m2m_changed."""
    models = {id(Book): "Book", id(Tag): "Tag"}
    return sorted({models[s] for s in ctx.senders(m2m_changed, func) if s in models})


def check(ctx):
    func = ctx.receiver("update_tag_count")
    ctx.expect_connected(m2m_changed, func, "m2m_changed")
    wrong = _model_senders(ctx, func)
    if wrong:
        raise NotYet(
            f"`update_tag_count` is connected with sender={wrong[0]}, but m2m_changed is sent "
            "by the through model, so it never runs: use `sender=Book.tags.through`."
        )
    if ctx.connected_to_any_sender(m2m_changed, func):
        other_models(func, "connect it with `sender=Book.tags.through` only.")
        reset()
    try:
        _scenarios()
    except AttributeError as error:
        if "'Tag' object has no attribute" in str(error):
            raise NotYet(
                f"`tag.books.add(book)` raised AttributeError in `update_tag_count`: {REVERSE}"
            ) from None
        raise
    except TypeError as error:
        if "'NoneType'" in str(error):
            raise NotYet(
                f"`clear()` raised TypeError ({error}): `pk_set` is None for pre_clear and "
                "post_clear, so recount without it."
            ) from None
        raise


def _scenarios():
    author = Author.objects.create(name="Le Guin")
    friend = Author.objects.create(name="Delany")
    book = Book.objects.create(author=author, title="Earthsea")
    other = Book.objects.create(author=author, title="Tehanu")
    fantasy, classic, magic = (Tag.objects.create(name=n) for n in ("fantasy", "classic", "magic"))

    saves = []

    def _spy(sender, instance, **kwargs):
        saves.append(instance)

    pre_save.connect(_spy, sender=Book, weak=False, dispatch_uid="lab-check-book-saves")
    try:
        book.tags.add(fantasy, classic)
    finally:
        pre_save.disconnect(sender=Book, dispatch_uid="lab-check-book-saves")
    _expect(
        book,
        2,
        "book.tags.add(two tags)",
        ": count on post_add (on pre_add the rows are not there yet).",
    )
    if _count(other) != 0:
        raise NotYet(
            f"After book.tags.add(two tags) on one book, another book's tag_count is "
            f"{_count(other)}, expected 0: your update() wrote every other book too. Filter "
            "it to that book: `Book.objects.filter(pk=book.pk).update(tag_count=...)`."
        )
    if saves:
        raise NotYet(
            "Changing a book's tags called save() on the book, which sends pre_save and "
            "post_save and writes every column from a copy that may be stale: write the count "
            "with `Book.objects.filter(pk=...).update(tag_count=...)` (QuerySet.update()), as "
            "the exercise asks."
        )
    book.tags.remove(fantasy)
    _expect(book, 1, "book.tags.remove(one tag)", ": handle post_remove too.")
    book.tags.set([classic, magic])
    _expect(book, 2, "book.tags.set([two tags])", ".")
    book.tags.add(classic)
    _expect(book, 2, "adding a tag the book already has", " (pk_set is empty then).")
    book.tags.remove(fantasy)
    _expect(
        book,
        2,
        "removing a tag the book did not have",
        ": `pk_set` holds every pk passed to remove(), so recount with `book.tags.count()` "
        "instead of adding and subtracting.",
    )
    fantasy.books.add(book, other)
    _expect(book, 3, "tag.books.add(book) from the reverse side", f": {REVERSE}")
    _expect(other, 1, "tag.books.add(other_book) from the reverse side", f": {REVERSE}")
    fantasy.books.remove(book)
    _expect(book, 2, "tag.books.remove(book) from the reverse side", f": {REVERSE}")
    book.tags.clear()
    _expect(book, 0, "book.tags.clear()", ": handle post_clear (pk_set is None for clear).")
    fantasy.books.clear()
    _expect(
        other,
        0,
        "tag.books.clear() from the reverse side",
        ": pk_set is None and the rows are gone by post_clear, so remember the tag's books "
        "in pre_clear.",
    )
    try:
        author.friends.add(friend)
    except Exception as error:
        raise NotYet(
            f"`author.friends.add(...)`, another many-to-many, raised {type(error).__name__} "
            "in `update_tag_count`: connect it with `sender=Book.tags.through` only."
        ) from None
