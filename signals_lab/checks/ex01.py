"""01: a welcome e-mail, done right (post_save, created, raw, on_commit)."""

from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_save, pre_save

from ..runtime.boot import reset
from .context import NotYet
from .scenarios import addresses, mails, other_models, own_mails, rolled_back

PASS = "one welcome e-mail per new user, after commit, never for updates or fixtures. Well done!"


def create_user(username, email):
    try:
        return User.objects.create_user(username, email, "signals-lab-1")
    except AttributeError as error:
        if "has no attribute 'user'" in str(error):
            raise NotYet(
                "`instance` is the User itself: write `instance.username` and "
                "`instance.email`, not `instance.user.username`."
            ) from None
        raise


def check(ctx):
    func = ctx.receiver("send_welcome_email")
    if ctx.connections(pre_save, func):
        raise NotYet(
            "`send_welcome_email` is connected to pre_save, which has no `created` argument "
            "and runs before the user is saved: connect it to post_save."
        )
    ctx.expect_connected(post_save, func, "post_save")
    ctx.expect_sender(post_save, func, "post_save", User)
    other_models(
        func,
        "it is connected to post_save for every model: pass `sender=User`.",
        skip={User},
        watch={"sent an e-mail": lambda: len(own_mails())},
    )
    reset()

    user = create_user("newcomer", "newcomer@example.com")
    got = mails("welcome", "newcomer@example.com")
    if not got:
        raise NotYet(
            "No e-mail whose subject contains 'Welcome' reached newcomer@example.com "
            "when a new user was created."
        )
    if len(got) > 1:
        raise NotYet(f"A new user got {len(got)} welcome e-mails instead of one.")
    _only_to(got[0], "newcomer@example.com")

    user.first_name = "New"
    user.save()
    if len(mails("welcome")) > 1:
        raise NotYet(
            "Saving an existing user sent another welcome e-mail: send it only when "
            "`created` is True."
        )

    mail.outbox = []
    call_command("loaddata", "users_demo", verbosity=0)
    if mails("welcome"):
        raise NotYet(
            "Loading a fixture with loaddata sent welcome e-mails: return early when `raw` is True."
        )

    with rolled_back():
        create_user("ghost", "ghost@example.com")
    if mails("welcome"):
        raise NotYet(
            "A registration that was rolled back still sent a welcome e-mail: send it "
            "with `transaction.on_commit(...)`."
        )

    with transaction.atomic():
        create_user("late", "late@example.com")
        early = bool(mails("welcome"))
    if early:
        raise NotYet(
            "The welcome e-mail went out before the transaction committed: send it "
            "with `transaction.on_commit(...)`."
        )
    late = mails("welcome", "late@example.com")
    if len(late) != 1:
        raise NotYet(
            "A user created inside transaction.atomic() got no welcome e-mail after commit."
        )
    _only_to(late[0], "late@example.com")

    mail.outbox = []
    create_user("anonymous", "")
    if mails("welcome"):
        raise NotYet(
            "A new user without an e-mail address got a welcome e-mail (to "
            f"{', '.join(mails('welcome')[0].to)}): return early when `instance.email` is "
            "empty."
        )


def _only_to(message, address):
    others = sorted(set(addresses(message)) - {address})
    if others:
        shown = ", ".join(others[:3]) + (" ..." if len(others) > 3 else "")
        raise NotYet(
            f"The welcome e-mail for the new user {address} also went to {shown}: send it "
            "to `instance.email` only."
        )
