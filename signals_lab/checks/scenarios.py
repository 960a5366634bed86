"""Helpers shared by the exercise checks."""

import contextlib
from email.utils import parseaddr

from django.core import mail
from django.db import transaction


class Rollback(Exception):
    """Raised inside atomic() to roll a scenario back."""


@contextlib.contextmanager
def rolled_back():
    """Run the block in a transaction that is rolled back at the end."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def addresses(message):
    """Every recipient address of ``message`` (to, cc, bcc), display names left out."""
    return [parseaddr(r)[1] for r in message.to + message.cc + message.bcc]


def mails(subject_word, address=None):
    """Messages in the outbox whose subject contains ``subject_word`` (sent to ``address``)."""
    return [
        m
        for m in getattr(mail, "outbox", [])
        if subject_word in m.subject.lower() and (address is None or address in addresses(m))
    ]


# The project's own receiver (accounts.signals) sends this to every new user.
PROJECT_MAIL = "confirm your e-mail address"


def own_mails():
    """Messages in the outbox that the project's own receivers did not send."""
    return [m for m in getattr(mail, "outbox", []) if PROJECT_MAIL not in m.subject.lower()]


def _other_model_actions(skip):
    """``(what happened, callable)`` for rows of models an exercise is not about."""
    from django.contrib.auth.models import User

    from tutorial_project.catalog.models import Author, Book, Tag

    made = {}

    def tag():
        made["tag"] = Tag.objects.create(name="other-model-tag")

    def author():
        made["author"] = Author.objects.create(name="Another Author")
        made["author"].name = "Another Author, renamed"
        made["author"].save()

    def friend():
        made["friend"] = Author.objects.create(name="A Friend")
        made["author"].friends.add(made["friend"])

    def user():
        made["user"] = User.objects.create_user("other_model_user", "", "signals-lab-1")
        made["user"].first_name = "Other"
        made["user"].save()

    def book():
        made["book"] = Book.objects.create(author=made["author"], title="Another Book")

    actions = [
        (Tag, "a Tag was created", tag),
        (Author, "an Author was created and saved", author),
        (Author, "adding to `author.friends`, another many-to-many,", friend),
        (User, "a User was created and saved", user),
        (Book, "a Book was created", book),
        (Tag, "a Tag was deleted", lambda: made["tag"].delete()),
        (User, "a User was deleted", lambda: made.pop("user").delete()),
        (Author, "an Author with no books was deleted", lambda: made.pop("friend").delete()),
    ]
    return [(label, action) for model, label, action in actions if model not in skip]


def other_models(func, fix, *, skip=(), watch=None):
    """
    Save, change and delete rows of models the exercise is not about (skipping
    the models in ``skip``), in autocommit so on_commit callbacks run too.
    NotYet if the learner's code raises there, or if a ``watch`` counter
    (``{"what it did": callable returning a number}``) changes: one sentence
    ending with ``fix``. The caller starts the data over afterwards.
    """
    from .context import NotYet, learner_frames

    watch = dict(watch or {})
    for label, action in _other_model_actions(skip):
        before = {what: count() for what, count in watch.items()}
        try:
            action()
        except Exception as error:
            if not learner_frames(error):
                raise
            raise NotYet(
                f"`{func.__name__}` also runs when {label.rstrip(',')}, and raised "
                f"{type(error).__name__} there ({error}): {fix}"
            ) from None
        for what, count in watch.items():
            if count() != before[what]:
                raise NotYet(
                    f"`{func.__name__}` also runs when {label.rstrip(',')}, and {what}: {fix}"
                )
