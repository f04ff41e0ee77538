"""Fixtures of the fault-injection suite (docs/faults.md).

The suite runs its own mariadbd (it kills and restarts it), in a tmpfs
datadir it mounts itself (it fills it up). Everything marked `faults` is the
full matrix (`scripts/faults.sh`); the rest is the fast subset of the default
run.
"""
from __future__ import annotations

import os

import pytest

from faults import matrix
from faults.lab import Lab

ADAPTERS_ENV = "SAFEGUARD_FAULTS_ADAPTERS"


def fault_adapters():
    """The full matrix runs under each adapter type listed in SAFEGUARD_FAULTS_ADAPTERS (default: both)."""
    return [a for a in os.environ.get(ADAPTERS_ENV, "mysql,mariadb").split(",") if a]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory)
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture(params=fault_adapters())
def adapter(request):
    return request.param


def pytest_terminal_summary(terminalreporter):
    if not matrix.ROWS:
        return
    terminalreporter.section("fault matrix (point x fault)")
    for line in matrix.render(matrix.ROWS):
        terminalreporter.write_line(line)
    matrix.write_json(matrix.ROWS)
