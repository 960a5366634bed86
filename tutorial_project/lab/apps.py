from django.apps import AppConfig


class LabConfig(AppConfig):
    """The kit's teaching machinery: boot, the signal recorder, exercise checks."""

    name = "tutorial_project.lab"
    label = "lab"
    verbose_name = "Signals Lab"
