"""What safeguard's hooks and materializations cost a `dbt run`, and what a restore costs.

    .venv/bin/python scripts/bench_safeguard.py            # sizes 5000 and 50000, 5 rounds
    .venv/bin/python scripts/bench_safeguard.py --quick    # sizes 1000 and 10000, 2 rounds

One throwaway MariaDB, one run, everything side by side. The reference
project (dbt/) is built at two OLTP sizes 10x apart (testing/safeguard_testing/
oltp_*), each under its own schema prefix, and then, in interleaved rounds:

- `dbt run` as wired in dbt/ ("on") and the same with
  `--vars '{safeguard_enabled: false}'` ("off": the package's
  materializations still swap atomically, but take no backup, guard nothing
  and keep no table). The difference of the medians is what safeguard adds.
- The server's own `CREATE TABLE ... LIKE` + `INSERT ... SELECT *` of each
  protected incremental: the floor a verified copy is measured against.

Then `dbt run-operation restore_backup` of a table model and of an
incremental at both sizes, and a run-operation of an empty macro, which is
dbt's start-up, the same whatever the data.

Times are split with the server's own statement timing: the slow query log
with long_query_time = 0 (log_output = TABLE), which records each
statement's execution time to the microsecond. Each statement is put in one
category by its text (`category()`), and to its dbt node by dbt's query
comment.

Every run gets `safeguard_max_backups_per_table: 2` (keep_last is 2 by
default; ignored when safeguard is off): after two warm-up runs, every
measured run prunes exactly one backup per protected table, as retention
does every night in steady state.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from dbt_safeguard.dbt_invoker import DbtInvoker

from safeguard_testing import oltp_day, oltp_dump
from safeguard_testing.harness import Sql, copy_reference_project
from safeguard_testing.local_server import LocalServer

DEFAULT_SIZES = (5000, 50000)
QUICK_SIZES = (1000, 10000)
DAY = 30
RETENTION_VARS = "safeguard_max_backups_per_table: 2"
VARIANT_VARS = {
    "on": "{" + RETENTION_VARS + "}",
    "off": "{safeguard_enabled: false, " + RETENTION_VARS + "}",
}
# Restored at each size: the largest protected table model and the protected SCD2 history.
RESTORED = (("silver", "int_contracts"), ("silver", "tenant_status_history"))
# The history model's post-hook joins the table to itself on tenant_id. A
# CREATE TABLE ... AS SELECT has no index, so that join is quadratic (5 s at
# 4,400 rows, minutes at 44,000); a production warehouse adds this key once,
# and an incremental keeps it (delete+insert never recreates the table).
HISTORY_KEY = ("silver", "tenant_status_history", "KEY bench_tenant_from (tenant_id, valid_from)")
NOOP_MACRO = "{% macro bench_noop() %}{% endmacro %}\n"
STATEMENT_LOG_OPTIONS = ("--slow-query-log=1", "--long-query-time=0", "--log-output=TABLE",
                         "--log-slow-admin-statements=1")
FLAT_RATIO = 2.0  # for data 10x larger: below this, a cost counts as size-independent
NEGLIGIBLE = 0.02  # seconds: a statement time below this at the larger size is not judged
NOISE = 0.05  # seconds: a growth smaller than this is within this shared machine's noise


# --------------------------------------------------------------------------
# statements and their categories

_COMMENT = re.compile(r"^\s*/\*(.*?)\*/\s*", re.S)
_BOUNDED = re.compile(r"safeguard_run_ddl_v\d+`?\s*\(\s*'(\w+)", re.I)
# A backup's copy runs inside the probe procedure, which returns the server's
# error instead of raising it (a full disk): the statement is its argument.
_PROBED = re.compile(r"^call `[^`]+`\.`safeguard_probe_v\d+`\s*\(\s*'(.*)', @safeguard_probe_outcome\)$", re.I)


@dataclasses.dataclass
class Statement:
    start: dt.datetime
    seconds: float
    node: Optional[str]  # dbt's node name, or None for hooks and run-operations
    sql: str
    category: str


def category(sql: str) -> str:
    """One category per statement, from its text (dbt's query comment removed)."""
    text = " ".join(sql.split()).lower()
    if "safeguard_audit" in text:  # the audit's counts (marked) and its verdict rows (safeguard_audits)
        return "audit"
    probed = _PROBED.match(text)
    if probed:
        text = probed.group(1).replace("''", "'")
    bounded = _BOUNDED.search(text)
    if bounded:  # safeguard's bounded DDL: the statement is the procedure's argument
        return {"rename": "swap", "drop": "drop"}.get(bounded.group(1), "catalog and locks")
    if text.startswith("insert into") and re.match(r"insert into `[^`]+`\.`[^`]+_(backup|replaced)_\d", text):
        return "copy"
    if text.startswith("create table") and " like " in text:
        return "copy"
    if (text.startswith("checksum table") or re.match(r"select count\(\*\) from `[^`]+`\.`[^`]+`$", text)
            or text.startswith("select count(*), coalesce(sum(crc32(")):  # rowhash1
        return "fingerprint"
    if text.startswith("drop table"):
        return "drop"
    if text.startswith("rename table"):
        return "swap"
    if text.startswith("create schema"):
        return "create schema"
    if ("safeguard" in text or "get_lock" in text or "release_lock" in text or "is_used_lock" in text
            or "information_schema" in text or "performance_schema" in text or text.startswith(("commit", "select @"))):
        return "catalog and locks"
    return "model"


class StatementLog:
    """The server's per-statement timing: MariaDB's slow log at long_query_time = 0, as a table."""

    def __init__(self, sql: Sql):
        self.sql = sql

    def clear(self) -> None:
        self.sql.execute("TRUNCATE mysql.slow_log")

    def dbt_statements(self) -> List[Statement]:
        statements = []
        for start, query_time, text in self.sql.rows(
                "SELECT start_time, query_time, sql_text FROM mysql.slow_log ORDER BY start_time"):
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            match = _COMMENT.match(text)
            if not match or '"app": "dbt"' not in match.group(1):
                continue
            try:
                comment = json.loads(match.group(1))
            except ValueError:
                comment = {}
            node = comment.get("node_id")
            body = text[match.end():]
            statements.append(Statement(start, query_time.total_seconds(), node.split(".")[-1] if node else None,
                                        body, category(body)))
        return statements

    def own_statement_seconds(self, marker: str) -> float:
        rows = self.sql.rows("SELECT query_time FROM mysql.slow_log WHERE sql_text LIKE %s",
                             (f"/* {marker} */%",))
        return sum(row[0].total_seconds() for row in rows)


def by_category(statements: Sequence[Statement], nodes: Optional[Sequence[Optional[str]]] = ()) -> Dict[str, float]:
    totals: Dict[str, float] = {}
    for s in statements:
        if nodes and s.node not in nodes:
            continue
        totals[s.category] = totals.get(s.category, 0.0) + s.seconds
    return totals


# --------------------------------------------------------------------------
# one warehouse per size

@dataclasses.dataclass
class RunTiming:
    wall: float
    phases: Dict[str, float]  # on-run-start, create_backups, prune_backups, on-run-end
    nodes: Dict[str, float]  # model name -> dbt's execution time
    statements: List[Statement]


class Site:
    """The reference project at one OLTP size, under its own schema prefix."""

    def __init__(self, workdir: Path, settings, size: int, index: int, log: StatementLog):
        self.size = size
        self.prefix = f"bench{index}_"
        self.settings = settings
        self.log = log
        self.sql = log.sql
        self.invokers = {}
        for variant in ("on", "off"):
            # One project copy per variant: a --vars change defeats partial parsing.
            project = copy_reference_project(workdir / f"{self.prefix}{variant}")
            (project / "macros" / "bench_noop.sql").write_text(NOOP_MACRO)
            self.invokers[variant] = DbtInvoker(project, settings, extra_env={"SAFEGUARD_SCHEMA_PREFIX": self.prefix})
        self.materialized: Dict[str, str] = {}
        self.schemas: Dict[str, str] = {}  # model name -> its schema, without the prefix
        self.protected: set = set()

    def schema(self, name: str) -> str:
        return self.prefix + name

    def dbt(self, variant: str, *args: str, on_log=None):
        outcome = self.invokers[variant].invoke(*args, on_log=on_log)
        if not outcome.success:
            raise SystemExit(f"size {self.size}: dbt {' '.join(args)} failed: {outcome.error}\n"
                             + "\n".join(outcome.log_lines[-30:]))
        return outcome

    def build(self) -> None:
        """OLTP data into staging, seeds, the first build and two warm-up runs."""
        staging = self.schema("staging")
        self.sql.execute(f"CREATE DATABASE `{staging}` CHARACTER SET utf8mb4")
        oltp_dump.populate_schema(staging, oltp_day.generate_day(DAY, size=self.size), self.settings)
        for variant in ("on", "off"):
            self.dbt(variant, "deps")
        self.dbt("on", "seed")
        self.run("on")
        schema, table, key = HISTORY_KEY
        self.sql.execute(f"ALTER TABLE `{self.schema(schema)}`.`{table}` ADD {key}")
        self.read_manifest()
        for _ in range(2):
            self.run("on")
        self.run("off")  # its project's partial parse, before any measured "off" run

    def read_manifest(self) -> None:
        manifest = json.loads((self.invokers["on"].project_dir / "target" / "manifest.json").read_text())
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model":
                self.materialized[node["name"]] = node["config"]["materialized"]
                self.schemas[node["name"]] = node["schema"][len(self.prefix):]
                if (node["config"].get("meta") or {}).get("safeguard", {}).get("protect"):
                    self.protected.add(node["name"])

    def models(self, materialized: str, protected: bool = True) -> List[str]:
        return sorted(n for n, m in self.materialized.items() if m == materialized and (n in self.protected) == protected)

    def run(self, variant: str) -> RunTiming:
        marks: List[tuple] = []

        def on_log(event) -> None:
            if event.info.name in ("HooksRunning", "LogHookEndLine"):
                marks.append((time.perf_counter(), event.info.name, event.info.msg or ""))

        self.log.clear()
        started = time.perf_counter()
        outcome = self.dbt(variant, "run", "--vars", VARIANT_VARS[variant], on_log=on_log)
        wall = time.perf_counter() - started
        return RunTiming(wall, hook_phases(marks), {n.name: n.duration for n in outcome.nodes},
                         self.log.dbt_statements())

    def row_counts(self) -> Dict[str, int]:
        counts = {}
        for name in self.models("table") + self.models("incremental"):
            schema = self.schemas[name]
            counts[f"{schema}.{name}"] = self.sql.scalar(f"SELECT COUNT(*) FROM `{self.schema(schema)}`.`{name}`")
        return counts

    def baseline_copy(self, schema: str, table: str) -> float:
        """The server's own CREATE TABLE ... LIKE + INSERT ... SELECT of the table, its statement time."""
        source = f"`{self.schema(schema)}`.`{table}`"
        copy = f"`{self.schema(schema)}`.`bench_baseline_{table}`"[:70]
        marker = f"bench baseline {self.prefix}{table}"
        self.sql.execute(f"DROP TABLE IF EXISTS {copy}")
        self.log.clear()
        self.sql.execute(f"/* {marker} */ CREATE TABLE {copy} LIKE {source}")
        self.sql.execute(f"/* {marker} */ INSERT INTO {copy} SELECT * FROM {source}")
        seconds = self.log.own_statement_seconds(marker)
        self.sql.execute(f"DROP TABLE {copy}")
        return seconds

    def newest_unrestored_backup(self, schema: str, table: str) -> str:
        """The ts of the table's newest verified backup. A bare restore_backup
        repeated after a restore is a no-op by design (a retried restore must
        not put back an older backup), so each restore names its ts."""
        ts = self.sql.scalar(
            f"SELECT MAX(backup_ts) FROM `{self.schema('analytics')}`.safeguard_backups"
            " WHERE kind = 'backup' AND status = 'verified' AND source_schema = %s AND source_table = %s",
            (self.schema(schema), table))
        if ts is None:
            raise SystemExit(f"size {self.size}: no verified backup of {schema}.{table} left to restore")
        return ts

    def restore(self, schema: str, table: str) -> dict:
        ts = self.newest_unrestored_backup(schema, table)
        self.log.clear()
        started = time.perf_counter()
        self.dbt("on", "run-operation", "safeguard.restore_backup",
                 "--args", f"{{table: {self.schema(schema)}.{table}, ts: '{ts}'}}", "--vars", VARIANT_VARS["on"])
        wall = time.perf_counter() - started
        statements = self.log.dbt_statements()
        swaps = [s for s in statements if s.category == "swap"]
        if not swaps:
            raise SystemExit(f"size {self.size}: restore_backup of {schema}.{table} ran no RENAME")
        split = {"wall": wall, "swap": sum(s.seconds for s in swaps),
                 "verification (fingerprints)": 0.0, "other statements": 0.0}
        for s in statements:
            if s.category == "fingerprint":
                # The live table's and the backup's (checked against its
                # catalog row before the RENAME): the size-dependent part.
                split["verification (fingerprints)"] += s.seconds
            elif s.category != "swap":
                split["other statements"] += s.seconds
        return split

    def cli_noop(self) -> float:
        """The same empty run-operation as a command of its own: Python and dbt start cold."""
        invoker = self.invokers["on"]
        command = [str(Path(sys.executable).with_name("dbt")), "run-operation", "bench_noop", "--vars", VARIANT_VARS["on"],
                   "--project-dir", str(invoker.project_dir), "--profiles-dir", str(invoker.profiles_dir)]
        env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **self.settings.as_env(),
               "SAFEGUARD_SCHEMA_PREFIX": self.prefix}
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started

    def noop(self) -> float:
        started = time.perf_counter()
        # The same --vars as every other invocation of this project: a change
        # of vars makes dbt parse the whole project again.
        self.dbt("on", "run-operation", "bench_noop", "--vars", VARIANT_VARS["on"])
        return time.perf_counter() - started


