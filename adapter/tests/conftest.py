"""dbt-tests-adapter's fixtures on a throwaway MariaDB, under one adapter type.

The session starts its own server (safeguard_testing.local_server, as the
package's tests do) unless SAFEGUARD_TEST_DB_HOST points at one. The type
comes from `--adapter-type` (mysql or mariadb): dbt loads one adapter per
process, so scripts/test_adapter.sh runs the suites once per type.
"""
from __future__ import annotations

import pytest

from safeguard_testing.local_server import session_server

pytest_plugins = ["dbt.tests.fixtures.project"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--adapter-type", choices=["mysql", "mariadb"], default="mysql",
                     help="the dbt adapter type the suites run under")


@pytest.fixture(scope="session")
def adapter_type(request: pytest.FixtureRequest) -> str:
    return request.config.getoption("--adapter-type")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """ConnectionSettings for the session's server (adapter type `mysql`)."""
    yield from session_server(str(tmp_path_factory.mktemp("server")))


@pytest.fixture(scope="class")
def dbt_profile_target(server, adapter_type):
    return {
        "type": adapter_type,
        "threads": 2,
        "server": server.host,
        "port": server.port,
        "username": server.user,
        "password": server.password,
    }
