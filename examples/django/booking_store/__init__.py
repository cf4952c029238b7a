"""booking_core's storage kernel on the Django ORM's database connection."""
