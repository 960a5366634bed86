from django.apps import AppConfig


class LabConfig(AppConfig):
    """
    The kit, as an installed tool beside the project: it adds the
    ``manage.py exercises`` command (an alias of the ``signals-lab`` CLI).
    """

    name = "signals_lab"
    label = "lab"
    verbose_name = "Signals Lab"
