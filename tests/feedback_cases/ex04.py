"""Answers to exercise 04 (an audit log of deletions) and the message each must get."""

HEADER = """
from django.db.models.signals import post_delete, pre_delete

from tutorial_project.catalog.models import AuditEntry, Author, Book, Chapter
"""

BOTH = (
    '@lab.receiver(post_delete, sender=Book, uid="audit-book")\n'
    '@lab.receiver(post_delete, sender=Chapter, uid="audit-chapter")\n'
)


def receiver(decorators=BOTH, model="sender._meta.label"):
    return (
        HEADER
        + f"""
{decorators}def log_deletion(sender, instance, **kwargs):
    AuditEntry.objects.create(
        action="delete",
        model={model},
        object_pk=str(instance.pk),
        description=str(instance),
    )
"""
    )


CASES = [
    ("solution", receiver(), "✓ 04_deletion_audit_log"),
    (
        "solution: one receiver for every model, filtered",
        receiver("@lab.receiver(post_delete)\n").replace(
            "    AuditEntry",
            "    if sender not in (Book, Chapter):\n        return\n    AuditEntry",
            1,
        ),
        "✓ 04_deletion_audit_log",
    ),
    (
        "solution: pre_delete",
        receiver(BOTH.replace("post_delete", "pre_delete")),
        "✓ 04_deletion_audit_log",
    ),
    ("nothing written yet", HEADER, "There is no function called `log_deletion` yet"),
    (
        "defined but not connected",
        receiver(""),
        "is not connected to post_delete",
    ),
    (
        "connected to Book only (misses cascaded chapters)",
        receiver("@lab.receiver(post_delete, sender=Book)\n"),
        "connect `log_deletion` to post_delete for Chapter too",
    ),
    (
        "connected to Chapter only",
        receiver("@lab.receiver(post_delete, sender=Chapter)\n"),
        "connect `log_deletion` to post_delete for Book too",
    ),
    (
        "connected to both pre_delete and post_delete",
        receiver(
            '@lab.receiver([pre_delete, post_delete], sender=Book, uid="audit-book")\n'
            '@lab.receiver([pre_delete, post_delete], sender=Chapter, uid="audit-chapter")\n'
        ),
        "connected to both pre_delete and post_delete",
    ),
    (
        "connected twice with plain connect()",
        receiver("")
        + "post_delete.connect(log_deletion, sender=Book)\n"
        + "post_delete.connect(log_deletion, sender=Chapter)\n"
        + receiver("")
        + "post_delete.connect(log_deletion, sender=Book)\n"
        + "post_delete.connect(log_deletion, sender=Chapter)\n",
        "connected twice for the same model",
    ),
    (
        "class name instead of the label",
        receiver(model="sender.__name__"),
        "got 'Chapter'",
    ),
    (
        "lower-case label",
        receiver(model="sender._meta.label_lower"),
        "(`sender._meta.label`), got 'catalog.chapter'",
    ),
    (
        "no sender: logs the author too",
        receiver("@lab.receiver(post_delete)\n"),
        "not the author",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "solution: stacked decorators without uid=",
        receiver(
            "@lab.receiver(post_delete, sender=Book)\n@lab.receiver(post_delete, sender=Chapter)\n"
        ),
        "✓ 04_deletion_audit_log",
    ),
    (
        "no sender, every model but Author logged",
        receiver("@lab.receiver(post_delete)\n").replace(
            "    AuditEntry", "    if sender is Author:\n        return\n    AuditEntry", 1
        ),
        "log only books and chapters",
    ),
]
