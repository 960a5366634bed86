"""Answers to exercise 02 (a profile for every new user) and the message each must get."""

HEADER = """
from django.contrib.auth.models import User
from django.db.models.signals import post_save, pre_save

from tutorial_project.accounts.models import Profile
"""


def receiver(
    body, signature="sender, instance, created, raw, **kwargs", connect="post_save, sender=User"
):
    return (
        HEADER
        + f"""
@lab.receiver({connect})
def create_profile({signature}):
{body}
"""
    )


CASES = [
    (
        "solution",
        receiver(
            "    if raw or not created:\n        return\n    Profile.objects.create(user=instance)"
        ),
        "✓ 02_profile_for_new_users",
    ),
    ("nothing written yet", HEADER, "There is no function called `create_profile` yet"),
    (
        "defined but not connected",
        HEADER
        + "def create_profile(sender, instance, created, raw, **kwargs):\n"
        + "    if raw or not created:\n        return\n    Profile.objects.create(user=instance)\n",
        "is not connected to post_save",
    ),
    (
        "connected to pre_save",
        receiver(
            "    Profile.objects.get_or_create(user=instance)",
            signature="sender, instance, **kwargs",
            connect="pre_save, sender=User",
        ),
        "connected to pre_save",
    ),
    (
        "no sender: runs for every model",
        receiver(
            "    if raw or not created:\n        return\n    Profile.objects.create(user=instance)",
            connect="post_save",
        ),
        "pass `sender=User`",
    ),
    (
        "sender instead of instance",
        receiver(
            "    if raw or not created:\n        return\n    Profile.objects.create(user=sender)"
        ),
        "`sender` is the User class",
    ),
    (
        "no created check",
        receiver("    if raw:\n        return\n    Profile.objects.create(user=instance)"),
        "failed with IntegrityError",
    ),
    (
        "no raw guard",
        receiver("    if not created:\n        return\n    Profile.objects.create(user=instance)"),
        "return early when `raw` is True",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "sender=Profile",
        receiver(
            "    if raw or not created:\n        return\n    Profile.objects.create(user=instance)",
            connect="post_save, sender=Profile",
        ),
        "sender=Profile",
    ),
    (
        "a profile for every user without one",
        receiver(
            "    if raw or not created:\n        return\n"
            "    for user in User.objects.filter(profile__isnull=True):\n"
            "        Profile.objects.create(user=user)"
        ),
        "other users",
    ),
]
