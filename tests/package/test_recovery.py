"""Killed runs are recovered, not waited out: `kill -9` of `safeguard etl`
at a precise point, then the next `safeguard etl` succeeds unaided, and
every protected table is its pre-run state or the completed run's state."""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

from safeguard_testing import oltp_dump
from dbt_safeguard.dbt_invoker import DbtInvoker
from safeguard_testing.harness import Sql, copy_reference_project
from safeguard_testing.reference_warehouse import FAILING_POST_HOOK, PROTECTED

SIZE = 60
# A statement the killed run leaves running server-side, on a model built
# after a protected one. Not SLEEP(): the server ends a sleep as soon as its
# client is gone, while real work (here BENCHMARK, like a long INSERT ...
# SELECT) goes on until it finishes or is killed.
# About 5 minutes of one core at most (3M MD5s a second here): a test that
# fails before it KILLs it leaves the rest of the suite a core short only that long.
BUSY = "select benchmark(1000000000, md5('safeguard-test'))"
SLOW_HOOK = "{{ config(pre_hook=\"" + BUSY + "\") }}\n"
BUSY_PATTERN = "%select benchmark(1000000000, md5('safeguard-test'))%"


class EtlProject:
    """The reference project driven by real `safeguard etl` processes."""

    def __init__(self, server, root, prefix):
        self.server, self.root, self.prefix = server, root, prefix
        self.adapter_type = server.adapter_type
        self.project = copy_reference_project(root)
        self.inbox = root / "inbox"
        self.inbox.mkdir()
        self.sql = Sql(server)
        self.dumps = {}

    def dump(self, day: int):
        if day not in self.dumps:
            path = self.root / f"day{day}.sql.gz"
            oltp_dump.write_dump(day, path, self.server, size=SIZE)
            self.dumps[day] = path
        return self.dumps[day]

    def deliver(self, day: int) -> None:
        shutil.copy(self.dump(day), self.inbox / f"day{day}.sql.gz")

    def command(self):
        return [
            sys.executable, "-m", "dbt_safeguard.cli.main", "etl", "--dump-uri", str(self.inbox),
            "--project-dir", str(self.project), "--schema-prefix", self.prefix, "--host", self.server.host,
            "--port", str(self.server.port), "--user", self.server.user, "--adapter-type", self.adapter_type, "--no-metrics",
        ]

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def run(self):
        done = subprocess.run(self.command(), capture_output=True, text=True, timeout=900)
        return done.returncode, done.stdout + done.stderr

    def protected(self):
        return [(self.prefix + schema, table) for schema, table in PROTECTED]

    def snapshot(self):
        return {
            f"{s}.{t}": (self.sql.checksum(s, t), self.sql.table_rows(s, t))
            for s, t in self.protected() if self.sql.table_exists(s, t)
        }

    @property
    def catalog(self) -> str:
        return f"`{self.prefix}analytics`"

    def wait_for(self, predicate, what: str, process: subprocess.Popen, timeout: float = 300):
        deadline = time.monotonic() + timeout
        while True:
            found = predicate()
            if found:
                return found
            if process.poll() is not None:
                pytest.fail(f"the ETL ended before {what}: {process.stdout.read()}")
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.1)

    def statement_running(self, pattern: str):
        rows = self.sql.rows(
            "SELECT id FROM information_schema.processlist WHERE info LIKE %s AND id <> CONNECTION_ID()", (pattern,)
        )
        return rows[0][0] if rows else None

    def dbt(self, *args):
        return DbtInvoker(self.project, self.server, extra_env={"SAFEGUARD_SCHEMA_PREFIX": self.prefix}).invoke(*args)


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def prepend(path, text):
    original = path.read_text()
    path.write_text(text + original)
    return original


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def etl(request, server, schema_prefix, tmp_path_factory):
    prefix = f"{schema_prefix}rc{request.param[:2]}{uuid.uuid4().hex[:4]}_"
    env = EtlProject(dataclasses.replace(server, adapter_type=request.param), tmp_path_factory.mktemp("recovery"), prefix)
    assert env.dbt("deps").success
    env.deliver(1)
    code, output = env.run()
    assert code == 0, output
    yield env
    # A failed test must not leave its busy statement burning a core.
    for (connection,) in env.sql.rows("SELECT id FROM information_schema.processlist WHERE info LIKE %s"
                                      " AND id <> CONNECTION_ID()", (BUSY_PATTERN,)):
        env.sql.execute(f"KILL {int(connection)}")
    env.sql.drop_schemas(prefix)
    env.sql.close()


