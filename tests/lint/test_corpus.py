"""Valid MySQL 8 statements get no findings; PostgreSQL/MariaDB-only ones are caught.

"Caught" means the lint fails on the statement: one of our rules reports it,
or sqlfluff's mysql dialect cannot parse it (PRS fails the lint as well).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

CORPUS = Path(__file__).parent / "corpus"


def statements(name: str):
    text = (CORPUS / name).read_text()
    return [s.strip() for s in text.split(";\n") if s.strip()]


@pytest.fixture(scope="module")
def linter():
    # The repository's settings, without the dbt templater: plain SQL.
    return Linter(config=FluffConfig(overrides={"dialect": "mysql", "rules": "safeguard"}))


def findings(linter, sql: str):
    return linter.lint_string(sql + "\n").get_violations()


def test_valid_mysql8_statements_get_no_findings(linter):
    sqls = statements("mysql8_valid.sql")
    flagged = {sql: [f"{v.rule_code()}: {v.desc()}" for v in findings(linter, sql)] for sql in sqls}
    flagged = {sql: found for sql, found in flagged.items() if found}
    clean_rate = 1 - len(flagged) / len(sqls)
    print(f"\nvalid MySQL 8 statements with zero findings: {len(sqls) - len(flagged)}/{len(sqls)} ({clean_rate:.0%})")
    assert not flagged, flagged


def test_postgres_and_mariadb_only_statements_are_caught(linter):
    sqls = statements("postgres_only.sql")
    by_rule = 0
    missed = []
    for sql in sqls:
        found = findings(linter, sql)
        if any(v.rule_code().startswith("SG") for v in found):
            by_rule += 1
        elif not found:
            missed.append(sql)
    caught = len(sqls) - len(missed)
    print(
        f"\nPostgreSQL/MariaDB-only statements caught: {caught}/{len(sqls)} ({caught / len(sqls):.0%}); "
        f"by a safeguard rule: {by_rule}, by a parse error only: {caught - by_rule}"
    )
    assert not missed, missed
