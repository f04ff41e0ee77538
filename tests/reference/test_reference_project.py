"""The reference warehouse builds from two days of OLTP dumps, under both adapter types.

One module-scoped build per adapter type: load day 1's dump into staging,
`dbt seed`, `dbt run --fail-fast`, `dbt test`; then the same with day 2. The
tests below assert on what that left in the warehouse.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from dbt_safeguard.dbt_invoker import DbtOutcome

from safeguard_testing import oltp_day, oltp_dump, oltp_simulation
from safeguard_testing.harness import copy_reference_project, external_server_settings
from safeguard_testing.reference_warehouse import PROTECTED, Warehouse

SIZE = oltp_simulation.DEFAULT_SIZE
DAYS = (1, 2)
MYSQL8_SQL_MODE = (
    "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)


@dataclasses.dataclass
class TwoDayBuild:
    warehouse: Warehouse
    steps: List[DbtOutcome] = dataclasses.field(default_factory=list)
    snapshots: Dict[object, dict] = dataclasses.field(default_factory=dict)
    history: Dict[int, list] = dataclasses.field(default_factory=dict)

    def schema(self, name: str) -> str:
        return self.warehouse.schema(name)

    def step(self, command: str, *args: str) -> None:
        """Run a dbt command unless an earlier one failed."""
        if self.failure() is None:
            self.steps.append(self.warehouse.dbt(command, *args))

    def failure(self) -> Optional[str]:
        for outcome in self.steps:
            if not outcome.success:
                return f"dbt {outcome.args[0]} failed: {outcome.error}\n" + "\n".join(outcome.log_lines[-40:])
        return None


@pytest.fixture(scope="module")
def oltp_dumps(server, tmp_path_factory) -> Dict[int, Path]:
    folder = tmp_path_factory.mktemp("oltp_dumps")
    return {day: oltp_dump.write_dump(day, folder / f"day{day}.sql.gz", server, size=SIZE).path for day in DAYS}


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def build(request, server, schema_prefix, oltp_dumps, tmp_path_factory) -> TwoDayBuild:
    adapter_type = request.param
    # A prefix of our own keeps the two adapter builds, and anything else on
    # the session's server, out of each other's schemas.
    warehouse = Warehouse(
        copy_reference_project(tmp_path_factory.mktemp(f"reference_{adapter_type}")),
        dataclasses.replace(server, adapter_type=adapter_type),
        f"{schema_prefix}ref_{adapter_type}_",
        oltp_dumps,
    )
    result = TwoDayBuild(warehouse)
    sql = warehouse.sql
    previous_sql_mode = sql.scalar("SELECT @@GLOBAL.sql_mode")
    if external_server_settings() is None:
        # Our own server: hold the build to MySQL 8's stricter default sql_mode
        # (ONLY_FULL_GROUP_BY above all), which MariaDB does not enable.
        sql.execute("SET GLOBAL sql_mode = %s", (MYSQL8_SQL_MODE,))
    try:
        result.step("deps")
        for day in DAYS:
            warehouse.load_day(day)
            result.step("seed")
            result.step("run", "--fail-fast")
            result.step("test")
            if result.failure() is not None:
                break
            result.snapshots[day] = warehouse.snapshot()
            result.history[day] = sql.rows(
                "SELECT tenant_id, status_code, valid_from, valid_to"
                f" FROM `{result.schema('silver')}`.tenant_status_history ORDER BY tenant_id, valid_from"
            )
        else:
            # A rerun after a failed night sees the same snapshot again.
            result.step("run", "--fail-fast", "--select", "config.materialized:incremental")
            result.snapshots["rerun"] = warehouse.snapshot()
        yield result
    finally:
        sql.execute("SET GLOBAL sql_mode = %s", (previous_sql_mode,))
        sql.drop_schemas(warehouse.prefix)
        sql.close()


@pytest.fixture
def built(build) -> TwoDayBuild:
    failure = build.failure()
    if failure is not None:
        pytest.fail(failure)
    return build


def tenant_statuses(day: int) -> Dict[int, int]:
    columns = oltp_day.COLUMNS["tenants"]
    tenant_id, status = columns.index("tenant_id"), columns.index("status")
    return {row[tenant_id]: row[status] for row in oltp_day.generate_day(day, size=SIZE)["tenants"]}


def test_day_one_and_day_two_build_and_pass_dbt_test(built):
    commands = [outcome.args[0] for outcome in built.steps]
    assert commands == ["deps"] + ["seed", "run", "test"] * len(DAYS) + ["run"]
    for outcome in built.steps[1:]:
        assert outcome.nodes, f"{outcome.args[0]} ran no nodes"
        assert {node.status for node in outcome.nodes} <= {"success", "pass"}, outcome.nodes


def test_an_ordinary_night_publishes_every_protected_model_with_every_audit_passing(built):
    """No false alarm: day 2's run audits each of the six protected models
    before publishing it, and every check passes."""
    day_two_run = [outcome for outcome in built.steps if outcome.args[0] == "run"][1]
    rows = built.warehouse.sql.rows(
        "SELECT source_schema, source_table, check_name, passed, verdict, materialized, detail"
        f" FROM `{built.warehouse.catalog_schema}`.safeguard_audits WHERE invocation_id = %s",
        (day_two_run.invocation_id,),
    )
    assert {(schema, table) for schema, table, *_ in rows} == {
        (built.schema(schema), table) for schema, table in PROTECTED
    }
    assert all(passed == 1 and verdict == "published" for _, _, _, passed, verdict, _, _ in rows), rows
    assert {check for _, _, check, *_ in rows} >= {"volume"}
    assert "refused to publish" not in day_two_run.log


def test_exactly_the_six_tables_of_the_incident_are_marked_protected(built):
    manifest = json.loads((built.warehouse.project / "target" / "manifest.json").read_text())
    protected = {
        (node["config"]["schema"], node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["meta"].get("safeguard", {}).get("protect") is True
    }
    assert protected == set(PROTECTED)


def test_day_one_opens_one_period_per_tenant_on_the_snapshot_date(built):
    day_one = oltp_day.date_of_day(1)
    assert built.history[1] == [
        (tenant_id, status, day_one, None) for tenant_id, status in sorted(tenant_statuses(1).items())
    ]


def test_day_two_adds_periods_only_for_new_and_changed_tenants(built):
    before, after = tenant_statuses(1), tenant_statuses(2)
    changed = {tenant for tenant, status in after.items() if before.get(tenant) != status}
    assert changed, "the generator's day 2 must change some statuses"
    day_two = oltp_day.date_of_day(2)
    added = {(row[0], row[1]) for row in built.history[2] if row[2] == day_two}
    assert added == {(tenant, after[tenant]) for tenant in changed}


def test_day_two_closes_each_superseded_period_where_the_new_one_starts(built):
    before, after = tenant_statuses(1), tenant_statuses(2)
    day_one, day_two = oltp_day.date_of_day(1), oltp_day.date_of_day(2)
    closed = {row[0] for row in built.history[2] if row[3] is not None}
    assert closed == {tenant for tenant in before if before[tenant] != after[tenant]}
    assert all(row[3] == day_two for row in built.history[2] if row[3] is not None)
    assert all(row[2] == day_one for row in built.history[2] if row[3] is not None)


def test_history_keeps_exactly_one_open_period_per_tenant_with_its_current_status(built):
    open_periods = {row[0]: row[1] for row in built.history[2] if row[3] is None}
    assert len(open_periods) == sum(1 for row in built.history[2] if row[3] is None)
    assert open_periods == tenant_statuses(2)


def test_day_two_changes_all_six_protected_tables(built):
    # The default day 2 holds every kind of event (see test_tenant_data).
    changed = {name for name, state in built.snapshots[2].items() if built.snapshots[1].get(name) != state}
    assert changed == {f"{built.schema(schema)}.{table}" for schema, table in PROTECTED}


def test_incremental_moveout_notices_match_day_two_movings(built, sql):
    columns = oltp_day.COLUMNS["movings"]
    expected = sorted(
        (row[0], row[columns.index("notified_on")], row[columns.index("is_cancelled")],
         int(row[columns.index("completed_on")] is not None))
        for row in oltp_day.generate_day(2, size=SIZE)["movings"]
        if row[columns.index("moving_type")] == oltp_simulation.MOVE_OUT
    )
    assert sql.rows(
        "SELECT moving_id, notified_on, is_withdrawn, is_completed"
        f" FROM `{built.schema('gold')}`.moveout_notices ORDER BY moving_id"
    ) == [tuple(row) for row in expected]


def test_status_transitions_label_each_period_with_the_status_it_followed(built, sql):
    labels = dict(sql.rows(f"SELECT status_code, status_name FROM `{built.schema('silver')}`.tenant_statuses"))
    expected, previous = [], {}
    for tenant_id, status, valid_from, _ in built.history[2]:
        before = labels[previous[tenant_id]] if tenant_id in previous else "New"
        expected.append((tenant_id, valid_from, f"{before} → {labels[status]}"))
        previous[tenant_id] = status
    transitions = sql.rows(
        "SELECT tenant_id, effective_date, status_transition"
        f" FROM `{built.schema('gold')}`.tenant_status_transitions"
    )
    assert sorted(transitions) == sorted(expected)
    assert any(not label.startswith("New → ") for _, _, label in transitions)


def test_rerunning_the_same_snapshot_leaves_the_incremental_tables_unchanged(built):
    rerun = {name: state for name, state in built.snapshots["rerun"].items()
             if name.endswith(("tenant_status_history", "moveout_notices"))}
    assert len(rerun) == 2
    assert rerun == {name: built.snapshots[2][name] for name in rerun}


def test_a_malformed_snapshot_date_var_is_refused_before_anything_runs(built):
    outcome = built.warehouse.dbt("compile", "--select", "tenant_status_history", "--vars", "{snapshot_date: 6/2/2026}")
    assert not outcome.success
    assert "var snapshot_date must be a date like 2026-02-06, got '6/2/2026'" in (outcome.error or outcome.log)


def test_seeds_and_staging_keep_japanese_text_and_awkward_notes_intact(built, sql):
    assert sql.scalar(
        f"SELECT status_name_ja FROM `{built.schema('silver')}`.tenant_statuses WHERE status_code = 3"
    ) == "入居中"
    notes = {row[0] for row in sql.rows(f"SELECT notes FROM `{built.schema('staging')}`.stg_tenants")}
    assert 'Said "no smoking" twice; check the lease\nSecond line: prefers the top floor' in notes
    assert "Allergic to cats 🐱; needs a room away from the lounge" in notes
