"""Developer tasks: `nox -s tests lint typecheck docs` (`nox -l` lists them).

Each session installs what it needs into its own venv under .nox/. CI reuses
the project's .venv instead: `nox --no-venv --no-install -s ...` with .venv/bin
first on PATH (see .ci/run).
"""

from __future__ import annotations

import re
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["tests", "lint", "typecheck", "docs"]


@nox.session
def tests(session: nox.Session) -> None:
    """The suite under coverage; fails below `fail_under` in [tool.coverage.report].

    coverage starts before pytest so the package's import, which the pytest11
    entry point triggers before pytest-cov could start, is measured too.
    """
    session.install("-e", ".[test]")
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "report")


#: The tests that talk to redis-server, run again on the oldest redis-py the extra allows.
REDIS_TESTS = [
    "tests/tokens/test_fleet_outages.py",
    "tests/tokens/test_token_cache.py",
    "tests/tokens/test_token_cache_fleet.py",
    "tests/bulk/test_bulk_fleet.py",
]


def redis_floor() -> str:
    """The lowest redis-py version the `redis` extra in pyproject.toml allows."""
    pyproject = Path("pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^redis = \[\s*"redis>=([\w.]+)"', pyproject, re.MULTILINE)
    if found is None:
        raise ValueError('expected `redis = ["redis>=X"...` in pyproject.toml')
    return found[1]


@nox.session
def redis_oldest(session: nox.Session) -> None:
    """The Redis tests on the oldest redis-py the `redis` extra allows (timeouts, aclose)."""
    session.install("-e", ".[test]")
    session.install(f"redis=={redis_floor()}")
    session.run("pytest", "-q", "-p", "no:cacheprovider", *REDIS_TESTS, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check, configured in pyproject.toml."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package and the examples (files set in pyproject.toml)."""
    session.install("-e", ".[test]", "mypy")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site with --strict: a broken link, reference or snippet fails."""
    session.install("-e", ".[docs]")
    site_dir = session.create_tmp() + "/site"
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        site_dir,
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Creates/s and client CPU vs raw aiohttp and the official SDK (docs/performance.md).

    Not in the default sessions: it takes a few minutes and rewrites docs/performance.png.
    """
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/compare.py", *session.posargs)
