"""The storage kernel's three tables, declared as Django models.

``booking_core.adapters.sql`` reads and writes these tables with its own
statements (through :class:`booking_store.storage.DjangoDatabase`); the models
exist so that Django's migrations create and evolve them next to the host's
own tables (``manage.py migrate``), and so that the host can look at them with
the ORM, the admin or ``dbshell``. Write to them only through the unit of work:
the kernel keeps the version, the index entries and the outbox in step.

Table and column names are the kernel's (``aggregates``, ``index_entries``,
``outbox``); the aggregate bodies are ``booking_core.adapters.codec`` JSON in a
``JSONField`` (``jsonb`` on PostgreSQL), so a new field in a library release
needs no migration.
"""

from __future__ import annotations

from django.db import models


class Aggregate(models.Model):
    """One stored aggregate (a session, a booking, a ledger entry …).

    ``collection`` names the repository (``"sessions"``, ``"bookings"`` …), ``id``
    is the aggregate's id and ``version`` the compare-and-set counter.
    """

    pk = models.CompositePrimaryKey("collection", "id")
    collection = models.CharField(max_length=100)
    id = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    body = models.JSONField()

    class Meta:
        db_table = "aggregates"

    def __str__(self) -> str:
        return f"{self.collection}/{self.id} v{self.version}"


class IndexEntry(models.Model):
    """One ``(name, value)`` pair an aggregate is found by (``find(name, value)``)."""

    pk = models.CompositePrimaryKey("collection", "name", "value", "id")
    collection = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    value = models.CharField(max_length=1000)
    id = models.CharField(max_length=200)

    class Meta:
        db_table = "index_entries"
        indexes = [
            models.Index(fields=["collection", "id"], name="index_entries_by_id")
        ]

    def __str__(self) -> str:
        return f"{self.collection}/{self.id}: {self.name}={self.value}"


class OutboxEvent(models.Model):
    """One committed domain event, published after commit or by the relay."""

    seq = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=36, unique=True)
    name = models.CharField(max_length=200)
    aggregate_id = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    body = models.JSONField()
    published = models.BooleanField(db_default=False)

    class Meta:
        db_table = "outbox"
        indexes = [
            models.Index(
                fields=["seq"],
                condition=models.Q(published=False),
                name="outbox_unpublished",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.name} ({self.aggregate_id})"
