"""Benchmark: `safeguard load` against the `mariadb` client and myloader, same server, same data, one run.

Starts its own throwaway MariaDB (never the machine's shared server) and
builds two source databases sized to --target-mb of mariadb-dump output each:

- reference: the project's OLTP generator (safeguard_testing.oltp_*), five tables of
  similar size with secondary indexes;
- employees: employees-shaped (employees_data): one table holding ~70 % of
  the bytes, foreign keys, secondary indexes, a latin1 table.

Each source is dumped by the real `mariadb-dump` (what `safeguard load` and
the client read) and exported by mydumper (what myloader reads: its own
format, default options). Then every round loads each dump with each tool
into empty schemas, rotating which tool goes first, and checks that every
loaded table has the source's CHECKSUM TABLE. It prints each time, then per
dump the median time of each tool, the loader's speed-up over each (their
time / the loader's time: above 1 the loader is faster), and the peak RSS
of each process (GNU time's maximum resident set size), and the CPU seconds
the server spent on each load (from /proc: robust to a busy machine, where
wall times are not).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import employees_data
from safeguard_testing import oltp_day, oltp_dump
from safeguard_testing.local_server import LocalServer
from dbt_safeguard.staging_loader import DEFAULT_WORKERS

GNU_TIME = "/usr/bin/time"
CALIBRATION_SIZE = 2000
DAY = 30
# mariadb-dump of the full employees-shaped database: 300,000 employees.
EMPLOYEES_MB_PER_EMPLOYEE = 170 / employees_data.FULL_SIZE
DUMP_OPTIONS = ("--single-transaction", "--routines", "--triggers", "--hex-blob", "--skip-dump-date")
TOOLS = ("client", "myloader", "loader")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores {model}, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(command: Sequence[str], stdin=None, env=None) -> Tuple[float, float]:
    """(seconds, peak RSS in MB) of a child process.

    GNU time reports the peak of the program itself; a child forked straight
    from this process would count this process's memory as its own.
    """
    started = time.monotonic()
    result = subprocess.run([GNU_TIME, "-f", "%M", *command], stdin=stdin, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.monotonic() - started
    errors = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {errors[-2000:]}")
    return elapsed, int(errors.strip().splitlines()[-1]) / 1024


class Bench:
    def __init__(self, settings, server_pid: int, workdir: Path, workers: int):
        self.settings = settings
        self.server_pid = server_pid
        self.workdir = workdir
        self.workers = workers
        self.conn = settings.connect()
        self.client = shutil.which("mariadb") or shutil.which("mysql")
        self.dumper = shutil.which("mariadb-dump") or shutil.which("mysqldump")
        self.mydumper = shutil.which("mydumper")
        self.myloader = shutil.which("myloader")
        self.options = workdir / "client.cnf"
        self.options.write_text(f"[client]\nhost={settings.host}\nport={settings.port}\nuser={settings.user}\n"
                                f"password={settings.password}\nprotocol=tcp\n")
        self.env = {**os.environ, **settings.as_env()}

    def sql(self, statement: str):
        with self.conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall()

    def drop(self, *schemas: str) -> None:
        for schema in schemas:
            for suffix in ("", "_loading", "_previous"):
                self.sql(f"DROP DATABASE IF EXISTS `{schema}{suffix}`")

    # -- sources and dumps ---------------------------------------------------------

    def reference_source(self, target_mb: int) -> Tuple[str, Sequence[str]]:
        probe = self.workdir / "probe.sql"
        size_bytes = oltp_dump.write_dump(DAY, probe, self.settings, size=CALIBRATION_SIZE).size_bytes
        probe.unlink()
        size = max(10, int(CALIBRATION_SIZE * target_mb * 1e6 / size_bytes))
        print(f"reference: OLTP day {DAY}, size={size} ...", flush=True)
        self.sql("CREATE DATABASE src_reference CHARACTER SET utf8mb4")
        oltp_dump.populate_schema("src_reference", oltp_day.generate_day(DAY, size=size), self.settings)
        return "src_reference", oltp_day.TABLES

    def employees_source(self, target_mb: int) -> Tuple[str, Sequence[str]]:
        employees = max(100, int(target_mb / EMPLOYEES_MB_PER_EMPLOYEE))
        print(f"employees: {employees} employees ...", flush=True)
        employees_data.create_employees_schema(self.settings.connect(), "src_employees", employees)
        return "src_employees", employees_data.TABLES

    def dump(self, schema: str) -> Tuple[Path, Optional[Path]]:
        path = self.workdir / f"{schema}.sql"
        with open(path, "wb") as out:
            subprocess.run([self.dumper, f"--defaults-extra-file={self.options}", *DUMP_OPTIONS, schema],
                           stdout=out, check=True)
        export = None
        if self.mydumper:
            export = self.workdir / f"{schema}.mydumper"
            subprocess.run([self.mydumper, "-h", self.settings.host, "-P", str(self.settings.port),
                            "-u", self.settings.user, *(["-p", self.settings.password] if self.settings.password
                                                         else []),
                            "-B", schema, "-o", str(export), "--triggers", "--routines"],
                           check=True, stdout=subprocess.DEVNULL)
        return path, export

    # -- one load ----------------------------------------------------------------------

    def run(self, tool: str, dump: Path, export: Optional[Path], schema: str) -> Tuple[float, float, float]:
        """(seconds, peak RSS in MB of the tool, CPU seconds the server spent on it)."""
        self.drop(schema)
        before = process_cpu(self.server_pid)
        elapsed, rss = self._run(tool, dump, export, schema)
        return elapsed, rss, process_cpu(self.server_pid) - before

    def _run(self, tool: str, dump: Path, export: Optional[Path], schema: str) -> Tuple[float, float]:
        if tool == "client":
            self.sql(f"CREATE DATABASE `{schema}`")
            with open(dump, "rb") as stdin:
                return timed([self.client, f"--defaults-extra-file={self.options}", schema], stdin=stdin)
        if tool == "myloader":
            return timed([self.myloader, "-h", self.settings.host, "-P", str(self.settings.port),
                          "-u", self.settings.user, *(["-p", self.settings.password] if self.settings.password
                                                       else []),
                          "-d", str(export), "-B", schema, "-t", "2"])
        return timed([sys.executable, "-m", "dbt_safeguard.cli.main", "load", str(dump), "--schema", schema,
                      "--no-progress", "--workers", str(self.workers)], env=self.env)

    def check(self, source: str, schema: str, tables: Sequence[str]) -> None:
        for table in tables:
            (_, expected), (_, got) = self.sql(f"CHECKSUM TABLE `{source}`.`{table}`, `{schema}`.`{table}`")
            if expected != got:
                raise SystemExit(f"{schema}.{table} differs from {source}.{table} (CHECKSUM TABLE)")


def summarize(name: str, size_mb: float, times: Dict[str, List[Tuple[float, float, float]]]) -> List[str]:
    median = {tool: statistics.median(t for t, _, _ in runs) for tool, runs in times.items() if runs}
    lines = [f"{name} ({size_mb:.0f} MB dump), medians of {len(times['loader'])} rounds:"]
    for tool in TOOLS:
        if tool not in median:
            continue
        peak = max(rss for _, rss, _ in times[tool])
        cpu = statistics.median(c for _, _, c in times[tool])
        ratio = "" if tool == "loader" else f"   loader speed-up {median[tool] / median['loader']:.2f}x"
        lines.append(f"  {tool:<9} {median[tool]:7.1f} s   peak {peak:5.0f} MB RSS   server CPU {cpu:6.1f} s{ratio}")
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    # Stop the throwaway server on SIGTERM too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-mb", type=int, default=170, help="size of each dump (default 170: employees)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dumps", default="reference,employees", help="comma-separated: reference, employees")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    args = parser.parse_args(argv)
    dumps = [d.strip() for d in args.dumps.split(",") if d.strip()]
    unknown = set(dumps) - {"reference", "employees"}
    if unknown:
        parser.error(f"unknown dump {', '.join(sorted(unknown))}; choose from reference, employees")

    workdir = Path(tempfile.mkdtemp(prefix="safeguard-bench-"))
    server = LocalServer(base_dir=str(workdir))
    try:
        settings = server.start()
        bench = Bench(settings, server.process.pid, workdir, args.workers)
        tools = list(TOOLS)
        if not (bench.mydumper and bench.myloader):
            print("myloader: not installed (Debian: apt-get install mydumper); its column is left out")
            tools.remove("myloader")
        print(f"machine: {machine()}; load average {load_average()}; server MariaDB "
              f"{bench.conn.get_server_info()}")
        prepared = []
        for name in dumps:
            source, tables = getattr(bench, f"{name}_source")(args.target_mb)
            dump, export = bench.dump(source)
            size_mb = dump.stat().st_size / 1e6
            print(f"{name}: {dump.name} {size_mb:.0f} MB (mariadb-dump), {len(tables)} tables", flush=True)
            prepared.append((name, source, tables, dump, export, size_mb))
        results = {name: {tool: [] for tool in tools} for name in dumps}
        for round_number in range(1, args.rounds + 1):
            for name, source, tables, dump, export, _ in prepared:
                order = tools[round_number % len(tools):] + tools[:round_number % len(tools)]
                cells = []
                for tool in order:
                    schema = f"bench_{tool}"
                    elapsed, rss, cpu = bench.run(tool, dump, export, schema)
                    bench.check(source, schema, tables)
                    bench.drop(schema)
                    results[name][tool].append((elapsed, rss, cpu))
                    cells.append(f"{tool} {elapsed:6.1f} s ({rss:.0f} MB, server CPU {cpu:.1f} s)")
                print(f"round {round_number} {name:<10} " + "   ".join(cells) +
                      f"   checksums equal   load average {load_average()}", flush=True)
        print()
        for name, _, _, _, _, size_mb in prepared:
            print("\n".join(summarize(name, size_mb, results[name])))
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
