"""A JSON API over booking_core's services: a teacher's week, end to end.

Teachers (``X-Role: teacher``):

* ``PUT  /teachers/<id>/schedule``: weekly 1:1 availability.
* ``POST /sessions``: schedule a group class.
* ``POST /one-on-ones/<id>/confirm``: confirm a 1:1 request.
* ``POST /sessions/<id>/reschedule/approve``: approve a move.
* ``POST /sessions/<id>/complete``: mark attendance from the join log, complete
  the session and report its outcome.
* ``POST /teachers/<id>/withdrawals``; ``GET /teachers/<id>/wallet``.

Students (``X-Role: student``, the default):

* ``GET  /teachers/<id>/slots?from=&to=&minutes=&zone=``: free 1:1 slots.
* ``POST /sessions/<id>/bookings``, ``POST /bookings/<id>/cancel``: group seats.
* ``POST /one-on-ones``: request a 1:1.
* ``POST /bookings/<id>/payment``: open the payment order of a 1:1 (its price
  is the platform's: ``settings.CLASSROOM_ONE_ON_ONE_PRICE``).
* ``POST /sessions/<id>/reschedule``: ask to move a session.

The platform: ``POST /webhooks/gateway`` (signed by the gateway),
``POST /sessions/<id>/participation`` (joins and leaves, from the meeting
provider; ``X-Role: system``), ``POST /bookings/<id>/settle`` (the session's
outcome settles the payment), ``GET /reconciliation?start=&end=`` (admin).
Anyone: ``GET /sessions/<id>``, ``GET /bookings/<id>``,
``GET /bookings/<id>/payment``, ``GET /sessions/<id>/outcome``,
``GET /withdrawals/<id>``.

Who acts comes from ``X-User-Id`` and ``X-Role``, a stand-in for the host's
real authentication (``request.user`` and its groups); the library checks
what each role may do. An ``Idempotency-Key`` header makes a retried booking
return the first result. Instants are ISO 8601 with an offset; money is text
(``"700.00 INR"``). Refusals come back as the error's ``to_dict()`` (``code``,
``message``, ``field``, ``details``) with its ``http_status``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import attrs
from booking_core import Actor, Money, Role, TimeWindow, get_zone
from booking_core.attendance.model import ParticipationEvent
from booking_core.attendance.outcome import OutcomeReport
from booking_core.availability.schedule import TeacherSchedule
from booking_core.availability.windows import WeeklyAvailability
from booking_core.bookings.model import Booking
from booking_core.errors import (
    BookingCoreError,
    InvalidValueError,
    PermissionDeniedError,
)
from booking_core.money.ledger import teacher_wallet
from booking_core.money.payments import BookingPayment
from booking_core.money.withdrawals import BankAccount, Withdrawal
from booking_core.sessions import Session
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from classroom.services import core

__all__ = ["error_response"]

T = TypeVar("T")

SIGNATURE_HEADER = "X-Gateway-Signature"
"""The header carrying the gateway's webhook signature."""


def error_response(error: BookingCoreError) -> JsonResponse:
    """A refusal as JSON: ``error.to_dict()`` with ``error.http_status``."""
    return JsonResponse(error.to_dict(), status=error.http_status)


# -- requests ----------------------------------------------------------------------


