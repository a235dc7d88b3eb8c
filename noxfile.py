"""Developer tasks: `nox -s tests`."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite against the in-process emulator."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark against raw aiohttp and the official SDK; writes docs/performance.png."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/compare.py", *session.posargs)
