"""Whether a 1:1 booking needs the teacher's approval, and until when.

Approval is resolved from the most specific source that says anything
(seeds 001 and 003):

=====  ===========================  ==========================================
rank   level                        where a host keeps it
=====  ===========================  ==========================================
1      ``teacher_course``           the teacher's policy for one course
2      ``teacher``                  the teacher's default for every course
3      ``course``                   the course's setting
4      ``platform``                 the platform default (no approval)
=====  ===========================  ==========================================

:func:`resolve_approval` takes the three optional settings as the host loaded
them and returns an :class:`ApprovalResolution`: the answer and the level that
decided it, for display ("approval required by the course"). An
:class:`ApprovalPolicy` keeps the settings in one frozen value when a host
prefers that. A :class:`DecisionDeadlinePolicy` says when an undecided request
expires: at the earlier of its creation + 48 hours and the session start.

Example:
    >>> answer = resolve_approval(teacher=False, course=True)
    >>> answer.required, answer.level.value
    (False, 'teacher')
    >>> resolve_approval().level.value
    'platform'
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import utc_instant
from booking_core.availability.commitments import _bool
from booking_core.errors import InvalidValueError

__all__ = [
    "ApprovalLevel",
    "ApprovalPolicy",
    "ApprovalResolution",
    "DecisionDeadlinePolicy",
    "resolve_approval",
]


@final
class ApprovalLevel(str, enum.Enum):
    """The source an approval answer came from, most specific first."""

    TEACHER_COURSE = "teacher_course"
    """The teacher's policy for this course."""
    TEACHER = "teacher"
    """The teacher's default for all their courses."""
    COURSE = "course"
    """The course's setting."""
    PLATFORM = "platform"
    """The platform default."""


@final
@attrs.frozen(kw_only=True, repr=False)
class ApprovalResolution:
    """The resolved answer: whether approval is required, and who said so.

    Attributes:
        required: ``True`` when the teacher must confirm the booking.
        level: The most specific level that had a setting.
    """

    __repr__ = fields_repr

    required: bool
    level: ApprovalLevel


