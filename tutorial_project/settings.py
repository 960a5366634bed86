"""
Settings for the Django Signals Lab tutorial project.

A learner's project in miniature: two domain apps (``accounts`` and ``catalog``),
then installed tools. ``runserver`` and ``manage.py`` use ``db.sqlite3`` beside
``manage.py`` (or the file ``SIGNALS_LAB_DATABASE`` names). Inside a Jupyter
kernel, ``signals_lab.boot()`` changes these settings for that kernel only: a
private SQLite database and the locmem e-mail backend.
"""

import os
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent

# Dev-only defaults: nothing here is a real secret. Set DJANGO_SECRET_KEY and
# DJANGO_DEBUG=0 in the environment for anything that is not a local lesson.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "django-insecure-signals-lab-dev-only-do-not-deploy"
)
DEBUG = os.environ.get("DJANGO_DEBUG", "1").lower() not in {"0", "false", "no", ""}
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # The project's own apps:
    "tutorial_project.accounts",
    "tutorial_project.catalog",
    # Installed tools: django-extensions (shell_plus, list_signals) and the
    # kit (`manage.py exercises`, an alias of the `signals-lab` command).
    "django_extensions",
    "signals_lab",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tutorial_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tutorial_project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tutorial_project.wsgi.application"
ASGI_APPLICATION = "tutorial_project.asgi.application"

# A kernel's boot() replaces NAME with a database private to that kernel;
# subprocesses started from a notebook (runserver, migrate) still use this one.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SIGNALS_LAB_DATABASE") or BASE_DIR / "db.sqlite3",
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Fast hashing: this is a teaching project; logins in lessons stay quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:book_list"
LOGOUT_REDIRECT_URL = "catalog:book_list"

# No e-mail ever leaves the machine: the console for runserver, locmem in a
# kernel (boot() sets it there) and in tests (Django's test runner does).
# Django 6.1 replaces EMAIL_BACKEND (and the other EMAIL_* settings) with
# MAILERS, and refuses both at once; 5.2 LTS knows only EMAIL_BACKEND:
# https://docs.djangoproject.com/en/6.1/howto/mailers-migration/
email_backend = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": email_backend}}
else:
    EMAIL_BACKEND = email_backend
DEFAULT_FROM_EMAIL = "Signals Lab <noreply@signals-lab.test>"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # 404s and the demo view that raises would otherwise print to stderr,
        # which nbval compares; lessons show them with the recorder instead.
        "django.request": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
