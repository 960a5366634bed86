from django.contrib import admin

from .models import AuditEntry, Author, Book, Bookshop, Chapter, Order, Placement, Shelf, Tag

admin.site.register([Author, Tag, Chapter, Shelf, Placement, Bookshop, Order, AuditEntry])


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "tag_count"]
    filter_horizontal = ["tags"]
