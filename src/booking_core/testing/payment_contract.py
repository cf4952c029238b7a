"""Contract suites for money storage: booking payments, settlement dues, withdrawals.

A host proves its :class:`~booking_core.ports.BookingPaymentRepository`
(``uow.payments``), :class:`~booking_core.ports.SettlementDueRepository`
(``uow.settlements``) and :class:`~booking_core.ports.WithdrawalRepository`
(``uow.withdrawals``) by subclassing these classes in its test suite and
providing ``uow_factory`` and ``published`` (see ``docs/repositories.md``)::

    import pytest
    from booking_core.testing.payment_contract import (
        BookingPaymentRepositoryContract,
    )

    class TestPostgresPayments(BookingPaymentRepositoryContract):
        @pytest.fixture
        def uow_factory(self, clean_database, publisher):
            return lambda: PostgresUnitOfWork(clean_database, publisher)

        @pytest.fixture
        def published(self, publisher):
            return publisher.published

Besides the checks every repository passes, each kit checks the queries the
services rely on (:meth:`~booking_core.ports.BookingPaymentRepository.by_order`
for webhooks, ``pending`` for :meth:`PaymentService.resume
<booking_core.services.payments.PaymentService.resume>`, ``due`` for the
monitor's settlement step, ``held`` and ``all`` for withdrawals and
reconciliation): what they return, in which order, and that they see the unit's
own staged writes. Gateway ids are the gateway's text, not ours: the kits store
ones that look like SQL wildcards, placeholders and quotes, and check that each
finds its own record only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import attrs
import pytest

from booking_core.actors import Actor, Role
from booking_core.errors import StaleVersionError
from booking_core.money import Money
from booking_core.money.dues import DueKind, SettlementDue, close_due
from booking_core.money.gateway import PayoutStatus
from booking_core.money.payments import (
    BookingPayment,
    PendingRefund,
    capture_payment,
    release_escrow,
)
from booking_core.money.split import split_payment
from booking_core.money.withdrawals import (
    BankAccount,
    Withdrawal,
    WithdrawalStatus,
    apply_payout_status,
    record_payout,
)
from booking_core.testing._aggregate_contract import NOW, AggregateRepositoryContract

__all__ = [
    "BookingPaymentRepositoryContract",
    "SettlementDueRepositoryContract",
    "WithdrawalRepositoryContract",
]

_PRICE = Money.of("700.00", "INR")
_STARTS = NOW + timedelta(days=10)

HOSTILE_ORDER_IDS = (
    "order_%",
    "order_?",
    "order_'; DROP TABLE aggregates; --",
    'order_"\\',
    "order_%s",
    "order_ऑर्डर",
)
"""Gateway order ids that break naive quoting, ``LIKE`` or placeholders."""


def _payment(booking_id: str, **changes: Any) -> BookingPayment:
    return BookingPayment(
        id=booking_id,
        teacher_id=changes.pop("teacher_id", "m-1"),
        amount=changes.pop("amount", _PRICE),
        starts_at=_STARTS,
        **changes,
    )


def _captured(booking_id: str, order_id: str) -> BookingPayment:
    split = split_payment(_PRICE, order_id=order_id, payment_id=f"pay_{booking_id}")
    captured = capture_payment(
        payment_id=f"pay_{booking_id}",
        teacher_id="m-1",
        split=split,
        actor=Actor.system(),
        now=NOW,
    ).state
    return _payment(booking_id, order_id=order_id, payment=captured)


class BookingPaymentRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.BookingPaymentRepository` passes.

    Fixtures: ``uow_factory``, ``published`` and ``payments_of`` (the payment
    repository of a unit of work, ``uow.payments`` by default).
    """

    @pytest.fixture
    def payments_of(self) -> Callable[[Any], Any]:
        """The booking payment repository of a unit of work (``uow.payments``)."""
        return lambda uow: uow.payments

    @pytest.fixture
    def repository_of(self, payments_of: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The repository the shared checks use: the payment repository."""
        return payments_of

    def shapes(self) -> Sequence[BookingPayment]:
        """No order, ordered, captured, refund pending, released and closed."""
        captured = _captured("b-captured", "order_2")
        assert captured.payment is not None
        released = release_escrow(captured.payment, actor=Actor.system(), now=NOW).state
        return [
            _payment("b-new"),
            _payment("b-ordered", order_id="order_1"),
            captured,
            attrs.evolve(
                _captured("b-refunding", "order_3"),
                pending_refund=PendingRefund(
                    key="refund/pay_b-refunding/1",
                    amount=Money.of("350.00", "INR"),
                    reason='teacher cancelled; it\'s "late" \\ 🎓',
                    settles=True,
                ),
            ),
            attrs.evolve(
                _captured("b-closed", "order_4"),
                payment=released,
                closed=True,
            ),
            _payment("b-jpy", amount=Money.of("1500", "JPY"), teacher_id="m-2"),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The record with a gateway order (another one when it had one)."""
        record: BookingPayment = aggregate
        return attrs.evolve(record, order_id=f"order_{record.id}_next")

    def test_by_order(
        self, uow_factory: Callable[[], Any], payments_of: Callable[[Any], Any]
    ) -> None:
        """Each order finds its own record, never a look-alike; staged ones count."""
        records = [
            _payment(f"b-{n}", order_id=order)
            for n, order in enumerate(HOSTILE_ORDER_IDS)
        ]
        self.add_committed(uow_factory, payments_of, *reversed(records))
        with uow_factory() as uow:
            repository = payments_of(uow)
            for record in records:
                assert repository.by_order(record.order_id) == attrs.evolve(
                    record, version=1
                )
            for missing in ("order_", "order_x", "ORDER_%", "%", "_", "order_%%"):
                assert repository.by_order(missing) is None
            # The unit sees its own writes: a moved order, a new record.
            moved = attrs.evolve(repository.get("b-0"), order_id="order_moved")
            repository.save(moved)
            repository.add(_payment("b-new", order_id="order_new"))
            assert repository.by_order("order_%") is None
            assert repository.by_order("order_moved") == moved
            assert repository.by_order("order_new") is not None
            uow.commit()
        with uow_factory() as uow:
            repository = payments_of(uow)
            assert repository.by_order("order_%") is None
            assert repository.by_order("order_moved").version == 2
            assert repository.by_order("order_new").version == 1

    def test_refused_commit_leaves_the_lookups(
        self, uow_factory: Callable[[], Any], payments_of: Callable[[Any], Any]
    ) -> None:
        """A stale commit moves no order and changes no pending list."""
        self.add_committed(uow_factory, payments_of, _payment("b-1", order_id="o-1"))
        first, second = uow_factory(), uow_factory()
        with first, second:
            mine = payments_of(first).get("b-1")
            theirs = payments_of(second).get("b-1")
            payments_of(first).save(attrs.evolve(mine, closed=True))
            payments_of(second).save(attrs.evolve(theirs, order_id="o-2"))
            payments_of(second).add(_payment("b-2"))
            first.commit()
            with pytest.raises(StaleVersionError):
                second.commit()
        with uow_factory() as uow:
            repository = payments_of(uow)
            assert repository.by_order("o-2") is None
            assert repository.by_order("o-1") == attrs.evolve(
                _payment("b-1", order_id="o-1", closed=True), version=2
            )
            assert repository.pending() == []
            assert [p.id for p in repository.all()] == ["b-1"]

    def test_text_a_database_may_not_hold(
        self, uow_factory: Callable[[], Any], payments_of: Callable[[Any], Any]
    ) -> None:
        """A refund reason with a NUL: kept exactly, or refused coded, unindexed."""
        refund = PendingRefund(key="refund/p/1", amount=_PRICE, reason="a\x00b")
        odd = _payment("b-odd", order_id="order_odd", pending_refund=refund)
        stored = self.stored_as_given_or_refused(uow_factory, payments_of, odd)
        with uow_factory() as uow:
            found = payments_of(uow).by_order("order_odd")
            assert (found is not None) is stored
            assert [p.id for p in payments_of(uow).pending()] == (
                ["b-odd"] if stored else []
            )

    def test_pending_and_all(
        self, uow_factory: Callable[[], Any], payments_of: Callable[[Any], Any]
    ) -> None:
        """Pending: no order and not closed, or a refund unconfirmed; by id."""
        self.add_committed(uow_factory, payments_of, *reversed(self.shapes()))
        every = sorted(shape.id for shape in self.shapes())
        with uow_factory() as uow:
            repository = payments_of(uow)
            assert [p.id for p in repository.pending()] == [
                "b-jpy",
                "b-new",
                "b-refunding",
            ]
            assert [p.id for p in repository.all()] == every
            assert all(p.version == 1 for p in repository.all())
            # Staged writes count: an order created, a refund confirmed, a new
            # record without an order, a closed one without an order.
            repository.save(self.changed(repository.get("b-new")))
            refunding = repository.get("b-refunding")
            repository.save(attrs.evolve(refunding, pending_refund=None, closed=True))
            repository.add(_payment("b-0-later"))
            repository.add(_payment("b-closed-early", closed=True))
            assert [p.id for p in repository.pending()] == ["b-0-later", "b-jpy"]
            assert [p.id for p in repository.all()] == sorted(
                [*every, "b-0-later", "b-closed-early"]
            )
            uow.commit()
        with uow_factory() as uow:
            repository = payments_of(uow)
            assert [p.id for p in repository.pending()] == ["b-0-later", "b-jpy"]
            assert repository.get("b-refunding").closed


def _due(booking_id: str, **changes: Any) -> SettlementDue:
    return SettlementDue(
        id=booking_id,
        session_id=changes.pop("session_id", "s-1"),
        kind=changes.pop("kind", DueKind.OUTCOME),
        requested_at=changes.pop("requested_at", NOW),
        **changes,
    )


class SettlementDueRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.SettlementDueRepository` passes.

    Fixtures: ``uow_factory``, ``published`` and ``settlements_of`` (the
    settlement due repository of a unit of work, ``uow.settlements`` by default).
    """

    @pytest.fixture
    def settlements_of(self) -> Callable[[Any], Any]:
        """The settlement due repository of a unit of work (``uow.settlements``)."""
        return lambda uow: uow.settlements

    @pytest.fixture
    def repository_of(
        self, settlements_of: Callable[[Any], Any]
    ) -> Callable[[Any], Any]:
        """The repository the shared checks use: the settlement due repository."""
        return settlements_of

    def shapes(self) -> Sequence[SettlementDue]:
        """An outcome, a cancellation by each role, a closed one."""
        return [
            _due("b-outcome"),
            _due("b-by-student", kind=DueKind.CANCELLATION, by=Role.STUDENT),
            _due(
                "b-by-teacher",
                kind=DueKind.CANCELLATION,
                by=Role.TEACHER,
                session_id="s-2",
                requested_at=NOW + timedelta(hours=3),
            ),
            close_due(_due("b-closed"), now=NOW + timedelta(days=1)),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The due, closed an hour after :data:`NOW` (by the monitor)."""
        return attrs.evolve(aggregate, closed_at=NOW + timedelta(hours=1))

    def test_due(
        self, uow_factory: Callable[[], Any], settlements_of: Callable[[Any], Any]
    ) -> None:
        """Only open dues, by id; a closed or refused close changes the answer."""
        self.add_committed(uow_factory, settlements_of, *reversed(self.shapes()))
        with uow_factory() as uow:
            repository = settlements_of(uow)
            assert [d.id for d in repository.due()] == [
                "b-by-student",
                "b-by-teacher",
                "b-outcome",
            ]
            repository.save(self.changed(repository.get("b-outcome")))
            repository.add(_due("b-another", session_id="s-3"))
            assert [d.id for d in repository.due()] == [
                "b-another",
                "b-by-student",
                "b-by-teacher",
            ]
            uow.commit()
        with uow_factory() as uow:
            repository = settlements_of(uow)
            assert [d.id for d in repository.due()] == [
                "b-another",
                "b-by-student",
                "b-by-teacher",
            ]
            assert not repository.get("b-outcome").open
        # Two workers closing one due: one wins, the loser changes nothing.
        first, second = uow_factory(), uow_factory()
        with first, second:
            for uow in (first, second):
                repository = settlements_of(uow)
                repository.save(self.changed(repository.get("b-another")))
            first.commit()
            with pytest.raises(StaleVersionError):
                second.commit()
        with uow_factory() as uow:
            assert [d.id for d in settlements_of(uow).due()] == [
                "b-by-student",
                "b-by-teacher",
            ]
            assert settlements_of(uow).get("b-another").version == 2


_ACCOUNT = BankAccount(
    holder_name="Asha O'Rao \"\\ नमस्ते",
    account_number="001234567890",
    ifsc="HDFC0001234",
)


def _withdrawal(withdrawal_id: str, minutes: int = 0, **changes: Any) -> Withdrawal:
    return Withdrawal(
        id=withdrawal_id,
        teacher_id=changes.pop("teacher_id", "m-1"),
        amount=changes.pop("amount", Money.of("100.00", "INR")),
        bank_account=_ACCOUNT,
        requested_at=NOW + timedelta(minutes=minutes),
        **changes,
    )


def _reported(withdrawal: Withdrawal, status: PayoutStatus) -> Withdrawal:
    return apply_payout_status(
        withdrawal, status, actor=Actor.system(), now=NOW + timedelta(hours=1)
    ).state


class WithdrawalRepositoryContract(AggregateRepositoryContract):
    """The checks every :class:`~booking_core.ports.WithdrawalRepository` passes.

    Fixtures: ``uow_factory``, ``published`` and ``withdrawals_of`` (the
    withdrawal repository of a unit of work, ``uow.withdrawals`` by default).
    """

    @pytest.fixture
    def withdrawals_of(self) -> Callable[[Any], Any]:
        """The withdrawal repository of a unit of work (``uow.withdrawals``)."""
        return lambda uow: uow.withdrawals

    @pytest.fixture
    def repository_of(
        self, withdrawals_of: Callable[[Any], Any]
    ) -> Callable[[Any], Any]:
        """The repository the shared checks use: the withdrawal repository."""
        return withdrawals_of

    def shapes(self) -> Sequence[Withdrawal]:
        """Held, paid, voided and reversed; a payout id that looks like SQL."""
        paid = record_payout(_withdrawal("w-paid", 1), "pout_%'; --")
        return [
            _withdrawal("w-held", 30),
            _reported(paid, PayoutStatus.PROCESSED),
            _reported(
                record_payout(_withdrawal("w-voided", 2), "pout_2"),
                PayoutStatus.FAILED,
            ),
            _reported(
                _reported(
                    record_payout(_withdrawal("w-reversed", 3), "pout_3"),
                    PayoutStatus.PROCESSED,
                ),
                PayoutStatus.REVERSED,
            ),
            _withdrawal("w-jpy", 30, amount=Money.of("5000", "JPY"), teacher_id="m-2"),
        ]

    def changed(self, aggregate: Any) -> Any:
        """The withdrawal with a payout id recorded."""
        return record_payout(aggregate, f"pout_{aggregate.id}")

    def test_held_and_all(
        self, uow_factory: Callable[[], Any], withdrawals_of: Callable[[Any], Any]
    ) -> None:
        """Held ones and every one, by request time, then id; staged writes count."""
        shapes = self.shapes()
        assert [w.status for w in shapes[1:4]] == [
            WithdrawalStatus.PAID,
            WithdrawalStatus.VOIDED,
            WithdrawalStatus.REVERSED,
        ]
        self.add_committed(uow_factory, withdrawals_of, *reversed(shapes))
        with uow_factory() as uow:
            repository = withdrawals_of(uow)
            # Requested at the same minute: by id. An earlier request comes
            # first although its id sorts last.
            assert [w.id for w in repository.held()] == ["w-held", "w-jpy"]
            assert [w.id for w in repository.all()] == [
                "w-paid",
                "w-voided",
                "w-reversed",
                "w-held",
                "w-jpy",
            ]
            repository.add(_withdrawal("w-zz-early", -5))
            settled = _reported(
                self.changed(repository.get("w-held")), PayoutStatus.PROCESSED
            )
            repository.save(settled)
            assert [w.id for w in repository.held()] == ["w-zz-early", "w-jpy"]
            assert [w.id for w in repository.all()][:2] == ["w-zz-early", "w-paid"]
            uow.commit()
        with uow_factory() as uow:
            repository = withdrawals_of(uow)
            assert [w.id for w in repository.held()] == ["w-zz-early", "w-jpy"]
            assert repository.get("w-held") == attrs.evolve(settled, version=2)
            assert repository.get("w-paid").payout_id == "pout_%'; --"
