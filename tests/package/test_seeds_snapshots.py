"""Protected seeds and snapshots, on a copy of the reference project that
protects the seed contract_types (4 rows) and a snapshot of the tenants.

A seed or snapshot whose backup was not taken is never changed; a snapshot
that fails after writing is rolled back (issue 7, item 9).
"""
from __future__ import annotations

import pytest
import yaml

from safeguard_testing.harness import copy_reference_project
from safeguard_testing.reference_warehouse import Warehouse

SNAPSHOT = """{% snapshot tenants_snapshot %}
{{ config(
    target_schema=env_var('SAFEGUARD_SCHEMA_PREFIX', '') ~ 'silver',
    unique_key='tenant_id',
    strategy='timestamp',
    updated_at='updated_at',
    meta={'safeguard': {'protect': true}},
) }}
POST_HOOK
select tenant_id, status, updated_at from {{ source('oltp', 'tenants') }}
{% endsnapshot %}
"""
FAILING_POST_HOOK = "{{ config(post_hook={'sql': 'select * from no_such_table_for_safeguard', 'transaction': false}) }}"
OTHER_RUN = "00000000-aaaa-bbbb-cccc-00000000000a"


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def warehouse(request, tmp_path_factory, server, schema_prefix, day_dumps):
    import dataclasses

    settings = dataclasses.replace(server, adapter_type=request.param)
    project = copy_reference_project(tmp_path_factory.mktemp(f"seeds_{request.param}"))
    config_path = project / "dbt_project.yml"
    config = yaml.safe_load(config_path.read_text())
    config["seeds"]["safeguard_reference"]["contract_types"]["+meta"] = {"safeguard": {"protect": True}}
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    (project / "snapshots").mkdir()
    (project / "snapshots" / "tenants_snapshot.sql").write_text(SNAPSHOT.replace("POST_HOOK", ""))
    wh = Warehouse(project, settings, f"{schema_prefix}ss{request.param[:2]}_", day_dumps)
    assert wh.dbt("deps").success
    wh.load_day(1)
    seeded = wh.dbt("seed")
    assert seeded.success, seeded.log
    snapshot = wh.dbt("snapshot")
    assert snapshot.success, snapshot.log
    yield wh
    wh.sql.close()


def _seed_rows(warehouse):
    return warehouse.sql.table_rows(warehouse.schema("silver"), "contract_types")


def _snapshot_rows(warehouse):
    return warehouse.sql.table_rows(warehouse.schema("silver"), "tenants_snapshot")


class _OtherRunHoldsTheLease:
    """Another invocation's fresh run lease: create_backups takes no backup."""

    def __init__(self, warehouse):
        self.warehouse = warehouse

    def __enter__(self):
        self.warehouse.sql.execute(
            f"REPLACE INTO `{self.warehouse.catalog_schema}`.safeguard_run_lease VALUES"
            f" ('run', '{OTHER_RUN}', 'run', UTC_TIMESTAMP())"
        )

    def __exit__(self, *exc):
        self.warehouse.sql.execute(
            f"DELETE FROM `{self.warehouse.catalog_schema}`.safeguard_run_lease WHERE invocation_id = %s", (OTHER_RUN,)
        )


def _shrunk_seed(warehouse):
    """The seed file with two of its four rows: a seed run would truncate and reload."""
    path = warehouse.project / "seeds" / "contract_types.csv"
    original = path.read_text()
    lines = original.splitlines(keepends=True)
    return path, original, "".join(lines[:3])


@pytest.mark.parametrize("bad_run", ["other_run_holds_the_lease", "bad_setting"])
def test_protected_seed_is_never_changed_when_its_backup_was_not_taken(warehouse, bad_run):
    before = _seed_rows(warehouse)
    assert len(before) == 4
    path, original, shrunk = _shrunk_seed(warehouse)
    path.write_text(shrunk)
    try:
        if bad_run == "other_run_holds_the_lease":
            with _OtherRunHoldsTheLease(warehouse):
                outcome = warehouse.dbt("seed")
        else:
            outcome = warehouse.dbt("seed", "--vars={safeguard_retention_days: -1}")
    finally:
        path.write_text(original)
    assert not outcome.success
    assert "refusing to build" in outcome.log
    assert _seed_rows(warehouse) == before


def test_protected_seed_is_reloaded_with_a_verified_backup(warehouse):
    before = _seed_rows(warehouse)
    path, original, shrunk = _shrunk_seed(warehouse)
    path.write_text(shrunk)
    try:
        # 4 -> 2 rows is past the audit's shrink limit (tests/package/test_audit.py): allowed for this run
        outcome = warehouse.dbt("seed", "--vars", "{safeguard_allow: [contract_types]}")
    finally:
        path.write_text(original)
    assert outcome.success, outcome.log
    assert len(_seed_rows(warehouse)) == 2
    [backup] = warehouse.catalog(
        "kind = 'backup' and invocation_id = %s and source_table = 'contract_types'", (outcome.invocation_id,)
    )
    assert backup["status"] == "verified"
    assert warehouse.sql.table_rows(backup["backup_schema"], backup["backup_table"]) == before
    assert warehouse.dbt("seed").success  # back to four rows
    assert _seed_rows(warehouse) == before


def test_protected_snapshot_is_never_changed_when_its_backup_was_not_taken(warehouse):
    before = _snapshot_rows(warehouse)
    warehouse.change_tenant_statuses(4)
    try:
        with _OtherRunHoldsTheLease(warehouse):
            outcome = warehouse.dbt("snapshot")
    finally:
        warehouse.load_day(1)
    assert not outcome.success
    assert OTHER_RUN in outcome.log
    assert _snapshot_rows(warehouse) == before


def test_failed_snapshot_is_rolled_back(warehouse):
    before = _snapshot_rows(warehouse)
    path = warehouse.project / "snapshots" / "tenants_snapshot.sql"
    warehouse.change_tenant_statuses(4)
    path.write_text(SNAPSHOT.replace("POST_HOOK", FAILING_POST_HOOK))
    try:
        outcome = warehouse.dbt("snapshot")
    finally:
        path.write_text(SNAPSHOT.replace("POST_HOOK", ""))
        warehouse.load_day(1)
    assert not outcome.success
    assert "ROLLBACK" in outcome.log, outcome.log
    assert _snapshot_rows(warehouse) == before
    replaced = warehouse.catalog("kind = 'replaced' and source_table = 'tenants_snapshot'")[-1]
    assert replaced["row_count"] > len(before), "the snapshot had written before it failed"