def last_backup_id(env) -> int:
    return env.sql.scalar(f"SELECT COALESCE(MAX(backup_id), 0) FROM {env.catalog}.safeguard_backups")


def assert_recovered_to_pre_run_then_completed(env, before, since_id: int) -> None:
    """The recovering ETL's own run backed up the tables as recovery left
    them: each is the pre-run table. Its end state is the completed run's:
    putting that backup set back and running the same day again with plain
    dbt gives exactly the same tables."""
    backups = env.sql.rows(
        f"SELECT source_schema, source_table, backup_schema, backup_table, backup_ts FROM {env.catalog}.safeguard_backups"
        " WHERE backup_id > %s AND kind = 'backup' AND status = 'verified'", (since_id,)
    )
    assert {(row[0], row[1]) for row in backups} == set(env.protected())
    # The backup tables themselves (the catalog's fingerprint is another
    # method, and a table model's kept table has none until it is needed).
    for schema, table, backup_schema, backup_table, _ in backups:
        assert before[f"{schema}.{table}"][0] == env.sql.checksum(backup_schema, backup_table), \
            f"{schema}.{table} was not rolled back to its pre-run state"
    final = env.snapshot()
    restored = env.dbt("run-operation", "restore_backup", "--args", f"{{ts: '{backups[0][4]}'}}")
    assert restored.success, restored.log
    assert env.snapshot() == before
    rerun = env.dbt("run", "--fail-fast")
    assert rerun.success, rerun.log
    assert env.snapshot() == final


def test_etl_killed_during_a_model_build_is_recovered_by_the_next_etl(etl):
    before = etl.snapshot()
    etl.deliver(2)
    # built after silver.tenant_status_history, which has changed by then
    model = etl.project / "models" / "gold" / "tenant_status_transitions.sql"
    original = prepend(model, SLOW_HOOK)
    try:
        process = etl.start()
        sleeper = etl.wait_for(lambda: etl.statement_running(BUSY_PATTERN),
                               "the model's statement to run", process)
        killed_invocation = etl.sql.scalar(f"SELECT invocation_id FROM {etl.catalog}.safeguard_run_lease ORDER BY lease_name = 'etl' DESC LIMIT 1")
        kill(process)
    finally:
        model.write_text(original)
    assert killed_invocation
    # What kill -9 leaves: the statement still runs server-side, the lease is held.
    assert etl.statement_running(BUSY_PATTERN) == sleeper
    changed = [name for name, state in etl.snapshot().items() if state != before.get(name)]
    assert changed, "the killed run had already changed protected tables (silver was built)"
    since = last_backup_id(etl)

    code, output = etl.run()

    print(output)
    assert code == 0, output
    assert "RECOVER" in output and killed_invocation in output
    assert f"KILL     connection {sleeper}" in output
    assert etl.statement_running(BUSY_PATTERN) is None
    assert not etl.sql.rows(f"SELECT * FROM {etl.catalog}.safeguard_run_lease")
    for name in changed:
        assert re.search(rf"ROLLBACK\s+{re.escape(name)} \(killed\) changed during the run", output), name
    assert_recovered_to_pre_run_then_completed(etl, before, since)


