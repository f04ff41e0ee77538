"""A small dbt project of its own that installs the package as the README says.

The audit tests reproduce each case of a wipe in a project of a few models,
apart from the reference warehouse: a source schema the test fills by SQL,
and a `gold` schema the project builds, both under one schema prefix.
"""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import List, Optional, Sequence

import yaml

from dbt_safeguard.dbt_invoker import DbtInvoker, DbtOutcome

from .harness import REFERENCE_PROJECT, REPO_ROOT, Sql

PROJECT_NAME = "audit_case"


class SmallProject:
    """`SmallProject(tmp_path, settings, prefix)`, then write_model and dbt."""

    def __init__(self, root: Path, settings, prefix: str, models_config: Optional[dict] = None):
        self.root = Path(root)
        self.settings = settings
        self.prefix = prefix
        self.sql = Sql(settings)
        self._write_skeleton(models_config or {})
        self.invoker = DbtInvoker(self.root, settings, extra_env={"SAFEGUARD_SCHEMA_PREFIX": prefix})
        for schema in (self.source, self.gold):
            self.sql.execute(f"CREATE DATABASE IF NOT EXISTS `{schema}`")
        assert self.dbt("deps").success

    @classmethod
    def create(cls, tmp_path: Path, settings, schema_prefix: str, **kwargs) -> "SmallProject":
        """A project under a prefix of its own, so tests never share tables."""
        prefix = f"{schema_prefix}a{uuid.uuid4().hex[:5]}_"
        return cls(tmp_path / "project", settings, prefix, **kwargs)

    @property
    def source(self) -> str:
        return f"{self.prefix}src"

    @property
    def gold(self) -> str:
        return f"{self.prefix}gold"

    @property
    def catalog_schema(self) -> str:
        return f"{self.prefix}analytics"

    def _write_skeleton(self, models_config: dict) -> None:
        (self.root / "models").mkdir(parents=True)
        (self.root / "seeds").mkdir()
        (self.root / "snapshots").mkdir()
        shutil.copytree(REFERENCE_PROJECT / "macros", self.root / "macros")
        shutil.copy(REFERENCE_PROJECT / "profiles.yml", self.root / "profiles.yml")
        (self.root / "packages.yml").write_text(f"packages:\n  - local: {REPO_ROOT.resolve()}\n")
        config = {
            "name": PROJECT_NAME, "version": "1.0.0", "config-version": 2, "profile": "safeguard_reference",
            "model-paths": ["models"], "seed-paths": ["seeds"], "snapshot-paths": ["snapshots"],
            "macro-paths": ["macros"],
            "on-run-start": ["{{ safeguard.create_backups() }}"],
            "on-run-end": ["{{ safeguard.finish_run(results) }}"],
            "models": {PROJECT_NAME: {"+schema": "gold", **models_config}},
            "seeds": {PROJECT_NAME: {"+schema": "gold"}},
        }
        self.write("dbt_project.yml", yaml.safe_dump(config, sort_keys=False))

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def write_model(self, name: str, sql: str, config: str = "") -> None:
        """models/<name>.sql: `config` is the inside of a config() call."""
        header = f"{{{{ config({config}) }}}}\n" if config else ""
        self.write(f"models/{name}.sql", header + sql)

    def dbt(self, command: str, *args: str) -> DbtOutcome:
        return self.invoker.invoke(command, *args)

    def run(self, *args: str) -> DbtOutcome:
        return self.dbt("run", *args)

    # observations -----------------------------------------------------------
    def state(self, table: str, schema: Optional[str] = None):
        """(checksum, every row) of one table: what "byte-identical" is checked on."""
        schema = schema or self.gold
        return self.sql.checksum(schema, table), self.sql.table_rows(schema, table)

    def count(self, table: str, schema: Optional[str] = None) -> int:
        return self.sql.scalar(f"SELECT COUNT(*) FROM `{schema or self.gold}`.`{table}`")

    def audits(self, where: str = "1 = 1", params: Sequence = ()) -> List[dict]:
        cursor_rows = self.sql.rows(
            "SELECT invocation_id, command, model_unique_id, source_schema, source_table, materialized,"
            " previous_materialized, check_name, passed, verdict, rows_before, rows_after, detail,"
            " candidate_schema, candidate_table, allowed_by"
            f" FROM `{self.catalog_schema}`.safeguard_audits WHERE {where} ORDER BY audit_id",
            params,
        )
        keys = ("invocation_id", "command", "model_unique_id", "source_schema", "source_table", "materialized",
                "previous_materialized", "check_name", "passed", "verdict", "rows_before", "rows_after", "detail",
                "candidate_schema", "candidate_table", "allowed_by")
        return [dict(zip(keys, row)) for row in cursor_rows]

    def catalog(self, where: str = "1 = 1", params: Sequence = ()) -> List[dict]:
        cursor_rows = self.sql.rows(
            "SELECT backup_ts, invocation_id, kind, source_table, backup_schema, backup_table, row_count, status, pinned"
            f" FROM `{self.catalog_schema}`.safeguard_backups WHERE {where} ORDER BY backup_id",
            params,
        )
        keys = ("backup_ts", "invocation_id", "kind", "source_table", "backup_schema", "backup_table",
                "row_count", "status", "pinned")
        return [dict(zip(keys, row)) for row in cursor_rows]

    def close(self) -> None:
        self.sql.close()
