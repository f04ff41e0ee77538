"""Fixtures for the loader and ETL tests."""
from __future__ import annotations

import uuid

import pytest

@pytest.fixture
def names(schema_prefix):
    """Fresh schema names for one test: names.source, names.target, ..."""
    token = uuid.uuid4().hex[:6]

    class Names:
        source = f"{schema_prefix}src_{token}"
        target = f"{schema_prefix}stg_{token}"
        other = f"{schema_prefix}oth_{token}"

    return Names


@pytest.fixture
def cleanup_schemas(sql, names):
    yield
    for schema in (names.source, names.target, names.other):
        for suffix in ("", "_loading", "_previous"):
            sql.execute(f"DROP DATABASE IF EXISTS `{schema}{suffix}`")
