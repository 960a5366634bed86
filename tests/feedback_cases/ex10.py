"""Answers to exercise 10 (refactor to a service function) and the message each must get."""

HEADER = """
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
"""

SEND = '    send_mail("Welcome to Signals Lab", "Hello!", None, [email])\n'
ON_COMMIT = (
    "    transaction.on_commit(\n"
    '        lambda: send_mail("Welcome to Signals Lab", "Hello!", None, [email])\n'
    "    )\n"
)
CREATE = "    user = User.objects.create_user(username, email, password)\n"


def service(body):
    return HEADER + f"\ndef register_user(username, email, password):\n{body}"


CASES = [
    ("solution", service(CREATE + ON_COMMIT + "    return user\n"), "✓ 10_refactor_to_service"),
    ("nothing written yet", HEADER, "There is no function called `register_user` yet"),
    (
        "still a post_save receiver",
        HEADER
        + """
@lab.receiver(post_save, sender=User)
def send_welcome_email(sender, instance, created, raw, **kwargs):
    if created and not raw:
        transaction.on_commit(
            lambda: send_mail("Welcome to Signals Lab", "Hello!", None, [instance.email])
        )


def register_user(username, email, password):
    return User.objects.create_user(username, email, password)
""",
        "your receiver `send_welcome_email` is connected to post_save",
    ),
    (
        "mail sent without on_commit",
        service(CREATE + SEND + "    return user\n"),
        "A registration rolled back by the caller still sent a welcome e-mail",
    ),
    (
        "User(...) + save(): password not hashed",
        service(
            "    user = User(username=username, email=email, password=password)\n"
            "    user.save()\n" + ON_COMMIT + "    return user\n"
        ),
        "The new user's password does not check",
    ),
    (
        "User(...) never saved",
        service(
            "    user = User(username=username, email=email)\n"
            "    user.set_password(password)\n" + ON_COMMIT + "    return user\n"
        ),
        "User(...) alone is not in the database",
    ),
    (
        "user not returned",
        service(CREATE + ON_COMMIT),
        "register_user() returned None",
    ),
    (
        "no welcome e-mail",
        service(CREATE + "    return user\n"),
        "should send one e-mail whose subject contains 'Welcome'",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "another signal: a custom user_registered",
        HEADER
        + """
from django.dispatch import Signal

user_registered = Signal()


@lab.receiver(user_registered)
def send_welcome_email(sender, user, **kwargs):
    transaction.on_commit(
        lambda: send_mail("Welcome to Signals Lab", "Hello!", None, [user.email])
    )


def register_user(username, email, password):
    user = User.objects.create_user(username, email, password)
    user_registered.send(sender=User, user=user)
    return user
""",
        "still goes through a signal",
    ),
    (
        "another signal: pre_save instead of post_save",
        HEADER
        + """
from django.db.models.signals import pre_save


@lab.receiver(pre_save, sender=User)
def send_welcome_email(sender, instance, raw, **kwargs):
    if raw or instance.pk is not None:
        return
    transaction.on_commit(
        lambda: send_mail("Welcome to Signals Lab", "Hello!", None, [instance.email])
    )


def register_user(username, email, password):
    return User.objects.create_user(username, email, password)
""",
        "pre_save",
    ),
    (
        "mails every user",
        service(
            CREATE
            + "    everyone = [u.email for u in User.objects.exclude(email='')]\n"
            + "    transaction.on_commit(\n"
            + "        lambda: send_mail('Welcome to Signals Lab', 'Hello!', None, everyone)\n"
            + "    )\n    return user\n"
        ),
        "to the new user only",
    ),
]
