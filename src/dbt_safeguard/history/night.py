"""What the ETL tells about its own night: per-table metrics, and the history page it writes.

After each night `safeguard etl` reads the catalog once (history.catalog),
prints one CloudWatch EMF line per protected table (its rows and its
outcome, so an alarm can watch a refused or rolled-back table), and, with
`--history-uri`, writes the whole history page to a path or an S3 URI, for
example next to the archived dumps.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

from .. import dump_source
from ..errors import FatalError
from ..run_events import emf_line
from . import page, records
from .catalog import CatalogRows, histories
from .records import RunLine

# The EMF metrics of one table, and their units.
UNITS = {"TableRows": "Count", "AuditRefused": "Count", "RolledBack": "Count", "Published": "Count"}


def night_outcomes(rows: CatalogRows, invocations: Sequence[str]) -> Dict[str, RunLine]:
    """schema.table -> what this night's dbt invocations did to it (its last line)."""
    found: Dict[str, RunLine] = {}
    for table in histories(rows):
        mine = [run for run in table.runs if run.invocation_id in invocations]
        if mine:
            found[table.table] = mine[-1]
    return found


def table_metrics(outcomes: Dict[str, RunLine], job: str) -> List[str]:
    """One EMF line per protected table: Job and Table are its dimensions."""
    lines = []
    for table, run in sorted(outcomes.items()):
        metrics = {
            "TableRows": run.rows if run.rows is not None else 0,
            "AuditRefused": 1 if run.outcome == records.REFUSED else 0,
            "RolledBack": 1 if run.outcome in (records.ROLLED_BACK, records.RECOVERED) else 0,
            "Published": 1 if run.outcome in (records.PUBLISHED, records.ALLOWED) else 0,
        }
        lines.append(emf_line(metrics, UNITS, {"Job": job, "Table": table}))
    return lines


def write_page(rows: CatalogRows, catalog: str, uri: str) -> str:
    """Writes the page of every run to a path or an s3:// URI; returns where it went."""
    return publish(page.render(histories(rows), catalog, rows.now), uri)


def publish(text: str, uri: str) -> str:
    """A page to a file, a folder (as safeguard-history.html) or an s3:// URI; returns where it went."""
    if dump_source.is_s3(uri):
        bucket, key = dump_source.split_s3(uri)
        if not key or key.endswith("/"):
            key += "safeguard-history.html"
        try:
            dump_source.s3_client().put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"),
                                               ContentType="text/html; charset=utf-8")
        except dump_source.s3_errors() as exc:
            raise FatalError(f"cannot write the history page to s3://{bucket}/{key}: {exc}") from None
        return f"s3://{bucket}/{key}"
    path = Path(uri)
    if uri.endswith("/") or path.is_dir():
        path = path / "safeguard-history.html"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FatalError(f"cannot write the history page to {path}: {exc.strerror}") from None
    return str(path)
