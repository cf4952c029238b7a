"""One table per aggregate collection: id, version, the aggregate as JSON, and
the few real columns the repositories query on.

These models are storage, not domain: nothing outside :mod:`seats.storage`
touches them, and the frozen ``booking_core`` values are translated to and from
rows explicitly (``booking_core.adapters.codec``). The body is the source of
truth; the columns are copies of fields the queries filter on (kept in step on
every write by the repositories), so the queries are indexed SQL, not a scan.
"""

from __future__ import annotations

from django.db import models


class AggregateRow(models.Model):
    """What every aggregate table has: the id, the stored version, the body."""

    id = models.CharField(primary_key=True, max_length=200)
    version = models.PositiveIntegerField()
    body = models.JSONField()

    class Meta:
        abstract = True


class SessionRow(AggregateRow):
    """A stored :class:`booking_core.sessions.Session`."""

    status = models.CharField(max_length=20)
    start = models.DateTimeField()
    respond_by = models.DateTimeField(null=True)

    class Meta:
        db_table = "booking_sessions"
        indexes = [
            models.Index(fields=["status", "start"], name="sessions_due"),
            models.Index(fields=["respond_by"], name="sessions_respond_by"),
        ]


class BookingRow(AggregateRow):
    """A stored :class:`booking_core.bookings.Booking`."""

    session_id = models.CharField(max_length=200)
    student_id = models.CharField(max_length=200)
    active = models.BooleanField()

    class Meta:
        db_table = "booking_bookings"
        indexes = [
            models.Index(fields=["session_id", "id"], name="bookings_of_session"),
            models.Index(
                fields=["session_id", "student_id", "active"], name="bookings_active"
            ),
        ]


class CommandRow(AggregateRow):
    """A stored :class:`booking_core.bookings.CommandRecord` (idempotency key)."""

    class Meta:
        db_table = "booking_commands"
