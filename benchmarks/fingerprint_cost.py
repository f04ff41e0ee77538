"""What verifying a backup costs, and whether it is stable: the package's
`rowhash1` fingerprint against CHECKSUM TABLE, side by side, on a table with
a STORED and a VIRTUAL generated column.

    .venv/bin/python scripts/bench_fingerprint.py                 # 1,000,000 rows, 3 copies
    .venv/bin/python scripts/bench_fingerprint.py --rows 100000 --copies 2

One throwaway MariaDB. The table is filled once; each copy is made the way
a backup is (the package's own `_copy_table`: CREATE TABLE ... LIKE and
INSERT ... SELECT of the non-generated columns), and the source and the copy
are fingerprinted with the package's own `_fingerprint` under each method,
through `dbt run-operation` of the reference project (so what is timed is the
shipped macro, not a rewrite of it). A method is stable when a faithful copy
fingerprints like its source, every time.
"""
from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from dbt_safeguard.dbt_invoker import DbtInvoker

from safeguard_testing.harness import Sql, copy_reference_project
from safeguard_testing.local_server import LocalServer

METHODS = ("checksum_table", "rowhash1")
SCHEMA = "fp_bench"
TABLE = "t_generated"
# The macro times each method on the server's side of dbt: the run_query
# round trips, not dbt's start-up.
BENCH_MACRO = """
{% macro bench_fingerprint(schema, table, copy) %}
    {%- do safeguard._copy_table(schema, table, schema, copy) -%}
    {%- for method in ['checksum_table', 'rowhash1'] -%}
        {%- for name in [table, copy] -%}
            {%- set started = modules.datetime.datetime.utcnow() -%}
            {%- set print = safeguard._fingerprint(schema, name, method) -%}
            {%- set seconds = (modules.datetime.datetime.utcnow() - started).total_seconds() -%}
            {{ log('BENCH_FP ' ~ tojson({'method': method, 'table': name, 'seconds': seconds,
                                         'row_count': print.row_count, 'checksum': print.checksum | string}), info=True) }}
        {%- endfor -%}
    {%- endfor -%}
    {%- do run_query('drop table ' ~ safeguard._quote_table(schema, copy)) -%}
{% endmacro %}
"""


def fill(sql: Sql, rows: int) -> None:
    sql.execute(f"CREATE DATABASE `{SCHEMA}`")
    sql.execute(
        f"CREATE TABLE `{SCHEMA}`.`{TABLE}` (id INT PRIMARY KEY, note VARCHAR(100), amount DECIMAL(10,2) NULL,"
        " note_up VARCHAR(100) AS (UPPER(note)) STORED, twice DECIMAL(12,2) AS (amount * 2) VIRTUAL) ENGINE = InnoDB")
    sql.execute(f"CREATE TABLE `{SCHEMA}`.digits (d INT)")
    sql.execute(f"INSERT INTO `{SCHEMA}`.digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)")
    seq = "a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d + 1000000*h.d"
    sql.execute(
        f"INSERT INTO `{SCHEMA}`.`{TABLE}` (id, note, amount)"
        f" SELECT {seq}, CONCAT('note ', {seq}), IF(a.d = 3, NULL, (a.d + 10 * b.d) / 3)"
        f" FROM `{SCHEMA}`.digits a, `{SCHEMA}`.digits b, `{SCHEMA}`.digits c, `{SCHEMA}`.digits e,"
        f" `{SCHEMA}`.digits f, `{SCHEMA}`.digits g, `{SCHEMA}`.digits h WHERE {seq} < {int(rows)}")


def measure(workdir: Path, settings, rows: int, copies: int, say=print) -> dict:
    sql = Sql(settings)
    started = time.perf_counter()
    fill(sql, rows)
    say(f"filled {rows} rows in {time.perf_counter() - started:.1f} s")
    # _copy_table runs its statements through the package's procedure in the
    # catalog schema, which a run's create_backups would have created first.
    sql.execute("CREATE DATABASE IF NOT EXISTS `fpb_analytics`")
    project = copy_reference_project(workdir / "project")
    (project / "macros" / "bench_fingerprint.sql").write_text(BENCH_MACRO)
    invoker = DbtInvoker(project, settings, extra_env={"SAFEGUARD_SCHEMA_PREFIX": "fpb_"})
    assert invoker.invoke("deps").success
    samples: List[dict] = []
    for index in range(copies):
        outcome = invoker.invoke("run-operation", "bench_fingerprint", "--args",
                                 json.dumps({"schema": SCHEMA, "table": TABLE, "copy": f"{TABLE}_copy{index}"}))
        if not outcome.success:
            raise SystemExit("bench_fingerprint failed:\n" + "\n".join(outcome.log_lines[-30:]))
        found = [json.loads(line.split("BENCH_FP ", 1)[1]) for line in outcome.log_lines if "BENCH_FP " in line]
        by = {(f["method"], f["table"] == TABLE): f for f in found}
        for method in METHODS:
            source, copy = by[(method, True)], by[(method, False)]
            sample = {"copy": index, "method": method, "source_seconds": source["seconds"],
                      "copy_seconds": copy["seconds"],
                      "stable": (source["row_count"], source["checksum"]) == (copy["row_count"], copy["checksum"])}
            samples.append(sample)
            say(f"copy {index + 1}: {method:14s} {source['seconds']:6.2f} s  copy matches source: {sample['stable']}")
    sql.close()
    return {"rows": rows, "copies": copies, "samples": samples, "version": settings_version(settings)}


def settings_version(settings) -> str:
    sql = Sql(settings)
    try:
        return str(sql.scalar("SELECT VERSION()"))
    finally:
        sql.close()


def report(result: dict) -> str:
    lines = [f"{result['rows']:,} rows, STORED + VIRTUAL generated columns, {result['copies']} copies, {result['version']}",
             "| method | median seconds (source) | copies that fingerprint like the source |", "|---|---:|---:|"]
    for method in METHODS:
        picked = [s for s in result["samples"] if s["method"] == method]
        times = sorted(s["source_seconds"] for s in picked)
        lines.append(f"| {method} | {times[len(times) // 2]:.2f} | {sum(s['stable'] for s in picked)} of {len(picked)} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the table (default 1,000,000)")
    parser.add_argument("--copies", type=int, default=3, help="faithful copies to fingerprint (default 3)")
    parser.add_argument("--adapter-type", choices=("mysql", "mariadb"), default="mariadb")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.rows > 9_999_999 or args.copies < 1:
        parser.error("--rows must be 1..9999999 and --copies >= 1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-fp-bench-"))
    server = LocalServer(adapter_type=args.adapter_type, base_dir=str(workdir))
    try:
        settings = server.start()
        print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
        result = measure(workdir, settings, args.rows, args.copies, say=lambda line: print(line, flush=True))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print()
    print(report(result))
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0