def hook_phases(marks: List[tuple]) -> Dict[str, float]:
    """Hook durations from dbt's events: a hook's Jinja (all of safeguard's
    work) runs between the previous event and its own end line; dbt's own
    `OK hook ... in 0.00s` times only the rendered SQL, which is empty."""
    phases: Dict[str, float] = {}
    start = last = None
    for when, name, message in marks:
        if name == "HooksRunning":
            start = last = when
            continue
        if last is None:
            continue
        if "on-run-start.0" in message:
            phases["create_backups"] = when - last
        elif "on-run-start.1" in message:
            phases["prune_backups"] = when - last
        elif "on-run-end.0" in message:
            phases["finish_run"] = when - last
        if "on-run-start" in message:
            phases["on-run-start"] = when - start
        last = when
    return phases


# --------------------------------------------------------------------------
# the benchmark

def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def ratio(large: float, small: float) -> Optional[float]:
    return large / small if small > 0 else None


def measure(workdir: Path, settings, sizes: Sequence[int], rounds: int, say=print) -> dict:
    sql = Sql(settings)
    log = StatementLog(sql)
    sites = [Site(workdir, settings, size, i, log) for i, size in enumerate(sizes)]
    result: dict = {"sizes": list(sizes), "rounds": rounds, "server": sql.scalar("SELECT VERSION()"),
                    "adapter_type": settings.adapter_type, "load_before": os.getloadavg()}
    for site in sites:
        started = time.perf_counter()
        site.build()
        say(f"built size {site.size} (first build and warm-up runs) in {time.perf_counter() - started:.0f} s")
    result["rows"] = {site.size: site.row_counts() for site in sites}

    runs: Dict[int, Dict[str, List[RunTiming]]] = {site.size: {"on": [], "off": []} for site in sites}
    baselines: Dict[int, Dict[str, List[float]]] = {site.size: {} for site in sites}
    for round_number in range(1, rounds + 1):
        order = ("on", "off") if round_number % 2 else ("off", "on")
        for site in sites:
            for variant in order:
                if variant == "on":
                    # Right before the run whose create_backups copies the same tables.
                    for name in site.models("incremental"):
                        baselines[site.size].setdefault(name, []).append(site.baseline_copy(site.schemas[name], name))
                runs[site.size][variant].append(site.run(variant))
        say(f"round {round_number} of {rounds}: " + ", ".join(
            f"size {site.size} on {runs[site.size]['on'][-1].wall:.1f} s / off {runs[site.size]['off'][-1].wall:.1f} s"
            for site in sites))

    restores: Dict[int, Dict[str, List[dict]]] = {site.size: {} for site in sites}
    noops: Dict[int, List[float]] = {site.size: [] for site in sites}
    for _ in range(2):  # two backups of each table remain in steady state
        for site in sites:
            noops[site.size].append(site.noop())
            for schema, table in RESTORED:
                restores[site.size].setdefault(f"{schema}.{table}", []).append(site.restore(schema, table))
    say("restores done")
    result["dbt_cli_startup"] = sites[0].cli_noop()
    sql.close()
    result["load_after"] = os.getloadavg()
    result.update(summarize(sites, result["rows"], runs, baselines, restores, noops))
    return result


