"""A reference warehouse with a verified backup set, for the package's test modules.

Each module passes its own tag, so its schemas never meet another module's.
"""
from __future__ import annotations

import pytest

from .reference_warehouse import Warehouse, build_warehouse

ADAPTER_TYPES = ["mysql", "mariadb"]  # they dispatch differently: every module runs under both


def warehouse_with_backups(tag, adapter_type, tmp_path_factory, server, schema_prefix, day_dumps) -> Warehouse:
    """Day 1 built, then day 2 built with backups of every protected table.
    `first_run_catalog` and `before_day2` keep the catalog after the first run
    and every protected table's state before day 2."""
    wh = build_warehouse(tmp_path_factory, server, schema_prefix + tag, adapter_type, day_dumps)
    wh.load_day(1)
    assert wh.dbt("seed").success
    first = wh.run()
    assert first.success, first.log
    wh.first_run_catalog = wh.catalog()
    wh.before_day2 = wh.snapshot()
    wh.load_day(2)
    second = wh.run()
    assert second.success, second.log
    return wh


def module_warehouse(tag: str):
    """A module-scoped `warehouse` fixture, one per adapter type: a module
    assigns `warehouse = module_warehouse("xy")` with its own two-letter tag."""
    @pytest.fixture(scope="module", params=ADAPTER_TYPES)
    def warehouse(request, tmp_path_factory, server, schema_prefix, day_dumps):
        wh = warehouse_with_backups(tag, request.param, tmp_path_factory, server, schema_prefix, day_dumps)
        yield wh
        wh.sql.close()
    return warehouse


def first_night_warehouse(tag: str):
    """A module-scoped `warehouse` fixture, one per adapter type: day 1
    loaded, seeded and run. A module assigns `warehouse = first_night_warehouse("xy")`."""
    @pytest.fixture(scope="module", params=ADAPTER_TYPES)
    def warehouse(request, tmp_path_factory, server, schema_prefix, day_dumps):
        wh = build_warehouse(tmp_path_factory, server, schema_prefix, request.param, day_dumps, tag=tag)
        wh.load_day(1)
        assert wh.dbt("seed").success
        first = wh.run()
        assert first.success, first.log
        yield wh
        wh.sql.close()
    return warehouse


def latest_backup(wh: Warehouse, schema: str, table: str) -> dict:
    rows = wh.catalog(
        "kind = 'backup' and status = 'verified' and source_schema = %s and source_table = %s", (schema, table)
    )
    assert rows, f"no verified backup of {schema}.{table}"
    return rows[-1]


def catalog_ids(wh: Warehouse, where: str = "1 = 1", params=()) -> list:
    return [row[0] for row in wh.sql.rows(
        f"SELECT backup_id FROM `{wh.catalog_schema}`.safeguard_backups WHERE {where} ORDER BY backup_id", params
    )]


def error_line(outcome, text: str) -> str:
    """The one line of dbt's log that is safeguard's error containing `text`."""
    for line in outcome.log.splitlines():
        if text in line and line.strip().startswith("safeguard"):
            return line.strip()
    raise AssertionError(f"no safeguard error line with {text!r} in:\n{outcome.log}")


def all_data_tables(wh) -> dict:
    """Every table and its checksum, as Warehouse.all_tables, except the
    catalog's record of which connections an operation used: a failed
    operation leaves that behind by design (the next one clears it)."""
    return {name: checksum for name, checksum in wh.all_tables().items()
            if name != f"{wh.catalog_schema}.safeguard_connections"}


def forge_catalog_row(wh, invocation_id: str, backup_ts: str, source_schema: str, source_table: str,
                      backup_schema: str, backup_table: str, row_count: int, checksum: int) -> None:
    """A hand-edited catalog row: a verified backup the package never took."""
    wh.sql.execute(
        f"INSERT INTO `{wh.catalog_schema}`.safeguard_backups"
        " (backup_ts, invocation_id, kind, source_schema, source_table, backup_schema, backup_table,"
        "  row_count, checksum, status, created_at, updated_at)"
        " VALUES (%s, %s, 'backup', %s, %s, %s, %s, %s, %s, 'verified', UTC_TIMESTAMP(), UTC_TIMESTAMP())",
        (backup_ts, invocation_id, source_schema, source_table, backup_schema, backup_table, row_count, checksum),
    )

