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

The tests session runs the PostgreSQL adapter's tests on the database named by
``BOOKING_CORE_PG_DSN`` or, when it is unset, on a throwaway cluster it starts
(``tools/pg_cluster.py``: initdb/pg_ctl on a private unix socket, apt-get
installing the server first when missing and we are root). Only when neither
works does it skip them, with one printed line, and leave the PostgreSQL adapter
out of the coverage total.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck"]

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
ROOT = Path(__file__).parent


sys.path.insert(0, str(ROOT / "tools"))
import pg_cluster  # noqa: E402


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit, property, stateful and contract tests, doctests, 100 % branch coverage.

    Every storage test runs on memory, SQLite and PostgreSQL (see the module
    docstring for where the PostgreSQL comes from).
    """
    session.install("-e", ".[test,postgres]")
    dsn = os.environ.get(pg_cluster.DSN_VARIABLE)
    with contextlib.ExitStack() as stack:
        omit: list[str] = []
        if not dsn:
            binaries = pg_cluster.find_or_install_bindir(session.log)
            if binaries is None:
                print(
                    "PostgreSQL tests skipped: no initdb/pg_ctl found or installable"
                    f" and {pg_cluster.DSN_VARIABLE} unset"
                )
                omit = ["--omit=*/adapters/postgres.py"]
            else:
                dsn = stack.enter_context(
                    pg_cluster.throwaway_cluster(binaries, log=session.log)
                )
        env = (
            {pg_cluster.DSN_VARIABLE: dsn}
            if dsn
            else {pg_cluster.SKIPPED_VARIABLE: "1"}
        )
        session.run("coverage", "erase")
        session.run("coverage", "run", "-m", "pytest", *session.posargs, env=env)
    session.run("coverage", "combine")
    session.run("coverage", "report", *omit)


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
    """Run every benchmark; each prints one JSON line per (case, peer).

    ``benchmarks/postgres.py`` needs the ``postgres`` extra (psycopg) and a
    server: ``BOOKING_CORE_PG_DSN`` or a throwaway cluster it starts itself.
    """
    session.install("-e", ".[bench,postgres]")
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
    """One venv per framework example: the package + the framework, mypy, tests.

    Both examples' tests run on SQLite and on PostgreSQL: the database named by
    ``BOOKING_CORE_PG_DSN``, else a throwaway cluster started here (skipped, with
    one printed line, when neither is possible). The FastAPI tests take both
    stores in one run; Django's settings pick PostgreSQL from the variable, so
    its tests run once per store.
    """
    session.install(
        "-e", f"{ROOT}[postgres]", "pytest>=8", "mypy==2.4.1", *EXAMPLES[example]
    )
    session.chdir(ROOT / "examples" / example)
    session.run("mypy", "--config-file", "mypy.ini", ".")
    if example == "django":
        session.run("python", "manage.py", "check")
        session.run("python", "manage.py", "makemigrations", "--check", "--dry-run")
        session.run("pytest", *session.posargs)  # on SQLite
    with contextlib.ExitStack() as stack:
        dsn = os.environ.get(pg_cluster.DSN_VARIABLE)
        binaries = None if dsn else pg_cluster.find_or_install_bindir(session.log)
        if binaries is not None:
            dsn = stack.enter_context(
                pg_cluster.throwaway_cluster(binaries, log=session.log)
            )
        if not dsn:
            print(f"{example} example on PostgreSQL skipped: no initdb/pg_ctl found")
            if example == "django":
                return
        env = {pg_cluster.DSN_VARIABLE: dsn} if dsn else {}
        session.run("pytest", *session.posargs, env=env)
