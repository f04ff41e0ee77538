"""Reads the package's catalog and classifies each run of each protected table.

Three tables the package keeps are read, each once, in one connection:
- safeguard_audits: every audited build, its checks and its verdict
  (published, refused, allowed), with the rows before and after;
- safeguard_backups: the backups (what a run left, and what can be restored);
- safeguard_journal: every swap that happened (`applied`): a rollback by
  finish_run, a killed run's by recover_run, a restore.

A catalog made before the audit has no safeguard_audits: its runs show as
"backed up", with the rows the backup holds. The package creates the table
(and adds missing columns) on its next run, in place.
"""
from __future__ import annotations

import dataclasses
import datetime
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import pymysql

from ..connection import ConnectionSettings, open_connection, quote
from ..errors import FatalError
from . import records
from .records import Backup, RunLine, TableHistory

BACKUPS, AUDITS, JOURNAL = "safeguard_backups", "safeguard_audits", "safeguard_journal"
BACKUP_COLUMNS = ("backup_id", "backup_ts", "invocation_id", "kind", "source_schema", "source_table",
                  "row_count", "status", "pinned", "created_at")
AUDIT_COLUMNS = ("invocation_id", "command", "source_schema", "source_table", "check_name", "passed", "verdict",
                 "rows_before", "rows_after", "detail", "allowed_by", "created_at")
JOURNAL_COLUMNS = ("invocation_id", "operation", "restored_ids", "replaced_ids", "created_at")
# Which swap undid a run: the operation the journal names (macros/catalog/_reconcile.sql).
UNDONE_BY = {"finish_run": records.ROLLED_BACK, "recover_run": records.RECOVERED}


@dataclasses.dataclass
class CatalogRows:
    now: datetime.datetime  # the server's UTC_TIMESTAMP(), the page's "generated at"
    backups: List[dict]
    audits: List[dict]
    journal: List[dict]


def read_catalog(settings: ConnectionSettings, catalog: str, nights: Optional[int] = None) -> CatalogRows:
    """The catalog's rows, those of the last `nights` days only when given (by the
    server's clock), plus every backup that can still be restored and every
    backup a kept swap names: a long history is not read whole for a short view."""
    conn = open_connection(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT UTC_TIMESTAMP(), UTC_TIMESTAMP() - INTERVAL %s DAY", (nights or 0,))
            now, cutoff = cur.fetchone()
            since = (["created_at >= %s"], [cutoff]) if nights is not None else ([], [])
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (catalog,))
            present = {row[0] for row in cur.fetchall()}
            if BACKUPS not in present:
                raise FatalError(f"no {BACKUPS} table in schema {catalog}: no run has been protected there yet")
            audits = _select(cur, catalog, AUDITS, AUDIT_COLUMNS, "audit_id", present, *since)
            journal = _select(cur, catalog, JOURNAL, JOURNAL_COLUMNS, "journal_id", present,
                              ["status = 'applied'", *since[0]], since[1])
            named = sorted({i for swap in journal for i in _ids(swap["restored_ids"]) + _ids(swap["replaced_ids"])})
            backups = _select(cur, catalog, BACKUPS, BACKUP_COLUMNS, "backup_id", present, *_backups_wanted(
                since, named))
    except pymysql.err.MySQLError as exc:
        raise FatalError(f"cannot read the catalog in {catalog}: {exc.args[-1]}") from None
    finally:
        conn.close()
    return CatalogRows(now, backups, audits, journal)


def _backups_wanted(since: Tuple[List[str], List], named: List[int]) -> Tuple[List[str], List]:
    """The backups of the window, those that can be restored, and those a swap names."""
    if not since[0]:
        return [], []
    placeholders = ", ".join(["%s"] * len(named)) or "NULL"
    return ([f"({since[0][0]} OR status = 'verified' OR backup_id IN ({placeholders}))"], [*since[1], *named])


def _select(cur, catalog: str, table: str, columns: Tuple[str, ...], order: str, present: set,
            where: Sequence[str] = (), params: Sequence = ()) -> List[dict]:
    if table not in present:
        return []  # a catalog made by an older version
    condition = " AND ".join(where) or "1 = 1"
    cur.execute(f"SELECT {', '.join(columns)} FROM {quote(catalog)}.{quote(table)} WHERE {condition} "
                f"ORDER BY {order}", tuple(params))
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def _name(row: dict) -> str:
    return f"{row['source_schema']}.{row['source_table']}"


