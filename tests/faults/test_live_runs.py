"""Routes around a live run, in the fast subset (issue 16): nothing recovers,
kills or rolls back a run that may be alive, the ETL owns its night, and a
killed plain `dbt run` that is provably dead is recovered by the next ETL.

A plain `dbt run` is alive while its heartbeat (its lease row, written in
server time at every hook and materialization step) is younger than
safeguard_heartbeat_grace_seconds, or while one of its connections runs a
statement. These tests set the grace to GRACE seconds in the project.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import yaml

from faults.pipeline import Pipeline, Running, _bin

HISTORY = "silver.tenant_status_history"
GRACE = 4
# Real work the server goes on with after its client is gone (not SLEEP,
# which ends with its client), on a model built after silver.
# About 5 minutes of one core at most (3M MD5s a second here): a test that
# fails before it KILLs it leaves the rest of the suite a core short only that long.
BUSY = "select benchmark(1000000000, md5('safeguard-live'))"
BUSY_PATTERN = "%benchmark(1000000000, md5('safeguard-live'))%"
LATE_MODEL = Path("models") / "gold" / "tenant_status_transitions.sql"


@pytest.fixture(params=["mysql", "mariadb"])
def pipeline(lab, request):
    """A warehouse after night 1, its project with a short heartbeat grace."""
    pipeline = lab.pipeline(request.param)
    set_vars(pipeline, safeguard_heartbeat_grace_seconds=GRACE)
    night = pipeline.night(1)
    assert night.returncode == 0, night.explain()
    pipeline.adapter = request.param
    try:
        yield pipeline
    finally:
        for (connection,) in pipeline.sql.rows("SELECT id FROM information_schema.processlist"
                                               " WHERE info LIKE %s AND id <> CONNECTION_ID()", (BUSY_PATTERN,)):
            pipeline.sql.execute(f"KILL {int(connection)}")
        pipeline.drop_everything()
        pipeline.close()


def set_vars(pipeline: Pipeline, **values) -> None:
    path = pipeline.project / "dbt_project.yml"
    config = yaml.safe_load(path.read_text())
    config.setdefault("vars", {}).update(values)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def busy_model(pipeline: Pipeline) -> str:
    """Makes the late model run BUSY first; returns the original text."""
    path = pipeline.project / LATE_MODEL
    original = path.read_text()
    path.write_text("{{ config(pre_hook=\"" + BUSY + "\") }}\n" + original)
    return original


def start_plain_run(pipeline: Pipeline) -> Running:
    pipeline.runs += 1
    command = [_bin("dbt"), "run", "--project-dir", str(pipeline.project), "--profiles-dir", str(pipeline.project)]
    return Running(command, pipeline.env(), pipeline.logs, f"plain{pipeline.runs:02d}")


def wait_for(predicate, what: str, process: Running, timeout: float = 300.0):
    deadline = time.monotonic() + timeout
    while True:
        found = predicate()
        if found:
            return found
        assert process.process.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def busy_connection(pipeline: Pipeline):
    rows = pipeline.sql.rows("SELECT id FROM information_schema.processlist WHERE info LIKE %s"
                             " AND id <> CONNECTION_ID() AND command <> 'Sleep'", (BUSY_PATTERN,))
    return rows[0][0] if rows else None


def run_lease(pipeline: Pipeline):
    rows = pipeline.sql.rows(f"SELECT invocation_id FROM `{pipeline.schema('analytics')}`.safeguard_run_lease"
                             " WHERE lease_name = 'run'")
    return rows[0][0] if rows else None


def output_of(finished) -> str:
    lines = [e.get("message") or e.get("info", {}).get("msg", "") for e in finished.events]
    return "\n".join(lines) + finished.stderr


def test_recover_run_aimed_at_a_live_plain_run_is_refused_naming_its_statement(pipeline):
    path = pipeline.project / LATE_MODEL
    original = busy_model(pipeline)
    try:
        plain = start_plain_run(pipeline)
        connection = wait_for(lambda: busy_connection(pipeline), "the model's statement", plain)
        live = run_lease(pipeline)
        catalog_before = pipeline.catalog_rows()
        time.sleep(GRACE + 1)  # its heartbeat is now older than the grace: only its statement says it is alive
        named = pipeline.operation("recover_run", f"{{invocation_id: {live}}}")
        unnamed = pipeline.operation("recover_run")
        assert busy_connection(pipeline) == connection, "recover_run ended a live run's statement"
        assert run_lease(pipeline) == live, "recover_run released a live run's lease"
        # The live run goes on adding its own backups; nothing of it was rolled back.
        after = {row["backup_id"]: row for row in pipeline.catalog_rows()}
        # (a kept table's fingerprint may be filled in later, and a model the
        # run swaps meanwhile on its other thread turns its `pending` row
        # `verified`; what matters is that no row was restored, replaced or dropped)
        moved = [(row["status"], after[row["backup_id"]]["status"]) for row in catalog_before]
        assert all(old == new or (old, new) == ("pending", "verified") for old, new in moved), moved
        assert not [row for row in after.values() if row["kind"] == "replaced" or row["status"] == "restored"]
        pipeline.sql.execute(f"KILL QUERY {int(connection)}")  # the statement ends: the run goes on and fails
        finished = plain.wait()
    finally:
        path.write_text(original)
    text = output_of(named)
    assert named.returncode != 0
    assert f"invocation {live} may be alive" in text and f"connection {connection} query" in text, text
    assert "heartbeat is" in text and "never taken over" in text
    assert unnamed.returncode == 0 and "never taken over" in output_of(unnamed)
    # The run itself went on to its own end (KILL QUERY ends BENCHMARK early,
    # without an error) and gave its lease back.
    assert finished.duration > 0
    assert run_lease(pipeline) is None
    assert "select benchmark(" in text  # its statement, without dbt's query comment


def test_etl_recovers_a_killed_plain_run_only_once_it_is_provably_dead(lab, pipeline):
    before = pipeline.states()
    original = busy_model(pipeline)
    path = pipeline.project / LATE_MODEL
    try:
        plain = start_plain_run(pipeline)
        connection = wait_for(lambda: busy_connection(pipeline), "the model's statement", plain)
        killed = run_lease(pipeline)
        os.killpg(plain.pid, signal.SIGKILL)
        plain.process.wait(timeout=30)
    finally:
        path.write_text(original)
    backups = [r for r in pipeline.catalog_rows() if r["invocation_id"] == killed and r["status"] == "verified"]
    assert backups, "the killed run had backed up the protected tables"
    time.sleep(GRACE + 1)

    # Its statement still runs server-side: it may be alive. The ETL stops before its load.
    pipeline.put_dump(2)
    refused = pipeline.etl()
    assert refused.returncode != 0
    assert "may still be alive" in refused.explain(), refused.explain()
    assert busy_connection(pipeline) == connection
    assert run_lease(pipeline) == killed

    # The statement ends (as it would on its own): the run is dead, and the ETL recovers it unaided.
    pipeline.sql.execute(f"KILL QUERY {int(connection)}")
    time.sleep(1)
    night = pipeline.etl()
    assert night.returncode == 0, night.explain()
    text = output_of(night)
    assert f"invocation {killed} was killed" in text
    steps = night.summary()["steps"]
    assert steps["recover"]["status"] == "success" and steps["lease"]["status"] == "success"
    assert pipeline.leases() == []
    assert pipeline.states() == lab.oracle(pipeline.adapter, (1, 2))
    # the recovering ETL backed up what recovery left: the pre-run tables
    ours = {(r["source_schema"], r["source_table"]): r for r in pipeline.catalog_rows()
            if r["invocation_id"] != killed and r["kind"] == "backup" and r["backup_id"] > max(b["backup_id"] for b in backups)}
    for (schema, table), row in ours.items():
        key = f"{schema[len(pipeline.prefix):]}.{table}"
        if row["status"] == "verified" and before.get(key):
            # the backup table itself: the catalog's fingerprint is rowhash1, `before` is CHECKSUM TABLE
            assert pipeline.sql.checksum(row["backup_schema"], row["backup_table"]) == before[key][0], key


def test_a_restore_between_the_etls_steps_is_refused(lab, pipeline):
    first = pipeline.night(2)  # a backup to restore: night 1 only built the tables
    assert first.returncode == 0, first.explain()
    pipeline.put_dump(2)  # the same night again; a rerun leaves the warehouse as it was
    etl = pipeline.start_etl()
    etl.wait_for_event("step_end", step="seed")
    os.killpg(etl.pid, signal.SIGSTOP)  # held between `dbt seed` and `dbt run`
    try:
        catalog_before = pipeline.catalog_rows()
        states_before = pipeline.states()
        restore = pipeline.operation("restore_backup", f"{{table: {pipeline.schema('silver')}.tenant_status_history}}")
        prune = pipeline.operation("prune_backups", "{retention_days: 0, keep_last: 0}")
        assert pipeline.catalog_rows() == catalog_before
        assert pipeline.states() == states_before
    finally:
        os.killpg(etl.pid, signal.SIGCONT)
    finished = etl.wait()
    assert restore.returncode != 0 and "safeguard etl" in restore.explain() and "is running" in restore.explain()
    assert prune.returncode != 0 and "is running" in prune.explain()
    assert finished.returncode == 0, finished.explain()
    assert pipeline.states() == lab.oracle(pipeline.adapter, (1, 2))
    assert pipeline.leases() == []


def test_the_override_flag_without_the_materializations_file_changes_nothing(lab, pipeline):
    path = pipeline.project / "dbt_project.yml"
    config = yaml.safe_load(path.read_text())
    config["flags"] = {"require_explicit_package_overrides_for_builtin_materializations": True}
    seeds = config["seeds"]["safeguard_reference"]
    seeds.setdefault("tenant_statuses", {})["+meta"] = {"safeguard": {"protect": True}}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    (pipeline.project / "macros" / "safeguard_materializations.sql").unlink()
    seed = pipeline.project / "seeds" / "tenant_statuses.csv"
    seed.write_text("\n".join(seed.read_text().splitlines()[:2]) + "\n")  # tonight's seed: one row
    statuses = (pipeline.schema("silver"), "tenant_statuses")
    seed_before = (pipeline.sql.checksum(*statuses), pipeline.sql.table_rows(*statuses))
    states_before = pipeline.states()
    catalog_before = pipeline.catalog_rows()

    night = pipeline.night(2)

    assert night.returncode != 0
    assert "macros/safeguard_materializations.sql" in night.explain(), night.explain()
    assert (pipeline.sql.checksum(*statuses), pipeline.sql.table_rows(*statuses)) == seed_before
    assert pipeline.states() == states_before
    assert pipeline.catalog_rows() == catalog_before
    assert pipeline.leases() == []


def test_a_stray_catalog_row_fails_the_night_while_prune_goes_on(lab, pipeline):
    """A catalog row the package did not write (pointing at a user's table)
    is never acted on, but no longer stops pruning: the other tables' old
    backups are dropped, the night is built, and the ETL exits non-zero
    naming the row, so the alarm fires."""
    night = pipeline.night(2)  # backups of night 1's tables
    assert night.returncode == 0, night.explain()
    catalog = pipeline.schema("analytics")
    silver = pipeline.schema("silver")
    pipeline.sql.execute(f"CREATE TABLE `{silver}`.my_notes (id INT PRIMARY KEY, note VARCHAR(20))")
    pipeline.sql.execute(f"INSERT INTO `{silver}`.my_notes VALUES (1, 'keep me'), (2, 'me too')")
    pipeline.sql.execute(
        f"INSERT INTO `{catalog}`.safeguard_backups (backup_ts, invocation_id, kind, source_schema, source_table,"
        " backup_schema, backup_table, row_count, checksum, status, created_at, updated_at)"
        " VALUES ('20200101_000000', 'hand-written', 'backup', %s, 'moveouts', %s, 'my_notes', 2, 0, 'verified',"
        " UTC_TIMESTAMP(), UTC_TIMESTAMP())", (pipeline.schema("gold"), silver))
    stray = pipeline.sql.scalar(f"SELECT backup_id FROM `{catalog}`.safeguard_backups WHERE invocation_id = 'hand-written'")
    old = [r for r in pipeline.catalog_rows() if r["status"] == "verified" and r["invocation_id"] != "hand-written"]
    assert old, "night 2 took backups"
    set_vars(pipeline, safeguard_retention_days=0, safeguard_keep_last=0)

    again = pipeline.night(2)

    assert again.returncode != 0
    assert f"{silver}.my_notes (catalog row {stray})" in again.explain(), again.explain()
    assert again.summary()["steps"]["archive"]["status"] == "success"
    assert pipeline.states() == lab.oracle(pipeline.adapter, (1, 2))
    notes = pipeline.sql.rows(f"SELECT id, note FROM `{silver}`.my_notes ORDER BY id")
    assert [tuple(row) for row in notes] == [(1, "keep me"), (2, "me too")]
    rows = {r["backup_id"]: r for r in pipeline.catalog_rows()}
    assert rows[stray]["status"] == "verified"
    # Prune holds every backup of the stray row's source table (which of
    # them the row stands for is unknown) and prunes all the others.
    for row in [r for r in old if r["source_table"] != "moveouts"]:
        assert rows[row["backup_id"]]["status"] == "dropped", row
        assert not pipeline.sql.table_exists(row["backup_schema"], row["backup_table"]), row
