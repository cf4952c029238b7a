"""The app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    """A tutoring API (sessions, seats, 1:1s, attendance, payments) on booking_core."""

    name = "classroom"
    default_auto_field = "django.db.models.BigAutoField"