def _ids(text: Optional[str]) -> List[int]:
    return [int(part) for part in (text or "").split(",") if part.strip().isdigit()]


class _Runs:
    """RunLines by (table, invocation), filled from each source in turn."""

    def __init__(self) -> None:
        self.lines: Dict[Tuple[str, str], RunLine] = {}

    def line(self, table: str, invocation: str, at: datetime.datetime, command: str = "") -> RunLine:
        key = (table, invocation)
        if key not in self.lines:
            self.lines[key] = RunLine(at, invocation, command, records.BACKED_UP, "", None, None, None)
        line = self.lines[key]
        line.at = min(line.at, at)
        line.command = line.command or command
        return line

    def add_backups(self, backups: Iterable[dict]) -> None:
        for row in backups:
            if row["kind"] != "backup":
                continue
            line = self.line(_name(row), row["invocation_id"], row["created_at"])
            line.rows_before = line.rows_before if line.rows_before is not None else row["row_count"]
            if row["status"] in ("verified", "restored"):
                line.backup, line.pinned = row["backup_ts"], bool(row["pinned"])

    def add_audits(self, audits: Iterable[dict]) -> None:
        for row in audits:
            line = self.line(_name(row), row["invocation_id"], row["created_at"], row["command"])
            verdict = {"refused": records.REFUSED, "allowed": records.ALLOWED}.get(row["verdict"], records.PUBLISHED)
            if records.OUTCOMES.index(verdict) < records.OUTCOMES.index(line.outcome):
                line.outcome = verdict
            line.rows_before = row["rows_before"] if row["rows_before"] is not None else line.rows_before
            line.rows_after = row["rows_after"] if row["rows_after"] is not None else line.rows_after
            if not row["passed"] or row["verdict"] == "allowed":
                note = f"{row['check_name']}: {row['detail'] or ''}".strip(": ")
                if row["allowed_by"]:
                    note += f" (allowed by {row['allowed_by']})"
                line.detail = "; ".join(part for part in (line.detail, note) if part)

    def add_journal(self, journal: Iterable[dict], backups_by_id: Dict[int, dict]) -> None:
        for swap in journal:
            restored = [backups_by_id[i] for i in _ids(swap["restored_ids"]) if i in backups_by_id]
            replaced = {_name(backups_by_id[i]): backups_by_id[i]
                        for i in _ids(swap["replaced_ids"]) if i in backups_by_id}
            for backup in restored:
                table = _name(backup)
                outcome = UNDONE_BY.get(swap["operation"])
                if outcome is not None:  # the run whose backup came back is the one undone
                    line = self.line(table, backup["invocation_id"], backup["created_at"])
                    line.outcome, line.rows_after = outcome, backup["row_count"]
                    line.detail = f"{swap['operation']} put back backup {backup['backup_ts']}"
                    continue
                line = self.line(table, swap["invocation_id"], swap["created_at"], "restore")
                line.outcome, line.rows_after = records.RESTORED, backup["row_count"]
                line.rows_before = (replaced.get(table) or {}).get("row_count")
                line.detail = f"backup {backup['backup_ts']} put back"


def histories(rows: CatalogRows, table: Optional[Tuple[Optional[str], str]] = None,
              nights: Optional[int] = None) -> List[TableHistory]:
    """One TableHistory per protected table (or the one asked for), runs oldest first."""
    runs = _Runs()
    runs.add_backups(rows.backups)
    runs.add_audits(rows.audits)
    runs.add_journal(rows.journal, {row["backup_id"]: row for row in rows.backups})
    since = rows.now - datetime.timedelta(days=nights) if nights is not None else None
    by_table: Dict[str, List[RunLine]] = {}
    for (name, _), line in runs.lines.items():
        if since is None or line.at >= since:
            by_table.setdefault(name, []).append(line)
    result = []
    for name in sorted(set(by_table) | {_name(row) for row in rows.backups}):
        schema, short = name.split(".", 1)
        if table is not None and (table[1] != short or table[0] not in (None, schema)):
            continue
        result.append(TableHistory(name, sorted(by_table.get(name, []), key=lambda r: r.at),
                                   _restorable(rows.backups, name)))
    return result


def _restorable(backups: Iterable[dict], name: str) -> List[Backup]:
    found = [Backup(row["backup_ts"], row["row_count"], bool(row["pinned"]), row["kind"])
             for row in backups
             if _name(row) == name and row["kind"] in ("backup", "replaced") and row["status"] == "verified"]
    return sorted(found, key=lambda b: b.ts, reverse=True)
