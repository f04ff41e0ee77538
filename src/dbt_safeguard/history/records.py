"""One line per run per protected table: the history's data, classified once."""
from __future__ import annotations

import dataclasses
import datetime
from typing import List, Optional

# What a run did to a table, worst first where a night has several.
RESTORED = "restored"
RECOVERED = "killed, recovered"
ROLLED_BACK = "failed, rolled back"
REFUSED = "refused"
ALLOWED = "published (allowed)"
PUBLISHED = "published"
BACKED_UP = "backed up"  # a catalog older than the audit: the run's outcome was not recorded
OUTCOMES = (RESTORED, RECOVERED, ROLLED_BACK, REFUSED, ALLOWED, PUBLISHED, BACKED_UP)
# Nights the chart marks: the table did not get this run's build.
MARKED = (RESTORED, RECOVERED, ROLLED_BACK, REFUSED)


@dataclasses.dataclass
class RunLine:
    """What one invocation did to one protected table."""

    at: datetime.datetime  # server time (UTC) of its first record
    invocation_id: str
    command: str  # dbt's command (run, build, seed, ...) or the operation (restore_backup, ...)
    outcome: str  # one of OUTCOMES
    detail: str  # the refusing check and its numbers, what was restored, ...
    rows_before: Optional[int]
    rows_after: Optional[int]
    backup: Optional[str]  # the backup ts it left, when one can still be restored
    pinned: bool = False

    @property
    def rows(self) -> Optional[int]:
        """The table's rows after this run: the new build's, or the old ones when it was not published."""
        if self.outcome in (PUBLISHED, ALLOWED) and self.rows_after is not None:
            return self.rows_after
        if self.outcome == RESTORED and self.rows_after is not None:
            return self.rows_after
        return self.rows_before if self.rows_before is not None else self.rows_after

    def as_json(self) -> dict:
        return {**dataclasses.asdict(self), "at": self.at.isoformat(sep=" ")}


@dataclasses.dataclass
class Backup:
    """A backup that can be restored, and the exact command that restores it."""

    ts: str
    rows: Optional[int]
    pinned: bool
    kind: str  # backup, or replaced (a restore's undo)

    def command(self, table: str) -> str:
        return f"safeguard restore {table} --ts {self.ts}"


@dataclasses.dataclass
class TableHistory:
    table: str  # schema.table
    runs: List[RunLine]  # oldest first
    backups: List[Backup]  # newest first

    @property
    def last(self) -> Optional[RunLine]:
        return self.runs[-1] if self.runs else None