def summarize(sites, rows, runs, baselines, restores, noops) -> dict:
    site = sites[0]
    tables = site.models("table")
    incrementals = site.models("incremental")
    summary = {"run": {}, "table_models": {}, "incremental_copies": {}, "restore": {}, "dbt_startup": {}}
    for s in sites:
        on, off = runs[s.size]["on"], runs[s.size]["off"]

        def med(timings, pick):
            return median([pick(t) for t in timings])

        row = {
            "on": med(on, lambda t: t.wall), "off": med(off, lambda t: t.wall),
            "on_all": [t.wall for t in on], "off_all": [t.wall for t in off],
        }
        for phase in ("on-run-start", "create_backups", "prune_backups", "finish_run"):
            row[f"{phase} on"] = med(on, lambda t: t.phases.get(phase, 0.0))
            row[f"{phase} off"] = med(off, lambda t: t.phases.get(phase, 0.0))
        for group, names in (("protected table models", tables), ("protected incrementals", incrementals)):
            row[f"{group} on"] = med(on, lambda t: sum(t.nodes.get(n, 0.0) for n in names))
            row[f"{group} off"] = med(off, lambda t: sum(t.nodes.get(n, 0.0) for n in names))
        hooks_by_category = [by_category(t.statements, [None]) for t in on]
        row["hook statements on"] = {c: median([h.get(c, 0.0) for h in hooks_by_category])
                                     for c in sorted({c for h in hooks_by_category for c in h})}
        summary["run"][s.size] = row

        per_model_on = [by_category(t.statements, tables) for t in on]
        per_model_off = [by_category(t.statements, tables) for t in off]
        keys = sorted({c for h in per_model_on + per_model_off for c in h} - {"model"})
        summary["table_models"][s.size] = {
            "on": {c: median([h.get(c, 0.0) for h in per_model_on]) for c in keys},
            "off": {c: median([h.get(c, 0.0) for h in per_model_off]) for c in keys},
            "rows": sum(n for t, n in rows[s.size].items() if t.split(".")[1] in tables),
        }

        copies = {}
        for name in incrementals:
            copy = [sum(x.seconds for x in t.statements if x.category == "copy" and f"`{name}_backup_" in x.sql)
                    for t in on]
            prints = [sum(x.seconds for x in t.statements if x.category == "fingerprint" and x.node is None
                          and f"`{name}" in x.sql) for t in on]
            copies[name] = {"baseline": median(baselines[s.size][name]), "copy": median(copy),
                            "fingerprints": median(prints),
                            "baseline_all": baselines[s.size][name], "copy_all": copy}
        summary["incremental_copies"][s.size] = copies

        summary["restore"][s.size] = {
            table: {k: median([r[k] for r in rows]) for k in rows[0]} for table, rows in restores[s.size].items()}
        summary["dbt_startup"][s.size] = median(noops[s.size])
    return summary


