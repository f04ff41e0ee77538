"""The reference warehouse project on a test server, under one schema prefix.

Each adapter type works under its own prefix on the session's server, so the
`mysql` and `mariadb` runs never see each other's tables.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from dbt_safeguard import dump_source
from dbt_safeguard.dbt_invoker import DbtInvoker, DbtOutcome
from dbt_safeguard.staging_loader import load_source

from .harness import Sql, copy_reference_project

# A PostgreSQL-ism MySQL rejects, planted into a model to make it fail.
BROKEN_SQL = "cast(null as date)"
# dbt adds hooks from every config() call. This one runs after the model's
# transaction has committed (an in-transaction hook failure would roll the
# insert back by itself), so the table really is half-updated when it fails.
FAILING_POST_HOOK = (
    "{{ config(post_hook={'sql': 'select * from no_such_table_for_safeguard', 'transaction': false}) }}\n"
)

PROTECTED = (
    ("silver", "tenant_status_history"),
    ("silver", "int_contracts"),
    ("gold", "daily_activity_summary"),
    ("gold", "new_contracts"),
    ("gold", "moveouts"),
    ("gold", "moveout_notices"),
)


class Warehouse:
    """The reference project on the test server, under one schema prefix."""

    def __init__(self, project: Path, settings, prefix: str, dumps: Dict[int, Path]):
        self.project = project
        self.settings = settings
        self.prefix = prefix
        self.dumps = dumps
        self.sql = Sql(settings)
        self.invoker = DbtInvoker(project, settings, extra_env={"SAFEGUARD_SCHEMA_PREFIX": prefix})

    # names -----------------------------------------------------------------
    def schema(self, name: str) -> str:
        return self.prefix + name

    @property
    def catalog_schema(self) -> str:
        return self.schema("analytics")

    def protected(self) -> List[Tuple[str, str]]:
        return [(self.schema(s), t) for s, t in PROTECTED]

    # actions ---------------------------------------------------------------
    def load_day(self, day: int) -> None:
        """Day `day`'s dump into staging through the real loader, as the ETL does."""
        load_source(dump_source.resolve(str(self.dumps[day])), self.settings, self.schema("staging"),
                    show_progress=False, keep_previous=False)

    def change_tenant_statuses(self, count: int) -> None:
        """The next day's OLTP changes, made in staging: the first `count`
        tenants change status one day after the latest change."""
        staging = self.schema("staging")
        self.sql.execute(
            f"UPDATE `{staging}`.tenants AS t"
            f" JOIN (SELECT MAX(updated_at) AS latest FROM `{staging}`.tenants) AS m"
            f" SET t.status = IF(t.status = 2, 3, 2), t.updated_at = m.latest + INTERVAL 1 DAY"
            f" WHERE t.tenant_id IN (SELECT tenant_id FROM (SELECT tenant_id FROM `{staging}`.tenants"
            f" ORDER BY tenant_id LIMIT {int(count)}) AS first_tenants)"
        )

    def dbt(self, command: str, *args: str) -> DbtOutcome:
        return self.invoker.invoke(command, *args)

    def operation(self, macro: str, args: Optional[str] = None) -> DbtOutcome:
        return self.dbt("run-operation", macro, *(["--args", args] if args is not None else []))

    def run(self, *args: str) -> DbtOutcome:
        return self.dbt("run", "--fail-fast", *args)

    def edit_model(self, relative: str, old: str, new: str) -> "ModelEdit":
        return ModelEdit(self.project / "models" / relative, old, new)

    def prepend_to_model(self, relative: str, text: str) -> "ModelEdit":
        return ModelEdit(self.project / "models" / relative, "", text)

    # observations ----------------------------------------------------------
    def snapshot(self) -> Dict[str, Tuple]:
        """checksum, row count and every row of each protected table."""
        result = {}
        for schema, table in self.protected():
            if self.sql.table_exists(schema, table):
                result[f"{schema}.{table}"] = (
                    self.sql.checksum(schema, table),
                    self.sql.table_rows(schema, table),
                )
        return result

    def catalog(self, where: str = "1 = 1", params: Sequence = ()) -> List[dict]:
        if not self.sql.table_exists(self.catalog_schema, "safeguard_backups"):
            return []
        cursor_rows = self.sql.rows(
            f"SELECT backup_ts, invocation_id, kind, source_schema, source_table, backup_schema,"
            f" backup_table, row_count, checksum, status, fingerprint_method"
            f" FROM `{self.catalog_schema}`.safeguard_backups WHERE {where} ORDER BY backup_id",
            params,
        )
        keys = ("backup_ts", "invocation_id", "kind", "source_schema", "source_table",
                "backup_schema", "backup_table", "row_count", "checksum", "status", "fingerprint_method")
        return [dict(zip(keys, row)) for row in cursor_rows]

    def all_tables(self) -> Dict[str, Optional[int]]:
        """Every table under this prefix with its checksum: "changes nothing" is checked on this."""
        rows = self.sql.rows(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema LIKE %s AND table_type = 'BASE TABLE'",
            (self.prefix.replace("_", "\\_") + "%",),
        )
        return {f"{s}.{t}": self.sql.checksum(s, t) for s, t in sorted(rows)}


class ModelEdit:
    """`with warehouse.edit_model(...)`: a model file changed for one block."""

    def __init__(self, path: Path, old: str, new: str):
        self.path, self.old, self.new = path, old, new

    def __enter__(self):
        self.original = self.path.read_text()
        assert self.old in self.original, f"{self.old!r} not found in {self.path.name}"
        self.path.write_text(self.original.replace(self.old, self.new, 1))
        return self

    def __exit__(self, *exc):
        self.path.write_text(self.original)


def build_warehouse(tmp_path_factory, server, schema_prefix, adapter_type, dumps, tag: str = "") -> Warehouse:
    """`tag` keeps one test module's schemas apart from another's on the shared server."""
    settings = dataclasses.replace(server, adapter_type=adapter_type)
    project = copy_reference_project(tmp_path_factory.mktemp(f"project_{tag}{adapter_type}"))
    prefix = f"{schema_prefix}{tag}{adapter_type[:2]}_"
    warehouse = Warehouse(project, settings, prefix, dumps)
    assert warehouse.dbt("deps").success
    return warehouse
