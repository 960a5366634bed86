"""Answers to exercise 01 (welcome e-mail) and the message each must get."""

HEADER = """
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save, pre_save
"""


def receiver(body, signature="sender, instance, created, raw, **kwargs", signal="post_save"):
    return (
        HEADER
        + f"""
@lab.receiver({signal}, sender=User)
def send_welcome_email({signature}):
{body}
"""
    )


SEND = """    send_mail("Welcome to Signals Lab", "Hello!", None, [instance.email])"""
ON_COMMIT = """    transaction.on_commit(
        lambda: send_mail("Welcome to Signals Lab", "Hello!", None, [instance.email])
    )"""

CASES = [
    (
        "solution",
        receiver("    if raw or not created or not instance.email:\n        return\n" + ON_COMMIT),
        "✓ 01_welcome_email",
    ),
    ("nothing written yet", HEADER, "There is no function called `send_welcome_email` yet"),
    (
        "no **kwargs",
        HEADER + "def send_welcome_email(sender, instance, created):\n    pass\n",
        "must accept `**kwargs`",
    ),
    (
        "defined but not connected",
        HEADER + "def send_welcome_email(sender, instance, created, **kwargs):\n    pass\n",
        "is not connected to post_save",
    ),
    (
        "created parameter on pre_save (the seed note)",
        receiver(
            "    print(instance.username, instance.id)",
            signature="sender, instance, created, *args, **kwargs",
            signal="pre_save",
        ),
        "connected to pre_save, which has no `created` argument",
    ),
    (
        "instance.user.username (the seed note)",
        receiver("    if created:\n        print('Send email to', instance.user.username)"),
        "write `instance.username`",
    ),
    (
        "no created check",
        receiver("    if raw:\n        return\n" + ON_COMMIT),
        "send it only when `created`",
    ),
    (
        "no raw guard",
        receiver("    if not created:\n        return\n" + ON_COMMIT),
        "return early when `raw`",
    ),
    (
        "mail outside on_commit",
        receiver("    if raw or not created:\n        return\n" + SEND),
        "rolled back still sent a welcome e-mail",
    ),
    (
        "connected twice on re-run with plain connect()",
        HEADER
        + """
def send_welcome_email(sender, instance, created, raw, **kwargs):
    pass
post_save.connect(send_welcome_email, sender=User)
def send_welcome_email(sender, instance, created, raw, **kwargs):
    pass
post_save.connect(send_welcome_email, sender=User)
""",
        "is connected 2 times to post_save",
    ),
    (
        "save() inside the receiver",
        receiver("    instance.save()"),
        "RecursionError",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "no sender: saving any other model breaks",
        receiver(
            "    if raw or not created or not instance.email:\n        return\n" + ON_COMMIT
        ).replace("(post_save, sender=User)", "(post_save)"),
        "pass `sender=User`",
    ),
    (
        "mails every user, not the new one",
        receiver(
            "    if raw or not created:\n        return\n"
            "    everyone = [u.email for u in User.objects.exclude(email='')]\n"
            "    transaction.on_commit(\n"
            "        lambda: send_mail('Welcome to Signals Lab', 'Hello!', None, everyone)\n"
            "    )"
        ),
        "to `instance.email` only",
    ),
    (
        "no check for a user without an address (recipient with a display name)",
        receiver(
            "    if raw or not created:\n        return\n"
            + ON_COMMIT.replace("[instance.email]", '[f"{instance.username} <{instance.email}>"]')
        ),
        "without an e-mail address",
    ),
    (
        "solution: recipient with a display name",
        receiver(
            "    if raw or not created or not instance.email:\n        return\n"
            + ON_COMMIT.replace("[instance.email]", '[f"{instance.username} <{instance.email}>"]')
        ),
        "✓ 01_welcome_email",
    ),
    (
        "waits for the outbox inside a transaction (never returns)",
        receiver(
            "    if raw or not created or not instance.email:\n        return\n"
            + ON_COMMIT
            + "\n    from django.core import mail\n"
            "    while not mail.outbox:\n        pass"
        ),
        "did not return within",
    ),
]

# Messages that used to mislead (issue 14, section 3).
CASES += [
    (
        "no **kwargs under @lab.receiver (the decorator refuses it)",
        receiver("    pass", signature="sender, instance, created"),
        "must accept `**kwargs`",
    ),
    (
        "SyntaxError in the answer cell",
        receiver("    if raw created:\n        return"),
        "(`if raw created:`): invalid syntax. Fix that line",
    ),
]
