"""The real pipeline under test: `safeguard etl` on a private copy of the
reference project (dbt/), and the package's run-operations, each in a process
of its own that a fault may SIGKILL."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import pymysql

from safeguard_testing import oltp_dump
from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.dbt_invoker import DbtInvoker
from safeguard_testing.harness import Sql, copy_reference_project
from safeguard_testing.reference_warehouse import PROTECTED

DUMP_SIZE = 50  # rooms in the OLTP data: big enough for visible statements, small for 2 shared cores
ETL_TIMEOUT = 600.0
OPERATION_TIMEOUT = 300.0
SCHEMAS = ("staging", "staging_loading", "staging_previous", "silver", "gold", "analytics")
# Names that only the package or dbt make: each one must be in the catalog, or gone.
BACKUP_NAME = re.compile(r"_(backup|replaced)_\d{8}_\d{6}$")
DBT_LEFTOVER = re.compile(r"__dbt_(tmp|backup)$")
SPILL_PREFIX = "safeguard-load-"
State = Tuple[Optional[int], int]  # CHECKSUM TABLE, row count


def _bin(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed in this environment"
    return found


@dataclasses.dataclass
class Finished:
    """A process of the pipeline that has ended."""
    returncode: int
    events: List[dict]
    stderr: str
    duration: float

    def error_lines(self) -> List[str]:
        return [e.get("message") or e.get("info", {}).get("msg", "") for e in self.events
                if "error" in (e.get("level"), e.get("info", {}).get("level"))] + \
            [line for line in self.stderr.splitlines() if "Error" in line or "error" in line][-5:]

    def summary(self) -> Optional[dict]:
        found = [e for e in self.events if e.get("event") == "etl_summary"]
        return found[-1] if found else None

    def explain(self) -> str:
        summary = self.summary()
        if summary and summary.get("error"):
            return summary["error"]
        return "; ".join(self.error_lines()[-4:]) or self.stderr[-1500:]


class Running:
    """A started pipeline process: its events can be waited for, it can be killed."""

    def __init__(self, args: Sequence[str], env: Dict[str, str], log_dir: Path, name: str):
        self.out_path = log_dir / f"{name}.out"
        self.err_path = log_dir / f"{name}.err"
        self.started = time.monotonic()
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            # Its own session: a SIGKILL of the group reaches everything it started.
            self.process = subprocess.Popen(list(args), env=env, stdout=out, stderr=err, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def events(self) -> List[dict]:
        events = []
        for line in self.out_path.read_text(errors="replace").splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass  # a line cut by SIGKILL
        return events

    def wait_for_event(self, name: str, timeout: float = ETL_TIMEOUT, **fields) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if event.get("event") == name and all(event.get(k) == v for k, v in fields.items()):
                    return event
            if self.process.poll() is not None:
                raise AssertionError(f"the process ended (exit {self.process.returncode}) before event {name} {fields}:"
                                     f" {self.err_path.read_text(errors='replace')[-800:]}")
            time.sleep(0.01)
        raise AssertionError(f"no event {name} {fields} within {timeout:.0f}s")

    def wait_for_message(self, *texts: str, timeout: float = ETL_TIMEOUT) -> dict:
        """The first event whose message contains the last of `texts`, each
        text after the one before (dbt's lines included): e.g. "START    run",
        then "verified backup(s)" is the run's create_backups, not the seed's."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wanted = list(texts)
            for event in self.events():
                message = event.get("message") or event.get("info", {}).get("msg") or ""
                if wanted[0] in message:
                    wanted.pop(0)
                    if not wanted:
                        return event
            if self.process.poll() is not None:
                raise AssertionError(f"the process ended (exit {self.process.returncode}) before {texts!r}")
            time.sleep(0.01)
        raise AssertionError(f"no {texts!r} within {timeout:.0f}s")

    def wait(self, timeout: float = ETL_TIMEOUT) -> Finished:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
            raise AssertionError(f"{self.out_path.stem} did not end within {timeout:.0f}s (killed)")
        return Finished(self.process.returncode, self.events(), self.err_path.read_text(errors="replace"),
                        time.monotonic() - self.started)


class Dumps:
    """Day dumps of the reference OLTP database, written once per session."""

    def __init__(self, folder: Path, settings: ConnectionSettings):
        self.folder, self.settings = folder, settings
        self.paths: Dict[int, Path] = {}

    def __getitem__(self, day: int) -> Path:
        if day not in self.paths:
            path = self.folder / f"day{day:03d}.sql.gz"
            oltp_dump.write_dump(day, path, self.settings, size=DUMP_SIZE)
            self.paths[day] = path
        return self.paths[day]


class Pipeline:
    """One warehouse under a fresh schema prefix: the reference project, its
    inbox of dumps, and the schemas, catalog and leftovers it owns."""

    def __init__(self, root: Path, settings: ConnectionSettings, admin: ConnectionSettings, dumps: Dumps,
                 prefix: Optional[str] = None):
        self.root = root
        self.settings = settings  # what the pipeline runs as
        self.admin = admin  # what the checks run as
        self.dumps = dumps
        self.prefix = prefix or f"f{uuid.uuid4().hex[:5]}_"
        self.project = copy_reference_project(root)
        self.inbox = root / "inbox"
        self.inbox.mkdir(exist_ok=True)
        self.tmp = root / "tmp"  # TMPDIR of every process: spill directories land here
        self.tmp.mkdir(exist_ok=True)
        self.logs = root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.runs = 0
        self.day_paths: Dict[int, Path] = {}  # a day's dump replaced by a variant
        self.sql = Sql(admin)
        installed = DbtInvoker(self.project, admin).invoke("deps")
        assert installed.success, installed.log

    def close(self) -> None:
        try:
            self.sql.close()
        except pymysql.err.Error:
            pass  # the server was killed under this connection

    def reconnect(self) -> None:
        self.close()
        self.sql = Sql(self.admin)

    # names ---------------------------------------------------------------
    def schema(self, name: str) -> str:
        return self.prefix + name

    def protected(self) -> List[Tuple[str, str]]:
        return [(self.schema(s), t) for s, t in PROTECTED]

    def quoted_protected(self) -> List[str]:
        return [f"`{s}`.`{t}`" for s, t in self.protected()]

    # processes -----------------------------------------------------------
    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(self.settings.as_env())
        env.update({
            "SAFEGUARD_SCHEMA_PREFIX": self.prefix, "PYTHONUNBUFFERED": "1", "TMPDIR": str(self.tmp),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1",
        })
        return env

    def put_dump(self, day: int, path: Optional[Path] = None) -> Path:
        for old in self.inbox.glob("*.sql*"):
            old.unlink()
        target = self.inbox / f"day{day:03d}.sql.gz"
        shutil.copy(path or self.day_paths.get(day) or self.dumps[day], target)
        return target

    def start_etl(self, *extra: str, name: Optional[str] = None) -> Running:
        self.runs += 1
        args = [sys.executable, "-m", "dbt_safeguard.cli.main", "etl", "--dump-uri", str(self.inbox),
                "--project-dir", str(self.project), "--schema-prefix", self.prefix,
                "--log-format", "json", "--no-metrics", "--no-progress", *extra]
        return Running(args, self.env(), self.logs, name or f"etl{self.runs:02d}")

    def etl(self, *extra: str, timeout: float = ETL_TIMEOUT) -> Finished:
        return self.start_etl(*extra).wait(timeout)

    def night(self, day: int) -> Finished:
        """One ordinary night: day `day`'s dump arrives, the ETL runs."""
        self.put_dump(day)
        return self.etl()

    def start_operation(self, macro: str, args: Optional[str] = None, name: Optional[str] = None) -> Running:
        self.runs += 1
        command = [_bin("dbt"), "--log-format", "json", "run-operation", macro,
                   *(["--args", args] if args is not None else []),
                   "--project-dir", str(self.project), "--profiles-dir", str(self.project)]
        return Running(command, self.env(), self.logs, name or f"op{self.runs:02d}_{macro}")

    def operation(self, macro: str, args: Optional[str] = None, timeout: float = OPERATION_TIMEOUT) -> Finished:
        return self.start_operation(macro, args).wait(timeout)

    # observations --------------------------------------------------------
    def states(self) -> Dict[str, Optional[State]]:
        """CHECKSUM TABLE and row count of each protected table, None if missing,
        keyed by the unprefixed name so that warehouses compare."""
        result: Dict[str, Optional[State]] = {}
        for (schema, table), (plain_schema, _) in zip(self.protected(), PROTECTED):
            key = f"{plain_schema}.{table}"
            if self.sql.table_exists(schema, table):
                result[key] = (self.sql.checksum(schema, table),
                               self.sql.scalar(f"SELECT COUNT(*) FROM `{schema}`.`{table}`"))
            else:
                result[key] = None
        return result

    def catalog_rows(self) -> List[dict]:
        catalog = self.schema("analytics")
        if not self.sql.table_exists(catalog, "safeguard_backups"):
            return []
        keys = ("backup_id", "backup_ts", "invocation_id", "kind", "source_schema", "source_table",
                "backup_schema", "backup_table", "row_count", "checksum", "status", "fingerprint_method")
        return [dict(zip(keys, row)) for row in self.sql.rows(
            f"SELECT {', '.join(keys)} FROM `{catalog}`.safeguard_backups ORDER BY backup_id")]

    def leases(self) -> List[tuple]:
        catalog = self.schema("analytics")
        if not self.sql.table_exists(catalog, "safeguard_run_lease"):
            return []
        return self.sql.rows(f"SELECT * FROM `{catalog}`.safeguard_run_lease")

    def tables(self) -> List[Tuple[str, str]]:
        return self.sql.rows(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE %s"
            " ORDER BY 1, 2", (self.prefix.replace("_", "\\_") + "%",))

    def drop_everything(self) -> None:
        self.sql.drop_schemas(self.prefix)
