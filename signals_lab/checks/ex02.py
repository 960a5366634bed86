"""02: a profile for every new user."""

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import IntegrityError
from django.db.models.signals import post_save, pre_save

from tutorial_project.accounts.models import Profile

from ..runtime.boot import reset
from .context import NotYet
from .scenarios import other_models, rolled_back

PASS = "exactly one Profile per new user, none for fixtures. Well done!"


def create_user(username):
    try:
        return User.objects.create_user(username, f"{username}@example.com", "signals-lab-1")
    except ValueError as error:
        if 'must be a "User" instance' in str(error) and "class" in str(error):
            raise NotYet(
                "`sender` is the User class, not the new user: write "
                "`Profile.objects.create(user=instance)`."
            ) from None
        raise


def check(ctx):
    func = ctx.receiver("create_profile")
    if ctx.connections(pre_save, func):
        raise NotYet(
            "`create_profile` is connected to pre_save, which runs before the user has a "
            "primary key and has no `created` argument: connect it to post_save."
        )
    ctx.expect_connected(post_save, func, "post_save")
    ctx.expect_sender(post_save, func, "post_save", User)
    if ctx.connected_to_any_sender(post_save, func):
        other_models(
            func,
            "it is connected to post_save for every model (a new Profile would trigger it "
            "too): pass `sender=User`.",
            skip={User},
            watch={"created a Profile": Profile.objects.count},
        )
        reset()

    user = create_user("reader")
    if not Profile.objects.filter(user=user).exists():
        raise NotYet("Creating a user made no accounts.Profile for them.")

    try:
        with rolled_back():  # keep the scenario's state whatever happens
            user.first_name = "Avid"
            user.save()
            user.save(update_fields=["first_name"])
    except IntegrityError:
        raise NotYet(
            "Saving an existing user failed with IntegrityError because the receiver "
            "created a second Profile: create it only when `created` is True."
        ) from None
    if Profile.objects.count() != 1:
        raise NotYet(
            f"There are {Profile.objects.count()} profiles for one user: create one only "
            "when `created` is True."
        )

    create_user("second")
    if Profile.objects.count() != 2:
        raise NotYet("A second new user did not get a Profile.")

    call_command("loaddata", "users_demo", verbosity=0)
    if Profile.objects.filter(user__username__startswith="fixture_").exists():
        raise NotYet(
            "Loading a fixture created profiles, but a fixture brings its own related rows "
            "(maybe not loaded yet when raw=True): return early when `raw` is True."
        )

    third = create_user("third")
    others = sorted(
        Profile.objects.exclude(user__in=[user.pk, third.pk])
        .exclude(user__username="second")
        .values_list("user__username", flat=True)
    )
    if others:
        raise NotYet(
            f"Creating one new user also created profiles for other users ({', '.join(others)}): "
            "create one for `instance`, the user just saved, only."
        )
    if not Profile.objects.filter(user=third).exists():
        raise NotYet("A user created after a fixture was loaded did not get a Profile.")
