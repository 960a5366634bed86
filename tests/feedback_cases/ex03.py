"""Answers to exercise 03 (a slug kept in sync) and the message each must get."""

HEADER = """
from django.db.models.signals import post_save, pre_save
from django.utils.text import slugify

from tutorial_project.catalog.models import Author, Book
"""


def receiver(body, signal="post_save", sender="sender=Book"):
    return (
        HEADER
        + f"""
@lab.receiver({signal}, {sender})
def sync_slug(sender, instance, **kwargs):
{body}
"""
    )


UPDATE = "    Book.objects.filter(pk=instance.pk).update(slug=slugify(instance.title))"

CASES = [
    (
        "solution",
        receiver(
            "    if kwargs['raw']:\n        return\n    instance.slug = slugify(instance.title)\n"
            + UPDATE
        ),
        "✓ 03_slug_without_recursion",
    ),
    (
        "solution: update_fields guard around save()",
        receiver(
            "    if raw or (update_fields and 'slug' in update_fields):\n"
            "        return\n"
            "    instance.slug = slugify(instance.title)\n"
            "    instance.save(update_fields=['slug'])"
        ).replace("instance, **kwargs", "instance, raw, update_fields, **kwargs"),
        "✓ 03_slug_without_recursion",
    ),
    ("nothing written yet", HEADER, "There is no function called `sync_slug` yet"),
    (
        "defined but not connected",
        HEADER + "def sync_slug(sender, instance, **kwargs):\n" + UPDATE + "\n",
        "is not connected to pre_save or post_save for Book",
    ),
    (
        "no sender: runs for every model",
        receiver("    instance.slug = slugify(instance.title)\n" + UPDATE, sender="").replace(
            "(post_save, )", "(post_save)"
        ),
        "pass `sender=Book`",
    ),
    (
        "instance.save() inside post_save",
        receiver("    instance.slug = slugify(instance.title)\n    instance.save()"),
        "ended in RecursionError",
    ),
    (
        "instance.save() inside pre_save",
        receiver("    instance.slug = slugify(instance.title)\n    instance.save()", "pre_save"),
        "ended in RecursionError",
    ),
    (
        "mutating only in pre_save (update_fields leaves the slug out)",
        receiver("    instance.slug = slugify(instance.title)", "pre_save"),
        "a field changed in pre_save is not written",
    ),
    (
        "only filling an empty slug in pre_save",
        receiver(
            "    if not instance.slug:\n        instance.slug = slugify(instance.title)",
            "pre_save",
        ),
        "not only when it is empty",
    ),
    (
        "setting instance.slug in post_save without writing it",
        receiver("    instance.slug = slugify(instance.title)"),
        "in post_save the row is already written",
    ),
    (
        "QuerySet.update() without updating instance.slug",
        receiver(UPDATE),
        "`book.slug` in memory is stale",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "QuerySet.update() without filter(): every book gets the slug",
        receiver(
            "    instance.slug = slugify(instance.title)\n"
            "    Book.objects.update(slug=instance.slug)"
        ),
        "every other book",
    ),
    (
        "slug made by hand, not slugify()",
        receiver(
            "    instance.slug = instance.title.lower().replace(' ', '-')\n"
            "    Book.objects.filter(pk=instance.pk).update(slug=instance.slug)"
        ),
        "slugify(",
    ),
    (
        "no raw guard: a fixture's own slug is overwritten",
        receiver("    instance.slug = slugify(instance.title)\n" + UPDATE),
        "return early when `raw` is True",
    ),
]
