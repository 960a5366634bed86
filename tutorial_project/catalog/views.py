from django.core.exceptions import BadRequest, PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .forms import BookForm
from .models import Book


def book_list(request):
    books = Book.objects.select_related("author").prefetch_related("tags")
    return render(request, "catalog/book_list.html", {"books": books})


def book_detail(request, slug):
    book = get_object_or_404(Book, slug=slug)
    return render(request, "catalog/book_detail.html", {"book": book})


def book_export(request):
    """The catalog as CSV, streamed one line at a time (a StreamingHttpResponse)."""
    lines = (f"{book.title},{book.slug}\n" for book in Book.objects.order_by("pk"))
    return StreamingHttpResponse(lines, content_type="text/csv")


def book_create(request):
    """A ModelForm view: post_save runs before the form saves the tags."""
    form = BookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        book = form.save()
        return redirect("catalog:book_detail", slug=book.slug)
    return render(request, "catalog/book_form.html", {"form": form})


def boom(request):
    """A view that raises, for got_request_exception."""
    raise RuntimeError("boom: this view always fails")


def forbidden(request):
    """A view that answers 403, which does not reach got_request_exception."""
    raise PermissionDenied("members only")


def bad_request(request):
    """A view that answers 400, which does not reach got_request_exception."""
    raise BadRequest("this view always finds the request malformed")
