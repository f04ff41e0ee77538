"""The model's own generic tests, evaluated on a candidate before publish
(issue 15, item 2): `safeguard._candidate_test_failures` on real tables.

A small project of its own (tests/package/fixtures/candidate_tests) declares
dbt's four built-in tests and three tests of a local package that stands in
for dbt-utils. A test-only macro calls the audit through `dbt run-operation`
on candidate tables made here, and as a post-hook inside `dbt run`, and logs
the result as JSON.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from dbt_safeguard.dbt_invoker import DbtInvoker
from safeguard_testing.harness import REFERENCE_PROJECT, REPO_ROOT, Sql

FIXTURES = Path(__file__).parent / "fixtures" / "candidate_tests"
ORDER_COLUMNS = "(id INT NULL, customer_id INT, order_day DATE, status VARCHAR(20), amount INT, coupon VARCHAR(10), note VARCHAR(10))"
EMPLOYEE_COLUMNS = "(id INT, manager_id INT)"
ORDERS = [
    (1, 1, "2026-01-01", "placed", 10, None, "x"),
    (2, 2, "2026-01-01", "shipped", 20, "c", "x"),  # note repeats: a severity-warn unique test fails, ignored
    (3, 3, "2026-01-02", "returned", None, None, "y"),  # amount null where status = 'returned': excluded by `where`
]
# One extra row per candidate, and the failure it must cause (test name prefix -> failing rows).
ORDER_CASES = {
    "c_ok": ([], {}),
    "c_dup_id": ([(1, 3, "2026-01-03", "placed", 5, "c", "z")], {"unique_orders_id": 1}),
    "c_null_id": ([(None, 3, "2026-01-03", "placed", 5, "c", "z")], {"not_null_orders_id": 1}),
    "c_bad_status": ([(4, 1, "2026-01-04", "lost", 5, "c", "z")], {"accepted_values_orders_status": 1}),
    "c_orphan": ([(5, 99, "2026-01-05", "placed", 1, "c", "z")], {"relationships_orders_customer_id": 1}),
    "c_negative": ([(6, 1, "2026-01-06", "placed", -5, "c", "z")], {"dbt_utils_expression_is_true_orders": 1}),
    "c_same_day": ([(7, 1, "2026-01-01", "placed", 3, "c", "z")], {"dbt_utils_unique_combination_of_columns_orders": 1}),
    "c_returned_without_amount": ([(8, 1, "2026-01-08", "returned", None, "c", "z")], {}),
    "c_placed_without_amount": ([(9, 1, "2026-01-09", "placed", None, "c", "z")], {"not_null_orders_amount": 1}),
    "c_three_without_coupon": ([(10, 2, "2026-01-10", "placed", 1, None, "z")], {"not_null_orders_coupon": 3}),
}


@dataclasses.dataclass
class AuditProject:
    invoker: DbtInvoker
    sql: Sql
    schema: str
    project: Path

    def table(self, name, columns, rows):
        self.sql.execute(f"DROP TABLE IF EXISTS `{self.schema}`.`{name}`")
        self.sql.execute(f"CREATE TABLE `{self.schema}`.`{name}` {columns}")
        for row in rows:
            marks = ", ".join(["%s"] * len(row))
            self.sql.execute(f"INSERT INTO `{self.schema}`.`{name}` VALUES ({marks})", row)

    def dbt(self, command, *args):
        return self.invoker.invoke(command, *args)

    def probe(self, cases, *args):
        outcome = self.dbt("run-operation", "probe_candidate_tests", "--args", json.dumps({"cases": cases}), *args)
        assert outcome.success, outcome.log
        return probes(outcome)

    def debug_log(self) -> str:
        return (self.project / "logs" / "dbt.log").read_text()


def probes(outcome):
    """{case or model name: result} from the PROBE lines of one invocation."""
    found = {}
    for line in outcome.log_lines:
        if line.startswith("PROBE "):
            _, name, payload = line.split(" ", 2)
            found[name] = json.loads(payload)
    return found


def failed(result):
    return {failure["test"]: failure["failing_rows"] for failure in result["failures"]}


def matches(failures, expected):
    """Each expected test-name prefix failed with its row count, and nothing else failed."""
    assert len(failures) == len(expected), failures
    for prefix, rows in expected.items():
        [name] = [name for name in failures if name.startswith(prefix)]
        assert failures[name] == rows, (name, failures)
    return True


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def audit(request, tmp_path_factory, server, schema_prefix):
    settings = dataclasses.replace(server, adapter_type=request.param)
    root = tmp_path_factory.mktemp(f"candidate_{request.param}")
    project = root / "project"
    shutil.copytree(FIXTURES / "project", project)
    shutil.copytree(FIXTURES / "checks", root / "checks")
    shutil.copy(REFERENCE_PROJECT / "profiles.yml", project / "profiles.yml")
    (project / "packages.yml").write_text(
        f"packages:\n  - local: {REPO_ROOT.resolve()}\n  - local: {(root / 'checks').resolve()}\n"
    )
    prefix = f"{schema_prefix}ct{request.param[:2]}_"
    schema = prefix + "analytics"
    sql = Sql(settings)
    sql.execute(f"CREATE DATABASE IF NOT EXISTS `{schema}`")
    wh = AuditProject(DbtInvoker(project, settings, extra_env={"SAFEGUARD_SCHEMA_PREFIX": prefix}), sql, schema, project)
    wh.table("raw_customers", "(id INT)", [(1,), (2,), (3,)])
    wh.table("raw_orders", ORDER_COLUMNS, ORDERS)
    wh.table("raw_events", "(event_id INT, kind VARCHAR(10))", [(i, "click") for i in range(1, 11)])
    wh.table("raw_lines", "(line_id INT, body VARCHAR(10))", [(i, "l") for i in range(1, 11)])
    wh.table("raw_employees", EMPLOYEE_COLUMNS, [(1, None), (2, 1)])
    assert wh.dbt("deps").success
    yield wh
    sql.close()


def test_a_run_audits_each_model_and_defers_a_relationship_to_a_model_built_alongside(audit):
    outcome = audit.dbt("run")

    assert outcome.success, outcome.log
    results = probes(outcome)
    orders = results["orders"]
    assert orders["failures"] == []
    # customers is selected too and is no ancestor of orders: not final yet.
    [deferred] = orders["deferred"]
    assert deferred["test"].startswith("relationships_orders_customer_id")
    assert "model.candidate_audit.customers is also built by this run" in deferred["reason"]
    assert any("left to dbt test" in line and deferred["test"] in line for line in outcome.log_lines)
    assert len(orders["checked"]) == 8  # 9 error tests, one deferred; warn-severity and disabled tests are not run
    assert not [name for name in orders["checked"] if "note" in name]
    # orders_of_customers refs customers, which dbt builds before it.
    assert [t for t in results["orders_of_customers"]["checked"] if t.startswith("relationships_")]
    assert results["orders_of_customers"]["deferred"] == []
    assert results["events"]["checked"][-1] == "unique_key(event_id)"


def test_a_relationship_to_a_model_this_run_does_not_build_is_evaluated(audit):
    audit.sql.execute(f"INSERT INTO `{audit.schema}`.raw_orders VALUES (11, 42, '2026-02-01', 'placed', 1, 'c', 'n')")
    try:
        outcome = audit.dbt("run", "--select", "orders")
    finally:
        audit.sql.execute(f"DELETE FROM `{audit.schema}`.raw_orders WHERE id = 11")

    assert outcome.success, outcome.log  # the probe only reports; publishing is the materialization's call
    orders = probes(outcome)["orders"]
    assert orders["deferred"] == []
    assert matches(failed(orders), {"relationships_orders_customer_id": 1})


def test_each_builtin_and_package_test_fails_exactly_the_candidate_that_breaks_it(audit):
    for name, (extra, _) in ORDER_CASES.items():
        audit.table(name, ORDER_COLUMNS, ORDERS + extra)
    audit.table("c_one_row", ORDER_COLUMNS, ORDERS[:1])

    results = audit.probe([{"name": name, "model": "orders", "candidate": name} for name in [*ORDER_CASES, "c_one_row"]])

    for name, (_, expected) in ORDER_CASES.items():
        assert matches(failed(results[name]), expected), name
        assert len(results[name]["checked"]) == 9 and results[name]["deferred"] == []
    # the package's own aggregate test runs on the whole candidate
    assert matches(failed(results["c_one_row"]), {"dbt_utils_at_least_rows_orders": 1})
    [detail] = [f["detail"] for f in results["c_dup_id"]["failures"]]
    assert detail == f"error_if != 0, on the whole candidate `{audit.schema}`.`c_dup_id`"


def _incremental_tables(audit, old, increment, name):
    """A candidate as a merge leaves it (old rows, then the increment's) and its increment."""
    audit.table(f"{name}_inc", "(event_id INT, kind VARCHAR(10))", increment)
    audit.table(name, "(event_id INT, kind VARCHAR(10))", old + increment)


def test_an_increment_scopes_row_checks_to_the_rows_the_run_wrote(audit):
    old = [(i, "click") for i in range(1, 201)] + [(500, "legacy")]  # an old row the test would reject
    _incremental_tables(audit, old, [(1001, "view")], "e_clean")
    _incremental_tables(audit, old, [(1002, "bogus")], "e_bogus")

    results = audit.probe([
        {"name": "scoped_clean", "model": "events", "candidate": "e_clean", "increment": "e_clean_inc"},
        {"name": "scoped_bogus", "model": "events", "candidate": "e_bogus", "increment": "e_bogus_inc"},
        {"name": "whole_clean", "model": "events", "candidate": "e_clean"},
    ])

    assert failed(results["scoped_clean"]) == {}
    assert matches(failed(results["scoped_bogus"]), {"accepted_values_events_kind": 1})
    assert matches(failed(results["whole_clean"]), {"accepted_values_events_kind": 1})  # the legacy row
    assert results["scoped_clean"]["checked"][-1] == "unique_key(event_id)"


def test_a_reappended_old_key_breaks_unique_key_and_unique_within_the_increment(audit):
    old = [(i, "click") for i in range(1, 201)]
    _incremental_tables(audit, old, [(7, "view"), (1001, "view")], "e_again")
    audit.table("l_inc", "(line_id INT, body VARCHAR(10))", [(50, "again"), (300, "new")])
    audit.table("l_again", "(line_id INT, body VARCHAR(10))", [(i, "l") for i in range(1, 201)] + [(50, "again"), (300, "new")])

    results = audit.probe([
        {"name": "events_again", "model": "events", "candidate": "e_again", "increment": "e_again_inc"},
        {"name": "lines_again", "model": "lines", "candidate": "l_again", "increment": "l_inc"},
        # dbt-mysql holds the increment in a TEMPORARY table, which MySQL opens once per statement
        {"name": "events_again_tmp", "model": "events", "candidate": "e_again", "increment": "e_again_inc", "temporary": True},
        {"name": "lines_again_tmp", "model": "lines", "candidate": "l_again", "increment": "l_inc", "temporary": True},
    ])

    for name in ("events_again", "events_again_tmp"):
        assert failed(results[name]) == {"unique_key(event_id)": 1}, name
        assert len(results[name]["checked"]) == 2
    for name in ("lines_again", "lines_again_tmp"):
        assert matches(failed(results[name]), {"unique_lines_line_id": 1})
        [deferred] = results[name]["deferred"]
        assert deferred["test"].startswith("relationships_lines_body") and "is ephemeral" in deferred["reason"]
    # cost follows the increment: the group-by reads only the candidate rows sharing a key with it
    debug = audit.debug_log()
    assert f"where (line_id) in (select line_id from `{audit.schema}`.`l_inc`)" in debug
    assert f"where (`event_id`) in (select `event_id` from `{audit.schema}`.`e_again_inc`)" in debug
    assert f"where (line_id) in (select line_id from `{audit.schema}`.`l_inc_tmp`)" in debug


def test_a_seed_candidate_is_audited_by_the_seeds_own_tests(audit):
    audit.table("s_ok", "(code VARCHAR(5), label VARCHAR(20))", [("A", "active"), ("I", "inactive")])
    audit.table("s_bad", "(code VARCHAR(5), label VARCHAR(20))", [("A", "active"), ("A", "again"), (None, "none")])

    results = audit.probe([
        {"name": name, "node": "seed.candidate_audit.statuses", "candidate": name} for name in ("s_ok", "s_bad")
    ])

    assert results["s_ok"]["failures"] == [] and len(results["s_ok"]["checked"]) == 2
    assert matches(failed(results["s_bad"]), {"unique_statuses_code": 1, "not_null_statuses_code": 1})


def test_jinja_in_a_test_argument_is_rendered_in_the_models_context_unless_it_calls_ref_or_source(audit):
    audit.table("cu_zero", "(id INT)", [(0,), (1,), (2,)])
    case = [{"name": "cu_zero", "model": "customers", "candidate": "cu_zero"}]

    default_floor = audit.probe(case)["cu_zero"]
    floor_zero = audit.probe(case, "--vars", "{min_customer_id: 0}")["cu_zero"]

    # expression "id >= {{ var('min_customer_id', 1) }}": id 0 is below the default floor of 1
    assert matches(failed(default_floor), {"dbt_utils_expression_is_true_customers_id": 1})
    assert failed(floor_zero) == {}
    for result in (default_floor, floor_zero):
        [deferred] = result["deferred"]
        assert "calls ref() or source() inside Jinja" in deferred["reason"]
        assert len(result["checked"]) == 2  # unique id and the var() expression


def test_a_relationship_of_a_model_to_itself_reads_the_candidate_as_its_parent(audit):
    old = [(1, None), (2, 1)]
    audit.table("emp_new_inc", EMPLOYEE_COLUMNS, [(3, 2), (4, 3)])  # 4's manager arrives in the same increment
    audit.table("emp_new", EMPLOYEE_COLUMNS, old + [(3, 2), (4, 3)])
    audit.table("emp_orphan_inc", EMPLOYEE_COLUMNS, [(5, 99)])
    audit.table("emp_orphan", EMPLOYEE_COLUMNS, old + [(5, 99)])

    results = audit.probe([
        {"name": name, "model": "employees", "candidate": name, "increment": f"{name}_inc", "temporary": True}
        for name in ("emp_new", "emp_orphan")
    ])

    assert results["emp_new"]["failures"] == [] and results["emp_new"]["deferred"] == []
    assert len(results["emp_new"]["checked"]) == 2  # the relationship and unique_key(id)
    assert matches(failed(results["emp_orphan"]), {"relationships_employees_manager_id": 1})
