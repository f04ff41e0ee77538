"""Write-audit-publish: every protected build is audited before it replaces
the live table, each case of issue 15 in a small project of its own, on a
real server under both adapter types. A refused build leaves the live table
byte-identical, a `refused` candidate and verdict rows with the numbers the
error line printed; an allowed one publishes and pins the pre-run table.
"""
from __future__ import annotations

import threading

import pymysql
import pytest

from safeguard_testing.built_warehouse import error_line
from safeguard_testing.small_project import SmallProject

HISTORY_ROWS = 1000


@pytest.fixture
def project(tmp_path, settings, schema_prefix):
    p = SmallProject.create(tmp_path, settings, schema_prefix)
    yield p
    p.close()


def _fill_source(project, rows: int, table: str = "events") -> None:
    project.sql.execute(f"DROP TABLE IF EXISTS `{project.source}`.`{table}`")
    project.sql.execute(
        f"CREATE TABLE `{project.source}`.`{table}` (id INT PRIMARY KEY, tenant INT NOT NULL, amount INT NOT NULL)"
    )
    for start in range(1, rows + 1, 5000):
        values = ", ".join(f"({i}, {i % 7}, {i * 3})" for i in range(start, min(rows, start + 4999) + 1))
        project.sql.execute(f"INSERT INTO `{project.source}`.`{table}` (id, tenant, amount) VALUES {values}")


def _source(project, table: str = "events") -> str:
    return f"`{project.source}`.`{table}`"


def _refused_line(outcome) -> str:
    assert not outcome.success, outcome.log
    return error_line(outcome, "refused to publish")


def _assert_refused_candidate(project, outcome, table: str, line: str) -> dict:
    """The refused build left a `refused` catalog table and verdict rows whose
    numbers are the ones the error line printed."""
    [kept] = project.catalog("kind = 'refused' and invocation_id = %s and source_table = %s",
                             (outcome.invocation_id, table))
    assert kept["status"] == "verified"
    assert kept["backup_table"].startswith(f"{table}_refused_")
    assert f"{kept['backup_schema']}.{kept['backup_table']}" in line
    assert project.sql.table_exists(kept["backup_schema"], kept["backup_table"])
    verdicts = project.audits("invocation_id = %s and source_table = %s", (outcome.invocation_id, table))
    assert verdicts and {v["verdict"] for v in verdicts} == {"refused"}
    failed = [v for v in verdicts if not v["passed"]]
    assert failed
    for v in failed:
        assert v["detail"] in line
        assert (v["candidate_schema"], v["candidate_table"]) == (kept["backup_schema"], kept["backup_table"])
    return kept


# --- case 1: a protected incremental refactored into a table ----------------

