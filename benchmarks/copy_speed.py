"""How fast can a verified backup copy be? One command, one throwaway server.

    python benchmarks/copy_speed.py [rows ...]      (default: 200000 1000000)

For each size it builds a table shaped like a history table (primary key, a
unique key, two secondary keys, a generated column) and times, side by side:
the copy safeguard makes (CREATE TABLE ... LIKE + INSERT ... SELECT of the
stored columns), the same with unique_checks=0 and foreign_key_checks=0,
COUNT(*) + CHECKSUM TABLE of one table (the verification reads both the
source and the copy), and the zero-copy alternative: one RENAME TABLE.
Uses SAFEGUARD_DB_* when set, else starts a throwaway MariaDB.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time

from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.local_server import LocalServer

SCHEMA = "bench_copy"
COLUMNS = "tenant_id, valid_from, valid_to, status_code, note"


def timed(cur, *statements):
    start = time.perf_counter()
    for statement in statements:
        cur.execute(statement)
        cur.fetchall()
    return time.perf_counter() - start


def build(cur, rows):
    cur.execute(f"DROP DATABASE IF EXISTS {SCHEMA}")
    cur.execute(f"CREATE DATABASE {SCHEMA} CHARACTER SET utf8mb4")
    cur.execute(f"USE {SCHEMA}")  # MariaDB's seq_0_to_N sequence tables need a current database
    cur.execute(
        f"CREATE TABLE {SCHEMA}.src (id BIGINT AUTO_INCREMENT PRIMARY KEY, tenant_id INT NOT NULL,"
        " valid_from DATE NOT NULL, valid_to DATE NULL, status_code TINYINT NOT NULL, note VARCHAR(80),"
        " is_open TINYINT AS (valid_to IS NULL) VIRTUAL,"
        " UNIQUE KEY uq_tenant_from (tenant_id, valid_from), KEY ix_status (status_code), KEY ix_to (valid_to))"
        " ENGINE=InnoDB"
    )
    cur.execute(
        f"INSERT INTO {SCHEMA}.src (tenant_id, valid_from, valid_to, status_code, note)"
        " SELECT s.seq DIV 10, DATE '2020-01-01' + INTERVAL (s.seq MOD 10) * 30 DAY,"
        " IF(s.seq MOD 10 = 9, NULL, DATE '2020-01-01' + INTERVAL (s.seq MOD 10 + 1) * 30 DAY),"
        f" s.seq MOD 6, CONCAT('note ', s.seq) FROM seq_0_to_{rows - 1} AS s"
    )


def copy(cur, name, fast):
    cur.execute(f"DROP TABLE IF EXISTS {SCHEMA}.{name}")
    cur.execute(f"CREATE TABLE {SCHEMA}.{name} LIKE {SCHEMA}.src")
    prefix = ["SET SESSION unique_checks = 0", "SET SESSION foreign_key_checks = 0"] if fast else []
    suffix = ["SET SESSION unique_checks = 1", "SET SESSION foreign_key_checks = 1"] if fast else []
    return timed(cur, *prefix, f"INSERT INTO {SCHEMA}.{name} ({COLUMNS}, id) SELECT {COLUMNS}, id FROM {SCHEMA}.src",
                 "COMMIT", *suffix)


def main(sizes):
    with contextlib.ExitStack() as stack:
        if os.environ.get("SAFEGUARD_DB_HOST"):
            settings = ConnectionSettings.from_env(os.environ)
        else:
            server = LocalServer()
            settings = server.start()
            stack.callback(server.stop)
        conn = settings.connect()
        stack.callback(conn.close)
        cur = conn.cursor()
        print(f"{'rows':>9} {'copy':>8} {'copy,checks=0':>14} {'count+checksum':>15} {'rename':>8}")
        for rows in sizes:
            build(cur, rows)
            plain = min(copy(cur, "copy_plain", False) for _ in range(2))
            fast = min(copy(cur, "copy_fast", True) for _ in range(2))
            verify = min(timed(cur, f"SELECT COUNT(*) FROM {SCHEMA}.src", f"CHECKSUM TABLE {SCHEMA}.src") for _ in range(2))
            rename = timed(cur, f"RENAME TABLE {SCHEMA}.src TO {SCHEMA}.kept, {SCHEMA}.copy_plain TO {SCHEMA}.src")
            print(f"{rows:>9} {plain:>7.2f}s {fast:>13.2f}s {verify:>14.2f}s {rename:>7.3f}s")
        cur.execute(f"DROP DATABASE {SCHEMA}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [200_000, 1_000_000])
