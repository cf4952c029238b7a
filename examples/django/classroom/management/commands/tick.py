"""``manage.py tick``: every time-driven transition due now (run it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from classroom.services import core


class Command(BaseCommand):
    """Expire offers and requests, complete sessions, settle money: the monitor."""

    help = (
        "Run booking_core's monitor once: offers and 1:1 requests that lapsed, "
        "sessions to complete or mark missed, payments to settle. Each due item is "
        "handled once, also with several workers."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """One tick of the monitor; prints its summary."""
        self.stdout.write(core().monitor.tick().summary())
