"""Length checks for the free texts of sessions (reasons, notes)."""

from __future__ import annotations

from booking_core.errors import InvalidSessionTextError, InvalidValueError

__all__ = ["checked_text"]


def checked_text(value: str, *, field: str, minimum: int, maximum: int) -> str:
    """Return ``value`` trimmed, if its trimmed length is within the bounds.

    Args:
        value: The text as entered.
        field: Its name, for the message.
        minimum: Fewest characters after trimming (inclusive).
        maximum: Most characters after trimming (inclusive).

    Returns:
        The trimmed text.

    Raises:
        InvalidValueError: ``input.invalid_value`` when ``value`` is no string.
        InvalidSessionTextError: ``sessions.invalid_text`` outside the bounds.

    Example:
        >>> checked_text("  too late  ", field="reason", minimum=1, maximum=500)
        'too late'
        >>> checked_text("short", field="reason", minimum=10, maximum=500)
        Traceback (most recent call last):
        ...
        booking_core.errors.InvalidSessionTextError: reason must be 10 to 500 ...
    """
    if not isinstance(value, str):
        raise InvalidValueError(field=field, reason="must be a string", value=value)
    text = value.strip()
    if not minimum <= len(text) <= maximum:
        raise InvalidSessionTextError(
            field=field, minimum=minimum, maximum=maximum, length=len(text)
        )
    return text
