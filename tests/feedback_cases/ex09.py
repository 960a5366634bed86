"""Answers to exercise 09 (a test for the on_commit receiver) and the message each must get."""

HEADER = """
import pytest
from django.contrib.auth.models import User
from django.core import mail
"""


def test(body, signature="django_capture_on_commit_callbacks", mark="@pytest.mark.django_db"):
    return (
        HEADER
        + f"""

{mark}
def test_confirmation_email({signature}):
{body}
"""
    )


CREATE = '    User.objects.create_user("ada", "ada@example.com", "analytical-engine-1843")\n'
CAPTURED = "    with django_capture_on_commit_callbacks(execute=True):\n    " + CREATE
EXACTLY_ONE = (
    '    assert len(mail.outbox) == 1\n    assert mail.outbox[0].to == ["ada@example.com"]\n'
)

CASES = [
    ("solution", test(CAPTURED + EXACTLY_ONE), "✓ 09_testing_receivers"),
    (
        "solution with mailoutbox and its own import",
        HEADER.replace("from django.core import mail\n", "from django.db import transaction\n")
        + """

@pytest.mark.django_db
def test_confirmation_email(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            User.objects.create_user("ada", "ada@example.com", "analytical-engine-1843")
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
""",
        "✓ 09_testing_receivers",
    ),
    ("nothing written yet", HEADER, "There is no test function called `test_confirmation_email`"),
    (
        "no capture_on_commit",
        test(CREATE + EXACTLY_ONE, signature=""),
        "inside a test's transaction on_commit callbacks never run",
    ),
    (
        "capture without execute=True",
        test(CAPTURED.replace("execute=True", "") + EXACTLY_ONE),
        "only collects the callbacks unless you pass `execute=True`",
    ),
    (
        "nothing about the count (passes on twice)",
        test(CAPTURED + '    assert mail.outbox[0].to == ["ada@example.com"]\n'),
        "still passes when the e-mail is sent twice",
    ),
    (
        "asserts nothing (passes on silent)",
        test(CAPTURED),
        "still passes when no confirmation e-mail is sent at all",
    ),
    (
        "no django_db mark",
        test(CAPTURED + EXACTLY_ONE, mark=""),
        "mark it with `@pytest.mark.django_db`",
    ),
    (
        "misspelt fixture",
        test(
            CAPTURED.replace("django_capture", "capture") + EXACTLY_ONE,
            signature="capture_on_commit_callbacks",
        ),
        "pytest has no fixture called `capture_on_commit_callbacks`",
    ),
]

# Written for issue 14 as learners would, before the checks were changed.
MOCK = """
from unittest import mock


@pytest.mark.django_db
def test_confirmation_email(django_capture_on_commit_callbacks):
    with mock.patch("TARGET") as fake:
        with django_capture_on_commit_callbacks(execute=True):
            User.objects.create_user("ada", "ada@example.com", "analytical-engine-1843")
    fake.assert_called_once()
    assert fake.call_args.kwargs["recipient_list"] == ["ada@example.com"]
"""

CASES += [
    (
        "mock patched where send_mail is defined",
        HEADER + MOCK.replace("TARGET", "django.core.mail.send_mail"),
        "where it is looked up",
    ),
    (
        "solution: mock patched where the receiver looks it up",
        HEADER + MOCK.replace("TARGET", "tutorial_project.accounts.signals.send_mail"),
        "✓ 09_testing_receivers",
    ),
    (
        "waits for the e-mail without capturing on_commit (never ends)",
        test(
            "    User.objects.create_user('ada', 'ada@example.com', 'x-1843')\n"
            "    while not mail.outbox:\n        pass\n",
            signature="",
        ),
        "ran for more than",
    ),
]
