"""The app's URLs."""

from __future__ import annotations

from django.urls import path

from seats import views

urlpatterns = [
    path("sessions/<str:session_id>", views.availability, name="availability"),
    path("sessions/<str:session_id>/bookings", views.book, name="book"),
    path("bookings/<str:booking_id>/cancel", views.cancel, name="cancel"),
]
