"""Every statement the adapter sends is valid MySQL 8, checked by MySQL's own grammar.

MariaDB, the test server, accepts SQL MySQL 8 rejects (`cast(x as int)`,
`cast(x as varchar(20))`): running on it proves nothing about MySQL. So a
project that exercises the adapter's SQL (seeds, tables, views, incremental
create and delete+insert, a contract with constraints, snapshots twice, unit
tests with casts of every fixture type, the docs catalog) is built through
dbtRunner, every statement dbt sends is taken from its SQLQuery events, and
each is parsed by the lint's grammar gate (ts-mysql-parser at 8.0.28, the
oldest MySQL 8 the lint targets).
"""
from __future__ import annotations

import pytest

from dbt.cli.main import dbtRunner
from dbt_safeguard.lint.grammar_gate import GrammarGate

SEED_CSV = "id,name,amount,created_at\n1,a,1.5,2024-01-01 10:00:00\n2,b,2.5,2024-01-02 10:00:00\n"

MODELS = {
    "a_table.sql": "{{ config(materialized='table') }} select id, name, amount, created_at from {{ ref('people') }}",
    "a_view.sql": "{{ config(materialized='view') }} select id, name from {{ ref('a_table') }}",
    "an_incremental.sql": (
        "{{ config(materialized='incremental', unique_key='id') }}"
        " select id, name, amount, created_at from {{ ref('a_table') }}"
        "{% if is_incremental() %} where id > 0 {% endif %}"
    ),
    "a_contract.sql": (
        "{{ config(materialized='table') }}"
        " select id, name, cast(amount as decimal(10,2)) as amount from {{ ref('a_table') }}"
    ),
    "schema.yml": """
version: 2
models:
  - name: a_contract
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}, {type: primary_key}, {type: check, expression: "id > 0"}]
      - name: name
        data_type: varchar(20)
      - name: amount
        data_type: decimal(10,2)
unit_tests:
  - name: table_keeps_rows
    model: a_table
    given:
      - input: ref('people')
        rows:
          - {id: 1, name: x, amount: 1.5, created_at: "2024-01-01 10:00:00"}
    expect:
      rows:
        - {id: 1, name: x, amount: 1.5, created_at: "2024-01-01 10:00:00"}
""",
}

SNAPSHOT = """
{% snapshot people_snapshot %}
{{ config(target_schema=target.schema, unique_key='id', strategy='check', check_cols=['name', 'amount']) }}
select * from {{ ref('people') }}
{% endsnapshot %}
"""


@pytest.fixture(scope="class")
def seeds():
    return {"people.csv": SEED_CSV}


@pytest.fixture(scope="class")
def models():
    return MODELS


@pytest.fixture(scope="class")
def snapshots():
    return {"people_snapshot.sql": SNAPSHOT}


def _sent_statements(project, *commands: list) -> list:
    """Run dbt commands in-process; return the SQL of every query they sent."""
    sent = []

    def capture(event) -> None:
        if event.info.name == "SQLQuery":
            sent.append(event.data.sql)

    runner = dbtRunner(callbacks=[capture])
    for command in commands:
        result = runner.invoke([*command, "--project-dir", str(project.project_root),
                                "--profiles-dir", str(project.profiles_dir)])
        assert result.success, f"dbt {' '.join(command)} failed: {result.exception}"
    return sent


class TestGeneratedSqlIsMySQL8:
    def test_every_statement_parses_as_mysql_8(self, project):
        sent = _sent_statements(
            project, ["build"], ["build"], ["docs", "generate"],
        )
        # The project did reach the SQL that differs from dbt's defaults.
        text = "\n".join(sent).lower()
        for expected in ("create table", "create view", "delete from", "as signed", "as decimal(",
                         "information_schema.columns", "primary key", "update "):
            assert expected in text, f"no statement with {expected!r}: the project no longer exercises it"
        rejected = []
        with GrammarGate() as gate:
            for sql in sent:
                if sql.rstrip().endswith("..."):
                    # dbt logs seed INSERTs abridged (abridge_sql_log): their
                    # text is not whole. They are dbt's default, not ours.
                    continue
                error = gate.check(sql)
                if error is not None:
                    rejected.append(f"{error.message} at {error.line}:{error.column} in: {sql.strip()[:300]}")
        assert not rejected, "\n".join(rejected)
