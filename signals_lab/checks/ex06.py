"""06: tracking logins and failed logins through the real login view."""

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.test import Client

from tutorial_project.accounts.models import LoginEvent

from ..runtime.dispatch import NONE_ID
from .context import NotYet

PASS = "every login and every failed attempt leaves a LoginEvent. Well done!"

SIGNALS = {
    "user_logged_in": user_logged_in,
    "user_login_failed": user_login_failed,
    "user_logged_out": user_logged_out,
    "post_save": post_save,
    "pre_save": pre_save,
}
SENDS = {
    "record_login": "user_logged_in sends `user` and `request`",
    "record_failed_login": "user_login_failed sends `credentials` and `request`, no user",
}


def _expect_on(ctx, func, wanted):
    """NotYet unless ``func`` is connected to ``wanted`` (say so if it is on another signal)."""
    name = func.__name__
    if not ctx.connections(SIGNALS[wanted], func):
        for label, signal in SIGNALS.items():
            if label != wanted and ctx.connections(signal, func):
                raise NotYet(
                    f"`{name}` is connected to {label}, but {wanted} is the signal for "
                    f"{'a login' if wanted == 'user_logged_in' else 'a failed login'}: "
                    f"connect it with `@lab.receiver({wanted})`."
                )
    ctx.expect_connected(SIGNALS[wanted], func, wanted)


def _login(username, password):
    try:
        Client().post("/accounts/login/", {"username": username, "password": password})
    except TypeError as error:
        # Django calls a receiver with keywords; a parameter the signal does not
        # send fails at the call, outside the learner's frame.
        for name, sends in SENDS.items():
            if f"{name}() missing" in str(error) or f"{name}() got an unexpected" in str(error):
                raise NotYet(
                    f"Calling `{name}` failed ({error}): {sends}; take only those by name "
                    "and the rest with **kwargs."
                ) from None
        raise


def check(ctx):
    on_login = ctx.receiver("record_login")
    on_failure = ctx.receiver("record_failed_login")
    _expect_on(ctx, on_login, "user_logged_in")
    _expect_on(ctx, on_failure, "user_login_failed")

    User.objects.create_user("alan", "alan@example.com", "enigma-1936")
    grace = User.objects.create_user("grace", "grace@example.com", "cobol-1959")
    _login("grace", "cobol-1959")
    written = list(LoginEvent.objects.all())
    events = [e for e in written if e.succeeded]
    if written and not events:
        raise NotYet("The LoginEvent of a successful login should have succeeded=True.")
    if not events:
        raise NotYet(
            "`record_login` is connected but wrote nothing on a real login: user_logged_in "
            "is a plain Signal sent with sender=the User class, so connect it with no sender "
            "(a string sender such as 'auth.User' never matches on a plain Signal)."
        )
    if len(events) > 1:
        raise NotYet(f"One login wrote {len(events)} LoginEvents instead of one.")
    if events[0].user_id != grace.pk or events[0].username != "grace":
        raise NotYet(
            "The LoginEvent of a login should have user=the user who logged in and "
            "username=user.username."
        )

    _login("grace", "wrong password")
    failed = list(LoginEvent.objects.filter(succeeded=False))
    if not failed:
        raise NotYet(_no_failed_event(ctx, on_failure))
    if len(failed) > 1:
        raise NotYet(f"One failed login wrote {len(failed)} LoginEvents instead of one.")
    if failed[0].username != "grace":
        raise NotYet(
            "The failed attempt should be stored with the username that was tried, "
            "`credentials.get('username', '')`."
        )
    if failed[0].user_id is not None:
        raise NotYet(
            "A failed attempt should be stored with no user: a wrong password proves nothing "
            "about who typed it, so keep only the username that was tried."
        )
    if LoginEvent.objects.filter(succeeded=True).count() != 1:
        raise NotYet("A failed login also wrote a successful LoginEvent.")

    _login("nobody", "whatever")
    if not LoginEvent.objects.filter(succeeded=False, username="nobody").exists():
        raise NotYet("A failed login with an unknown username 'nobody' was not recorded.")
    _login("grace", "cobol-1959")
    if LoginEvent.objects.filter(succeeded=True).count() != 2:
        raise NotYet("Two logins should leave two successful LoginEvents.")


def _no_failed_event(ctx, func):
    """Why a failed login wrote nothing, from how ``func`` is connected."""
    senders = [s for s in ctx.senders(user_login_failed, func) if s != NONE_ID]
    if not senders or len(senders) < ctx.connections(user_login_failed, func):
        return (
            "A failed login wrote no LoginEvent(succeeded=False): `record_failed_login` ran "
            "but wrote nothing."
        )
    if id(User) in senders:
        return (
            "A failed login wrote no LoginEvent(succeeded=False): `record_failed_login` is "
            "connected with sender=User, but user_login_failed is not sent by User (there is "
            "no user yet): connect it with no sender."
        )
    return (
        "A failed login wrote no LoginEvent(succeeded=False): `record_failed_login` is "
        "connected with a sender, and senders are matched by identity (the same object, "
        "`id()`), not by equal text. user_login_failed is sent with the module name of "
        "django.contrib.auth as sender, a string object your code does not hold (typing "
        "'django.contrib.auth' makes another object): connect it with no sender."
    )