def _optional_bool(field: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidValueError(
            field=field, reason="must be True, False or None", value=value
        )
    return value


def resolve_approval(
    *,
    teacher_course: bool | None = None,
    teacher: bool | None = None,
    course: bool | None = None,
    platform: bool = False,
) -> ApprovalResolution:
    """Resolve whether a booking needs approval from the four levels.

    Each argument is the host's setting at that level, ``None`` when there is
    none; the first one that is not ``None`` (most specific first) decides.

    Args:
        teacher_course: The teacher's policy for the booking's course.
        teacher: The teacher's default.
        course: The course's setting.
        platform: The platform default (``False``: no approval).

    Returns:
        The answer and the deciding level.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a setting that is not a
            bool (or ``None``).

    Example:
        >>> resolve_approval(teacher_course=True, teacher=False).level.value
        'teacher_course'
        >>> resolve_approval(course=True).required
        True
    """
    levels = (
        (
            ApprovalLevel.TEACHER_COURSE,
            _optional_bool("teacher_course", teacher_course),
        ),
        (ApprovalLevel.TEACHER, _optional_bool("teacher", teacher)),
        (ApprovalLevel.COURSE, _optional_bool("course", course)),
    )
    if not isinstance(platform, bool):
        raise InvalidValueError(
            field="platform", reason="must be True or False", value=platform
        )
    for level, setting in levels:
        if setting is not None:
            return ApprovalResolution(required=setting, level=level)
    return ApprovalResolution(required=platform, level=ApprovalLevel.PLATFORM)


def _settings(
    value: Mapping[Any, bool] | Iterable[tuple[Any, bool]],
) -> tuple[Any, ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    checked = []
    for key, setting in pairs:
        if not isinstance(setting, bool):
            raise InvalidValueError(
                field="approval setting", reason="must be True or False", value=setting
            )
        checked.append((key, setting))
    return tuple(sorted(checked))


def _ids(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _keys(
    _instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    for key, _setting in value:
        ok = (
            isinstance(key, tuple) and len(key) == 2 and all(map(_ids, key))
            if attribute.name == "teacher_courses"
            else _ids(key)
        )
        if not ok:
            raise InvalidValueError(
                field=attribute.name,
                reason="keys must be non-empty ids ((teacher, course) pairs for "
                "teacher_courses)",
                value=key,
            )


@final
@attrs.frozen(kw_only=True, repr=False)
class ApprovalPolicy:
    """Approval settings at every level, kept as one value.

    Mappings given to the constructor are stored as sorted tuples of pairs, so
    the policy stays hashable and serialisable.

    Attributes:
        platform_default: The answer when no other level says anything
            (default ``False``: bookings confirm at once).
        courses: Course id -> whether its bookings need approval.
        teachers: Teacher id -> the teacher's default.
        teacher_courses: ``(teacher id, course id)`` -> the teacher's policy for
            that course.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a setting that is not a
            bool or a key that is not an id.

    Example:
        >>> policy = ApprovalPolicy(
        ...     courses={"math": True}, teacher_courses={("t-1", "math"): False}
        ... )
        >>> policy.resolve(teacher_id="t-1", course_id="math").level.value
        'teacher_course'
        >>> policy.resolve(teacher_id="t-2", course_id="math").required
        True
    """

    __repr__ = fields_repr

    platform_default: bool = attrs.field(default=False, validator=_bool)
    courses: tuple[tuple[str, bool], ...] = attrs.field(
        default=(), converter=_settings, validator=_keys
    )
    teachers: tuple[tuple[str, bool], ...] = attrs.field(
        default=(), converter=_settings, validator=_keys
    )
    teacher_courses: tuple[tuple[tuple[str, str], bool], ...] = attrs.field(
        default=(), converter=_settings, validator=_keys
    )

    def resolve(self, *, teacher_id: str, course_id: str | None) -> ApprovalResolution:
        """Resolve approval for a booking with ``teacher_id`` in ``course_id``.

        Args:
            teacher_id: The booking's teacher.
            course_id: The booking's course, ``None`` when it has none (then
                only the teacher and platform levels apply).

        Returns:
            The answer and the deciding level (see :func:`resolve_approval`).
        """
        return resolve_approval(
            teacher_course=dict(self.teacher_courses).get(
                (teacher_id, course_id or "")
            ),
            teacher=dict(self.teachers).get(teacher_id),
            course=dict(self.courses).get(course_id or ""),
            platform=self.platform_default,
        )


def _window(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidValueError(
            field=attribute.name, reason="must be a positive timedelta", value=value
        )


@final
@attrs.frozen(kw_only=True, repr=False)
class DecisionDeadlinePolicy:
    """Until when a teacher may decide a pending request.

    Attributes:
        decision_window: How long after its creation a request waits for a
            decision (default 48 hours).
        not_after_session_start: When ``True`` (the default) the deadline is
            never later than the session start: nobody approves a class that
            already began.

    Raises:
        InvalidValueError: ``input.invalid_value`` for a window that is not a
            positive timedelta.

    Example:
        >>> from datetime import datetime, timezone
        >>> created = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> start = datetime(2026, 6, 2, 9, tzinfo=timezone.utc)
        >>> DecisionDeadlinePolicy().deadline(created_at=created, session_start=start)
        datetime.datetime(2026, 6, 2, 9, 0, tzinfo=datetime.timezone.utc)
    """

    __repr__ = fields_repr

    decision_window: timedelta = attrs.field(
        default=timedelta(hours=48), validator=_window
    )
    not_after_session_start: bool = attrs.field(default=True, validator=_bool)

    def deadline(self, *, created_at: datetime, session_start: datetime) -> datetime:
        """When a request created at ``created_at`` expires if still undecided.

        Args:
            created_at: When the request was made (aware).
            session_start: When the booked session starts (aware).

        Returns:
            The earlier of ``created_at + decision_window`` and, by default,
            ``session_start``, in UTC.

        Raises:
            NaiveDatetimeError: ``time.naive_datetime`` for a naive instant.
        """
        created = utc_instant(created_at, "created_at")
        start = utc_instant(session_start, "session_start")
        deadline = created + self.decision_window
        if self.not_after_session_start:
            return min(deadline, start)
        return deadline
