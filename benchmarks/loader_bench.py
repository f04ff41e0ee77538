"""Benchmark: `safeguard load` against the `mariadb` client, myloader and the server's own floor, one run.

Starts its own throwaway MariaDB (never the machine's shared server) and
builds the source databases of four dump shapes:

- employees: employees-shaped (employees_data), FK-heavy, one table holding
  ~70 % of the bytes, secondary indexes, a latin1 table (--target-mb, default 170);
- small-tables: many small tables (--small-tables, default 300, a few hundred rows each);
- one-row: an employees-shaped source dumped with --skip-extended-insert
  (one INSERT per row; --one-row-mb of extended dump, default 20);
- s3-gzip: the employees dump gzipped in an S3 bucket of a moto server; the
  loader reads s3://..., the client reads the same object through
  `gzip -dc` (myloader reads its own export, from local disk).

Each source is dumped by the real `mariadb-dump` and exported once by
mydumper (what myloader reads), before the timed rounds. Every round loads
each shape with each tool into empty schemas, rotating which tool goes first,
and checks that every loaded table has the source's CHECKSUM TABLE. The tools:
client, myloader (-t 2), loader (LOAD DATA LOCAL allowed), loader-insert
(--no-local-infile: the path of Aurora and MySQL 8, where local_infile is
OFF), and floor: the server's own `LOAD DATA INFILE` of the same rows from
files on its disk (SELECT ... INTO OUTFILE of the source, made once) into the
same tables, on as many connections as the loader has workers; no loader
can beat it. It prints each round, then per shape the ratios (min, median,
max over the rounds) of each tool's time to the loader's (above 1: the
loader is faster) and the loader's time to the floor's, the peak RSS of the
loader, and the machine's load average (the machine may be shared).
"""
from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import employees_data
from safeguard_testing.local_server import LocalServer
from safeguard_testing.moto_s3 import MotoServer
from dbt_safeguard.staging_loader import DEFAULT_WORKERS

GNU_TIME = "/usr/bin/time"
# mariadb-dump of the full employees-shaped database: 300,000 employees.
EMPLOYEES_MB_PER_EMPLOYEE = 170 / employees_data.FULL_SIZE
DUMP_OPTIONS = ("--single-transaction", "--routines", "--triggers", "--hex-blob", "--skip-dump-date")
TOOLS = ("client", "myloader", "loader", "loader-insert", "floor")
SHAPES = ("employees", "small-tables", "one-row", "s3-gzip")
BUCKET = "safeguard-bench"


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


