from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tutorial_project.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Idiomatic Django: receivers live in signals.py and are connected by
        # importing it here, once the app registry is ready.
        from . import signals  # noqa: F401
