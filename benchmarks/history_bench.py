"""How fast `safeguard history` answers on a catalog of many runs.

    .venv/bin/python scripts/bench_history.py              # 1,000 runs of 3 tables, 5 rounds
    .venv/bin/python scripts/bench_history.py --runs 200   # a quicker look

One throwaway MariaDB. A small project (testing/safeguard_testing/
small_project.py) runs two real nights through the package, so the catalog
tables are the package's own; then every catalog row of the second night is
copied `--runs` times under new invocation ids, one night apart, into the
past: audits, backups and journal alike. The command is then timed as a
user runs it, a whole process from start to exit, on the terminal view and
with `--html`, and the page's size is printed. Two baselines run in the
same rounds, in turn with the command so that the machine's load reaches
all alike: `python -c pass` (the interpreter alone) and `safeguard
--version` (the interpreter and the CLI's imports, no work); each round's
command time less that round's `--version` is the command's own work.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from safeguard_testing.harness import Sql
from safeguard_testing.local_server import LocalServer
from safeguard_testing.small_project import SmallProject

TABLES = ("orders", "customers", "history")


def build_nights(project: SmallProject) -> None:
    source = f"`{project.source}`.`events`"
    project.sql.execute(f"CREATE TABLE {source} (id INT PRIMARY KEY, tenant INT NOT NULL)")
    project.sql.execute(f"INSERT INTO {source} SELECT seq, seq % 7 FROM `{project.source}`.seq_1_to_1000")
    protect = "meta={'safeguard': {'protect': true}}"
    project.write_model("orders", f"select id, tenant from {source}", f"materialized='table', {protect}")
    project.write_model("customers", f"select tenant, count(*) as n from {source} group by tenant",
                        f"materialized='table', {protect}")
    project.write_model("history", f"select id, tenant from {source}"
                        "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}",
                        f"materialized='incremental', unique_key='id', {protect}")
    for night in range(2):
        project.sql.execute(f"INSERT INTO {source} SELECT seq, seq % 7 FROM `{project.source}`.seq_{1001 + night * 10}_to_{1010 + night * 10}")
        outcome = project.run()
        assert outcome.success, outcome.log


def multiply(sql: Sql, catalog: str, runs: int) -> int:
    """Copies the newest night's rows `runs` times, each copy one day further back."""
    last = sql.scalar(f"SELECT invocation_id FROM `{catalog}`.safeguard_audits ORDER BY audit_id DESC LIMIT 1")
    columns = {table: [row[0] for row in sql.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position", (catalog, table))] for table in ("safeguard_audits", "safeguard_backups")}
    for n in range(1, runs):
        invocation = f"bench-{n:06d}"
        for table, key in (("safeguard_audits", "audit_id"), ("safeguard_backups", "backup_id")):
            names = [c for c in columns[table] if c != key]
            values = []
            for c in names:
                if c == "invocation_id":
                    values.append(f"'{invocation}'")
                elif c in ("created_at", "updated_at"):
                    values.append(f"{c} - INTERVAL {n} DAY")
                elif c == "backup_table":
                    values.append(f"CONCAT(LEFT(backup_table, 40), '_b{n:06d}')")
                elif c == "backup_ts":
                    values.append(f"DATE_FORMAT(created_at - INTERVAL {n} DAY, '%%Y%%m%%d_%%H%%i%%s')")
                elif c == "status" and table == "safeguard_backups":
                    values.append("IF(status = 'verified', 'dropped', status)")
                else:
                    values.append(c)
            sql.execute(f"INSERT INTO `{catalog}`.`{table}` ({', '.join(names)}) "
                        f"SELECT {', '.join(values)} FROM `{catalog}`.`{table}` WHERE invocation_id = %s", (last,))
    return sql.scalar(f"SELECT COUNT(DISTINCT invocation_id) FROM `{catalog}`.safeguard_audits")


def time_command(argv: List[str], env: Dict[str, str], rounds: int) -> List[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        times.append(time.perf_counter() - started)
        assert done.returncode == 0, done.stderr
    return times


def time_commands(commands: Dict[str, List[str]], env: Dict[str, str], rounds: int) -> Dict[str, List[float]]:
    """Each command once per round, in turn, so a change in the machine's load reaches all of them alike."""
    times: Dict[str, List[float]] = {label: [] for label in commands}
    for _ in range(rounds):
        for label, argv in commands.items():
            times[label].extend(time_command(argv, env, 1))
    return times


def own_work(command: List[float], baseline: List[float]) -> float:
    """The median of each round's command time less the same round's baseline."""
    return statistics.median(c - b for c, b in zip(command, baseline))


def describe(times: List[float]) -> str:
    return f"min {min(times):.2f} s, median {statistics.median(times):.2f} s, max {max(times):.2f} s"


def breakdown(settings, catalog: str) -> str:
    """Where one answer's time goes, in this process (the imports are already paid)."""
    from dbt_safeguard.history import catalog as history_catalog
    from dbt_safeguard.history import page, terminal

    started = time.perf_counter()
    rows = history_catalog.read_catalog(settings, catalog)
    read = time.perf_counter()
    tables = history_catalog.histories(rows, nights=10_000)
    classified = time.perf_counter()
    terminal.history_lines(tables)
    printed = time.perf_counter()
    page.render(tables, catalog, rows.now)
    rendered = time.perf_counter()
    importing = subprocess.run([sys.executable, "-X", "importtime", "-c", "import dbt_safeguard.cli.main"],
                               capture_output=True, text=True, check=True).stderr.splitlines()[-1]
    return (f"in one process: read the catalog {read - started:.2f} s, classify {classified - read:.2f} s, "
            f"terminal lines {printed - classified:.2f} s, page {rendered - printed:.2f} s; "
            f"importing the command: {int(importing.split('|')[1]) / 1e6:.2f} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        server = LocalServer(base_dir=scratch)
        settings = server.start()
        try:
            project = SmallProject(Path(scratch) / "project", settings, "bh_")
            build_nights(project)
            runs = multiply(project.sql, project.catalog_schema, args.runs)
            env = {**os.environ, **settings.as_env()}
            safeguard = str(Path(sys.executable).parent / "safeguard")
            base = [safeguard, "history", "--catalog-schema", project.catalog_schema]
            print(f"catalog: {runs} runs of {len(TABLES)} protected tables "
                  f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores)")
            page = Path(scratch) / "history.html"
            times = time_commands({
                "pass": [sys.executable, "-c", "pass"],
                "version": [safeguard, "--version"],
                "nights": [*base, "--nights", str(args.runs)],
                "html": [*base, "--html", str(page)],
            }, env, args.rounds)
            print(f"safeguard history --nights {args.runs}: {describe(times['nights'])}")
            print(f"safeguard history --html:            {describe(times['html'])}"
                  f" (page {page.stat().st_size / 1e6:.1f} MB)")
            print(f"baseline python -c pass:             {describe(times['pass'])} (the interpreter alone)")
            print(f"baseline safeguard --version:        {describe(times['version'])}"
                  " (start-up: the interpreter and the CLI's imports)")
            print(f"the command's own work (each round less its --version): "
                  f"median {own_work(times['nights'], times['version']):.2f} s with --nights {args.runs}, "
                  f"{own_work(times['html'], times['version']):.2f} s with --html "
                  f"(load average {os.getloadavg()[0]:.1f} at the end)")
            print(breakdown(settings, project.catalog_schema))
            project.close()
        finally:
            server.stop()
    return 0
