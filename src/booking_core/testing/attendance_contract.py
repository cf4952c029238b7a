"""Contract suite for attendee storage: :class:`AttendeeRepositoryContract`.

A host proves its :class:`~booking_core.ports.AttendeeRepository` by
subclassing the contract in its test suite and providing ``uow_factory``,
``published`` and ``attendees_of`` (see ``docs/repositories.md``)::

    import pytest
    from booking_core.testing.attendance_contract import AttendeeRepositoryContract

    class TestPostgresAttendees(AttendeeRepositoryContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)


        @pytest.fixture
        def published(self, publisher):
            return publisher.published
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import attrs
import pytest

from booking_core._payment_status import PaymentStatus
from booking_core.attendance.model import (
    AttendanceMark,
    Attendee,
    Intent,
    ParticipationEvent,
)
from booking_core.testing._aggregate_contract import (
    NOW,
    AggregateRepositoryContract,
)

__all__ = ["AttendeeRepositoryContract"]

_START = NOW + timedelta(days=10)


def _student(session_id: str, student_id: str, **changes: Any) -> Attendee:
    attendee = Attendee.create(
        session_id=session_id, participant_id=student_id, role="student"
    )
    return attrs.evolve(attendee, **changes)


class AttendeeRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.AttendeeRepository` must pass.

    Fixtures: ``uow_factory``, ``published`` and ``attendees_of`` (the attendee
    repository of a unit of work).
    """

    @pytest.fixture
    def attendees_of(self) -> Callable[[Any], Any]:
        """The attendee repository of a unit of work (``uow.attendees``)."""
        return lambda uow: uow.attendees

    @pytest.fixture
    def repository_of(self, attendees_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks use: the attendee repository."""
        return attendees_of

    def shapes(self) -> Sequence[Attendee]:
        """Due, teacher, attended and paid, excused with a refund, late, maybe."""
        return [
            _student("s-1", "ann"),
            Attendee.create(session_id="s-1", participant_id="t-1", role="teacher"),
            _student(
                "s-1",
                "bob",
                attendance=AttendanceMark.LATE,
                payment_status=PaymentStatus.PAID,
                log=(
                    ParticipationEvent.joined(_START + timedelta(minutes=7)),
                    ParticipationEvent.left(_START + timedelta(minutes=20)),
                    ParticipationEvent.joined(_START + timedelta(minutes=22)),
                ),
            ),
            _student(
                "s-1",
                "cy",
                intent=Intent.NOT_GOING,
                attendance=AttendanceMark.EXCUSED,
                payment_status=PaymentStatus.NOT_BILLABLE,
                refund_pending=True,
            ),
            _student("s-2", "dee", intent=Intent.NOT_GOING, late_cancellation=True),
            _student(
                "s-2",
                "eve",
                intent=Intent.MAYBE,
                payment_status=PaymentStatus.REQUESTED,
            ),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The attendee paid and joined."""
        return attrs.evolve(
            aggregate,
            payment_status=PaymentStatus.PAID,
            log=(*aggregate.log, ParticipationEvent.joined(_START)),
        )

    def test_queries(
        self, uow_factory: Callable[[], Any], attendees_of: Callable[[Any], Any]
    ) -> None:
        """By session, by participant and by payment status; staged writes count."""
        self.add_committed(uow_factory, attendees_of, *self.shapes())
        with uow_factory() as uow:
            repository = attendees_of(uow)
            assert [a.participant_id for a in repository.of_session("s-1")] == [
                "ann",
                "bob",
                "cy",
                "t-1",
            ]
            assert repository.of_session("s-9") == []
            assert [a.session_id for a in repository.of_participant("eve")] == ["s-2"]
            assert [
                a.participant_id
                for a in repository.with_payment_status(PaymentStatus.DUE)
            ] == ["ann", "dee"]
            repository.add(_student("s-2", "ann"))
            repository.save(self.changed(repository.get("s-1~student~ann")))
            assert [a.id for a in repository.of_participant("ann")] == [
                "s-1~student~ann",
                "s-2~student~ann",
            ]
            assert [a.id for a in repository.with_payment_status("due")] == [
                "s-2~student~ann",
                "s-2~student~dee",
            ]
            uow.commit()
        with uow_factory() as uow:
            repository = attendees_of(uow)
            paid = repository.with_payment_status(PaymentStatus.PAID)
            assert [a.id for a in paid] == ["s-1~student~ann", "s-1~student~bob"]
            assert paid[0].version == 2
            assert [a.id for a in repository.with_payment_status("due")] == [
                "s-2~student~ann",
                "s-2~student~dee",
            ]
