"""
A small bookshop, rich enough for every model signal.

* ``Author`` -> ``Book`` -> ``Chapter``: foreign keys that cascade two levels deep.
* ``Book.tags``: a many-to-many with an auto-created through table.
* ``Shelf.books``: a many-to-many through a custom model, ``Placement``.
* ``Author.friends``: a symmetrical many-to-many to itself.
* ``Classic``: a proxy of ``Book``.
* ``Place`` -> ``Bookshop``: multi-table inheritance.
* ``Order``: a UUID primary key.
* ``Book.updated_at``: an ``auto_now`` field.
"""

import uuid

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    friends = models.ManyToManyField("self", blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="books")
    tag_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class Classic(Book):
    """A proxy: same table as Book, its own Python class (and its own sender)."""

    class Meta:
        proxy = True


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["book_id", "number"]

    def __str__(self):
        return f"{self.book.title}, chapter {self.number}"


class Shelf(models.Model):
    name = models.CharField(max_length=100)
    books = models.ManyToManyField(Book, through="Placement", related_name="shelves", blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Placement(models.Model):
    """The custom through model of Shelf.books."""

    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["shelf_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shelf", "book"], name="unique_book_per_shelf")
        ]

    def __str__(self):
        return f"{self.book} on {self.shelf}"


class Place(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Bookshop(Place):
    """Multi-table inheritance: a Bookshop row plus its parent Place row."""

    has_cafe = models.BooleanField(default=False)


class Order(models.Model):
    """A UUID primary key: ``pk`` is set in ``__init__``, before any save."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="orders")
    quantity = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"{self.quantity} x {self.book}"


class AuditEntry(models.Model):
    """A line in the audit log (written by the audit-log exercise)."""

    action = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.action} {self.model} {self.object_pk}: {self.description}"
