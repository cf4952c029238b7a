"""The app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class SeatsConfig(AppConfig):
    """Group-session seats booked through ``booking_core``."""

    name = "seats"
    default_auto_field = "django.db.models.BigAutoField"
