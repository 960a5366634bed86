"""Settings for a test: the project plus an app whose model has no migration."""

from tutorial_project.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.unmigrated_app"]  # noqa: F405
