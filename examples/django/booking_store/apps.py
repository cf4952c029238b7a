"""The app's configuration."""

from __future__ import annotations

from django.apps import AppConfig


class BookingStoreConfig(AppConfig):
    """The tables of booking_core's storage kernel, migrated by Django."""

    name = "booking_store"
    verbose_name = "booking_core storage"
    default_auto_field = "django.db.models.BigAutoField"
