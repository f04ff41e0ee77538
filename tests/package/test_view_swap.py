"""Views are replaced by one atomic statement: a reader polling one through a run never gets error 1146."""
from __future__ import annotations

import threading
from typing import Dict

import pymysql
import pytest

from safeguard_testing.built_warehouse import first_night_warehouse
from safeguard_testing.reference_warehouse import Warehouse

pytestmark = pytest.mark.slow


warehouse = first_night_warehouse("vw")


class Reader(threading.Thread):
    """Polls one SELECT on its own connection until stopped; counts reads and errors by code."""

    def __init__(self, settings, statement: str):
        super().__init__(daemon=True)
        self.settings, self.statement = settings, statement
        self.reads = 0
        self.errors: Dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        conn = self.settings.connect()
        try:
            with conn.cursor() as cursor:
                while not self.done.is_set():
                    try:
                        cursor.execute(self.statement)
                        cursor.fetchall()
                        self.reads += 1
                    except pymysql.err.MySQLError as exc:
                        self.errors[exc.args[0]] = self.errors.get(exc.args[0], 0) + 1
        finally:
            conn.close()

    def __enter__(self) -> "Reader":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.join(timeout=30)


def columns(wh: Warehouse, schema: str, table: str):
    return [row[0] for row in wh.sql.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (schema, table))]


def test_reader_polling_a_view_through_a_run_never_gets_1146(warehouse):
    staging = warehouse.schema("staging")
    with Reader(warehouse.settings, f"SELECT COUNT(*) FROM `{staging}`.`stg_tenants`") as reader:
        with warehouse.edit_model("staging/stg_tenants.sql", "    tenants.updated_at\n",
                                  "    tenants.updated_at,\n    1 as polled_marker\n"):
            outcome = warehouse.run("--select", "staging")
    assert outcome.success, outcome.log
    assert reader.errors == {}, f"the reader got errors {reader.errors} in {reader.reads} reads"
    assert reader.reads > 20
    # The run did replace the view: it has the new column.
    assert "polled_marker" in columns(warehouse, staging, "stg_tenants")


def test_table_turned_view_is_swapped_in_by_one_rename(warehouse):
    gold = warehouse.schema("gold")
    assert warehouse.sql.scalar("SELECT table_type FROM information_schema.tables WHERE table_schema = %s"
                                " AND table_name = 'tenant_status_transitions'", (gold,)) == "BASE TABLE"
    rows = warehouse.sql.scalar(f"SELECT COUNT(*) FROM `{gold}`.tenant_status_transitions")
    with Reader(warehouse.settings, f"SELECT COUNT(*) FROM `{gold}`.`tenant_status_transitions`") as reader:
        with warehouse.prepend_to_model("gold/tenant_status_transitions.sql", "{{ config(materialized='view') }}\n"):
            outcome = warehouse.run("--select", "tenant_status_transitions")
    assert outcome.success, outcome.log
    assert reader.errors == {}, f"the reader got errors {reader.errors} in {reader.reads} reads"
    kinds = dict(warehouse.sql.rows("SELECT table_name, table_type FROM information_schema.tables"
                                    " WHERE table_schema = %s AND table_name LIKE 'tenant\\_status\\_transitions%%'",
                                    (gold,)))
    assert kinds == {"tenant_status_transitions": "VIEW"}  # no __dbt_tmp or __dbt_backup left behind
    assert warehouse.sql.scalar(f"SELECT COUNT(*) FROM `{gold}`.tenant_status_transitions") == rows
