"""The history in a terminal: one aligned line per run, a sparkline of the rows per table."""
from __future__ import annotations

from typing import List, Optional, Sequence

from .records import BACKED_UP, PUBLISHED, TableHistory

SPARKS = "▁▂▃▄▅▆▇█"
QUIET = (PUBLISHED, BACKED_UP)  # the ordinary outcomes; every other one is written in capitals


def count(value: Optional[int]) -> str:
    return "?" if value is None else f"{value:,}"


def sparkline(values: Sequence[Optional[int]]) -> str:
    """One block per run, scaled between the smallest and largest count; a gap where it is unknown."""
    known = [value for value in values if value is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    blocks = []
    for value in values:
        if value is None:
            blocks.append(" ")
        else:
            blocks.append(SPARKS[-1] if span == 0 else SPARKS[round((value - low) / span * (len(SPARKS) - 1))])
    return "".join(blocks)


def table_lines(history: TableHistory) -> List[str]:
    cells = [
        (
            run.at.strftime("%Y-%m-%d %H:%M:%S"),
            run.invocation_id[:8],
            run.command,
            run.outcome if run.outcome in QUIET else run.outcome.upper(),
            f"{count(run.rows_before)} → {count(run.rows_after)}",
            (f"backup {run.backup}" + (" (pinned)" if run.pinned else "")) if run.backup else "",
            run.detail,
        )
        for run in history.runs
    ]
    widths = [max([len(cell[i]) for cell in cells] or [0]) for i in range(7)]
    lines = [history.table]
    for cell in cells:
        lines.append("  " + "  ".join(value.ljust(widths[i]) for i, value in enumerate(cell)).rstrip())
    rows = [run.rows for run in history.runs]
    known = [value for value in rows if value is not None]
    if known:
        lines.append(f"  rows  {sparkline(rows)}  {count(min(known))} … {count(max(known))}")
    else:
        lines.append("  no run recorded yet")
    return lines


def history_lines(histories: Sequence[TableHistory]) -> List[str]:
    lines: List[str] = []
    for history in histories:
        if lines:
            lines.append("")
        lines.extend(table_lines(history))
    return lines
