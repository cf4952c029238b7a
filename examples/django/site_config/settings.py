"""Settings of the example site: ``booking_store`` (storage), ``classroom`` (API).

The database settings are the part that matters for booking_core:

* ``transaction_mode = "IMMEDIATE"``: every ``transaction.atomic()`` starts with
  ``BEGIN IMMEDIATE``, so a writer waits (up to ``timeout`` seconds) for another
  writer instead of failing with "database is locked" half way through.
* WAL journal mode: readers never block the writer, and the writer never blocks
  readers. Units of work read outside the transaction and write inside it.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

INSTALLED_APPS = ["booking_store", "classroom"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "site_config.urls"

_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BOOKING_EXAMPLE_DB", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": _SQLITE_OPTIONS,
        # A file, not ":memory:": the concurrency tests use several threads,
        # each with its own connection, and they must all see one database.
        "TEST": {
            "NAME": str(
                Path(tempfile.gettempdir())
                / f"booking_core_django_example_{os.getpid()}.sqlite3"
            ),
        },
    }
}

# On PostgreSQL instead: a libpq connection string ("host=/tmp dbname=app") or URL
# ("postgresql://app@db/app") in BOOKING_CORE_PG_DSN, the variable the library's
# own PostgreSQL tests read; install psycopg (3) for Django's backend.
_PG_DSN = os.environ.get("BOOKING_CORE_PG_DSN")


def _libpq_parameters(dsn: str) -> dict[str, str]:
    if "://" in dsn:
        url = urlsplit(dsn)
        found = {
            "host": unquote(url.hostname or ""),
            "port": str(url.port or ""),
            "user": unquote(url.username or ""),
            "password": unquote(url.password or ""),
            "dbname": unquote(url.path.lstrip("/")),
        }
        found.update(parse_qsl(url.query))
        return {key: value for key, value in found.items() if value}
    return dict(part.split("=", 1) for part in shlex.split(dsn))


if _PG_DSN:
    _pg = _libpq_parameters(_PG_DSN)
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _pg.pop("dbname", "booking_core"),
        "USER": _pg.pop("user", ""),
        "PASSWORD": _pg.pop("password", ""),
        "HOST": _pg.pop("host", ""),
        "PORT": _pg.pop("port", ""),
        "OPTIONS": _pg,
    }

USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# booking_core: the secret the payment gateway signs its webhooks with, and the
# price of a 1:1 lesson (the server decides prices, never the client).
BOOKING_WEBHOOK_SECRET = os.environ.get(
    "BOOKING_WEBHOOK_SECRET", "example-only-webhook-secret-0123456789"
)
CLASSROOM_ONE_ON_ONE_PRICE = "700.00 INR"
