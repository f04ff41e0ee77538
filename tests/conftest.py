"""Session fixtures: every test session gets its own throwaway MariaDB server."""
from __future__ import annotations

import dataclasses

import pytest

from safeguard_testing.harness import Sql, external_server_settings, new_schema_prefix
from safeguard_testing.local_server import session_server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """ConnectionSettings for the session's server (adapter type `mysql`)."""
    yield from session_server(str(tmp_path_factory.mktemp("server")))


@pytest.fixture(scope="session")
def schema_prefix(server):
    """Empty on our own server; a random prefix on a server we were pointed at."""
    if external_server_settings() is None:
        yield ""
        return
    prefix = new_schema_prefix()
    yield prefix
    sql = Sql(server)
    try:
        sql.drop_schemas(prefix)
    finally:
        sql.close()


@pytest.fixture(params=["mysql", "mariadb"])
def adapter_type(request):
    """dbt-mysql's two adapter types: the package's macros are shared, dbt-mysql's own differ; run under both."""
    return request.param


@pytest.fixture
def settings(server, adapter_type):
    return dataclasses.replace(server, adapter_type=adapter_type)


@pytest.fixture
def sql(server):
    client = Sql(server)
    yield client
    client.close()
