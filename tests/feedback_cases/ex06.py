"""Answers to exercise 06 (login tracking) and the message each must get."""

HEADER = """
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from tutorial_project.accounts.models import LoginEvent
"""

LOGIN = """
@lab.receiver(user_logged_in)
def record_login(sender, user, **kwargs):
    LoginEvent.objects.create(user=user, username=user.username, succeeded=True)
"""

FAILED = """
@lab.receiver(user_login_failed)
def record_failed_login(sender, credentials, **kwargs):
    LoginEvent.objects.create(username=credentials.get("username", ""), succeeded=False)
"""

CASES = [
    ("solution", HEADER + LOGIN + FAILED, "✓ 06_login_tracking"),
    ("nothing written yet", HEADER, "There is no function called `record_login` yet"),
    (
        "string sender 'auth.User' on user_logged_in",
        HEADER + LOGIN.replace("(user_logged_in)", "(user_logged_in, sender='auth.User')") + FAILED,
        "a string sender such as 'auth.User' never matches on a plain Signal",
    ),
    (
        "failed-login receiver on sender=User",
        HEADER + LOGIN + FAILED.replace("(user_login_failed)", "(user_login_failed, sender=User)"),
        "user_login_failed is not sent by User",
    ),
    (
        "record_login connected to user_logged_out",
        HEADER + LOGIN.replace("(user_logged_in)", "(user_logged_out)") + FAILED,
        "`record_login` is connected to user_logged_out, but user_logged_in is the signal",
    ),
    (
        "failed-login receiver connected to user_logged_in",
        HEADER + LOGIN + FAILED.replace("(user_login_failed)", "(user_logged_in)"),
        "`record_failed_login` is connected to user_logged_in, but user_login_failed",
    ),
    (
        "failed-login receiver expects a user argument",
        HEADER
        + LOGIN
        + """
@lab.receiver(user_login_failed)
def record_failed_login(sender, user, credentials, **kwargs):
    LoginEvent.objects.create(user=user, username=user.username, succeeded=False)
""",
        "user_login_failed sends `credentials` and `request`, no user",
    ),
    (
        "failed-login receiver stores the user it looked up",
        HEADER
        + LOGIN
        + """
@lab.receiver(user_login_failed)
def record_failed_login(sender, credentials, **kwargs):
    username = credentials.get("username", "")
    LoginEvent.objects.create(
        user=User.objects.filter(username=username).first(),
        username=username,
        succeeded=False,
    )
""",
        "A failed attempt should be stored with no user",
    ),
    (
        "success stored as succeeded=False",
        HEADER + LOGIN.replace("succeeded=True", "succeeded=False") + FAILED,
        "should have succeeded=True",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
CASES += [
    (
        "string sender 'django.contrib.auth' on user_login_failed",
        HEADER
        + LOGIN
        + FAILED.replace(
            "(user_login_failed)", "(user_login_failed, sender='django.contrib.auth')"
        ),
        "by identity",
    ),
    (
        "the first user, not the one who logged in",
        HEADER
        + LOGIN.replace(
            "LoginEvent.objects.create(user=user, username=user.username, succeeded=True)",
            "first = User.objects.first()\n"
            "    LoginEvent.objects.create(user=first, username=first.username, succeeded=True)",
        )
        + FAILED,
        "user=the user who logged in",
    ),
]