def timed(command: Sequence[str], stdin=None, env=None, shell: bool = False) -> Tuple[float, float]:
    """(seconds, peak RSS in MB) of a child process.

    GNU time reports the peak of the program itself; a child forked straight
    from this process would count this process's memory as its own.
    """
    started = time.monotonic()
    argv = [GNU_TIME, "-f", "%M", *(["sh", "-c", command[0]] if shell else command)]
    result = subprocess.run(argv, stdin=stdin, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.monotonic() - started
    errors = result.stderr.decode(errors="replace")
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {errors[-2000:]}")
    return elapsed, int(errors.strip().splitlines()[-1]) / 1024


class MotoS3:
    """A moto S3 server with one bucket, its environment set for this process and the tools."""

    def __init__(self, workdir: Path):
        self.server = MotoServer(workdir / "moto.log")
        self.env = self.server.env
        os.environ.update(self.env)

    def upload(self, path: Path) -> str:
        import boto3

        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        client.upload_file(str(path), BUCKET, path.name)
        return f"s3://{BUCKET}/{path.name}"

    def stop(self) -> None:
        self.server.stop()


class Shape:
    """One dump shape: its source schema and tables, the dump, myloader's export, the floor's row files."""

    def __init__(self, name: str, source: str, tables: Sequence[str], dump: Path, export: Optional[Path],
                 rows_dir: Path, uri: Optional[str] = None):
        self.name, self.source, self.tables = name, source, list(tables)
        self.dump, self.export, self.rows_dir, self.uri = dump, export, rows_dir, uri

    @property
    def size_mb(self) -> float:
        return self.dump.stat().st_size / 1e6


class Bench:
    def __init__(self, settings, workdir: Path, workers: int):
        self.settings = settings
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
        self.s3: Optional[MotoS3] = None

    def sql(self, statement: str, conn=None):
        with (conn or self.conn).cursor() as cur:
            cur.execute(statement)
            return cur.fetchall()

    def drop(self, *schemas: str) -> None:
        self.sql("SET SESSION foreign_key_checks = 0")
        for schema in schemas:
            for suffix in ("", "_loading", "_previous"):
                self.sql(f"DROP DATABASE IF EXISTS `{schema}{suffix}`")

    # -- sources and dumps ---------------------------------------------------------

    def employees_source(self, schema: str, target_mb: float) -> Sequence[str]:
        employees = max(100, int(target_mb / EMPLOYEES_MB_PER_EMPLOYEE))
        print(f"{schema}: {employees} employees ...", flush=True)
        employees_data.create_employees_schema(self.settings.connect(), schema, employees)
        return employees_data.TABLES

    def small_tables_source(self, schema: str, count: int) -> Sequence[str]:
        print(f"{schema}: {count} small tables ...", flush=True)
        self.sql(f"CREATE DATABASE `{schema}`")
        self.sql(f"USE `{schema}`")  # seq_1_to_N resolves in the current database
        tables = [f"t{i:04d}" for i in range(count)]
        for i, table in enumerate(tables):
            self.sql(f"CREATE TABLE `{table}` (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(40), c DATETIME, "
                     "KEY k_a (a)) ENGINE=InnoDB")
            self.sql(f"INSERT INTO `{table}` SELECT seq, seq % 13, CONCAT('row ', seq), "
                     f"'2024-01-01' + INTERVAL seq MINUTE FROM seq_1_to_{50 + (i * 37) % 400}")
        return tables

    def prepare(self, name: str, args) -> Shape:
        source = "src_" + name.replace("-", "_")
        if name == "small-tables":
            tables = self.small_tables_source(source, args.small_tables)
        elif name == "s3-gzip":
            source = "src_employees"  # the same database as the employees shape
            if not self._exists(source):
                self.employees_source(source, args.target_mb)
            tables = employees_data.TABLES
        else:
            tables = self.employees_source(source, args.target_mb if name == "employees" else args.one_row_mb)
        options = ("--skip-extended-insert",) if name == "one-row" else ()
        dump = self.workdir / f"{name}.sql"
        with open(dump, "wb") as out:
            subprocess.run([self.dumper, f"--defaults-extra-file={self.options}", *DUMP_OPTIONS, *options, source],
                           stdout=out, check=True)
        uri = None
        if name == "s3-gzip":
            packed = dump.with_suffix(".sql.gz")
            with open(dump, "rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst)
            dump.unlink()
            dump = packed
            self.s3 = self.s3 or MotoS3(self.workdir)
            uri = self.s3.upload(packed)
        return Shape(name, source, tables, dump, self._export(source), self._row_files(source, tables), uri)

    def _exists(self, schema: str) -> bool:
        return bool(self.sql(f"SHOW DATABASES LIKE '{schema}'"))

    def _export(self, source: str) -> Optional[Path]:
        if not self.mydumper:
            return None
        export = self.workdir / f"{source}.mydumper"
        if not export.exists():
            subprocess.run([self.mydumper, "-h", self.settings.host, "-P", str(self.settings.port),
                            "-u", self.settings.user, *(["-p", self.settings.password] if self.settings.password
                                                         else []),
                            "-B", source, "-o", str(export), "--triggers", "--routines"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return export

    def _row_files(self, source: str, tables: Sequence[str]) -> Path:
        """The floor's input: each table's rows in a file on the server's disk (same machine)."""
        rows_dir = self.workdir / f"{source}.rows"
        if not rows_dir.exists():
            rows_dir.mkdir()
            os.chmod(rows_dir, 0o777)
            for table in tables:
                self.sql(f"SELECT * FROM `{source}`.`{table}` INTO OUTFILE '{rows_dir / table}.txt'")
        return rows_dir

    # -- one load ----------------------------------------------------------------------

    def run(self, tool: str, shape: Shape, schema: str) -> Tuple[float, float]:
        """(seconds, peak RSS in MB of the tool)."""
        self.drop(schema)
        if tool == "client":
            return self._client(shape, schema)
        if tool == "myloader":
            return timed([self.myloader, "-h", self.settings.host, "-P", str(self.settings.port),
                          "-u", self.settings.user, *(["-p", self.settings.password] if self.settings.password
                                                       else []),
                          "-d", str(shape.export), "-B", schema, "-t", "2"])
        if tool == "floor":
            return self._floor(shape, schema)
        extra = ["--no-local-infile"] if tool == "loader-insert" else []
        return timed([sys.executable, "-m", "dbt_safeguard.cli.main", "load", shape.uri or str(shape.dump),
                      "--schema", schema, "--no-progress", "--workers", str(self.workers), *extra],
                     env={**self.env, **(self.s3.env if self.s3 else {})})

    def _client(self, shape: Shape, schema: str) -> Tuple[float, float]:
        self.sql(f"CREATE DATABASE `{schema}`")
        client = f"{self.client} --defaults-extra-file={self.options} {schema}"
        if shape.uri:
            fetch = (f"{sys.executable} -c \"import boto3, shutil, sys; shutil.copyfileobj(boto3.client('s3')"
                     f".get_object(Bucket='{BUCKET}', Key='{shape.dump.name}')['Body'], sys.stdout.buffer)\"")
            return timed([f"{fetch} | gzip -dc | {client}"], env={**self.env, **self.s3.env}, shell=True)
        with open(shape.dump, "rb") as stdin:
            return timed([self.client, f"--defaults-extra-file={self.options}", schema], stdin=stdin)

    def _floor(self, shape: Shape, schema: str) -> Tuple[float, float]:
        """The server's own LOAD DATA INFILE of the rows into the same tables, one table per connection."""
        self.sql(f"CREATE DATABASE `{schema}`")
        for table in shape.tables:
            self.sql(f"CREATE TABLE `{schema}`.`{table}` LIKE `{shape.source}`.`{table}`")
        pending = list(shape.tables)
        failures: List[BaseException] = []
        lock = threading.Lock()

        def worker():
            conn = self.settings.connect()
            self.sql("SET SESSION unique_checks = 0, foreign_key_checks = 0", conn)
            while True:
                with lock:
                    if not pending:
                        break
                    table = pending.pop(0)
                try:
                    # The file holds each column's bytes unconverted (INTO OUTFILE's default).
                    self.sql(f"LOAD DATA INFILE '{shape.rows_dir / table}.txt' INTO TABLE `{schema}`.`{table}` "
                             "CHARACTER SET binary", conn)
                except Exception as exc:  # noqa: BLE001 - reported by the main thread, which stops the run
                    failures.append(exc)
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise SystemExit(f"floor: {failures[0]}")
        return time.monotonic() - started, 0.0

    def check(self, source: str, schema: str, tables: Sequence[str]) -> None:
        for table in tables:
            (_, expected), (_, got) = self.sql(f"CHECKSUM TABLE `{source}`.`{table}`, `{schema}`.`{table}`")
            if expected != got:
                raise SystemExit(f"{schema}.{table} differs from {source}.{table} (CHECKSUM TABLE)")


def spread(values: Sequence[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def summarize(shape: Shape, times: Dict[str, List[Tuple[float, float]]]) -> List[str]:
    """Per tool: its time / the loader's time in each round (above 1: the loader is faster), min / median / max."""
    loader = [t for t, _ in times["loader"]]
    lines = [f"{shape.name} ({shape.size_mb:.0f} MB dump{', gzip' if shape.uri else ''}), "
             f"{len(loader)} rounds; ratios min / median / max:"]
    for tool, runs in times.items():
        seconds = [t for t, _ in runs]
        median = statistics.median(seconds)
        if tool == "loader":
            peak = max(rss for _, rss in runs)
            lines.append(f"  loader        {median:7.1f} s median   peak RSS {peak:4.0f} MB")
        elif tool == "floor":
            ratios = [mine / floor for mine, floor in zip(loader, seconds)]
            lines.append(f"  floor         {median:7.1f} s median   loader / floor {spread(ratios)}")
        elif tool == "loader-insert":
            client = [t for t, _ in times["client"]] if "client" in times else []
            ratios = [theirs / mine for theirs, mine in zip(client, seconds)]
            vs = f"   client / loader-insert {spread(ratios)}" if ratios else ""
            lines.append(f"  loader-insert {median:7.1f} s median   peak RSS {max(r for _, r in runs):4.0f} MB{vs}")
        else:
            ratios = [theirs / mine for theirs, mine in zip(seconds, loader)]
            lines.append(f"  {tool:<13} {median:7.1f} s median   {tool} / loader {spread(ratios)}")
    return lines


def main(argv: Optional[Sequence[str]] = None) -> int:
    # Stop the throwaway server on SIGTERM too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-mb", type=float, default=170,
                        help="size of the employees dump (default 170: the employees sample database)")
    parser.add_argument("--one-row-mb", type=float, default=20,
                        help="size of the one-row shape's source, as an extended dump (default 20)")
    parser.add_argument("--small-tables", type=int, default=300, help="tables of the small-tables shape")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated: {', '.join(SHAPES)}")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    args = parser.parse_args(argv)
    shapes = [d.strip() for d in args.shapes.split(",") if d.strip()]
    unknown = set(shapes) - set(SHAPES)
    if unknown:
        parser.error(f"unknown shape {', '.join(sorted(unknown))}; choose from {', '.join(SHAPES)}")

    workdir = Path(tempfile.mkdtemp(prefix="safeguard-bench-"))
    os.chmod(workdir, 0o755)
    server = LocalServer(base_dir=str(workdir))
    bench = None
    try:
        settings = server.start()
        bench = Bench(settings, workdir, args.workers)
        tools = list(TOOLS)
        if not (bench.mydumper and bench.myloader):
            print("myloader: not installed (Debian: apt-get install mydumper); its column is left out")
            tools.remove("myloader")
        print(f"machine: {machine()}; load average {load_average()}; server MariaDB "
              f"{bench.conn.get_server_info()}", flush=True)
        prepared = []
        for name in shapes:
            shape = bench.prepare(name, args)
            print(f"{name}: {shape.dump.name} {shape.size_mb:.0f} MB, {len(shape.tables)} tables", flush=True)
            prepared.append(shape)
        results = {shape.name: {tool: [] for tool in tools} for shape in prepared}
        for round_number in range(1, args.rounds + 1):
            for shape in prepared:
                order = tools[round_number % len(tools):] + tools[:round_number % len(tools)]
                cells = []
                for tool in order:
                    schema = f"bench_{tool.replace('-', '_')}"
                    elapsed, rss = bench.run(tool, shape, schema)
                    bench.check(shape.source, schema, shape.tables)
                    bench.drop(schema)
                    results[shape.name][tool].append((elapsed, rss))
                    cells.append(f"{tool} {elapsed:.1f} s" + (f" ({rss:.0f} MB)" if tool.startswith("loader") else ""))
                print(f"round {round_number} {shape.name:<12} " + "   ".join(cells) +
                      f"   checksums equal   load average {load_average()}", flush=True)
        print()
        for shape in prepared:
            print("\n".join(summarize(shape, results[shape.name])))
        print(f"load average at the end {load_average()}")
    finally:
        if bench is not None and bench.s3 is not None:
            bench.s3.stop()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0
