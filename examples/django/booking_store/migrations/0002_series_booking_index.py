"""Index the items of the booking series stored before ``of_booking`` existed.

``BookingSeriesRepository.of_booking`` (every 1:1 cancel) finds a series by
one ``("booking", <item booking id>)`` index entry per item. Series saved
before the library wrote them have none: this step rewrites the series'
entries from their stored bodies with the library's indexer, as the kernel's
own SQLite and PostgreSQL migration 3 does. Running it on a new database does
nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SERIES = "booking_series"
"""The kernel's collection of booking series."""


def index_series_items(apps: Any, schema_editor: Any) -> None:
    """Rewrite the index entries of every stored series (in this migration)."""
    from booking_store.storage import DjangoDatabase

    database = DjangoDatabase(schema_editor.connection.alias)
    with database.transaction() as cursor:
        database.reindex(cursor, SERIES)


class Migration(migrations.Migration):
    dependencies = [("booking_store", "0001_initial")]

    operations = [
        migrations.RunPython(index_series_items, migrations.RunPython.noop),
    ]
