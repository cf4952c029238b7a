"""Who acts: :class:`Actor` and :class:`Role`, and the permission check.

Every command takes the actor. Roles follow the seeds: a *teacher* is the coach,
mentor or achiever of the seed documents; *system* is automation (the monitor,
webhooks).

Example:
    >>> from booking_core.actors import Actor, Role, require_role
    >>> teacher = Actor.teacher("t-1")
    >>> teacher
    Actor(user_id='t-1', role=<Role.TEACHER: 'teacher'>)
    >>> require_role(teacher, {Role.TEACHER, Role.ADMIN}, action="complete the session")
    >>> require_role(Actor.student("s-1"), {Role.TEACHER}, action="cancel the session")
    Traceback (most recent call last):
    ...
    booking_core.errors.PermissionDeniedError: student 's-1' may not cancel the \
session; allowed: teacher
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from typing import final

import attrs

from booking_core._repr import fields_repr
from booking_core._validation import identifier
from booking_core.errors import InvalidValueError, PermissionDeniedError

__all__ = ["Actor", "Role", "check_actor", "require_role"]


@final
class Role(str, enum.Enum):
    """The role an actor acts in."""

    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"
    SYSTEM = "system"


@final
@attrs.frozen(repr=False)
class Actor:
    """Somebody (or something) issuing a command.

    Attributes:
        user_id: The host's identifier of the user; ``"system"`` for automation.
        role: The role the actor acts in for this command.
    """

    __repr__ = fields_repr

    user_id: str = attrs.field(validator=identifier)
    role: Role = attrs.field(converter=Role)

    @classmethod
    def student(cls, user_id: str) -> Actor:
        """A student actor."""
        return cls(user_id, Role.STUDENT)

    @classmethod
    def teacher(cls, user_id: str) -> Actor:
        """A teacher (coach, mentor) actor."""
        return cls(user_id, Role.TEACHER)

    @classmethod
    def admin(cls, user_id: str) -> Actor:
        """A platform administrator."""
        return cls(user_id, Role.ADMIN)

    @classmethod
    def system(cls, user_id: str = "system") -> Actor:
        """Automation: the monitor, webhooks, scheduled jobs."""
        return cls(user_id, Role.SYSTEM)

    def __str__(self) -> str:
        return f"{self.role.value} {self.user_id!r}"


def check_actor(value: object, field: str = "actor") -> Actor:
    """Return ``value`` if it is an :class:`Actor`; refuse anything else.

    Raises:
        InvalidValueError: ``input.invalid_value`` naming ``field``.

    Example:
        >>> check_actor("admin")
        Traceback (most recent call last):
        ...
        booking_core.errors.InvalidValueError: actor is invalid: must be an Actor; ...
    """
    if not isinstance(value, Actor):
        raise InvalidValueError(field=field, reason="must be an Actor", value=value)
    return value


def require_role(actor: Actor, allowed: Collection[Role], *, action: str) -> None:
    """Refuse unless ``actor`` acts in one of the ``allowed`` roles.

    Args:
        actor: Who is acting.
        allowed: The roles that may perform ``action``.
        action: What is being attempted, for the message ("cancel the session").

    Raises:
        PermissionDeniedError: ``permission_denied`` when the role is not allowed.
    """
    if check_actor(actor).role not in allowed:
        names = ", ".join(sorted(role.value for role in allowed)) or "nobody"
        raise PermissionDeniedError(actor=actor, action=action, allowed=names)
