"""A Django app that books seats on group sessions through booking_core."""
