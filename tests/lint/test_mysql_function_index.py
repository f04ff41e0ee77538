"""SG11's list of MySQL 8.0 functions follows the manual's function index
(issue 19): names the index has pass, names 8.0 removed are reported."""
from __future__ import annotations

import pytest
from sqlfluff.core import FluffConfig, Linter

from dbt_safeguard.lint.rules._mysql_functions import (
    INTRODUCED_IN,
    MYSQL8_FUNCTIONS,
    REMOVED_IN_8_0,
)


def sg11(sql: str) -> list[str]:
    config = FluffConfig(configs={"core": {"dialect": "mysql", "rules": "SG11"}})
    return [v.desc() for v in Linter(config=config).lint_string(sql).get_violations()]


# In Table 14.2 (loadable functions) of the 8.0 index, missing from the list before.
@pytest.mark.parametrize(
    "call",
    [
        "asynchronous_connection_failover_add_source('ch1', '10.0.0.5', 3306, '', 50)",
        "asynchronous_connection_failover_delete_source('ch1', '10.0.0.5', 3306, '')",
        "asynchronous_connection_failover_add_managed("
        "'ch1', 'GroupReplication', 'aaaa-bbbb', '10.0.0.5', 3306, '', 80, 60)",
        "asynchronous_connection_failover_delete_managed('ch1', 'aaaa-bbbb')",
        "flush_rewrite_rules()",
    ],
)
def test_index_function_missing_before_is_accepted(call):
    assert sg11(f"SELECT {call} AS r") == []


@pytest.mark.parametrize(
    "call",
    [
        "ENCODE('secret', 'key')",
        "DECODE(payload, 'key')",
        "PASSWORD('secret')",
        "ENCRYPT('secret', 'salt')",
        "DES_ENCRYPT('secret')",
        "DES_DECRYPT(payload)",
        "GLength(route)",
        "GeomFromText('POINT(1 1)')",
        "NumPoints(route)",
        # Came with MySQL 8.3, not in the 8.0 index.
        "masking_dictionaries_flush()",
    ],
)
def test_function_mysql80_lacks_is_reported(call):
    findings = sg11(f"SELECT {call} AS r")
    assert len(findings) == 1, findings
    assert call.split("(")[0].lower() in findings[0].lower()


def test_removed_functions_are_not_in_the_list():
    assert {"encode", "decode", "password", "encrypt", "des_encrypt", "des_decrypt"} <= REMOVED_IN_8_0
    assert not REMOVED_IN_8_0 & MYSQL8_FUNCTIONS


def test_functions_added_in_a_point_release_are_in_the_list():
    assert set(INTRODUCED_IN) <= MYSQL8_FUNCTIONS
    assert all(version.startswith("8.0.") for version in INTRODUCED_IN.values())
