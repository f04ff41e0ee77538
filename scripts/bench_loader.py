#!/usr/bin/env python3
"""Benchmark: `safeguard load` against `mariadb db < dump.sql` on the same server, same run.

    .venv/bin/python scripts/bench_loader.py              # ~300 MB dump of the 5 OLTP tables
    .venv/bin/python scripts/bench_loader.py --target-mb 50 --rounds 1

Starts its own throwaway MariaDB (never the machine's shared server), writes
a mariadb-dump of the reference OLTP database (testing/safeguard_testing/oltp_*)
sized to --target-mb, then loads it with both tools, alternating which goes
first in each round. Each round starts from empty schemas, and checks that
both tools loaded identical tables (CHECKSUM TABLE). Prints each time, the
ratio loader/client time (below 1: the loader is faster) and its inverse,
the speed-up, the loader's peak memory and the machine.
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

from dbt_safeguard.staging_loader import DEFAULT_WORKERS

from safeguard_testing import oltp_day, oltp_dump
from safeguard_testing.local_server import LocalServer

GNU_TIME = "/usr/bin/time"
CALIBRATION_SIZE = 2000
DAY = 30


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


def timed(command, stdin=None, env=None):
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


def write_dump(settings, target_mb: int, path: Path) -> None:
    probe = path.with_name("probe.sql")
    size_bytes = oltp_dump.write_dump(DAY, probe, settings, size=CALIBRATION_SIZE).size_bytes
    probe.unlink()
    size = max(10, int(CALIBRATION_SIZE * target_mb * 1e6 / size_bytes))
    print(f"writing a ~{target_mb} MB dump (oltp size={size}) ...", flush=True)
    oltp_dump.write_dump(DAY, path, settings, size=size)


def main() -> int:
    # Stop the throwaway server on SIGTERM too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-mb", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--dump", type=Path, help="use this dump instead of writing one")
    args = parser.parse_args()

    client = shutil.which("mariadb") or shutil.which("mysql")
    workdir = Path(tempfile.mkdtemp(prefix="safeguard-bench-"))
    server = LocalServer(base_dir=str(workdir))
    try:
        settings = server.start()
        dump = args.dump or workdir / "oltp.sql"
        if args.dump is None:
            write_dump(settings, args.target_mb, dump)
        size_mb = dump.stat().st_size / 1e6
        conn = settings.connect()
        version = conn.get_server_info()
        cur = conn.cursor()
        env = {**os.environ, **settings.as_env()}
        client_command = [client, f"--host={settings.host}", f"--port={settings.port}",
                          f"--user={settings.user}", "bench_client"]
        loader_command = [sys.executable, "-m", "dbt_safeguard.cli.main", "load", str(dump),
                          "--schema", "bench_loader", "--no-progress", "--workers", str(args.workers)]
        print(f"machine: {machine()}; server MariaDB {version}")
        print(f"dump: {dump} ({size_mb:.0f} MB)")
        rows = []
        for round_number in range(1, args.rounds + 1):
            for schema in ("bench_client", "bench_loader", "bench_loader_previous", "bench_loader_loading"):
                cur.execute(f"DROP DATABASE IF EXISTS `{schema}`")
            cur.execute("CREATE DATABASE bench_client")
            times = {}
            order = ("client", "loader") if round_number % 2 else ("loader", "client")
            for tool in order:
                if tool == "client":
                    with open(dump, "rb") as stdin:
                        times["client"] = timed(client_command, stdin=stdin)
                else:
                    times["loader"] = timed(loader_command, env=env)
            for table in oltp_day.TABLES:
                cur.execute(f"CHECKSUM TABLE bench_client.`{table}`, bench_loader.`{table}`")
                (_, a), (_, b) = cur.fetchall()
                if a != b:
                    raise SystemExit(f"round {round_number}: {table} differs between the client and the loader")
            ratio = times["loader"][0] / times["client"][0]
            rows.append(ratio)
            print(f"round {round_number}: mariadb client {times['client'][0]:6.1f} s   "
                  f"safeguard load {times['loader'][0]:6.1f} s (peak {times['loader'][1]:.0f} MB RSS, "
                  f"{args.workers} workers)   loader/client time {ratio:.2f} "
                  f"(speed-up {1 / ratio:.2f}x)   tables identical", flush=True)
        median = statistics.median(rows)
        print(f"median loader/client time: {median:.2f}, speed-up {1 / median:.2f}x "
              f"({'loader faster' if median < 1 else 'client faster'}) on {size_mb:.0f} MB")
        conn.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
