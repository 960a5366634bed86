from django.db import models


class Draft(models.Model):
    """A model with no migration: boot() must say so in one sentence."""

    title = models.CharField(max_length=10)

    def __str__(self):
        return self.title
