"""06: tracking logins and failed logins through the real login view."""

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import Client

from tutorial_project.accounts.models import LoginEvent

from . import NotYet

PASS = "every login and every failed attempt leaves a LoginEvent. Well done!"


def _login(username, password):
    Client().post("/accounts/login/", {"username": username, "password": password})


def check(ctx):
    on_login = ctx.receiver("record_login")
    on_failure = ctx.receiver("record_failed_login")
    ctx.expect_connected(user_logged_in, on_login, "user_logged_in")
    ctx.expect_connected(user_login_failed, on_failure, "user_login_failed")

    grace = User.objects.create_user("grace", "grace@example.com", "cobol-1959")
    _login("grace", "cobol-1959")
    events = list(LoginEvent.objects.filter(succeeded=True))
    if not events:
        raise NotYet(
            "`record_login` is connected but wrote nothing on a real login. user_logged_in "
            "is a plain Signal sent with sender=the User class: a string sender such as "
            "'auth.User' never matches (lazy strings work for model signals only)."
        )
    if len(events) > 1:
        raise NotYet(f"One login wrote {len(events)} LoginEvents.")
    if events[0].user_id != grace.pk or events[0].username != "grace":
        raise NotYet("The LoginEvent of a login should have user=the user and username='grace'.")

    _login("grace", "wrong password")
    failed = list(LoginEvent.objects.filter(succeeded=False))
    if not failed:
        raise NotYet(
            "A failed login wrote no LoginEvent(succeeded=False): `record_failed_login` "
            "should be connected to user_login_failed without a sender (its sender is the "
            "string 'django.contrib.auth')."
        )
    if failed[0].username != "grace" or failed[0].user_id is not None:
        raise NotYet(
            "The failed attempt should be stored with username='grace' (from "
            "`credentials['username']`) and no user."
        )

    _login("nobody", "whatever")
    if not LoginEvent.objects.filter(succeeded=False, username="nobody").exists():
        raise NotYet("A failed login with an unknown username 'nobody' was not recorded.")
    _login("grace", "cobol-1959")
    if LoginEvent.objects.filter(succeeded=True).count() != 2:
        raise NotYet("Two logins should leave two successful LoginEvents.")
