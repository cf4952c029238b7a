"""The app a server runs: ``uvicorn booking_api.main:app``.

The database file is ``$BOOKING_API_DB`` (default ``booking_api.sqlite3`` in
the working directory); ``python -m booking_api.seed`` puts two sessions in it.
"""

from __future__ import annotations

import os

from booking_core.adapters.sqlite import SqliteDatabase

from booking_api.app import create_app

app = create_app(
    SqliteDatabase(os.environ.get("BOOKING_API_DB", "booking_api.sqlite3"))
)
