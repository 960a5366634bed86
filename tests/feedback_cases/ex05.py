"""Answers to exercise 05 (a denormalised tag counter) and the message each must get."""

HEADER = """
from django.db.models.signals import m2m_changed

from tutorial_project.catalog.models import Author, Book, Tag
"""


def receiver(body, sender="Book.tags.through"):
    return (
        HEADER
        + f"""
@lab.receiver(m2m_changed, sender={sender})
def update_tag_count(sender, instance, action, reverse, pk_set, **kwargs):
{body}
"""
    )


RECOUNT = """    for book in books:
        Book.objects.filter(pk=book.pk).update(tag_count=book.tags.count())"""

SOLUTION = (
    """    if action == "pre_clear" and reverse:
        instance._cleared = set(instance.books.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        books = [instance]
    elif action == "post_clear":
        books = Book.objects.filter(pk__in=instance.__dict__.pop("_cleared", ()))
    else:
        books = Book.objects.filter(pk__in=pk_set)
"""
    + RECOUNT
)

FORWARD_ONLY = (
    """    if action not in ("post_add", "post_remove", "post_clear"):
        return
    books = [instance]
"""
    + RECOUNT
)

CASES = [
    ("solution", receiver(SOLUTION), "✓ 05_tag_counter"),
    ("nothing written yet", HEADER, "There is no function called `update_tag_count` yet"),
    (
        "defined but not connected",
        HEADER
        + "def update_tag_count(sender, instance, action, reverse, pk_set, **kwargs):\n"
        + "    pass\n",
        "is not connected to m2m_changed",
    ),
    (
        "sender=Book instead of the through model",
        receiver(SOLUTION, sender="Book"),
        "use `sender=Book.tags.through`",
    ),
    (
        "pre_add instead of post_add",
        receiver(SOLUTION.replace('"post_add"', '"pre_add"')),
        "count on post_add",
    ),
    (
        "adding and subtracting len(pk_set)",
        receiver(
            """    if reverse or action not in ("post_add", "post_remove"):
        return
    change = len(pk_set) if action == "post_add" else -len(pk_set)
    instance.tag_count += change
    Book.objects.filter(pk=instance.pk).update(tag_count=instance.tag_count)"""
        ),
        "`pk_set` holds every pk passed to remove()",
    ),
    (
        "ignoring reverse=True (instance is a Tag)",
        receiver(FORWARD_ONLY),
        "`instance` is a Tag",
    ),
    (
        "ignoring reverse=True, writing the wrong book",
        receiver(
            """    if action in ("post_add", "post_remove", "post_clear"):
        count = Book.tags.through.objects.filter(book_id=instance.pk).count()
        Book.objects.filter(pk=instance.pk).update(tag_count=count)"""
        ),
        "from the reverse side",
    ),
    (
        "ignoring clear",
        receiver(SOLUTION.replace(', "post_clear")', ")")),
        "handle post_clear",
    ),
    (
        "iterating pk_set on clear",
        receiver(
            """    if action not in ("post_add", "post_remove", "post_clear"):
        return
    pks = [instance.pk] if not reverse else list(pk_set)
    for book in Book.objects.filter(pk__in=pks):
        Book.objects.filter(pk=book.pk).update(tag_count=book.tags.count())"""
        ),
        "`pk_set` is None for pre_clear and post_clear",
    ),
    (
        "reverse clear handled in post_clear only",
        receiver(SOLUTION.replace('action == "pre_clear" and reverse', "False")),
        "remember the tag's books in pre_clear",
    ),
    (
        "no sender: runs for Author.friends too",
        receiver(SOLUTION, sender="None"),
        "another many-to-many",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "QuerySet.update() without filter(): every book gets the count",
        receiver(
            SOLUTION.replace("Book.objects.filter(pk=book.pk).update(", "Book.objects.update(")
        ),
        "every other book",
    ),
    (
        "save() instead of QuerySet.update()",
        receiver(
            SOLUTION.replace(
                "Book.objects.filter(pk=book.pk).update(tag_count=book.tags.count())",
                "book.tag_count = book.tags.count()\n        book.save()",
            )
        ),
        "QuerySet.update()",
    ),
    (
        "re-setting the tags in order inside the receiver (recursion)",
        receiver(
            "    if action == 'post_add' and not reverse:\n"
            "        instance.tags.set(sorted(instance.tags.all(), key=str), clear=True)\n"
            + SOLUTION
        ),
        "sends m2m_changed again",
    ),
]
