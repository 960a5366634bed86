"""02: a profile for every new user."""

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError
from django.db.models.signals import post_save

from tutorial_project.accounts.models import Profile

from . import NotYet
from ._common import rolled_back

PASS = "exactly one Profile per new user, none for fixtures. Well done!"


def check(ctx):
    func = ctx.receiver("create_profile")
    ctx.expect_connected(post_save, func, "post_save")

    user = User.objects.create_user("reader", "reader@example.com", "signals-lab-1")
    if not Profile.objects.filter(user=user).exists():
        raise NotYet("Creating a user made no accounts.Profile for them.")

    try:
        with rolled_back():  # keep the scenario's state whatever happens
            user.first_name = "Avid"
            user.save()
            user.save(update_fields=["first_name"])
    except IntegrityError:
        raise NotYet(
            "Saving an existing user failed with IntegrityError: the receiver tried to "
            "create a second Profile. Create it only when `created` is True."
        ) from None
    if Profile.objects.count() != 1:
        raise NotYet(f"There are {Profile.objects.count()} profiles for one user.")

    User.objects.create_user("second", "second@example.com", "signals-lab-1")
    if Profile.objects.count() != 2:
        raise NotYet("A second new user did not get a Profile.")

    call_command("loaddata", "users_demo", verbosity=0)
    if Profile.objects.filter(user__username__startswith="fixture_").exists():
        raise NotYet(
            "Loading a fixture created profiles: with raw=True the fixture provides its "
            "own related rows (and may not have loaded them yet). Return early when `raw` is True."
        )
