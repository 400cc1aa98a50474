"""Addresses of the whole site: the admin, and the public pages of the episodes app at the root."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("episodes.urls")),
]

handler400 = "podcast.errors.bad_request"