def test_incremental_turned_into_a_table_that_loses_rows_is_refused_and_the_history_stays(project):
    _fill_source(project, HISTORY_ROWS)
    project.write_model("history", f"select id, tenant, amount from {_source(project)}"
                        "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}",
                        "materialized='incremental', unique_key='id', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    before = project.state("history")

    # the refactor: a table that keeps a fraction of the rows
    project.write_model("history", f"select id, tenant, amount from {_source(project)} where id <= 9",
                        "materialized='table', meta={'safeguard': {'protect': true}}")
    outcome = project.run()

    line = _refused_line(outcome)
    assert project.state("history") == before
    assert "history" in line and "volume" in line
    assert "1,000 → 9 (−99.10 %)" in line and "incremental" in line
    assert "safeguard_allow: [history]" in line
    kept = _assert_refused_candidate(project, outcome, "history", line)
    assert project.count(kept["backup_table"], kept["backup_schema"]) == 9
    [verdict] = [v for v in project.audits("invocation_id = %s", (outcome.invocation_id,)) if not v["passed"]]
    assert (verdict["materialized"], verdict["previous_materialized"]) == ("table", "incremental")
    assert (verdict["rows_before"], verdict["rows_after"]) == (HISTORY_ROWS, 9)
    assert verdict["command"] == "run"

    allowed = project.run("--vars", "{safeguard_allow: [history]}")

    assert allowed.success, allowed.log
    assert project.count("history") == 9
    [pinned] = project.catalog("kind = 'backup' and invocation_id = %s and source_table = 'history'",
                               (allowed.invocation_id,))
    assert pinned["pinned"] == 1 and pinned["status"] == "verified"
    assert sorted(project.sql.table_rows(project.gold, pinned["backup_table"])) == sorted(before[1])
    allowed_rows = project.audits("invocation_id = %s", (allowed.invocation_id,))
    assert {v["verdict"] for v in allowed_rows} == {"allowed"}
    assert all("safeguard_allow" in v["allowed_by"] for v in allowed_rows)
    assert "ALLOW" in allowed.log


def test_incremental_turned_into_a_view_is_refused_and_the_history_stays(project):
    _fill_source(project, 200)
    project.write_model("history", f"select id, tenant, amount from {_source(project)}",
                        "materialized='incremental', unique_key='id', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    before = project.state("history")

    project.write_model("history", f"select id, tenant, amount from {_source(project)} where id <= 5",
                        "materialized='view', meta={'safeguard': {'protect': true}}")
    outcome = project.run()

    line = _refused_line(outcome)
    assert project.state("history") == before
    assert "200 → 5" in line
    _assert_refused_candidate(project, outcome, "history", line)


# --- case 2: an emptied source ------------------------------------------------

def test_table_model_built_from_an_emptied_source_is_refused_and_the_table_stays(project):
    _fill_source(project, 120)
    project.write_model("summary", f"select tenant, count(*) as n, sum(amount) as total from {_source(project)} group by tenant",
                        "materialized='table', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    before = project.state("summary")
    _fill_source(project, 0)  # a partial OLTP export leaves the source empty

    outcome = project.run()

    line = _refused_line(outcome)
    assert project.state("summary") == before
    assert "empty" in line and "7 → 0 (−100.00 %)" in line
    kept = _assert_refused_candidate(project, outcome, "summary", line)
    assert project.count(kept["backup_table"], kept["backup_schema"]) == 0
    assert not project.sql.table_exists(project.gold, "summary__dbt_tmp")


def test_table_model_may_shrink_within_its_limit_and_not_beyond(project):
    _fill_source(project, 100)
    project.write_model("facts", f"select id, amount from {_source(project)}",
                        "materialized='table', meta={'safeguard': {'protect': true, 'max_shrink_percent': 20}}")
    assert project.run().success
    project.sql.execute(f"DELETE FROM {_source(project)} WHERE id > 85")  # −15 %: an ordinary night

    ordinary = project.run()

    assert ordinary.success, ordinary.log
    assert project.count("facts") == 85
    [passed] = project.audits("invocation_id = %s", (ordinary.invocation_id,))
    assert (passed["verdict"], passed["passed"], passed["check_name"]) == ("published", 1, "volume")
    assert passed["detail"] == "rows 85 → 85 (+0.00 %), limit −20 %" or "limit −20 %" in passed["detail"]

    project.sql.execute(f"DELETE FROM {_source(project)} WHERE id > 50")  # −41 %
    before = project.state("facts")
    outcome = project.run()

    line = _refused_line(outcome)
    assert "85 → 50 (−41.18 %), limit −20 %" in line
    assert project.state("facts") == before


# --- cases 3 and 4: the model's own tests -----------------------------------

def test_an_append_that_loses_no_rows_publishes_and_records_every_verdict(project):
    _fill_source(project, 50)
    project.write_model("appended", f"select id, tenant, amount from {_source(project)}"
                        "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}",
                        "materialized='incremental', meta={'safeguard': {'protect': true}}")
    first = project.run()
    assert first.success, first.log
    project.sql.execute(f"INSERT INTO {_source(project)} VALUES (51, 1, 1), (52, 2, 2)")

    second = project.run()

    assert second.success, second.log
    assert project.count("appended") == 52
    [verdict] = [v for v in project.audits("invocation_id = %s", (second.invocation_id,)) if v["check_name"] == "volume"]
    assert (verdict["verdict"], verdict["rows_before"], verdict["rows_after"]) == ("published", 50, 52)
    assert verdict["materialized"] == verdict["previous_materialized"] == "incremental"
    assert "[safeguard] AUDIT" in second.log


def test_an_incremental_merge_that_loses_rows_is_rolled_back_and_keeps_its_increment(project):
    _fill_source(project, 300)
    incremental = f"select id, tenant, amount from {_source(project)}{{% if is_incremental() %}} where id > 290{{% endif %}}"
    config = "materialized='incremental', unique_key='id', meta={'safeguard': {'protect': true}}"
    project.write_model("merged", incremental, config)
    assert project.run().success
    before = project.state("merged")
    project.sql.execute(f"UPDATE {_source(project)} SET amount = 0 WHERE id > 290")
    # an in-transaction post-hook that wipes most of the history with the merge
    project.write_model("merged", incremental,
                        config + ", post_hook={'sql': 'delete from {{ this }} where id > 20', 'transaction': true}")

    outcome = project.run()

    line = _refused_line(outcome)
    assert project.state("merged") == before
    assert "rows 300 → 20 (−93.33 %), limit no row lost (incremental)" in line
    kept = _assert_refused_candidate(project, outcome, "merged", line)
    # the increment: the rows the run would have merged
    assert project.count(kept["backup_table"], kept["backup_schema"]) == 10


def test_full_refresh_of_a_protected_incremental_is_refused_unless_allowed_and_is_recorded(project):
    _fill_source(project, 40)
    project.write_model("history", f"select id, tenant, amount from {_source(project)}",
                        "materialized='incremental', unique_key='id', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    before = project.state("history")

    refused = project.run("--full-refresh")

    assert not refused.success
    assert "safeguard_allow: [history]" in refused.log
    assert project.state("history") == before
    [verdict] = project.audits("invocation_id = %s", (refused.invocation_id,))
    assert (verdict["check_name"], verdict["verdict"]) == ("full_refresh", "refused")

    project.sql.execute(f"DELETE FROM {_source(project)} WHERE id > 30")
    allowed = project.run("--full-refresh", "--vars", "{safeguard_allow: [history]}")

    assert allowed.success, allowed.log
    assert project.count("history") == 30
    [backup] = project.catalog("kind = 'backup' and invocation_id = %s", (allowed.invocation_id,))
    assert backup["pinned"] == 1
    assert sorted(project.sql.table_rows(project.gold, backup["backup_table"])) == sorted(before[1])


def test_a_bad_allow_list_names_the_entry_and_the_protected_models_and_writes_nothing(project):
    _fill_source(project, 10)
    project.write_model("history", f"select id from {_source(project)}",
                        "materialized='table', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    before = project.state("history")

    outcome = project.run("--vars", "{safeguard_allow: [no_such_model]}")

    assert not outcome.success
    assert "'no_such_model', which is no model, seed or snapshot of this project; protected ones: history" in outcome.log
    assert project.state("history") == before


# --- changed alias or schema --------------------------------------------------

def test_a_new_alias_that_leaves_the_history_behind_is_audited_like_a_materialization_change(project):
    _fill_source(project, 500)
    project.write_model("history", f"select id, tenant, amount from {_source(project)}",
                        "materialized='incremental', unique_key='id', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    project.write_model("history", f"select id, tenant, amount from {_source(project)} where id <= 3",
                        "materialized='table', alias='history_v2', meta={'safeguard': {'protect': true}}")

    outcome = project.run()

    line = _refused_line(outcome)
    assert "500 → 3" in line and "moved from" in line
    assert not project.sql.table_exists(project.gold, "history_v2")
    assert project.count("history") == 500


# --- seeds and snapshots --------------------------------------------------------

def test_protected_seed_is_built_beside_audited_and_swapped(project):
    rows = "\n".join(f"{i},name{i}" for i in range(1, 41))
    project.write("seeds/codes.csv", "code,name\n" + rows + "\n")
    project.write("seeds/codes.yml", "version: 2\nseeds:\n  - name: codes\n    config:\n      meta: {safeguard: {protect: true}}\n")
    assert project.dbt("seed").success
    before = project.state("codes")

    project.write("seeds/codes.csv", "code,name\n1,only\n")
    refused = project.dbt("seed")

    line = _refused_line(refused)
    assert "40 → 1" in line
    assert project.state("codes") == before
    _assert_refused_candidate(project, refused, "codes", line)

    project.write("seeds/codes.csv", "code,name\n" + rows + "\n41,name41\n")
    grown = project.dbt("seed")

    assert grown.success, grown.log
    assert project.count("codes") == 41
    assert not project.sql.table_exists(project.gold, "codes__dbt_tmp")
    assert [v["verdict"] for v in project.audits("invocation_id = %s", (grown.invocation_id,))] == ["published"]


def test_protected_snapshot_merge_is_audited_in_its_transaction(project):
    _fill_source(project, 30)
    project.write("snapshots/snap.sql", (
        "{% snapshot snap %}\n"
        "{{ config(target_schema='" + project.gold + "', unique_key='id', strategy='check', check_cols=['amount'],"
        " meta={'safeguard': {'protect': true}}) }}\n"
        f"select id, tenant, amount from {_source(project)}\n"
        "{% endsnapshot %}\n"
    ))
    assert project.dbt("snapshot").success
    project.sql.execute(f"UPDATE {_source(project)} SET amount = amount + 1 WHERE id <= 4")

    changed = project.dbt("snapshot")

    assert changed.success, changed.log
    assert project.count("snap") == 34
    [verdict] = project.audits("invocation_id = %s", (changed.invocation_id,))
    assert (verdict["verdict"], verdict["rows_before"], verdict["rows_after"]) == ("published", 30, 34)
    assert verdict["materialized"] == "snapshot"


# --- readers during a merge ------------------------------------------------------

def _poll_counts(settings, table, stop, counts, errors):
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            while not stop.is_set():
                try:
                    cur.execute(f"SELECT COUNT(*) FROM {table}")
                    counts.add(cur.fetchall()[0][0])
                except pymysql.err.MySQLError as error:
                    errors.append(error.args[0])
    finally:
        conn.close()


def test_a_reader_during_a_large_delete_insert_merge_sees_only_the_old_or_the_new_count(project):
    _fill_source(project, 20_000)
    # dbt-mysql's DELETE ... WHERE id IN (SELECT id FROM <temporary table>)
    # is a nested scan on MariaDB: 1,000 touched keys keep it within seconds.
    project.write_model("history", f"select id, tenant, amount from {_source(project)}"
                        "{% if is_incremental() %} where id > 19000{% endif %}",
                        "materialized='incremental', unique_key='id', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    project.sql.execute(f"UPDATE {_source(project)} SET amount = amount + 1 WHERE id > 19000")
    project.sql.execute(f"INSERT INTO {_source(project)} VALUES (20001, 1, 1), (20002, 2, 2)")
    stop, counts, errors = threading.Event(), set(), []
    reader = threading.Thread(target=_poll_counts, args=(project.settings, f"`{project.gold}`.history", stop, counts, errors))
    reader.start()
    try:
        outcome = project.run()
    finally:
        stop.set()
        reader.join()

    assert outcome.success, outcome.log
    assert not errors
    assert counts <= {20_000, 20_002} and 20_000 in counts
    assert project.count("history") == 20_002
    [verdict] = project.audits("invocation_id = %s and check_name = 'volume'", (outcome.invocation_id,))
    assert (verdict["rows_before"], verdict["rows_after"], verdict["verdict"]) == (20_000, 20_002, "published")


def test_dbt_retry_audits_again_refuses_the_same_build_and_publishes_a_fixed_one(project):
    _fill_source(project, 60)
    project.write_model("summary", f"select id, amount from {_source(project)}",
                        "materialized='table', meta={'safeguard': {'protect': true}}")
    assert project.run().success
    before = project.state("summary")
    _fill_source(project, 0)
    assert not project.run().success

    again = project.dbt("retry")

    assert "refused to publish" in again.log and not again.success
    assert project.state("summary") == before
    # dbt retry re-runs the failed command: flags.WHICH, recorded as command, is `run`
    assert [(v["command"], v["verdict"]) for v in project.audits("invocation_id = %s", (again.invocation_id,))] == [
        ("run", "refused")]

    _fill_source(project, 61)
    fixed = project.dbt("retry")

    assert fixed.success, fixed.log
    assert project.count("summary") == 61
    [verdict] = project.audits("invocation_id = %s", (fixed.invocation_id,))
    assert (verdict["command"], verdict["verdict"], verdict["rows_before"], verdict["rows_after"]) == ("run", "published", 60, 61)


# --- cases 3 and 4: the model's own tests, against the candidate --------------

UNIQUE_ID_YML = """version: 2
models:
  - name: {name}
    columns:
      - name: id
        tests: [unique, not_null]
"""


@pytest.mark.parametrize("command", ["run", "build"])
def test_table_model_whose_build_breaks_its_unique_test_is_refused_before_publish(project, command):
    _fill_source(project, 80)
    project.write_model("orders", f"select id, amount from {_source(project)}",
                        "materialized='table', meta={'safeguard': {'protect': true}}")
    project.write("models/orders.yml", UNIQUE_ID_YML.format(name="orders"))
    assert project.run().success
    before = project.state("orders")
    # tonight's refactor joins in a way that duplicates ids
    project.write_model("orders", f"select e.id, e.amount from {_source(project)} as e"
                        f" join {_source(project)} as d on d.id in (e.id, e.id + 1)",
                        "materialized='table', meta={'safeguard': {'protect': true}}")

    outcome = project.dbt(command)

    line = _refused_line(outcome)
    assert project.state("orders") == before
    assert "unique_orders_id" in line and "79 failing row(s)" in line
    _assert_refused_candidate(project, outcome, "orders", line)
    [failed] = [v for v in project.audits("invocation_id = %s", (outcome.invocation_id,)) if not v["passed"]]
    assert failed["check_name"] == "unique_orders_id"


def test_append_only_incremental_that_re_appends_rows_its_unique_test_forbids_is_rolled_back(project):
    _fill_source(project, 50)
    project.write_model("appended", f"select id, tenant, amount from {_source(project)}"
                        "{% if is_incremental() %} where id > (select max(id) - 5 from {{ this }}){% endif %}",
                        "materialized='incremental', meta={'safeguard': {'protect': true}}")
    project.write("models/appended.yml", UNIQUE_ID_YML.format(name="appended"))
    assert project.run().success
    before = project.state("appended")
    project.sql.execute(f"INSERT INTO {_source(project)} VALUES (51, 1, 1)")

    outcome = project.run()

    line = _refused_line(outcome)
    assert project.state("appended") == before
    assert "unique_appended_id" in line
    kept = _assert_refused_candidate(project, outcome, "appended", line)
    # the increment the run would have appended: ids 46..51
    assert project.count(kept["backup_table"], kept["backup_schema"]) == 6
