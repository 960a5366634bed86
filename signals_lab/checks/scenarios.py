"""Helpers shared by the exercise checks."""

import contextlib
import logging

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


def mails(subject_word, address=None):
    """Messages in the outbox whose subject contains ``subject_word``."""
    return [
        m
        for m in getattr(mail, "outbox", [])
        if subject_word in m.subject.lower() and (address is None or address in m.to)
    ]


@contextlib.contextmanager
def quiet_logger(name):
    """Silence a logger (e.g. django.dispatch's send_robust errors) for the block."""
    logger = logging.getLogger(name)
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before
