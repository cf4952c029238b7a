"""A Django app exposing booking_core's services as a JSON API."""
