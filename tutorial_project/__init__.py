"""Django Signals Lab: a real Django 5.2 project that the lessons boot in a kernel."""

import sys

if "ipykernel" in sys.modules:  # pragma: no cover - exercised by the notebooks
    # Importing a model before boot() then says "run the first cell" in one
    # line, instead of Django's long AppRegistryNotReady traceback.
    from tutorial_project.lab.errors import install_error_handler

    install_error_handler()
