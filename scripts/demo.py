"""The nightly job end to end, on a throwaway MariaDB unless one is configured.

Run it with scripts/demo.sh. Night 1 builds the warehouse from day 1's dump,
night 2 takes backups, a broken model is then stopped by preflight before
anything is written, a night whose tenants export came empty is refused
publication with yesterday's tables still live, and a corrupted table is
restored from its backup.

Without --keep it leaves nothing behind: the server it started and the
project copy under .demo/ are removed. With --keep the server keeps running
and the project stays, set up to reach it, for the recovery commands.
"""
from __future__ import annotations

import argparse
import logging
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from dbt_safeguard.connection import ENV_PREFIX, ConnectionSettings
from dbt_safeguard.dbt_invoker import DbtInvoker, DbtOutcome, summarize
from dbt_safeguard.errors import FatalError
from dbt_safeguard.etl import Etl, EtlConfig
from dbt_safeguard.run_events import configure_logging

from safeguard_testing import oltp_dump
from safeguard_testing.local_server import LocalServer
from safeguard_testing.project_files import copy_project

REPO_ROOT = Path(__file__).resolve().parents[1]
BROKEN_MODEL = "models/silver/tenant_status_history.sql"


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text}")


class Demo:
    def __init__(self, settings: ConnectionSettings, workdir: Path, size: int):
        self.settings = settings
        self.workdir = workdir
        self.size = size
        self.project = copy_project(REPO_ROOT / "dbt", workdir / "dbt", REPO_ROOT)
        self.dbt = DbtInvoker(self.project, settings)
        self.conn = settings.connect()
        self.summary: List[Tuple[str, str]] = []

    # -- building blocks -----------------------------------------------------
    def query(self, sql: str, params=()) -> list:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())

    def fingerprints(self) -> Dict[str, Tuple[int, int]]:
        """Row count and CHECKSUM TABLE of each table the catalog has backed up (the protected ones)."""
        result = {}
        for schema, table in self.query("SELECT DISTINCT source_schema, source_table FROM analytics.safeguard_backups"):
            if self.query("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                          (schema, table)):
                result[f"{schema}.{table}"] = self.fingerprint(schema, table)
        return result

    def older_backup_ts(self) -> str:
        """The newest verified backup of tenant_status_history other than the one restored."""
        rows = self.query("SELECT backup_ts FROM analytics.safeguard_backups WHERE source_table = 'tenant_status_history'"
                          " AND kind = 'backup' AND status = 'verified' ORDER BY backup_id DESC LIMIT 1")
        if not rows:
            raise SystemExit("demo: no older verified backup of silver.tenant_status_history is left to show")
        return rows[0][0]

    def fingerprint(self, schema: str, table: str) -> Tuple[int, int]:
        """Row count and CHECKSUM TABLE: the demo's own check, independent of
        the catalog's fingerprint (rowhash1, over the non-generated columns)."""
        count = self.query(f"SELECT COUNT(*) FROM `{schema}`.`{table}`")[0][0]
        checksum = self.query(f"CHECKSUM TABLE `{schema}`.`{table}`")[0][1]
        return int(count), int(checksum)

    def run_dbt(self, command: str, *args: str, expect_success: bool = True) -> DbtOutcome:
        outcome = self.dbt.invoke(command, "--quiet", *args)
        for line in outcome.log_lines:
            if line.startswith("[safeguard]") and " KEEP " not in line:
                say(f"   {line}")
        counts = ", ".join(f"{n} {status}" for status, n in sorted(summarize(outcome).items()))
        verdict = "ok" if outcome.success else "FAILED"
        say(f"   dbt {command} {' '.join(args)}: {verdict} ({counts or 'no nodes'}) in {outcome.duration:.1f}s")
        if outcome.success != expect_success:
            errors = [line for line in outcome.log_lines if "rror" in line][:5]
            raise SystemExit(f"demo: dbt {command} was expected to {'succeed' if expect_success else 'fail'}:\n"
                             + "\n".join(errors or outcome.log_lines[-10:]))
        return outcome

    def night(self, day: int, emptied: str = "") -> Path:
        """One nightly job, exactly as the Glue job runs it: the ETL driver
        loads the newest dump into staging, checks every protected model on the
        server (preflight), runs dbt seed, run --fail-fast and test, and
        archives the dump. `emptied`: a table whose rows the export lost (a
        partial OLTP export). Returns the dump; raises FatalError."""
        incoming = self.workdir / "incoming"
        incoming.mkdir(exist_ok=True)
        dump = incoming / f"oltp_day{day}.sql.gz"
        summary = oltp_dump.write_dump(day, dump, self.settings, size=self.size, emptied=[emptied] if emptied else [])
        say(f"   dump for day {day} ({summary.as_of}): {dump.name}, {summary.size_bytes / 1e6:.2f} MB, "
            f"{sum(summary.row_counts.values())} rows" + (f" (table {emptied} empty)" if emptied else ""))
        config = EtlConfig(dump_uri=str(incoming), project_dir=str(self.project), emit_metrics=False,
                           job_name="demo-nightly-etl", compact_dbt_log=True)
        report = Etl(config, self.settings).run()
        dbt_results = "; ".join(
            f"{command} " + ", ".join(f"{n} {status}" for status, n in sorted(result["nodes"].items()))
            for command, result in report.dbt.items()
        )
        say(f"   etl {report.status}: {report.rows_loaded} rows loaded, {len(report.backups)} backups, "
            f"dbt {dbt_results}; dump archived to {Path(report.archived_to).parent.name}/")
        return dump

    # -- the story -------------------------------------------------------------
    def refused_night(self) -> None:
        heading("Night 4: the OLTP export arrives with its tenants table empty; the empty build is not published")
        before = self.fingerprints()
        audited_before = self.query("SELECT COALESCE(MAX(audit_id), 0) FROM analytics.safeguard_audits")[0][0]
        try:
            self.night(4, emptied="tenants")
            raise SystemExit("demo: the ETL with an emptied source was expected to be refused")
        except FatalError as exc:
            say(f"   etl failed, as it must: {exc}")
        refused = self.query("SELECT source_schema, source_table, backup_schema, backup_table, row_count"
                             " FROM analytics.safeguard_backups WHERE kind = 'refused' ORDER BY backup_id")
        if not refused:
            raise SystemExit("demo: no refused candidate in the catalog after the emptied night")
        for schema, table, kept_schema, kept, count in refused:
            say(f"   refused: {schema}.{table} (a build of {count} rows) is kept for inspection as "
                f"{kept_schema}.{kept}")
        # A model the emptied table does not feed still builds, is audited and
        # may publish (an incremental appending tonight's rows); the refused
        # table and what --fail-fast skipped after it stay yesterday's.
        published = {f"{schema}.{table}" for schema, table in self.query(
            "SELECT DISTINCT source_schema, source_table FROM analytics.safeguard_audits"
            " WHERE audit_id > %s AND verdict = 'published'", (audited_before,))}
        after = self.fingerprints()
        changed = sorted(name for name in before if after.get(name) != before[name])
        unexplained = [name for name in changed if name not in published]
        refused_names = {f"{schema}.{table}" for schema, table, *_ in refused}
        untouched = len(before) - len(changed)
        say(f"   yesterday's tables are still live: {untouched} of {len(before)} protected tables byte-identical "
            "(row count and CHECKSUM TABLE)" + (f"; {', '.join(changed)} passed its audit and published tonight's "
                                                 "rows" if changed else ""))
        if unexplained or refused_names & set(changed):
            raise SystemExit(f"demo: the refused night changed {', '.join(unexplained or changed)} without a passed audit")
        self.summary.append(("emptied source", f"{refused[0][1]} refused (empty build); {untouched}/{len(before)} "
                                               "protected tables still yesterday's, the rest audited"))

    def run(self) -> None:
        self.run_dbt("deps")

        heading("Night 1: first build (incremental tables do not exist yet, so nothing to back up)")
        self.night(1)
        backups = self.query("SELECT COUNT(*) FROM analytics.safeguard_backups")[0][0]
        self.summary.append(("night 1", f"warehouse built; {backups} backups (first run)"))

        heading("Night 2: every protected table is backed up and verified before dbt writes")
        self.night(2)
        rows = self.query("SELECT source_schema, source_table, backup_table, row_count, status"
                          " FROM analytics.safeguard_backups WHERE kind = 'backup' ORDER BY backup_id")
        names = [(f"{schema}.{table}", f"{schema}.{backup}") for schema, table, backup, _, _ in rows]
        width, backup_width = (max(len(name[i]) for name in names) for i in (0, 1))
        for (source, backup), (*_, count, status) in zip(names, rows):
            # A table kept at its swap is counted lazily, on its first use (docs/recovery.md)
            counted = "not yet counted" if count is None else f"{count:>6} rows"
            say(f"   catalog: {source:<{width}} -> {backup:<{backup_width}} {counted}  {status}")
        self.summary.append(("night 2", f"{len(rows)} verified backups in the catalog"))

        heading("Night 3: a PostgreSQL cast slips into tenant_status_history (NULL::date); "
                "preflight stops the night before dbt writes")
        before = self.fingerprints()
        model = self.project / BROKEN_MODEL
        original = model.read_text()
        model.write_text(original.replace("cast(null as date)", "NULL::date", 1))
        try:
            self.night(3)
            raise SystemExit("demo: the ETL with a broken model was expected to fail")
        except FatalError as exc:
            say(f"   etl failed, as it must: {exc}")
        finally:
            model.write_text(original)
        after = self.fingerprints()
        untouched = sum(1 for name in before if after.get(name) == before[name])
        still_there = (self.workdir / "incoming" / "oltp_day3.sql.gz").exists()
        say(f"   protected tables byte-identical (row count and CHECKSUM TABLE): {untouched} of {len(before)}")
        say(f"   day 3's dump was {'not archived: it is still in incoming/' if still_there else 'ARCHIVED'}")
        if untouched != len(before) or not still_there:
            raise SystemExit("demo: the failed night changed a protected table or archived its dump")
        self.summary.append(("broken model", f"ETL failed; {untouched}/{len(before)} protected tables untouched, "
                                             "dump not archived"))

        self.refused_night()


        heading("Morning: someone corrupts the history table; restore it from its backup")
        deleted = self.query("SELECT COUNT(*) FROM silver.tenant_status_history WHERE valid_to IS NULL")[0][0]
        self.query("DELETE FROM silver.tenant_status_history WHERE valid_to IS NULL")
        self.conn.commit()
        say(f"   deleted {deleted} current rows from silver.tenant_status_history")
        # The latest verified backup: a night preflight stopped took none.
        ts, backup_schema, backup_table = self.query(
            "SELECT backup_ts, backup_schema, backup_table FROM analytics.safeguard_backups"
            " WHERE source_table = 'tenant_status_history' AND kind = 'backup' AND status = 'verified'"
            " ORDER BY backup_id DESC LIMIT 1")[0]
        good = self.fingerprint(backup_schema, backup_table)
        self.run_dbt("run-operation", "restore_backup", "--args",
                     f"{{table: silver.tenant_status_history, ts: {ts}, dry_run: true}}")
        started = time.monotonic()
        self.run_dbt("run-operation", "restore_backup", "--args", f"{{table: silver.tenant_status_history, ts: {ts}}}")
        elapsed = time.monotonic() - started
        restored = self.fingerprints()["silver.tenant_status_history"]
        if restored != good:
            raise SystemExit(f"demo: restored table {restored} differs from the backup {good}")
        say(f"   restored: {restored[0]} rows, checksum {restored[1]} (equal to backup {ts})")
        self.summary.append(("restore", f"{deleted} deleted rows back from backup {ts} "
                                        f"(restore_backup run-operation: {elapsed:.1f}s)"))

        heading("Summary")
        for step, what in self.summary:
            say(f"   {step:<14} {what}")


def _readable(record: logging.LogRecord) -> bool:
    """The demo tells a story: of the ETL's compact dbt view it keeps the
    safeguard package's lines, warnings and errors, and models that did not
    build; one line per successful model would drown the story."""
    name = getattr(record, "event", None)
    if name == "dbt_node":
        return record.levelno >= logging.WARNING or getattr(record, "status", None) == "skipped"
    if name == "error":
        return False  # the demo prints the failure itself
    if name == "preflight":
        return record.levelno >= logging.WARNING  # its FAIL lines; its summary line says the rest
    if name == "dbt":
        # dbt's own lines (a cancelled model logged as ERROR although its
        # result is `skipped`) stay in the ETL's -v view: the node lines
        # above carry each model's final status and error.
        return "[safeguard]" in record.getMessage() and " KEEP " not in record.getMessage()
    return True


def keep_instructions(settings: ConnectionSettings, server: LocalServer, workdir: Path, project: Path,
                      older_ts: str) -> None:
    """--keep: point the project copy at the server left running, and say what to try.
    older_ts: a verified backup of tenant_status_history older than the one the demo restored."""
    profiles = project / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("env_var('SAFEGUARD_DB_PORT', '3306')",
                                                     f"env_var('SAFEGUARD_DB_PORT', '{settings.port}')"))
    env_file = workdir / "server.env"
    # A new shell has neither the venv nor the server: the file brings both,
    # so `safeguard` and `dbt` are found without sourcing bootstrap.sh.
    env_file.write_text(f"export SAFEGUARD_DB_HOST={settings.host} SAFEGUARD_DB_PORT={settings.port} "
                        f"SAFEGUARD_DB_USER={settings.user} SAFEGUARD_DB_TYPE={settings.adapter_type}\n"
                        f"export PATH={shlex.quote(str(Path(sys.executable).parent))}:\"$PATH\" "
                        "DBT_SEND_ANONYMOUS_USAGE_STATS=false DO_NOT_TRACK=1\n")
    relative = lambda path: shlex.quote(os.path.relpath(path))  # noqa: E731
    heading(f"The server is still running on {settings.host}:{settings.port} (--keep)")
    say(f"   source {relative(env_file)}; cd {relative(project)}")
    say("   safeguard backups                                         # what can be restored")
    say("   safeguard restore silver.tenant_status_history --dry-run  # the demo's restore is in place: a bare restore")
    say("                                                             # never goes further back (a retry is safe)")
    say(f"   safeguard restore silver.tenant_status_history --ts {older_ts} --dry-run  # an older one: the plan, one RENAME")
    say("   safeguard restore silver.tenant_status_history --ts TS    # for real; a _replaced_ copy (kind replaced) undoes a restore")
    say("   safeguard prune --dry-run                                 # what retention would drop")
    say("   dbt run-operation list_backups                            # the same macros, through dbt")
    say("   dbt run-operation restore_backup --args '{table: silver.tenant_status_history, dry_run: true}'")
    say(f"   mariadb -h {settings.host} -P {settings.port} -u {settings.user} silver   # the tables themselves")
    # Absolute: the block above has cd'd into the project by the time this runs.
    say(f"   stop it: kill $(cat {shlex.quote(str(Path(server.pid_file).resolve()))}); "
        f"rm -rf {shlex.quote(str(workdir.resolve()))}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300, help="tenants in the generated OLTP database")
    parser.add_argument("--keep", action="store_true",
                        help="leave the server running and the project in .demo/ to try the recovery commands")
    args = parser.parse_args(argv)
    configure_logging("text", stream=sys.stdout)
    for handler in logging.getLogger("safeguard").handlers:
        handler.addFilter(_readable)
    (REPO_ROOT / ".demo").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=REPO_ROOT / ".demo"))
    kept = False
    try:
        if os.environ.get(ENV_PREFIX + "HOST"):
            settings = ConnectionSettings.from_env()
            say(f"== Using the configured server {settings.describe()}")
            Demo(settings, workdir, args.size).run()
            kept = args.keep
            if kept:
                say(f"\n== The project stays in {os.path.relpath(workdir / 'dbt')} (--keep), on {settings.describe()}")
            return 0
        server = LocalServer(base_dir=str(workdir), die_with_parent=not args.keep)
        settings = server.start()
        try:
            say(f"== Started a throwaway MariaDB on 127.0.0.1:{settings.port} "
                f"({'left running at the end: --keep' if args.keep else 'removed at the end'})")
            demo = Demo(settings, workdir, args.size)
            demo.run()
            if args.keep:
                keep_instructions(settings, server, workdir, demo.project, demo.older_backup_ts())
                kept = True
        finally:
            if not kept:
                server.stop()
        return 0
    finally:
        if not kept:
            # No project may stay behind pointing at a server the demo did not leave running.
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
