"""
Receivers the accounts app needs: the seed note's story, done right.

After a user registers, send them a confirmation e-mail. Three details make it
correct, and the lessons show each one failing when it is left out:

* ``created``: only ``post_save`` has it, and it is True only for the INSERT;
* ``raw``: ``loaddata`` sends ``post_save`` with ``raw=True``, and fixtures must
  not send e-mail;
* ``transaction.on_commit``: the mail goes out only once the user really exists.
"""

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.confirmation_email")
def send_confirmation_email(sender, instance, created, raw, **kwargs):
    """Send a confirmation e-mail to a newly registered user who has an address."""
    if raw or not created or not instance.email:
        return
    transaction.on_commit(
        partial(
            send_mail,
            subject="Confirm your e-mail address",
            message=f"Hello {instance.username}, please confirm your e-mail address.",
            from_email=None,
            recipient_list=[instance.email],
        )
    )
