"""URLs of the example site: the ``classroom`` app at the root."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("", include("classroom.urls"))]
