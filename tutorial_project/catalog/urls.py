from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.book_list, name="book_list"),
    path("books/new/", views.book_create, name="book_create"),
    path("books/export.csv", views.book_export, name="book_export"),
    path("books/<slug:slug>/", views.book_detail, name="book_detail"),
    path("boom/", views.boom, name="boom"),
    path("forbidden/", views.forbidden, name="forbidden"),
    path("bad-request/", views.bad_request, name="bad_request"),
]