# --------------------------------------------------------------------------
# the report

def verdict(r: Optional[float], large: float) -> str:
    if r is None or large < NEGLIGIBLE:
        return "negligible"
    if r < FLAT_RATIO or large - large / r < NOISE:
        return "flat"
    return f"NOT FLAT (x{r:.1f})"


def fmt(seconds: float) -> str:
    return f"{seconds:7.3f} s"


def fmt_ratio(r: Optional[float]) -> str:
    return "    n/a" if r is None else f"{r:6.2f}x"


def report(result: dict) -> str:
    small, large = result["sizes"][0], result["sizes"][-1]
    out: List[str] = []
    add = out.append
    add(f"dbt-safeguard overhead benchmark: reference project (dbt/), adapter type {result['adapter_type']}, "
        f"server {result['server']}, {result['rounds']} interleaved round(s), medians")
    add(f"machine: {machine()}")
    add("load average (1/5/15 min): before {:.1f} {:.1f} {:.1f}, after {:.1f} {:.1f} {:.1f} (shared machine)".format(
        *result["load_before"], *result["load_after"]))
    add(f"sizes: {small} and {large} (OLTP tenants on day 1); rows: " + "; ".join(
        f"size {size}: " + ", ".join(f"{t} {n}" for t, n in rows.items()) for size, rows in result["rows"].items()))
    head = f"{'':44}{'size ' + str(small):>14}{'size ' + str(large):>14}{'large/small':>13}"

    add("")
    add("1. dbt run: safeguard on (as wired in dbt/) vs --vars '{safeguard_enabled: false}' (wall time)")
    add(head)
    runs = result["run"]

    def line(label, pick, judge=False):
        a, b = pick(runs[small]), pick(runs[large])
        r = ratio(b, a)
        add(f"{label:44}{fmt(a):>14}{fmt(b):>14}{fmt_ratio(r):>13}" + (f"  {verdict(r, b)}" if judge else ""))

    line("dbt run, safeguard on", lambda r: r["on"])
    line("dbt run, safeguard off", lambda r: r["off"])
    line("added by safeguard (on - off)", lambda r: r["on"] - r["off"])
    add(f"{'  as a share of the run without it':44}" + "".join(
        f"{100 * (runs[s]['on'] - runs[s]['off']) / runs[s]['off']:>13.0f}%" for s in (small, large)))
    line("  on-run-start hooks, on - off", lambda r: r["on-run-start on"] - r["on-run-start off"])
    line("    create_backups (copies incrementals)", lambda r: r["create_backups on"] - r["create_backups off"])
    line("    prune_backups (drops 1 per table)", lambda r: r["prune_backups on"] - r["prune_backups off"])
    line("  protected table models, on - off", lambda r: r["protected table models on"] - r["protected table models off"], True)
    line("  protected incrementals, on - off", lambda r: r["protected incrementals on"] - r["protected incrementals off"])
    line("  on-run-end (finish_run), on - off", lambda r: r["finish_run on"] - r["finish_run off"])
    add("  (each line is a difference of medians of noisy wall times; the sections below time the statements)")
    add("  hook statements with safeguard on (server time):")
    for c in sorted(set(runs[small]["hook statements on"]) | set(runs[large]["hook statements on"])):
        if max(runs[small]["hook statements on"].get(c, 0.0), runs[large]["hook statements on"].get(c, 0.0)) < 0.0005:
            continue
        line(f"    {c}", lambda r, c=c: r["hook statements on"].get(c, 0.0))

    add("")
    tm = result["table_models"]
    add(f"2. protected table models: the old table kept by one RENAME (server statement time, "
        f"the {len(result['rows'][small]) - len(copies_of(result, small))} protected table models together; "
        f"rows {tm[small]['rows']} and {tm[large]['rows']})")
    add(head)
    for c in sorted(set(tm[small]["on"]) | set(tm[large]["on"])):
        a, b = tm[small]["on"].get(c, 0.0), tm[large]["on"].get(c, 0.0)
        label = {"swap": "swap: one RENAME (kept as the backup)",
                 "fingerprint": "fingerprint of the kept table",
                 "create schema": "CREATE SCHEMA IF NOT EXISTS",
                 "catalog and locks": "catalog and lock statements",
                 "drop": "drop"}.get(c, c)
        if max(a, b) < 0.0005:
            continue
        r = ratio(b, a)
        add(f"{label:44}{fmt(a):>14}{fmt(b):>14}{fmt_ratio(r):>13}  {verdict(r, b)}")
    for c in sorted(set(tm[small]["off"]) | set(tm[large]["off"])):
        a, b = tm[small]["off"].get(c, 0.0), tm[large]["off"].get(c, 0.0)
        if max(a, b) < 0.0005:
            continue
        add(f"{'  off: ' + c:44}{fmt(a):>14}{fmt(b):>14}{fmt_ratio(ratio(b, a)):>13}")
    def not_flat(c):
        b = tm[large]["on"].get(c, 0.0)
        return verdict(ratio(b, tm[small]["on"].get(c, 0.0)), b).startswith("NOT FLAT")

    if not_flat("fingerprint"):
        add("  NOT FLAT: _swap_into_place reads COUNT(*) + CHECKSUM TABLE of the kept table right after the swap;"
            " that scan grows with the table.")
    if not_flat("create schema"):
        add("  NOT FLAT: _swap_into_place runs CREATE SCHEMA IF NOT EXISTS on the backup schema before the swap. The"
            " server takes an exclusive metadata lock on the schema for it, so it waits until every other model's"
            " CREATE TABLE ... AS SELECT running in that schema has finished (and new ones queue behind it), bounded"
            " by the session's lock_wait_timeout (1 day by default), not by safeguard_lock_wait_seconds.")
    if not not_flat("swap"):
        add("  The swap itself (one RENAME) stays flat.")

    add("")
    add("3. incremental copies vs the server's own CREATE TABLE ... LIKE + INSERT ... SELECT * (server statement time)")
    add(f"{'table':34}{'size':>7}{'rows':>9}{'server copy':>13}{'safeguard copy':>16}{'copy/server':>13}"
        f"{'+ 2 fingerprints':>18}")
    copies = result["incremental_copies"]
    for name in copies[small]:
        for size in (small, large):
            c = copies[size][name]
            rows = next((n for t, n in result["rows"][size].items() if t.endswith("." + name)), 0)
            add(f"{name:34}{size:>7}{rows:>9}{fmt(c['baseline']):>13}{fmt(c['copy']):>16}"
                f"{fmt_ratio(ratio(c['copy'], c['baseline'])):>13}{fmt(c['fingerprints']):>18}")
        growth_copy = ratio(copies[large][name]["copy"], copies[small][name]["copy"])
        growth_base = ratio(copies[large][name]["baseline"], copies[small][name]["baseline"])
        ok = growth_copy is not None and growth_base is not None and growth_copy <= 1.25 * growth_base
        add(f"  {name}: growth for 10x data: server copy {fmt_ratio(growth_base).strip()}, safeguard copy "
            f"{fmt_ratio(growth_copy).strip()}: " + ("grows no faster than the server's own copy" if ok
                                                     else "GROWS FASTER than the server's own copy"))

    add("")
    add("4. restore_backup (one run-operation each; server statement time unless marked wall)")
    add(f"{'':44}{'size ' + str(small):>14}{'size ' + str(large):>14}{'large/small':>13}")
    startup = result["dbt_startup"]
    a, b = startup[small], startup[large]
    add(f"{'dbt start-up (empty run-operation, wall)':44}{fmt(a):>14}{fmt(b):>14}{fmt_ratio(ratio(b, a)):>13}")
    add(f"  (in-process, parsed, as the ETL driver runs dbt; the same as a `dbt run-operation` command from a shell: "
        f"{result['dbt_cli_startup']:.1f} s)")
    for table in result["restore"][small]:
        add(f"  {table}")
        for key in ("wall", "swap", "verification (fingerprints)", "other statements"):
            a, b = result["restore"][small][table][key], result["restore"][large][table][key]
            r = ratio(b, a)
            label = {"wall": "restore_backup (wall, with dbt start-up)", "swap": "swap: one RENAME"}.get(key, key)
            add(f"{'    ' + label:44}{fmt(a):>14}{fmt(b):>14}{fmt_ratio(r):>13}"
                + (f"  {verdict(r, b)}" if key == "swap" else ""))
        a = result["restore"][small][table]["wall"] - startup[small]
        b = result["restore"][large][table]["wall"] - startup[large]
        add(f"{'    wall minus dbt start-up':44}{fmt(a):>14}{fmt(b):>14}{fmt_ratio(ratio(b, a)):>13}")
    return "\n".join(out)


