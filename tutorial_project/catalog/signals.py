"""
Receivers the catalog app needs.

Deliberately few: the lessons connect their own receivers, and the exercises
ask the learner to write the rest. Keeping a book's slug filled in is a
classic ``pre_save`` job: mutate the instance, never call ``save()`` again.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.text import slugify

from .models import Book


@receiver(pre_save, sender=Book, dispatch_uid="catalog.fill_book_slug")
def fill_book_slug(sender, instance, raw, **kwargs):
    """Give a book without a slug one made from its title (not for fixtures)."""
    if not raw and not instance.slug:
        instance.slug = slugify(instance.title)
