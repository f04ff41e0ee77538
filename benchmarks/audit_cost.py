"""What the audit adds to a protected model's build: a table model and an incremental, side by side.

    .venv/bin/python scripts/bench_safeguard.py --audit                  # 100k and 1M rows, 3 rounds
    .venv/bin/python scripts/bench_safeguard.py --audit --sizes 1000 10000 --rounds 1

A small project (testing/safeguard_testing/small_project) per size, each
under its own schema prefix on one throwaway MariaDB: a source of N rows, a
protected table model that rebuilds all of it, and a protected append-only
incremental that merges the 1 % of rows added before each run (append-only:
dbt-mysql's DELETE ... WHERE key IN (SELECT ... FROM <temporary table>) is a
nested scan on MariaDB, whose time would swamp what is measured). Each round
adds those rows and runs `dbt run`.

The server's slow query log at long_query_time = 0 times every statement.
The audit's statements are found by their text (`safeguard_audit`: the
marked COUNT(*)s and the verdict rows of safeguard_audits); a model's build
is every statement of its node (dbt's query comment names it). The audit's
share is audit seconds / build seconds, the median over the rounds.
"""
from __future__ import annotations

import statistics
from pathlib import Path
from typing import Callable, Dict, List, Sequence

from safeguard_testing.small_project import SmallProject

from safeguard_overhead import StatementLog

AUDIT_SIZES = (100_000, 1_000_000)
TARGET_SHARE = 0.10  # issue 15: at most 10 % of the build time at 1M rows
MODELS = ("wide_table", "history")


def _fill(project: SmallProject, first: int, last: int) -> None:
    for start in range(first, last + 1, 20_000):
        end = min(last, start + 19_999)
        project.sql.execute(
            f"INSERT INTO `{project.source}`.events (id, tenant, amount, note)"
            f" SELECT seq, seq % 97, seq * 3, concat('note ', seq) FROM `{project.source}`.seq_{start}_to_{end}"
        )


def _project(workdir: Path, settings, size: int) -> SmallProject:
    project = SmallProject(workdir / f"audit_{size}", settings, f"ab{size}_")
    project.sql.execute(f"CREATE TABLE `{project.source}`.events"
                        " (id INT PRIMARY KEY, tenant INT NOT NULL, amount INT NOT NULL, note VARCHAR(40) NOT NULL)")
    _fill(project, 1, size)
    protect = "meta={'safeguard': {'protect': true}}"
    project.write_model("wide_table", f"select id, tenant, amount, note from `{project.source}`.events",
                        f"materialized='table', {protect}")
    project.write_model("history", f"select id, tenant, amount, note from `{project.source}`.events"
                        "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}",
                        f"materialized='incremental', {protect}")
    outcome = project.run()
    if not outcome.success:
        raise RuntimeError(f"the audit benchmark's first build failed:\n{outcome.log}")
    return project


def measure_audit(workdir: Path, settings, sizes: Sequence[int], rounds: int,
                  say: Callable[[str], None] = print) -> dict:
    """{size: {model: {'build': s, 'audit': s, 'share': ratio}}}, medians over `rounds`."""
    result: Dict[int, Dict[str, dict]] = {}
    for size in sizes:
        project = _project(workdir, settings, size)
        log = StatementLog(project.sql)
        samples: Dict[str, List[tuple]] = {model: [] for model in MODELS}
        total = size
        for index in range(rounds):
            added = max(1, size // 100)
            _fill(project, total + 1, total + added)
            total += added
            log.clear()
            outcome = project.run()
            if not outcome.success:
                raise RuntimeError(f"audit benchmark run failed:\n{outcome.log}")
            statements = log.dbt_statements()
            for model in MODELS:
                mine = [s for s in statements if s.node == model]
                build = sum(s.seconds for s in mine)
                audit = sum(s.seconds for s in mine if s.category == "audit")
                samples[model].append((build, audit))
            say(f"audit size {size} round {index + 1}: " + ", ".join(
                f"{m} build {samples[m][-1][0]:.2f} s audit {samples[m][-1][1]:.3f} s" for m in MODELS))
        result[size] = {
            model: {
                "build": statistics.median(b for b, _ in samples[model]),
                "audit": statistics.median(a for _, a in samples[model]),
                "share": statistics.median(a / b for b, a in samples[model] if b > 0),
            }
            for model in MODELS
        }
        project.close()
    return result


def report_audit(result: dict) -> str:
    sizes = sorted(result)
    lines = ["| audit of a protected build | " + " | ".join(f"{size:,} rows" for size in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for model, label in (("wide_table", "table model (full rebuild)"), ("history", "incremental (1 % merged)")):
        cells = [f"{result[s][model]['audit']:.3f} s of {result[s][model]['build']:.2f} s"
                 f" ({result[s][model]['share'] * 100:.1f} %)" for s in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    largest = result[sizes[-1]]
    worst = max(largest[m]["share"] for m in MODELS)
    lines.append("")
    lines.append(f"at {sizes[-1]:,} rows the audit adds at most {worst * 100:.1f} % of a build"
                 f" (target: at most {TARGET_SHARE * 100:.0f} %): {'met' if worst <= TARGET_SHARE else 'NOT met'}")
    return "\n".join(lines)
