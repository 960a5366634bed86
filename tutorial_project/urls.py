from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("tutorial_project.accounts.urls")),
    path("", include("tutorial_project.catalog.urls")),
]
