"""Tasks: ``nox`` runs tests, lint and typecheck; ``nox -s bench`` the benchmarks.

``nox`` is deterministic (derandomised hypothesis); ``nox -s explore`` draws new
property-test examples on every run; ``nox -s mutate`` runs mutation testing of the
pure core (``tools/mutate.py``).

``nox -s build`` is the release check: sdist and wheel, ``twine check``, and the
wheel installed in a clean virtual environment running the ``booking-core`` command
(``demo`` and ``expand``) and reading every shipped event schema. ``nox -s demo``
installs the package and runs the demo.
``nox -s examples`` runs the framework examples (``examples/django``, ``fastapi``),
each in its own virtual environment with its framework: mypy, then its tests.
``nox -s postgres`` runs ``examples/postgres`` against a PostgreSQL it finds or starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
ROOT = Path(__file__).parent


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit, property, stateful and contract tests, doctests, 100 % branch coverage."""
    session.install("-e", ".[test]")
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "combine")
    session.run("coverage", "report")


@nox.session(python=PYTHON)
def explore(session: nox.Session) -> None:
    """Property tests drawing new examples each run (opt-in; never gates coverage).

    The default ``tests`` session is deterministic (derandomised hypothesis, no
    example database); this one explores with ``HYPOTHESIS_PROFILE=explore``.
    """
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "tests/properties",
        "tests/stateful",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "explore"},
    )


