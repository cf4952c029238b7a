"""A minimal HTTP API over booking_core's services, on SQLite or PostgreSQL."""
