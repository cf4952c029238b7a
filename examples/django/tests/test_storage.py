"""What the contract kit cannot see: Django transactions around the unit of work."""

from __future__ import annotations

import attrs
import pytest
from booking_core.errors import StaleVersionError
from booking_core.events import DomainEvent
from booking_core.sessions import Session
from django.db import transaction

from conftest import schedule_group
from seats.models import SessionRow
from seats.services import unit_of_work
from seats.storage import DjangoSessionRepository

pytestmark = pytest.mark.django_db(transaction=True)


def _load(session_id: str) -> Session:
    with unit_of_work() as uow:
        return DjangoSessionRepository(uow).get(session_id)


def test_events_wait_for_the_hosts_outer_transaction(
    clock: object, signalled: list[DomainEvent]
) -> None:
    """Inside a host's ``atomic()``, events go out when the outer block commits."""
    with transaction.atomic():
        schedule_group("s-1", capacity=3)
        assert signalled == []
    assert [e.aggregate_id for e in signalled] == ["s-1"]


def test_events_dropped_when_the_hosts_outer_transaction_rolls_back(
    clock: object, signalled: list[DomainEvent]
) -> None:
    class AbortedError(Exception):
        pass

    def fail_after_scheduling() -> None:
        with transaction.atomic():
            schedule_group("s-1", capacity=3)
            raise AbortedError

    with pytest.raises(AbortedError):
        fail_after_scheduling()
    assert signalled == []
    assert not SessionRow.objects.filter(id="s-1").exists()


def test_stale_version_names_the_version_that_won(clock: object) -> None:
    schedule_group("s-1", capacity=3)
    mine, theirs = _load("s-1"), _load("s-1")
    with unit_of_work() as uow:
        DjangoSessionRepository(uow).save(attrs.evolve(theirs, capacity=4))
        uow.commit()
    with unit_of_work() as uow:
        DjangoSessionRepository(uow).save(attrs.evolve(mine, capacity=5))
        with pytest.raises(StaleVersionError) as raised:
            uow.commit()
    assert raised.value.code == "concurrency.stale_version"
    assert raised.value.details["actual"] == 2
    assert _load("s-1").capacity == 4


def test_columns_follow_the_body(clock: object) -> None:
    """The queried columns are rewritten with the body on every save."""
    schedule_group("s-1", capacity=3)
    row = SessionRow.objects.get(id="s-1")
    session = _load("s-1")
    assert (row.status, row.start, row.respond_by) == ("scheduled", session.start, None)
    assert row.body["$type"] == "session"