@attrs.frozen
class Call:
    """One API call: who acts, the JSON body, the query string."""

    actor: Actor | None
    data: Mapping[str, Any]
    query: Mapping[str, str] = attrs.field(factory=dict)
    key: str | None = None

    @property
    def user(self) -> Actor:
        """The actor of an ``authenticated`` endpoint (it answers 401 without one)."""
        assert self.actor is not None
        return self.actor

    def allow(self, action: str, *roles: Role, owner: Actor | None = None) -> Actor:
        """The actor, if it acts in one of ``roles`` or is ``owner`` (id and role).

        Raises:
            PermissionDeniedError: ``permission_denied`` otherwise.
        """
        actor = self.user
        if actor.role not in roles and actor != owner:
            allowed = sorted(role.value for role in roles)
            if owner is not None:
                allowed.append(f"{owner.role.value} {owner.user_id}")
            raise PermissionDeniedError(
                actor=actor, action=action, allowed=", ".join(allowed)
            )
        return actor

    def value(self, field: str, default: Any = None) -> Any:
        """A body field (or ``default``); ``input.invalid_value`` when required."""
        if field in self.data:
            return self.data[field]
        if default is None:
            raise InvalidValueError(field=field, reason="is required", value=None)
        return default

    def text(self, field: str, default: str | None = None) -> str:
        """A text field of the body."""
        value = self.value(field, default)
        if not isinstance(value, str):
            raise InvalidValueError(field=field, reason="must be text", value=value)
        return value

    def whole(self, field: str, default: int | None = None) -> int:
        """A whole-number field of the body."""
        value = self.value(field, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidValueError(
                field=field, reason="must be a whole number", value=value
            )
        return value

    def flag(self, field: str) -> bool:
        """A true/false field of the body (false when absent)."""
        value = self.value(field, False)  # noqa: FBT003
        if not isinstance(value, bool):
            raise InvalidValueError(
                field=field, reason="must be true or false", value=value
            )
        return value

    def instant(self, field: str) -> datetime:
        """An ISO 8601 instant with an offset (library checks refuse naive ones)."""
        return _parsed(field, self.text(field), datetime.fromisoformat)

    def money(self, field: str) -> Money:
        """Money as text: ``"600.00 INR"``."""
        return _parsed(field, self.text(field), Money.parse)

    def param(self, name: str, default: str | None = None) -> str:
        """A query-string parameter."""
        value = self.query.get(name, default)
        if value is None:
            raise InvalidValueError(field=name, reason="is required", value=None)
        return value


def _parsed(field: str, text: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text)
    except BookingCoreError:
        raise
    except ValueError as exc:
        raise InvalidValueError(field=field, reason=str(exc), value=text) from exc


def _actor(request: HttpRequest) -> Actor | None:
    user_id = request.headers.get("X-User-Id")
    if not user_id:
        return None
    role = request.headers.get("X-Role", Role.STUDENT.value)
    if role not in {member.value for member in Role}:
        raise InvalidValueError(
            field="X-Role",
            reason=f"must be one of {', '.join(member.value for member in Role)}",
            value=role,
        )
    return Actor(user_id, Role(role))  # the library checks the id


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise InvalidValueError(
            field="body", reason="must be a JSON object", value=request.body[:80]
        ) from exc
    if not isinstance(data, dict):
        raise InvalidValueError(
            field="body", reason="must be a JSON object", value=data
        )
    return data


View = Callable[..., JsonResponse]


def endpoint(*methods: str, authenticated: bool = True) -> Callable[[View], View]:
    """A JSON view: allowed methods, the actor, refusals as ``error_response``.

    The decorated function takes the :class:`Call` and the URL's arguments and
    returns its :class:`~django.http.JsonResponse`. Calls without ``X-User-Id``
    to an ``authenticated`` view answer 401.
    """

    def decorate(handler: View) -> View:
        @csrf_exempt  # an API called with a header credential, not a browser form
        @require_http_methods(list(methods))
        @functools.wraps(handler)
        def view(request: HttpRequest, **ids: str) -> JsonResponse:
            try:
                actor = _actor(request)
                if authenticated and actor is None:
                    return JsonResponse(
                        {
                            "code": "auth.missing_user",
                            "message": "send the X-User-Id (and X-Role) headers",
                        },
                        status=401,
                    )
                call = Call(
                    actor,
                    _body(request),
                    request.GET.dict(),
                    request.headers.get("Idempotency-Key"),
                )
                return handler(call, **ids)
            except BookingCoreError as error:
                return error_response(error)

        return view

    return decorate


# -- responses ---------------------------------------------------------------------


def _window(window: TimeWindow) -> dict[str, str]:
    return {"start": window.start.isoformat(), "end": window.end.isoformat()}


def _session_json(session: Session) -> dict[str, Any]:
    request = session.pending_reschedule
    return {
        "id": session.id,
        "kind": session.kind.value,
        "status": session.status.value,
        "teacher_id": session.teacher_id,
        "course_id": session.course_id,
        "zone": session.zone,
        **_window(session.window),
        "capacity": session.capacity,
        "pending_reschedule": None
        if request is None
        else {
            "requested_by": request.requested_by.user_id,
            "new_window": None
            if request.new_window is None
            else _window(request.new_window),
            "respond_by": request.respond_by.isoformat(),
        },
    }


def _booking_json(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "type": booking.type.value,
        "session_id": booking.session_id,
        "student_id": booking.student_id,
        "teacher_id": booking.teacher_id,
        "status": booking.status.value,
        "seats": booking.seats,
        "window": _window(booking.window),
    }


def _payment_json(record: BookingPayment) -> dict[str, Any]:
    payment = record.payment
    split = None if payment is None else payment.split
    return {
        "booking_id": record.id,
        "teacher_id": record.teacher_id,
        "amount": str(record.amount),
        "order_id": record.order_id,
        "payment_id": None if payment is None else payment.id,
        "split": None
        if split is None
        else {
            "gross": str(split.gross),
            "commission_rate": str(split.commission_rate),
            "commission": str(split.commission),
            "gateway_fee": str(split.gateway_fee),
            "gateway_fee_net": str(split.gateway_fee_net),
            "gateway_tax": str(split.gateway_tax),
            "teacher_share": str(split.teacher_share),
        },
        "closed": record.closed,
    }


def _withdrawal_json(withdrawal: Withdrawal) -> dict[str, Any]:
    return {
        "id": withdrawal.id,
        "teacher_id": withdrawal.teacher_id,
        "amount": str(withdrawal.amount),
        "status": withdrawal.status.value,
        "payout_id": withdrawal.payout_id,
        "payout_status": None
        if withdrawal.payout_status is None
        else withdrawal.payout_status.value,
    }


def _outcome_json(report: OutcomeReport) -> dict[str, Any]:
    return {
        "session_id": report.session_id,
        "outcome": report.outcome.value,
        "settlement": report.settlement.meaning,
    }


# -- sessions and group seats --------------------------------------------------------


@endpoint("POST")
def schedule_session(call: Call) -> JsonResponse:
    """Schedule a group class taught by the calling teacher."""
    teacher = call.user
    start = call.instant("start")
    decision = core().sessions.schedule(
        session_id=call.text("id"),
        kind="group",
        teacher_id=teacher.user_id,
        course_id=call.text("course_id"),
        window=TimeWindow.of(start, timedelta(minutes=call.whole("minutes", 60))),
        zone=call.text("zone"),
        capacity=call.whole("capacity"),
        waitlist_enabled=call.flag("waitlist"),
        actor=teacher,
    )
    return JsonResponse(_session_json(decision.state), status=201)


@endpoint("GET", authenticated=False)
def session_detail(call: Call, session_id: str) -> JsonResponse:
    """A session, with its seat counts when it is a group class."""
    services = core()
    session = services.sessions.get(session_id)
    found = _session_json(session)
    if session.kind.value == "group":
        seats = services.bookings.availability(session_id)
        found["seats"] = {
            "capacity": seats.capacity,
            "taken": seats.taken,
            "confirmed": seats.confirmed,
            "remaining": seats.remaining,
            "waitlisted": seats.waitlisted,
            "is_full": seats.is_full,
            "booking_open": seats.booking_open,
        }
    return JsonResponse(found)


@endpoint("POST")
def book(call: Call, session_id: str) -> JsonResponse:
    """Book seats on a group class for the calling student."""
    student = call.user
    decision = core().bookings.book(
        session_id,
        student.user_id,
        actor=student,
        seats=call.whole("seats", 1),
        idempotency_key=call.key,
    )
    return JsonResponse(_booking_json(decision.state), status=201)


@endpoint("POST")
def cancel(call: Call, booking_id: str) -> JsonResponse:
    """Cancel a seat; the waitlist moves up."""
    reason = call.data.get("reason")
    decision = core().bookings.cancel(
        booking_id,
        actor=call.user,
        reason=None if reason is None else str(reason),
    )
    return JsonResponse(_booking_json(decision.state))


@endpoint("GET", authenticated=False)
def booking_detail(call: Call, booking_id: str) -> JsonResponse:
    """A booking (group seat or 1:1)."""
    return JsonResponse(_booking_json(core().bookings.get(booking_id)))


@endpoint("POST")
def request_reschedule(call: Call, session_id: str) -> JsonResponse:
    """Ask to move a session to ``new_start`` (same length)."""
    decision = core().sessions.request_reschedule(
        session_id,
        reason=call.text("reason"),
        new_start=call.instant("new_start"),
        actor=call.user,
    )
    return JsonResponse(_session_json(decision.state))


@endpoint("POST")
def approve_reschedule(call: Call, session_id: str) -> JsonResponse:
    """Approve the pending move of a session."""
    decision = core().sessions.approve_reschedule(session_id, actor=call.user)
    return JsonResponse(_session_json(decision.state))


# -- 1:1 availability and requests ---------------------------------------------------


@endpoint("PUT")
def set_schedule(call: Call, teacher_id: str) -> JsonResponse:
    """Set a teacher's weekly 1:1 availability (``weekly``: weekday, start, end)."""
    zone = call.text("zone")
    weekly = call.value("weekly")
    if not isinstance(weekly, list) or not all(isinstance(w, dict) for w in weekly):
        raise InvalidValueError(
            field="weekly", reason="must be a list of objects", value=weekly
        )
    availability = tuple(
        WeeklyAvailability(
            weekday=Call(None, window).whole("weekday"),
            start=_parsed("start", str(window.get("start")), time.fromisoformat),
            end=_parsed("end", str(window.get("end")), time.fromisoformat),
            zone=zone,
        )
        for window in weekly
    )
    decision = core().one_on_one.set_schedule(
        TeacherSchedule(
            id=teacher_id,
            zone=zone,
            availability=availability,
            step=timedelta(minutes=call.whole("step_minutes", 30)),
        ),
        actor=call.user,
    )
    return JsonResponse({"teacher_id": decision.state.id, "zone": decision.state.zone})


@endpoint("GET", authenticated=False)
def slots(call: Call, teacher_id: str) -> JsonResponse:
    """Free 1:1 slots on local dates ``from``..``to``, shown in ``zone`` too."""
    first = _parsed("from", call.param("from"), date.fromisoformat)
    last = _parsed("to", call.param("to", call.param("from")), date.fromisoformat)
    minutes = _parsed("minutes", call.param("minutes", "60"), int)
    viewer = get_zone(call.param("zone", "UTC"))
    found = core().one_on_one.slots(teacher_id, first, last, timedelta(minutes=minutes))
    return JsonResponse(
        {
            "teacher_id": teacher_id,
            "slots": [
                {
                    **_window(slot),
                    "local_start": slot.start.astimezone(viewer).isoformat(),
                }
                for slot in found
            ],
        }
    )


@endpoint("POST")
def request_one_on_one(call: Call) -> JsonResponse:
    """Request a 1:1 slot with a teacher for the calling student."""
    student = call.user
    start = call.instant("start")
    decision = core().one_on_one.request(
        teacher_id=call.text("teacher_id"),
        student_id=student.user_id,
        course_id=call.text("course_id"),
        slot=TimeWindow.of(start, timedelta(minutes=call.whole("minutes", 60))),
        actor=student,
        booking_id=call.data.get("booking_id"),
        session_id=call.data.get("session_id"),
    )
    return JsonResponse(_booking_json(decision.state), status=201)


@endpoint("POST")
def confirm_one_on_one(call: Call, booking_id: str) -> JsonResponse:
    """Confirm a pending 1:1 (the teacher); its session is scheduled with it."""
    decision = core().one_on_one.confirm(booking_id, actor=call.user)
    return JsonResponse(_booking_json(decision.state))


# -- attendance ------------------------------------------------------------------------


@endpoint("POST")
def participation(call: Call, session_id: str) -> JsonResponse:
    """A join or leave reported by the meeting provider (``X-Role: system``)."""
    kind = call.text("event")
    at = call.instant("at")
    if kind not in {"joined", "left"}:
        raise InvalidValueError(
            field="event", reason="must be 'joined' or 'left'", value=kind
        )
    entry = (
        ParticipationEvent.joined(at)
        if kind == "joined"
        else ParticipationEvent.left(at)
    )
    decision = core().attendance.record(
        session_id,
        call.text("participant_id"),
        call.text("role"),
        entry,
        actor=call.user,
    )
    return JsonResponse(
        {"participant_id": decision.state.participant_id, "event": kind}, status=201
    )


@endpoint("POST")
def complete(call: Call, session_id: str) -> JsonResponse:
    """End a session: attendance marked from the log, completed, outcome reported.

    The platform marks the attendance (as the system) for the teacher who ends
    the session, in the same database transaction as the completion: when the
    library refuses the completion, the marks are rolled back with it.
    """
    services = core()
    with transaction.atomic():
        marked = services.attendance.mark_session(session_id, actor=Actor.system())
        completed = services.sessions.complete(session_id, actor=call.user)
    report = services.attendance.outcome(session_id)
    return JsonResponse(
        {
            "session": _session_json(completed.state),
            "attendance": {a.participant_id: a.attendance.value for a in marked.state},
            **_outcome_json(report),
        }
    )


@endpoint("GET", authenticated=False)
def outcome(call: Call, session_id: str) -> JsonResponse:
    """What a session became and what that means for money."""
    return JsonResponse(_outcome_json(core().attendance.outcome(session_id)))


# -- money -----------------------------------------------------------------------------


@endpoint("POST")
def open_payment(call: Call, booking_id: str) -> JsonResponse:
    """Open the gateway order paying a 1:1, at the platform's price."""
    services = core()
    booking = services.bookings.get(booking_id)
    call.allow(
        "pay for another student's booking", owner=Actor.student(booking.student_id)
    )
    record = services.payments.open_order(
        booking_id=booking.id,
        teacher_id=booking.teacher_id,
        amount=Money.parse(settings.CLASSROOM_ONE_ON_ONE_PRICE),
        starts_at=booking.window.start,
    )
    return JsonResponse(_payment_json(record), status=201)


def payment(request: HttpRequest, booking_id: str) -> JsonResponse:
    """``GET``: the booking's money; ``POST``: open its payment order."""
    view = payment_detail if request.method == "GET" else open_payment
    return view(request, booking_id=booking_id)


@endpoint("GET", authenticated=False)
def payment_detail(call: Call, booking_id: str) -> JsonResponse:
    """A booking's money: order, captured payment and its split, closed or not."""
    return JsonResponse(_payment_json(core().payments.booking(booking_id)))


@csrf_exempt
@require_http_methods(["POST"])
def gateway_webhook(request: HttpRequest) -> JsonResponse:
    """A webhook from the payment gateway, verified by its signature header."""
    try:
        core().payments.handle_webhook(
            request.body, request.headers.get(SIGNATURE_HEADER, "")
        )
    except BookingCoreError as error:
        return error_response(error)
    return JsonResponse({"accepted": True})


@endpoint("POST")
def settle(call: Call, booking_id: str) -> JsonResponse:
    """Settle a paid booking by its session's outcome (release or refund)."""
    call.allow("settle a payment", Role.ADMIN, Role.SYSTEM)
    services = core()
    booking = services.bookings.get(booking_id)
    report = services.attendance.outcome(booking.session_id or "")
    record = services.payments.settle(booking_id, report.settlement)
    return JsonResponse(_payment_json(record))


@endpoint("POST")
def withdraw(call: Call, teacher_id: str) -> JsonResponse:
    """Withdraw from the teacher's available wallet to a bank account."""
    call.allow("withdraw from another wallet", owner=Actor.teacher(teacher_id))
    account = call.value("bank_account")
    if not isinstance(account, dict):
        raise InvalidValueError(
            field="bank_account", reason="must be an object", value=account
        )
    bank = Call(None, account)
    withdrawal = core().payments.withdraw(
        withdrawal_id=call.text("id"),
        teacher_id=teacher_id,
        amount=call.money("amount"),
        bank_account=BankAccount(
            holder_name=bank.text("holder_name"),
            account_number=bank.text("account_number"),
            ifsc=bank.text("ifsc"),
        ),
    )
    return JsonResponse(_withdrawal_json(withdrawal), status=201)


@endpoint("GET", authenticated=False)
def withdrawal_detail(call: Call, withdrawal_id: str) -> JsonResponse:
    """A withdrawal and its payout."""
    return JsonResponse(_withdrawal_json(core().payments.withdrawal(withdrawal_id)))


@endpoint("GET")
def wallet(call: Call, teacher_id: str) -> JsonResponse:
    """A teacher's money by state: escrow, available, held."""
    call.allow("see another wallet", Role.ADMIN, owner=Actor.teacher(teacher_id))
    found = teacher_wallet(core().payments.journal, teacher_id)
    return JsonResponse(
        {
            "teacher_id": teacher_id,
            "escrow": str(found.escrow),
            "available": str(found.available),
            "held": str(found.held),
            "lifetime_earned": str(found.lifetime_earned),
        }
    )


@endpoint("GET")
def reconciliation(call: Call) -> JsonResponse:
    """The ledger reconciled with the gateway's settled transactions."""
    call.allow("reconcile the ledger", Role.ADMIN, Role.SYSTEM)
    report = core().payments.reconcile(
        start=_parsed("start", call.param("start"), datetime.fromisoformat),
        end=_parsed("end", call.param("end"), datetime.fromisoformat),
    )
    return JsonResponse(
        {
            "matched": list(report.matched),
            "discrepancies": [str(d) for d in report.discrepancies],
            "clean": report.clean,
        }
    )
