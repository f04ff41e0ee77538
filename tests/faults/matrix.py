"""The (point x fault) matrix: every scenario adds its row; the session prints
it at the end (and writes it as JSON when SAFEGUARD_FAULTS_MATRIX names a file)."""
from __future__ import annotations

import dataclasses
import json
import os
import statistics
from typing import List

MATRIX_ENV = "SAFEGUARD_FAULTS_MATRIX"


@dataclasses.dataclass
class Row:
    point: str
    fault: str
    adapter: str
    survived: bool
    data_lost: int  # protected tables that lost a committed row or ended in a mix
    longest_block: float  # seconds one user read waited, the server being up
    recovery_seconds: float  # the prescribed recovery, measured
    notes: str = ""


ROWS: List[Row] = []


def record(row: Row) -> None:
    ROWS.append(row)
    write_json(ROWS)  # after every case: a stopped run keeps the rows it has


def render(rows: List[Row]) -> List[str]:
    header = f"{'point':<34} {'fault':<26} {'adapter':<8} {'tried':>5} {'survived':>8} {'data lost':>9}" \
             f" {'longest block':>13} {'recovery':>9}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r.point:<34} {r.fault:<26} {r.adapter:<8} {1:>5} {'yes' if r.survived else 'NO':>8}"
                     f" {r.data_lost:>9} {r.longest_block:>12.1f}s {r.recovery_seconds:>8.1f}s")
    survived = sum(r.survived for r in rows)
    lost = sum(r.data_lost for r in rows)
    lines.append("-" * len(header))
    lines.append(f"{len(rows)} tried, {survived} survived, {lost} data lost"
                 f" (must be 0), longest block {max([r.longest_block for r in rows] or [0]):.1f}s")
    failing = [r for r in rows if not r.survived]
    for r in failing:
        lines.append(f"NOT SURVIVED {r.point} x {r.fault} ({r.adapter}): {r.notes}")
    return lines


def markdown(rows: List[Row]) -> List[str]:
    """The matrix as the table in docs/faults.md."""
    lines = ["| point | fault | adapter | tried | survived | data lost | longest block | recovery |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.point} | {r.fault} | {r.adapter} | 1 | {'yes' if r.survived else '**no**'} | {r.data_lost}"
                     f" | {r.longest_block:.1f} s | {r.recovery_seconds:.1f} s |")
    return lines


def fault_summary(rows: List[Row]) -> List[str]:
    """Per fault: the cases that survived, and their recovery times (median,
    longest) and longest block: the numbers of the README's guarantees table."""
    lines = []
    for fault in sorted({r.fault for r in rows}):
        done = [r for r in rows if r.fault == fault and r.survived]
        tried = len([r for r in rows if r.fault == fault])
        if not done:
            lines.append(f"- {fault}: {tried} tried, none survived")
            continue
        times = sorted(r.recovery_seconds for r in done)
        median = statistics.median(times)
        lines.append(f"- {fault}: {len(done)} of {tried} survived, data lost {sum(r.data_lost for r in rows if r.fault == fault)};"
                     f" recovery median {median:.0f} s, at most {times[-1]:.0f} s;"
                     f" longest block {max(r.longest_block for r in done):.1f} s")
    return lines


def write_json(rows: List[Row]) -> None:
    """The rows as JSON at SAFEGUARD_FAULTS_MATRIX, and as a markdown table beside it (.md)."""
    target = os.environ.get(MATRIX_ENV)
    if target:
        with open(target, "w") as out:
            json.dump([dataclasses.asdict(r) for r in rows], out, indent=1)
        with open(os.path.splitext(target)[0] + ".md", "w") as out:
            out.write("\n".join(markdown(rows) + [""] + fault_summary(rows)) + "\n")
