# ruff: noqa: S607 -- apt-get, useradd: found on PATH like any admin tool
"""A throwaway PostgreSQL cluster for the tests and the benchmark.

``nox`` (the tests session), ``tests/conftest.py`` (when no DSN is given) and
``benchmarks/postgres.py`` all start PostgreSQL this way: find ``initdb`` and
``pg_ctl`` (on ``PATH``, under ``/usr/lib/postgresql/*/bin`` or
``/usr/pgsql-*/bin``), or install the ``postgresql`` package with apt-get when
they are missing and we are root; ``initdb`` into a temporary directory (as the
``postgres`` system user when run by root: the server refuses to run as root);
start the server on a private unix socket with no TCP listener; create the
database; and always stop the server and remove the directory afterwards.

Usage::

    with throwaway_cluster(find_or_install_bindir()) as dsn:
        ...  # "host=/tmp/booking-core-pg-... port=... user=booking dbname=booking_core"
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

DSN_VARIABLE = "BOOKING_CORE_PG_DSN"
"""The environment variable naming the PostgreSQL database of the tests."""

SKIPPED_VARIABLE = "BOOKING_CORE_PG_SKIPPED"
"""Set by nox when no PostgreSQL could be started (the tests skip, quietly)."""


def bindir() -> Path | None:
    """The directory of the newest ``pg_ctl`` on PATH or in the usual places."""
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        return Path(on_path).resolve().parent
    found = [
        *Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),  # Debian, Ubuntu
        *Path("/usr").glob("pgsql-*/bin/pg_ctl"),  # RHEL, Fedora (PGDG)
    ]

    def version(pg_ctl: Path) -> tuple[int, ...]:
        digits = "".join(c if c.isdigit() else " " for c in pg_ctl.parent.parent.name)
        return tuple(int(part) for part in digits.split())

    return max(found, key=version).parent if found else None


def is_root() -> bool:
    """Whether this process runs as root."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def install(log: Callable[[str], object] = print) -> Path | None:
    """Install the server with apt-get when root; the new binaries, or None."""
    if not is_root() or shutil.which("apt-get") is None:
        return None
    log("PostgreSQL binaries missing: apt-get install -y postgresql")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run(command, env=env, check=False, **quiet).returncode != 0:  # type: ignore[call-overload]
        subprocess.run(["apt-get", "update"], env=env, check=False, **quiet)  # type: ignore[call-overload]
        subprocess.run(command, env=env, check=False, **quiet)  # type: ignore[call-overload]
    return bindir()


def find_or_install_bindir(log: Callable[[str], object] = print) -> Path | None:
    """The server binaries, installed first when missing and possible."""
    return bindir() or install(log)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> str:
    """The unprivileged system user that runs the server when we are root."""
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "postgres"], check=True
        )
    return "postgres"


@contextlib.contextmanager
def throwaway_cluster(
    binaries: Path, *, log: Callable[[str], object] = print, max_connections: int = 300
) -> Iterator[str]:
    """Initdb into a temporary directory, start on a private unix socket, stop.

    Yields:
        The libpq connection string of database ``booking_core``.
    """
    tmp = Path(tempfile.mkdtemp(prefix="booking-core-pg-"))
    as_user: list[str] = []
    if is_root():  # the server refuses to run as root
        user = _server_user()
        shutil.chown(tmp, user=user)
        as_user = ["runuser", "-u", user, "--"]
    data, port = tmp / "data", str(_free_port())
    pg_ctl = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        subprocess.run(
            [
                *as_user,
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "booking",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            **quiet,  # type: ignore[call-overload]
        )
        log(f"starting a throwaway PostgreSQL cluster in {tmp}")
        options = (
            f"-k {tmp} -p {port} -c listen_addresses='' -c fsync=off"
            f" -c synchronous_commit=off -c max_connections={max_connections}"
        )
        subprocess.run(
            [
                *pg_ctl,
                "-l",
                str(tmp / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            check=True,
            **quiet,  # type: ignore[call-overload]
        )
        subprocess.run(
            [
                str(binaries / "createdb"),
                "-h",
                str(tmp),
                "-p",
                port,
                "-U",
                "booking",
                "booking_core",
            ],
            check=True,
        )
        yield f"host={tmp} port={port} user=booking dbname=booking_core"
    finally:
        if (data / "postmaster.pid").exists():
            log("stopping the throwaway PostgreSQL cluster")
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], check=False, **quiet)  # type: ignore[call-overload]
        shutil.rmtree(tmp, ignore_errors=True)