def copies_of(result: dict, size) -> dict:
    return result["incremental_copies"][size]


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores {model}, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES[0]} and {QUICK_SIZES[1]}, 2 rounds")
    parser.add_argument("--sizes", type=int, nargs=2, metavar=("SMALL", "LARGE"),
                        help=f"OLTP sizes (default {DEFAULT_SIZES[0]} {DEFAULT_SIZES[1]})")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of on/off runs (default 5, --quick 2)")
    parser.add_argument("--adapter-type", choices=("mysql", "mariadb"), default="mysql")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    parser.add_argument("--audit", action="store_true",
                        help="measure what the audit adds to a protected table model's and incremental's build"
                             " instead (benchmarks/audit_cost.py; sizes 100000 1000000, 3 rounds)")
    args = parser.parse_args(argv)
    if args.audit:
        return _main_audit(args, parser)
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    rounds = args.rounds or (2 if args.quick else 5)
    if rounds < 1 or min(sizes) < 10:
        parser.error("--rounds must be >= 1 and sizes >= 10")

    started = time.perf_counter()

    def run(workdir: Path, settings) -> dict:
        print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}", flush=True)
        return measure(workdir, settings, sizes, rounds, say=lambda line: print(line, flush=True))

    result = _on_throwaway_server(args.adapter_type, "safeguard-bench-", run)
    result["seconds"] = time.perf_counter() - started
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str))
    print()
    print(report(result))
    print(f"\nbenchmark took {result['seconds']:.0f} s; uptime: "
          f"{subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0


def _main_audit(args, parser) -> int:
    from audit_cost import AUDIT_SIZES, measure_audit, report_audit

    sizes = args.sizes or AUDIT_SIZES
    rounds = args.rounds or 3
    if rounds < 1 or min(sizes) < 100:
        parser.error("--rounds must be >= 1 and sizes >= 100")
    started = time.perf_counter()
    result = _on_throwaway_server(args.adapter_type, "safeguard-audit-bench-", lambda workdir, settings: measure_audit(
        workdir, settings, sizes, rounds, say=lambda line: print(line, flush=True)))
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in result.items()}, indent=1))
    print()
    print(report_audit(result))
    print(f"\nbenchmark took {time.perf_counter() - started:.0f} s on {machine()}")
    return 0


def _on_throwaway_server(adapter_type: str, prefix: str, run):
    """run(workdir, settings) on a throwaway MariaDB with the statement log on."""
    # Stop the throwaway server on SIGTERM too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    server = LocalServer(adapter_type=adapter_type, base_dir=str(workdir), server_options=STATEMENT_LOG_OPTIONS)
    try:
        return run(workdir, server.start())
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
