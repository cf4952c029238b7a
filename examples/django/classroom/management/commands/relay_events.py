"""``manage.py relay_events``: publish committed events a crash left in the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from classroom.services import database, publisher


class Command(BaseCommand):
    """Send every unpublished outbox event as the ``domain_event`` signal."""

    help = (
        "Publish the committed events not marked published yet (at least once; "
        "receivers de-duplicate by event_id). Safe to run from several workers."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Relay the outbox through the site's publisher."""
        count = database().relay(publisher)
        self.stdout.write(f"relayed {count} event(s)")
