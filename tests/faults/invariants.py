"""What must hold after a fault, and after the prescribed recovery.

Each check returns a list of problems (empty: it holds), so that one
scenario reports everything it broke, and the matrix counts data loss
apart from untidiness.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Optional

from faults.pipeline import BACKUP_NAME, DBT_LEFTOVER, SPILL_PREFIX, Pipeline, State


def state_problems(states: Mapping[str, Optional[State]], pre: Mapping[str, Optional[State]],
                   complete: Mapping[str, Optional[State]], when: str, must_be_complete: bool) -> Dict[str, List[str]]:
    """Each protected table equals its pre-run or its completed-run state,
    never a mix. Returns {'lost': [...], 'problems': [...]}: a state that is
    neither is data loss; a missing table is an outage; a table still in its
    pre-run state when the run must have completed is a problem, not a loss."""
    lost, problems = [], []
    for table, state in states.items():
        if state is None and (pre[table] is not None or must_be_complete):
            problems.append(f"{when}: {table} is missing")
        elif state not in (pre[table], complete[table]):
            lost.append(f"{when}: {table} is {state}, neither its pre-run state {pre[table]}"
                        f" nor its completed-run state {complete[table]}")
        elif must_be_complete and state != complete[table]:
            problems.append(f"{when}: {table} is still its pre-run state")
    return {"lost": lost, "problems": problems}


def catalog_problems(pipeline: Pipeline) -> List[str]:
    """No catalog row says `verified` unless its table exists and matches;
    every backup-named table is a verified catalog entry (no half backup, no
    unrecorded `_replaced_` table)."""
    problems = []
    rows = pipeline.catalog_rows()
    by_name = {(r["backup_schema"], r["backup_table"]): r for r in rows}
    for row in rows:
        name = f"{row['backup_schema']}.{row['backup_table']}"
        if row["status"] != "verified":
            continue
        if not pipeline.sql.table_exists(row["backup_schema"], row["backup_table"]):
            problems.append(f"catalog says {name} is verified but the table does not exist")
            continue
        if not pipeline.sql.matches_catalog(row):
            checksum = pipeline.sql.fingerprint(row["backup_schema"], row["backup_table"], row["fingerprint_method"])
            count = pipeline.sql.scalar(f"SELECT COUNT(*) FROM `{row['backup_schema']}`.`{row['backup_table']}`")
            problems.append(f"catalog says {name} is verified with {row['row_count']} rows/checksum "
                            f"{row['checksum']}, the table has {count}/{checksum}")
    for schema, table in pipeline.tables():
        if BACKUP_NAME.search(table):
            row = by_name.get((schema, table))
            if row is None:
                problems.append(f"orphan: {schema}.{table} looks like a backup but the catalog does not list it")
            elif row["status"] != "verified":
                problems.append(f"orphan: {schema}.{table} still exists but the catalog says {row['status']}")
    return problems


def leftover_problems(pipeline: Pipeline) -> List[str]:
    """Nothing a run makes for itself survives it: dbt's __dbt_tmp/__dbt_backup
    tables, the loader's shadow schema and spill directories, run leases,
    statements of dead clients still running on the server."""
    problems = []
    for schema, table in pipeline.tables():
        if DBT_LEFTOVER.search(table):
            problems.append(f"leftover: {schema}.{table}")
    schemas = {s for (s,) in pipeline.sql.rows(
        "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
        (pipeline.prefix.replace("_", "\\_") + "%",))}
    if pipeline.schema("staging_loading") in schemas:
        problems.append(f"leftover: shadow schema {pipeline.schema('staging_loading')}")
    for spill in pipeline.tmp.glob(SPILL_PREFIX + "*"):
        problems.append(f"leftover: spill directory {spill}")
    for lease in pipeline.leases():
        problems.append(f"leftover: run lease {lease}")
    own = pipeline.sql.conn.thread_id()
    for row in pipeline.sql.rows("SHOW FULL PROCESSLIST"):
        thread, info = int(row[0]), row[7]
        if info and thread != own and pipeline.prefix in info:
            problems.append(f"leftover: connection {thread} still runs {info[:120]!r}")
    return problems
