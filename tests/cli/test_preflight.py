"""`safeguard preflight`: both branches of every protected model checked by the server, nothing written."""
from __future__ import annotations

import json
import logging
import time
import uuid

import pytest

from dbt_safeguard.cli.main import main
from dbt_safeguard.preflight.server_check import ServerCheck, StatementError

from safeguard_testing import oltp_dump
from safeguard_testing.harness import Sql
from safeguard_testing.reference_warehouse import PROTECTED, build_warehouse

pytestmark = pytest.mark.slow
INCREMENTALS = {"silver.tenant_status_history", "gold.moveout_notices"}


@pytest.fixture(scope="module")
def dumps(server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("preflight_dumps")
    return {day: oltp_dump.write_dump(day, folder / f"day{day}.sql", server, size=40).path for day in (1, 2)}


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def warehouse(request, tmp_path_factory, server, schema_prefix, dumps):
    """The reference project; its first test loads day 1 into staging and nothing else."""
    wh = build_warehouse(tmp_path_factory, server, schema_prefix + "pf", request.param, dumps)
    yield wh
    wh.sql.close()


def preflight(wh, capsys, monkeypatch, *extra):
    """Exit code and the JSON events of one `safeguard preflight`."""
    monkeypatch.setenv("SAFEGUARD_SCHEMA_PREFIX", wh.prefix)
    capsys.readouterr()  # what the test's own dbt commands printed
    code = main(["preflight", "--project-dir", str(wh.project), "--host", wh.settings.host,
                 "--port", str(wh.settings.port), "--user", wh.settings.user,
                 "--adapter-type", wh.settings.adapter_type, "--log-format", "json", *extra])
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    logging.getLogger("safeguard").handlers.clear()
    return code, events


def server_state(wh):
    """What "writes nothing" is checked on: every relation under the prefix, its
    columns and view text, and every table's checksum."""
    like = wh.prefix.replace("_", "\\_") + "%"
    relations = wh.sql.rows("SELECT table_schema, table_name, table_type FROM information_schema.tables"
                            " WHERE table_schema LIKE %s ORDER BY 1, 2", (like,))
    columns = wh.sql.rows("SELECT table_schema, table_name, column_name, column_type FROM information_schema.columns"
                          " WHERE table_schema LIKE %s ORDER BY 1, 2, ordinal_position", (like,))
    views = wh.sql.rows("SELECT table_schema, table_name, view_definition FROM information_schema.views"
                        " WHERE table_schema LIKE %s ORDER BY 1, 2", (like,))
    return relations, columns, views, wh.all_tables()


def checked(wh, events):
    """{schema.table without the prefix: {branches the server checked}}."""
    result = {}
    for e in named(wh, events, "ok"):
        result.setdefault(e["relation"][len(wh.prefix):], set()).add(e["branch"])
    return result


def named(wh, events, status):
    return [e for e in events if e["event"] == "preflight" and e.get("status") == status]


def test_first_night_passes_and_skips_each_incremental_branch_with_a_line(warehouse, capsys, monkeypatch):
    warehouse.load_day(1)  # staging only: no seed, no model built yet
    before = server_state(warehouse)

    code, events = preflight(warehouse, capsys, monkeypatch)

    assert code == 0, events
    skipped = {(e["relation"], e["branch"]): e["reason"] for e in named(warehouse, events, "skip")}
    for relation in INCREMENTALS:
        schema, table = relation.split(".")
        assert "does not exist yet" in skipped[(warehouse.schema(schema) + "." + table, "incremental")]
    assert not named(warehouse, events, "fail")
    assert server_state(warehouse) == before


def test_ordinary_night_checks_both_branches_of_every_protected_model(warehouse, capsys, monkeypatch):
    assert warehouse.dbt("seed").success
    first = warehouse.run()
    assert first.success, first.log
    warehouse.load_day(2)
    before = server_state(warehouse)

    started = time.monotonic()
    code, events = preflight(warehouse, capsys, monkeypatch)
    took = time.monotonic() - started

    assert code == 0, [e["message"] for e in events]
    expected = {f"{schema}.{table}": ({"incremental", "full-refresh"} if f"{schema}.{table}" in INCREMENTALS
                                      else {"table"}) for schema, table in PROTECTED}
    assert checked(warehouse, events) == expected
    assert not named(warehouse, events, "skip") and not named(warehouse, events, "fail")
    (summary,) = [e for e in events if e["event"] == "preflight_summary"]
    # one round trip per statement, plus the session setting and two catalogue reads
    assert summary["round_trips"] == summary["statements"] + 3
    print(f"preflight of the reference project ({warehouse.settings.adapter_type}): {took:.1f}s, "
          f"dbt {summary['dbt_seconds']:.1f}s, {summary['statements']} statements")
    assert server_state(warehouse) == before


def test_night_with_a_new_seed_and_a_new_upstream_column_passes(warehouse, capsys, monkeypatch):
    seed = warehouse.project / "seeds" / "payment_methods.csv"
    seed.write_text("method_code,method_name\n1,card\n2,transfer\n")
    before = server_state(warehouse)
    try:
        with warehouse.edit_model("staging/stg_tenants.sql", "    tenants.updated_at\n",
                                  "    tenants.updated_at,\n    1 as payment_method_code\n"), \
             warehouse.edit_model("silver/int_contracts.sql", "    tenants.full_name as tenant_name,\n",
                                  "    tenants.full_name as tenant_name,\n    tenants.payment_method_code,\n"
                                  "    (select max(methods.method_name) from {{ ref('payment_methods') }}"
                                  " as methods) as any_payment_method,\n"):
            code, events = preflight(warehouse, capsys, monkeypatch)
    finally:
        seed.unlink()

    assert code == 0, [e["message"] for e in events]
    stand_ins = {e["relation"] for e in named(warehouse, events, "stand_in")}
    assert stand_ins >= {warehouse.schema("silver") + ".payment_methods", warehouse.schema("staging") + ".stg_tenants"}
    assert "table" in checked(warehouse, events)["silver.int_contracts"]
    assert server_state(warehouse) == before


def test_broken_branches_fail_naming_model_branch_and_server_error(warehouse, capsys, monkeypatch):
    before = server_state(warehouse)
    # Case 5 of the seed incident: the orphan comma breaks only the full-refresh branch.
    with warehouse.edit_model("silver/tenant_status_history.sql", "    cross join snapshot_day\n)\n\n"
                              "{%- if is_incremental() %},", "    cross join snapshot_day\n),\n\n"
                              "{%- if is_incremental() %}"), \
         warehouse.edit_model("gold/moveout_notices.sql", "max(source_updated_at)", "max(source_updated_att)"):
        code, events = preflight(warehouse, capsys, monkeypatch)

    assert code == 1
    failures = {(e["relation"].split(".", 1)[1], e["branch"]): e["error"] for e in named(warehouse, events, "fail")}
    assert "gold.moveout_notices" in [e["relation"][len(warehouse.prefix):] for e in named(warehouse, events, "fail")]
    assert set(failures) == {("tenant_status_history", "full-refresh"), ("moveout_notices", "incremental")}
    assert "server error 1064" in failures[("tenant_status_history", "full-refresh")]
    assert "1054" in failures[("moveout_notices", "incremental")]
    assert "source_updated_att" in failures[("moveout_notices", "incremental")]
    (error,) = [e["message"] for e in events if e["event"] == "error"]
    assert error.startswith("preflight: ") and "branch" in error and "server error" in error
    assert server_state(warehouse) == before


def test_server_resolves_names_at_prepare_and_runs_nothing(server):
    schema = f"pfcheck_{uuid.uuid4().hex[:6]}"
    sql = Sql(server)
    sql.execute(f"CREATE DATABASE `{schema}`")
    try:
        sql.execute(f"CREATE TABLE `{schema}`.t (id INT PRIMARY KEY, a INT)")
        sql.execute(f"INSERT INTO `{schema}`.t VALUES (1, 1), (2, 2)")
        before = sql.checksum(schema, "t")
        check = ServerCheck(server)
        try:
            t = f"`{schema}`.t"
            for statement in (f"SELECT id, a FROM {t}", f"INSERT INTO {t} (id, a) SELECT id + 10, a FROM {t}",
                              f"UPDATE {t} SET a = 0", f"DELETE FROM {t} WHERE a > 0"):
                check.prepare(statement)  # resolved and not run
            for statement in (f"SELECT nope FROM {t}", f"INSERT INTO {t} (id, a) SELECT nope, a FROM {t}",
                              f"UPDATE {t} SET nope = 0", f"DELETE FROM {t} WHERE nope > 0"):
                with pytest.raises(StatementError) as refused:
                    check.prepare(statement)
                assert refused.value.code == 1054
            with pytest.raises(StatementError) as missing:
                check.prepare(f"SELECT * FROM `{schema}`.no_such_table")
            assert missing.value.code == 1146
            # DDL is only parsed at PREPARE: preflight says so instead of calling it checked.
            check.prepare(f"ALTER TABLE `{schema}`.no_such_table ADD COLUMN x INT")
            started = time.monotonic()
            assert check.probe(f"SELECT id, SLEEP(5) AS slow FROM `{schema}`.t") == ["id", "slow"]
            assert time.monotonic() - started < 2  # LIMIT 0: no row was read
        finally:
            check.close()
        assert sql.checksum(schema, "t") == before
        assert sql.tables(schema) == ["t"]
    finally:
        sql.execute(f"DROP DATABASE `{schema}`")
        sql.close()
