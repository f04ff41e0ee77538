"""The happy path as the ETL user with the documented minimal grants, not as
root: two nights, a restore and a prune."""
from __future__ import annotations

import dataclasses
import secrets

import pytest

from faults.grants import grant_statements

HISTORY = "silver.tenant_status_history"


@pytest.fixture
def etl_user(lab):
    user, password = f"sg_etl_{secrets.token_hex(3)}", "pw-" + secrets.token_hex(8)
    admin = lab.admin.connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%%' IDENTIFIED BY %s", (password,))
        yield user, password
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()


@pytest.fixture
def granted_pipeline(lab, etl_user, adapter_type):
    """A pipeline that runs as the ETL user with the documented minimal grants."""
    user, password = etl_user
    settings = dataclasses.replace(lab.settings(adapter_type), user=user, password=password)
    pipeline = lab.pipeline(adapter_type, settings=settings)
    try:
        for statement in grant_statements(user, "%", pipeline.prefix):
            pipeline.sql.execute(statement)
        yield pipeline
    finally:
        pipeline.drop_everything()
        pipeline.close()


@pytest.mark.parametrize("adapter_type", ["mariadb"])
def test_pipeline_runs_as_the_least_privileged_etl_user(lab, etl_user, adapter_type, granted_pipeline):
    user, _ = etl_user
    pipeline = granted_pipeline
    settings = pipeline.settings
    granted = pipeline.sql.rows(f"SHOW GRANTS FOR '{user}'@'%'")
    assert not [g for g in granted if "ON *.*" in g[0] and "USAGE" not in g[0]], granted
    for day in (1, 2):
        done = pipeline.night(day)
        assert done.returncode == 0, f"night {day} as {user}: {done.explain()}"
        assert pipeline.states() == lab.oracle(adapter_type, tuple(range(1, day + 1)))
    restore = pipeline.operation("restore_backup", f"{{table: {pipeline.schema('silver')}.tenant_status_history}}")
    assert restore.returncode == 0, restore.explain()
    assert pipeline.states()[HISTORY] == lab.oracle(adapter_type, (1,))[HISTORY]
    prune = pipeline.operation("prune_backups", "{retention_days: 0, keep_last: 1}")
    assert prune.returncode == 0, prune.explain()
    # and the least-privileged user cannot reach outside its schemas
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'mysql'")
            assert cur.fetchone()[0] == 0
    finally:
        conn.close()


@pytest.mark.parametrize("adapter_type", ["mysql", "mariadb"])
def test_a_missing_drop_is_found_before_anything_is_built(etl_user, adapter_type, granted_pipeline):
    """Without DROP on a protected schema, create_backups' probe refuses the
    night before any model is built: no protected table changes, no backup
    or `planned` catalog row and no `__dbt_tmp` table is left, and the ETL
    exits non-zero with one line naming the privilege and the schema."""
    user, _ = etl_user
    pipeline = granted_pipeline
    night = pipeline.night(1)
    assert night.returncode == 0, night.explain()
    silver = pipeline.prefix + "silver"
    pipeline.sql.execute(f"REVOKE DROP ON `{silver.replace('_', chr(92) + '_')}`.* FROM '{user}'@'%'")
    warehouse = tuple(pipeline.schema(s) for s in ("silver", "gold", "analytics"))
    states, catalog = pipeline.states(), pipeline.catalog_rows()
    tables = [t for t in pipeline.tables() if t[0] in warehouse]

    refused = pipeline.night(2)

    assert refused.returncode != 0
    # The RENAME step of the probe is the first to need DROP on silver.
    assert f"lacks ALTER and DROP (RENAME TABLE) on schema {silver} (1142 DROP command denied" in refused.explain()
    assert pipeline.states() == states
    assert pipeline.catalog_rows() == catalog
    # no __dbt_tmp; only the probe's scratch table, which the refusal names (no DROP to drop it)
    new = [t for t in pipeline.tables() if t[0] in warehouse and t not in tables]
    assert [t[1] for t in new] == [name for name in (t[1] for t in new) if name.startswith("safeguard_probe_")]
    assert all(f"then drop the probe's scratch table {s}.{t}" in refused.explain() for s, t in new)
    assert pipeline.leases() == []


@pytest.mark.parametrize("adapter_type", ["mysql", "mariadb"])
def test_a_missing_create_routine_is_found_before_anything_is_built(etl_user, adapter_type, granted_pipeline):
    """Without CREATE ROUTINE on the catalog schema, the package cannot create
    the procedures its bounded DDL and its probes run in (on first use, in a
    new catalog): the first night stops before any model is built, and the
    ETL's line names the privilege, the schema and the server's error."""
    user, _ = etl_user
    pipeline = granted_pipeline
    analytics = pipeline.schema("analytics")
    pipeline.sql.execute(f"REVOKE CREATE ROUTINE ON `{analytics.replace('_', chr(92) + '_')}`.* FROM '{user}'@'%'")
    warehouse = tuple(pipeline.schema(s) for s in ("silver", "gold"))

    refused = pipeline.night(1)

    assert refused.returncode != 0
    reason = refused.explain()
    assert f"needs CREATE ROUTINE on schema {analytics}" in reason and "1044" in reason, reason
    assert "BaseResult" not in reason
    # nothing of the warehouse was built, and no lease is left
    assert [t for t in pipeline.tables() if t[0] in warehouse] == []
    assert pipeline.leases() == []