@nox.session(python=PYTHON)
def mutate(session: nox.Session) -> None:
    """Mutation testing of the pure core (slow; not a default session).

    Arguments go to ``tools/mutate.py``: ``--module bookings/capacity.py``,
    ``--sample 20``, ``--all``. Prints killed / survived / timeout / equivalent
    and the score per module, then the surviving mutants; fails when a module
    scores under 90 %.
    """
    session.install("-e", ".[test]")
    session.run("python", "tools/mutate.py", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Ruff: lint rules and formatting."""
    session.install("ruff==0.17.6")
    paths = ["src", "tests", "benchmarks", "examples", "tools", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package, the tests and the benchmarks."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run every benchmark; each prints one JSON line per (case, peer)."""
    session.install("-e", ".[bench]")
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session(python=PYTHON)
def build(session: nox.Session) -> None:
    """Build sdist and wheel, twine-check them, run the wheel from a clean venv."""
    session.install("build", "twine")
    tmp = Path(session.create_tmp()).resolve()
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist), str(ROOT))
    built = sorted(dist.iterdir())
    assert sorted(p.suffix for p in built) == [".gz", ".whl"], built
    session.run("twine", "check", "--strict", *(str(p) for p in built))

    # a clean venv with nothing but the wheel and its runtime dependencies
    venv = tmp / "clean-venv"
    shutil.rmtree(venv, ignore_errors=True)
    session.run("python", "-m", "venv", str(venv))
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = str(bin_dir / "python")
    wheel = str(next(dist.glob("*.whl")))
    session.run(python, "-m", "pip", "install", "-q", wheel, external=True)
    session.chdir(tmp)  # away from the source tree: the installed copy runs
    where = session.run(
        python,
        "-c",
        "import booking_core; print(booking_core.__file__)",
        external=True,
        silent=True,
    )
    assert str(venv) in str(where), where
    shipped = session.run(  # the event schemas are package data: in the wheel
        python,
        "-c",
        "from booking_core.event_schemas import generate, load_schema; "
        "print(all(load_schema(f.rsplit('.', 2)[0]) for f in generate()))",
        external=True,
        silent=True,
    )
    assert "True" in str(shipped), shipped
    out = session.run(
        str(bin_dir / "booking-core"),
        "expand",
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
        "--start",
        "2026-03-25T18:00",
        "--zone",
        "Europe/London",
        "--show-in",
        "Asia/Kolkata",
        external=True,
        silent=True,
    )
    print(out)
    assert "3  Mon 2026-04-06 22:30 IST" in str(out), out
    session.run(python, "-m", "booking_core", "--help", external=True, silent=True)
    story = session.run(
        str(bin_dir / "booking-core"), "demo", external=True, silent=True
    )
    print(story)
    assert "0 discrepancies: clean" in str(story), story


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Install the package and run ``booking-core demo``: one week, end to end."""
    session.install(".")
    session.run("booking-core", "demo", *session.posargs)


# -- framework examples ---------------------------------------------------------

EXAMPLES: dict[str, tuple[str, ...]] = {
    "django": (
        "django>=5.2,<6",
        "pytest-django>=4.9",
        "django-stubs>=6.1",
    ),
    "fastapi": ("fastapi>=0.115", "httpx2>=2.16"),
}
"""Each example under ``examples/`` and what it needs besides the package."""


@nox.session(python=PYTHON)
@nox.parametrize("example", sorted(EXAMPLES))
def examples(session: nox.Session, example: str) -> None:
    """One venv per framework example: the package + the framework, mypy, tests."""
    session.install("-e", str(ROOT), "pytest>=8", "mypy==2.4.1", *EXAMPLES[example])
    session.chdir(ROOT / "examples" / example)
    session.run("mypy", "--config-file", "mypy.ini", ".")
    if example == "django":
        session.run("python", "manage.py", "check")
        session.run("python", "manage.py", "makemigrations", "--check", "--dry-run")
    session.run("pytest", *session.posargs)


# -- PostgreSQL (examples/postgres; not a default session) ------------------------

PG_DSN_VARIABLE = "BOOKING_CORE_PG_DSN"
PG_EXAMPLE = "examples/postgres"


@nox.session(python=PYTHON)
def postgres(session: nox.Session) -> None:
    """The PostgreSQL example adapter: mypy, the contract suites and the race.

    Uses the database named by ``BOOKING_CORE_PG_DSN`` (a libpq connection string)
    when set; otherwise starts a throwaway cluster from the server binaries
    (installing the ``postgresql`` package with apt-get first when they are missing
    and we are root) and always stops it. Skips, saying why, only when neither is
    possible.
    """
    session.install("-e", ".[test]", "psycopg[binary]>=3.1", "mypy==2.4.1")
    session.install("types-python-dateutil")
    session.run("mypy", "--strict", PG_EXAMPLE)
    dsn = os.environ.get(PG_DSN_VARIABLE)
    if dsn:
        session.log(f"using the PostgreSQL database named by {PG_DSN_VARIABLE}")
        _postgres_tests(session, dsn)
        return
    bindir = _postgres_bindir() or _install_postgres(session)
    if bindir is None:
        session.skip(
            f"PostgreSQL tests skipped: {PG_DSN_VARIABLE} is not set, no PostgreSQL "
            "server binaries (initdb, pg_ctl) were found, and they could not be "
            "installed (needs root and apt-get). Set "
            f"{PG_DSN_VARIABLE}='host=... dbname=... user=...' or install PostgreSQL."
        )
    with _throwaway_cluster(session, bindir) as throwaway:
        _postgres_tests(session, throwaway)


def _postgres_tests(session: nox.Session, dsn: str) -> None:
    session.run(
        "pytest", PG_EXAMPLE, "-p", "no:cacheprovider", env={PG_DSN_VARIABLE: dsn}
    )


def _postgres_bindir() -> Path | None:
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


def _install_postgres(session: nox.Session) -> Path | None:
    """Install the server with apt-get when root; the new binaries, or None."""
    if not _is_root() or shutil.which("apt-get") is None:
        return None
    session.log("PostgreSQL binaries missing: apt-get install -y postgresql")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=False)
        subprocess.run(install, env=env, check=False)
    return _postgres_bindir()


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user(session: nox.Session) -> str:
    """The unprivileged system user that runs the server when we are root."""
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        session.log("creating the system user 'postgres' to run the server")
        session.run(
            "useradd", "--system", "--no-create-home", "postgres", external=True
        )
    return "postgres"


@contextlib.contextmanager
def _throwaway_cluster(session: nox.Session, bindir: Path) -> Iterator[str]:
    """initdb into a temporary directory, start on a private unix socket, stop."""
    tmp = Path(tempfile.mkdtemp(prefix="booking-core-pg-"))
    as_user: list[str] = []
    if _is_root():  # the server refuses to run as root
        user = _server_user(session)
        shutil.chown(tmp, user=user)
        as_user = ["runuser", "-u", user, "--"]
    data, port = tmp / "data", str(_free_port())
    pg_ctl = [*as_user, str(bindir / "pg_ctl"), "-D", str(data)]
    try:
        session.run(
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "booking",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            external=True,
            silent=True,
        )
        session.log(f"starting a throwaway PostgreSQL cluster in {tmp}")
        session.run(
            *pg_ctl,
            "-l",
            str(tmp / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-k {tmp} -p {port} -c listen_addresses='' -c fsync=off",
            "start",
            external=True,
        )
        session.run(
            str(bindir / "createdb"),
            "-h",
            str(tmp),
            "-p",
            port,
            "-U",
            "booking",
            "booking_core",
            external=True,
        )
        yield f"host={tmp} port={port} user=booking dbname=booking_core"
    finally:
        if (data / "postmaster.pid").exists():
            session.log("stopping the throwaway PostgreSQL cluster")
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], check=False)
        shutil.rmtree(tmp, ignore_errors=True)