# Post-hooks: the first two change the table and commit (whatever the day's
# data, finish_run then has something to roll back: an unchanged table is
# only kept; dbt's session does not autocommit), the last passes PREPARE, so
# the ETL's preflight lets the night go on, and fails when it runs (1242:
# the subquery returns two rows).
RUNTIME_FAILING_POST_HOOK = (
    "{{ config(post_hook=[{'sql': 'delete from {{ this }} limit 1', 'transaction': false},"
    " {'sql': 'commit', 'transaction': false},"
    " {'sql': 'select * from information_schema.tables where table_name = (select 1 union all select 2)',"
    " 'transaction': false}]) }}\n"
)


def test_etl_killed_during_finish_run_is_recovered_by_the_next_etl(etl):
    """A model fails and finish_run rolls back: its RENAME commits, and the
    catalog write after it (the backup row a rollback marks restored) waits
    for a row this test holds. kill -9 there: the crash window between a
    RENAME and its catalog write. (The lease rows are not held: the run's
    heartbeat updates its lease at every step, so holding them would stop
    the run long before finish_run.)"""
    before = etl.snapshot()
    etl.deliver(3)
    model = etl.project / "models" / "silver" / "tenant_status_history.sql"
    original = prepend(model, RUNTIME_FAILING_POST_HOOK)
    holder = Sql(etl.server)
    try:
        holder.execute("START TRANSACTION")
        process = etl.start()

        first_new = last_backup_id(etl)

        def lock_the_runs_backups():
            """Once the run's backup of the failing model is verified, lock its
            row by primary key: only that row, not its neighbours (the
            rollback marks it restored). Returns the ETL's lease."""
            lease = etl.sql.scalar(f"SELECT invocation_id FROM {etl.catalog}.safeguard_run_lease"
                                   " ORDER BY lease_name = 'etl' DESC LIMIT 1")
            ids = [row[0] for row in etl.sql.rows(
                f"SELECT backup_id FROM {etl.catalog}.safeguard_backups WHERE backup_id > %s AND kind = 'backup'"
                " AND status = 'verified' AND source_table = 'tenant_status_history'", (first_new,))] if lease else []
            if not ids:
                return None
            for backup_id in ids:
                holder.rows(f"SELECT backup_id FROM {etl.catalog}.safeguard_backups WHERE backup_id = %s FOR UPDATE",
                            (backup_id,))
            return lease

        killed_invocation = etl.wait_for(lock_the_runs_backups, "the run's verified backups", process)
        etl.wait_for(lambda: etl.statement_running("%update %safeguard_backups%restored%"),
                     "finish_run's catalog write after its RENAME", process)
        kill(process)
    finally:
        model.write_text(original)
        holder.execute("ROLLBACK")
        holder.close()
    assert etl.sql.scalar(f"SELECT invocation_id FROM {etl.catalog}.safeguard_run_lease"
                          " ORDER BY lease_name = 'etl' DESC LIMIT 1") == killed_invocation
    # the crash window between a RENAME and its catalog write: the journal knows
    assert etl.sql.scalar(f"SELECT COUNT(*) FROM {etl.catalog}.safeguard_journal WHERE status = 'planned'") == 1
    since = last_backup_id(etl)

    code, output = etl.run()

    print(output)
    assert code == 0, output
    assert "RECOVER" in output and killed_invocation in output
    assert "RECONCILE" in output
    assert not etl.sql.rows(f"SELECT * FROM {etl.catalog}.safeguard_run_lease")
    assert etl.sql.scalar(f"SELECT COUNT(*) FROM {etl.catalog}.safeguard_journal WHERE status = 'planned'") == 0
    for row in etl.sql.rows(f"SELECT backup_schema, backup_table, row_count, checksum, fingerprint_method"
                            f" FROM {etl.catalog}.safeguard_backups WHERE status = 'verified'"):
        keys = ("backup_schema", "backup_table", "row_count", "checksum", "fingerprint_method")
        assert etl.sql.matches_catalog(dict(zip(keys, row))), row
    assert_recovered_to_pre_run_then_completed(etl, before, since)


