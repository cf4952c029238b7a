"""In-memory teacher schedules and student calendars (the 1:1 service's tokens).

A final subclass of the repository written once in
:mod:`booking_core.adapters._repositories` (collection ``"teacher_schedules"``).

Example:
    >>> from booking_core.adapters.memory import InMemoryStore, InMemoryUnitOfWork
    >>> from booking_core.availability.schedule import TeacherSchedule
    >>> store = InMemoryStore()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryTeacherScheduleRepository(uow).add(TeacherSchedule(id="t-1"))
    ...     uow.commit()
    >>> with InMemoryUnitOfWork(store) as uow:
    ...     InMemoryTeacherScheduleRepository(uow).get("t-1").version
    1
"""

from __future__ import annotations

from typing import final

from booking_core.adapters._repositories import (
    StagedStudentCalendarRepository,
    StagedTeacherScheduleRepository,
)

__all__ = ["InMemoryStudentCalendarRepository", "InMemoryTeacherScheduleRepository"]


@final
class InMemoryTeacherScheduleRepository(StagedTeacherScheduleRepository):
    """Teacher schedules in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """


@final
class InMemoryStudentCalendarRepository(StagedStudentCalendarRepository):
    """Student calendars in an :class:`~booking_core.adapters.memory.InMemoryStore`.

    Args:
        uow: The :class:`~booking_core.adapters.memory.InMemoryUnitOfWork` it
            stages into.
    """
