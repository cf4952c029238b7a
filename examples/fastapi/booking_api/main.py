"""The app a server runs: ``uvicorn booking_api.main:app``.

PostgreSQL when ``$BOOKING_API_DSN`` is set, else the SQLite file
``$BOOKING_API_DB`` (default ``booking_api.sqlite3`` in the working directory);
see :mod:`booking_api.storage`. ``python -m booking_api.seed`` puts two
sessions in it.
"""

from __future__ import annotations

from booking_api.app import create_app
from booking_api.storage import open_store

store = open_store()
app = create_app(store)