def test_plain_dbt_run_after_a_killed_one_names_it_and_recovers_only_once_it_is_dead(etl):
    """A killed plain dbt run whose statement still runs server-side may be
    alive: the next run says so without suggesting recovery, and recover_run
    refuses it naming that statement. Once the statement has ended and its
    heartbeat is older than the grace, it is dead: the refusal names the
    command that recovers it, and that command does."""
    model = etl.project / "models" / "gold" / "tenant_status_transitions.sql"
    original = prepend(model, SLOW_HOOK)
    env = {**os.environ, **etl.server.as_env(), "SAFEGUARD_SCHEMA_PREFIX": etl.prefix, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(os.path.join(os.path.dirname(sys.executable), "dbt"))
    grace = "--vars", "{safeguard_heartbeat_grace_seconds: 3}"
    try:
        process = subprocess.Popen([dbt, "run", "--project-dir", str(etl.project), "--profiles-dir", str(etl.project), *grace],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        busy = etl.wait_for(lambda: etl.statement_running(BUSY_PATTERN), "the model's statement", process)
        killed_invocation = etl.sql.scalar(f"SELECT invocation_id FROM {etl.catalog}.safeguard_run_lease ORDER BY lease_name = 'etl' DESC LIMIT 1")
        kill(process)
    finally:
        model.write_text(original)
    before = etl.snapshot()
    time.sleep(4)
    command = f"dbt run-operation safeguard.recover_run --args '{{invocation_id: {killed_invocation}}}'"

    refused = etl.dbt("run", "--fail-fast", *grace)
    named = etl.dbt("run-operation", "safeguard.recover_run", "--args", f"{{invocation_id: {killed_invocation}}}", *grace)

    assert not refused.success and "is running" in refused.log and command not in refused.log
    assert not named.success and f"connection {busy} query" in named.log and "heartbeat is" in named.log
    assert etl.statement_running(BUSY_PATTERN) == busy
    assert etl.snapshot() == before
    assert etl.sql.scalar(f"SELECT invocation_id FROM {etl.catalog}.safeguard_run_lease WHERE lease_name = 'run'") == killed_invocation

    etl.sql.execute(f"KILL QUERY {int(busy)}")  # the statement ends, as it would on its own
    time.sleep(1)
    refused = etl.dbt("run", "--fail-fast", *grace)
    assert not refused.success and command in refused.log
    assert etl.snapshot() == before

    recovered = etl.dbt("run-operation", "safeguard.recover_run", "--args", f"{{invocation_id: {killed_invocation}}}", *grace)
    assert recovered.success, recovered.log
    assert not etl.sql.rows(f"SELECT * FROM {etl.catalog}.safeguard_run_lease")
    assert etl.dbt("run", "--fail-fast").success


def test_recover_run_never_takes_over_a_live_etl(etl):
    model = etl.project / "models" / "gold" / "tenant_status_transitions.sql"
    original = prepend(model, "{{ config(pre_hook=\"select sleep(20) /* safeguard-test */\") }}\n")
    etl.deliver(4)
    try:
        process = etl.start()
        etl.wait_for(lambda: etl.statement_running("%select sleep(20)%safeguard-test%"), "the model's statement", process)
        live = etl.sql.scalar(f"SELECT invocation_id FROM {etl.catalog}.safeguard_run_lease WHERE lease_name = 'run'")
        named = etl.dbt("run-operation", "recover_run", "--args", f"{{invocation_id: {live}}}")
        unnamed = etl.dbt("run-operation", "recover_run")
        output, _ = process.communicate(timeout=600)
    finally:
        model.write_text(original)
    assert not named.success and "may be alive" in named.log and "never taken over" in named.log
    assert unnamed.success and "never taken over" in unnamed.log
    assert process.returncode == 0, output
