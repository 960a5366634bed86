"""
``python manage.py exercises ...``: an alias of the learner's ``signals-lab`` command.

    python manage.py exercises              # progress
    python manage.py exercises check 03     # same as `signals-lab check 03`
"""

import argparse

from django.core.management.base import BaseCommand

from signals_lab.tools import cli


class Command(BaseCommand):
    help = "Alias of `signals-lab`: progress, check, hint, reset, watch, init."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("words", nargs=argparse.REMAINDER, help="as for signals-lab")

    def handle(self, *args, words=(), **options):
        status = cli.main(list(words) or ["progress"])
        if status:
            raise SystemExit(status)
