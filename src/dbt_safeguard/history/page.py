"""The history as one self-contained HTML page: inline CSS and SVG, no script, no network.

It opens offline from a laptop, an S3 console download or a mail
attachment alike. With hundreds of nights and dozens of tables it stays
usable: a summary line per table on top (the tables whose last night was
not published come first and open), one chart and one scrolling runs table
per table, and the restorable backups with the exact command for each.
"""
from __future__ import annotations

import datetime
import html
from typing import List, Optional, Sequence, Tuple

from .records import MARKED, RECOVERED, REFUSED, RESTORED, ROLLED_BACK, TableHistory
from .terminal import count

WIDTH, HEIGHT, PAD = 860, 150, 32
MARKERS = {  # outcome: (colour, SVG path around (0, 0), legend word)
    REFUSED: ("#c62828", "M-5,-5L5,5M-5,5L5,-5", "refused by the audit"),
    ROLLED_BACK: ("#ef6c00", "M0,-6L6,5L-6,5Z", "failed, rolled back"),
    RECOVERED: ("#6a1b9a", "M-5,-5H5V5H-5Z", "killed, recovered"),
    RESTORED: ("#1565c0", "M0,-6L6,0L0,6L-6,0Z", "restored"),
}
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:960px;
color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0}
.meta{color:#57606a;margin-bottom:18px}
table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;text-align:left;border-bottom:1px solid #eaeef2;
white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}th{font-weight:600;color:#57606a}
td.detail{white-space:normal;min-width:300px}
.badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12px;color:#fff;background:#2e7d32}
.badge.refused{background:#c62828}.badge.rolled{background:#ef6c00}.badge.killed{background:#6a1b9a}
.badge.restored{background:#1565c0}.badge.backed{background:#57606a}
section{border:1px solid #d0d7de;border-radius:6px;margin:14px 0;padding:10px 14px}
details{margin:4px 0}summary{cursor:pointer;color:#0969da}
.runs{max-height:340px;overflow:auto;margin-top:8px}
code{background:#f6f8fa;padding:1px 5px;border-radius:4px;user-select:all}
.legend span{margin-right:14px;color:#57606a}svg text{font-size:11px;fill:#57606a}
"""


def badge(outcome: str) -> str:
    css = outcome.split()[0].strip(",") if outcome != "published" else ""
    return f'<span class="badge {html.escape(css)}">{html.escape(outcome)}</span>'


def chart(history: TableHistory) -> str:
    """Rows after each run, as an SVG line, with a marker on every night the build was not published."""
    points = [(i, run.rows) for i, run in enumerate(history.runs) if run.rows is not None]
    if not points:
        return '<p class="meta">No row counts recorded yet.</p>'
    low, high = min(v for _, v in points), max(v for _, v in points)
    last = max(len(history.runs) - 1, 1)

    def xy(i: int, value: int) -> Tuple[float, float]:
        y = HEIGHT - PAD / 2 - (0.5 if high == low else (value - low) / (high - low)) * (HEIGHT - PAD)
        return PAD * 2 + i / last * (WIDTH - PAD * 3), y

    line = " ".join("%.1f,%.1f" % xy(i, v) for i, v in points)
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
             f'aria-label="rows per night of {html.escape(history.table)}">',
             f'<text x="4" y="{PAD / 2 + 4:.0f}">{count(high)}</text>',
             f'<text x="4" y="{HEIGHT - PAD / 2:.0f}">{count(low)}</text>',
             f'<polyline fill="none" stroke="#2e7d32" stroke-width="2" points="{line}"/>']
    for i, run in enumerate(history.runs):
        if run.outcome in MARKED and run.rows is not None:
            colour, path, _ = MARKERS[run.outcome]
            x, y = xy(i, run.rows)
            tip = html.escape(f"{run.at:%Y-%m-%d %H:%M} {run.outcome}: {run.detail}")
            parts.append(f'<path transform="translate({x:.1f},{y:.1f})" d="{path}" stroke="{colour}" '
                         f'stroke-width="2" fill="{colour}"><title>{tip}</title></path>')
    first, final = history.runs[0].at, history.runs[-1].at
    parts.append(f'<text x="{PAD * 2}" y="{HEIGHT - 2}">{first:%Y-%m-%d %H:%M}</text>')
    parts.append(f'<text x="{WIDTH - PAD}" y="{HEIGHT - 2}" text-anchor="end">{final:%Y-%m-%d %H:%M}</text></svg>')
    return "".join(parts)


def runs_table(history: TableHistory) -> str:
    rows = []
    for run in reversed(history.runs):  # newest first
        backup = html.escape(run.backup or "") + (" (pinned)" if run.pinned else "")
        rows.append(f"<tr><td>{run.at:%Y-%m-%d %H:%M:%S}</td><td>{html.escape(run.invocation_id[:8])}</td>"
                    f"<td>{html.escape(run.command)}</td><td>{badge(run.outcome)}</td>"
                    f'<td class="num">{count(run.rows_before)}</td><td class="num">{count(run.rows_after)}</td>'
                    f'<td>{backup}</td><td class="detail">{html.escape(run.detail)}</td></tr>')
    head = ("<tr><th>when (UTC)</th><th>invocation</th><th>command</th><th>outcome</th><th>rows before</th>"
            "<th>rows after</th><th>backup left</th><th>detail</th></tr>")
    return f'<div class="runs"><table>{head}{"".join(rows)}</table></div>'


def backups_list(history: TableHistory) -> str:
    if not history.backups:
        return '<p class="meta">No backup of this table can be restored.</p>'
    items = [f"<tr><td>{html.escape(b.ts)}</td><td>{html.escape(b.kind)}{' (pinned)' if b.pinned else ''}</td>"
             f'<td class="num">{count(b.rows)}</td><td><code>{html.escape(b.command(history.table))}</code></td></tr>'
             for b in history.backups]
    return ("<table><tr><th>backup ts</th><th>kind</th><th>rows</th><th>restore it with</th></tr>"
            f'{"".join(items)}</table>')


def section(history: TableHistory, anchor: str) -> str:
    """The chart always shows; the runs and the backups open on a click (or by themselves after a bad night)."""
    last = history.last
    opened = " open" if last is not None and last.outcome in MARKED else ""
    status = badge(last.outcome) if last is not None else ""
    return (f'<section id="{anchor}"><h2>{html.escape(history.table)} {status}</h2>{chart(history)}'
            f"<details{opened}><summary>runs ({len(history.runs)})</summary>{runs_table(history)}</details>"
            f"<details{opened}><summary>backups that can be restored ({len(history.backups)})</summary>"
            f"{backups_list(history)}</details></section>")


def summary_table(histories: Sequence[Tuple[str, TableHistory]]) -> str:
    rows = []
    for anchor, history in histories:
        last = history.last
        rows.append(f'<tr><td><a href="#{anchor}">{html.escape(history.table)}</a></td>'
                    f"<td>{badge(last.outcome) if last else ''}</td>"
                    f"<td>{f'{last.at:%Y-%m-%d %H:%M}' if last else ''}</td>"
                    f'<td class="num">{count(last.rows) if last else ""}</td>'
                    f'<td class="num">{len(history.runs)}</td><td class="num">{len(history.backups)}</td></tr>')
    head = ("<tr><th>table</th><th>last night</th><th>when (UTC)</th><th>rows now</th><th>runs</th>"
            "<th>backups</th></tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def legend() -> str:
    items = [f'<span><svg width="14" height="14" viewBox="-7 -7 14 14"><path d="{path}" stroke="{colour}" '
             f'stroke-width="2" fill="{colour}"/></svg> {html.escape(word)}</span>'
             for colour, path, word in MARKERS.values()]
    return f'<p class="legend">{"".join(items)}</p>'


def render(histories: Sequence[TableHistory], catalog: str, generated_at: Optional[datetime.datetime]) -> str:
    """The page. Tables whose last night was not published come first."""
    ordered = sorted(histories, key=lambda h: (not (h.last and h.last.outcome in MARKED), h.table))
    anchored = [(f"t{i}", history) for i, history in enumerate(ordered)]
    when = f"{generated_at:%Y-%m-%d %H:%M:%S} UTC (server time)" if generated_at else ""
    parts: List[str] = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>safeguard history: {html.escape(catalog)}</title><style>{STYLE}</style></head><body>",
        "<h1>What the nights did</h1>",
        f'<p class="meta">Catalog {html.escape(catalog)} · {len(histories)} protected table(s) · {when}</p>',
        summary_table(anchored), legend(),
        *(section(history, anchor) for anchor, history in anchored),
        "</body></html>",
    ]
    return "\n".join(parts)
