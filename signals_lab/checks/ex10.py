"""10: from a signal to an explicit service function."""

from django.contrib.auth.models import User
from django.db.models.signals import post_save

from ..runtime.listeners import listeners
from .context import NotYet
from .scenarios import mails, rolled_back

PASS = "register_user() does the job explicitly, and nothing listens behind your back."


def check(ctx):
    register_user = ctx.function("register_user")
    own = [
        row[2]
        for row in listeners(post_save, include_django=False)
        if row[1] in ("auth.User", "(any sender)") and not row[2].startswith("tutorial_project.")
    ]
    if own:
        raise NotYet(
            f"A receiver of yours (`{own[0]}`) is still connected to post_save, so saving a "
            "user still does work behind your back: the point is to need none. Run "
            "`lab.forget()` (or restart the kernel) and keep only register_user()."
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
    if len(mails("welcome", "dana@example.com")) != 1:
        raise NotYet(
            "register_user() should send one e-mail whose subject contains 'Welcome' "
            "to the new user."
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
