"""A minimal HTTP API over booking_core's services, on its SQLite adapter."""
