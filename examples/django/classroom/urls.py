"""The app's URLs (see :mod:`classroom.views` for what each does)."""

from __future__ import annotations

from django.urls import path

from classroom import views

urlpatterns = [
    path("sessions", views.schedule_session, name="schedule-session"),
    path("sessions/<str:session_id>", views.session_detail, name="session"),
    path("sessions/<str:session_id>/bookings", views.book, name="book"),
    path(
        "sessions/<str:session_id>/reschedule",
        views.request_reschedule,
        name="request-reschedule",
    ),
    path(
        "sessions/<str:session_id>/reschedule/approve",
        views.approve_reschedule,
        name="approve-reschedule",
    ),
    path(
        "sessions/<str:session_id>/participation",
        views.participation,
        name="participation",
    ),
    path("sessions/<str:session_id>/complete", views.complete, name="complete"),
    path("sessions/<str:session_id>/outcome", views.outcome, name="outcome"),
    path("bookings/<str:booking_id>", views.booking_detail, name="booking"),
    path("bookings/<str:booking_id>/cancel", views.cancel, name="cancel"),
    path("bookings/<str:booking_id>/payment", views.payment, name="payment"),
    path("bookings/<str:booking_id>/settle", views.settle, name="settle"),
    path("teachers/<str:teacher_id>/schedule", views.set_schedule, name="schedule"),
    path("teachers/<str:teacher_id>/slots", views.slots, name="slots"),
    path("teachers/<str:teacher_id>/wallet", views.wallet, name="wallet"),
    path("teachers/<str:teacher_id>/withdrawals", views.withdraw, name="withdraw"),
    path(
        "withdrawals/<str:withdrawal_id>",
        views.withdrawal_detail,
        name="withdrawal",
    ),
    path("one-on-ones", views.request_one_on_one, name="request-one-on-one"),
    path(
        "one-on-ones/<str:booking_id>/confirm",
        views.confirm_one_on_one,
        name="confirm-one-on-one",
    ),
    path("webhooks/gateway", views.gateway_webhook, name="gateway-webhook"),
    path("reconciliation", views.reconciliation, name="reconciliation"),
]
