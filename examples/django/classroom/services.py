"""Wiring: every booking_core service, built once on the Django database.

Views call :func:`core`; it is :func:`booking_core.bootstrap` on
:class:`booking_store.storage.DjangoUnitOfWork` (every repository on the ORM's
connection), the system clock, the payment gateway and the platform's
:class:`booking_core.Policies`. Tests swap the clock, the gateway, the
policies and the id maker with :func:`configure` (the library never reads the
time itself, so a fixed clock makes every test deterministic).

The payment gateway here is the library's ``FakePaymentGateway`` (an in-process
simulation with signed webhooks): a real site passes its gateway adapter
instead, with the webhook secret it shares with the gateway.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs
from booking_core import BookingCore, Clock, Policies, SystemClock, bootstrap
from booking_core.adapters.fake_gateway import FakePaymentGateway
from booking_core.ports import PaymentGateway
from django.conf import settings

from booking_store.events import SignalPublisher
from booking_store.storage import DjangoDatabase, DjangoUnitOfWork

__all__ = [
    "Wiring",
    "configure",
    "core",
    "database",
    "publisher",
    "unit_of_work",
    "webhook_secret",
]

publisher = SignalPublisher()
"""Committed events go out as the ``booking_store.events.domain_event`` signal."""


def webhook_secret() -> bytes:
    """The secret the gateway signs its webhooks with (``settings``)."""
    return str(settings.BOOKING_WEBHOOK_SECRET).encode()


@functools.cache
def database() -> DjangoDatabase:
    """The storage kernel on the ``default`` database (one per process)."""
    return DjangoDatabase("default")


def unit_of_work() -> DjangoUnitOfWork:
    """A new unit of work on the default database, publishing Django signals."""
    return DjangoUnitOfWork(database(), publisher)


@attrs.frozen(kw_only=True)
class Wiring:
    """What the services are built with besides the storage.

    Attributes:
        clock: The one clock every service reads.
        gateway: The payment gateway.
        policies: Every number of the library.
        new_id: Makes the ids of bookings nobody named (random when ``None``).
    """

    clock: Clock
    gateway: PaymentGateway
    policies: Policies = attrs.field(factory=Policies)
    new_id: Callable[[], str] | None = None


def _default_wiring() -> Wiring:
    clock = SystemClock()
    return Wiring(
        clock=clock,
        gateway=FakePaymentGateway(secret=webhook_secret(), clock=clock.now),
    )


class _Built:
    """The wiring in force and the services built on it (once per process)."""

    wiring: Wiring | None = None
    core: BookingCore | None = None


_built = _Built()


def configure(wiring: Wiring) -> Wiring:
    """Build the services on ``wiring`` from now on; returns the previous wiring."""
    previous = _built.wiring or _default_wiring()
    _built.wiring, _built.core = wiring, None
    return previous


def core() -> BookingCore:
    """Every service of the library, wired once (:func:`booking_core.bootstrap`)."""
    if _built.core is None:
        wiring = _built.wiring = _built.wiring or _default_wiring()
        _built.core = bootstrap(
            uow_factory=unit_of_work,
            clock=wiring.clock,
            gateway=wiring.gateway,
            policies=wiring.policies,
            new_id=wiring.new_id,
            webhook_secret=webhook_secret(),
        )
    return _built.core
