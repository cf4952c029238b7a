"""The kits' duplicate check accepts a refusal on add as well as on commit."""

from __future__ import annotations

from types import TracebackType

import pytest

from booking_core.errors import DuplicateIdError
from booking_core.testing._aggregate_contract import refuses_duplicate


class _Unit:
    """A unit of work whose store refuses a stored id at once or on commit."""

    def __init__(self, *, on_add: bool) -> None:
        self.on_add = on_add
        self.committed = False

    def __enter__(self) -> _Unit:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def add(self) -> None:
        if self.on_add:
            raise DuplicateIdError(kind="x", id="a-1")

    def commit(self) -> None:
        raise DuplicateIdError(kind="x", id="a-1")


@pytest.mark.parametrize("on_add", [True, False])
def test_a_refusal_on_add_or_on_commit_passes(on_add: bool) -> None:
    refuses_duplicate(lambda: _Unit(on_add=on_add), lambda uow: uow.add())


def test_a_store_that_keeps_the_duplicate_fails_the_check() -> None:
    class _Keeps(_Unit):
        def commit(self) -> None:
            self.committed = True

    with pytest.raises(pytest.fail.Exception):
        refuses_duplicate(lambda: _Keeps(on_add=False), lambda uow: uow.add())
