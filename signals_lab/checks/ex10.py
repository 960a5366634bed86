"""10: from a signal to an explicit service function."""

from django.contrib.auth.models import User
from django.dispatch import Signal

from ..runtime.listeners import listeners
from .context import NotYet
from .scenarios import addresses, mails, rolled_back

PASS = "register_user() does the job explicitly, and nothing listens behind your back."


# Receivers that are not the learner's: Django's, the project's, the kit's.
NOT_YOURS = ("django.", "tutorial_project.", "signals_lab.")


def _yours(ctx):
    """
    ``(signal name, receiver)`` for every receiver of the learner's: first on
    the signals their notebook defines (named as they named them), then on any.
    """
    found = []
    for name, value in list(ctx.namespace.items()):
        if isinstance(value, Signal) and not name.startswith("_"):
            found += [(name, r) for _s, _d, r in listeners(value, include_django=False)]
    found += [(s, r) for s, _d, r in listeners(include_django=False)]
    return [(signal, receiver) for signal, receiver in found if not receiver.startswith(NOT_YOURS)]


def check(ctx):
    register_user = ctx.function("register_user")
    own = _yours(ctx)
    if own:
        signal, receiver = own[0]
        raise NotYet(
            f"register_user() still goes through a signal: your receiver `{receiver}` is "
            f"connected to {signal}, so the work still happens behind the caller's back. "
            "The point of the refactor is that register_user() does it itself, in plain "
            "sight: call the code directly, then run `lab.forget()` (or restart the kernel) "
            "so no receiver of yours is left."
        )

    user = register_user("dana", "dana@example.com", "signals-lab-1")
    if user is None:
        raise NotYet("register_user() returned None: it should create the user and return it.")
    if not isinstance(user, User) or user.pk is None:
        raise NotYet(
            "register_user() should return the new User, saved: User(...) alone is not in "
            "the database; User.objects.create_user() saves it (and hashes the password)."
        )
    if not user.check_password("signals-lab-1"):
        raise NotYet(
            "The new user's password does not check: create the user with "
            "User.objects.create_user(), which hashes it."
        )
    welcome = mails("welcome", "dana@example.com")
    if len(welcome) != 1:
        raise NotYet(
            "register_user() should send one e-mail whose subject contains 'Welcome' "
            "to the new user."
        )
    register_user("fred", "fred@example.com", "signals-lab-1")
    for message in mails("welcome", "fred@example.com"):
        others = sorted(set(addresses(message)) - {"fred@example.com"})
        if others:
            raise NotYet(
                f"The welcome e-mail for the new user fred@example.com also went to "
                f"{', '.join(others)}: send it to the new user only (`email`)."
            )

    User.objects.create_user("eve", "eve@example.com", "signals-lab-1")
    if mails("welcome", "eve@example.com"):
        raise NotYet(
            "A user created directly with create_user() also got a welcome e-mail: "
            "something still listens to post_save."
        )

    with rolled_back():
        register_user("ghost", "ghost@example.com", "signals-lab-1")
    if mails("welcome", "ghost@example.com"):
        raise NotYet(
            "A registration rolled back by the caller still sent a welcome e-mail: "
            "send it with transaction.on_commit()."
        )
