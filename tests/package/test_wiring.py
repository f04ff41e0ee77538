"""Every partial wiring of the documented install lines either protects
fully or changes no protected table (issue 7, item 1).

The documented install is two on-run-start lines, one on-run-end line and
the root-project file macros/safeguard_materializations.sql, required on
every dbt version (issue 16, item 3). Each case below
leaves some of it out (or adds the older require_backup pre-hook) and runs
the next night's build with a protected incremental whose post-hook fails
after its insert committed.
"""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from safeguard_testing.harness import copy_reference_project
from safeguard_testing.reference_warehouse import FAILING_POST_HOOK, Warehouse, build_warehouse

CREATE = "{{ safeguard.create_backups() }}"
PRUNE = "{{ safeguard.prune_backups() }}"
FINISH = "{{ safeguard.finish_run(results) }}"
PRE_HOOK = "{{ safeguard.require_backup() }}"
MATERIALIZATIONS_FILE = "macros/safeguard_materializations.sql"


@dataclasses.dataclass(frozen=True)
class Wiring:
    name: str
    on_run_start: tuple
    on_run_end: tuple
    materializations_file: bool
    pre_hook: bool = False
    explicit_overrides_flag: bool = False  # dbt >= 1.8's default: builtins win over package materializations
    protects: bool = True  # else: changes no protected table
    message: str = ""


MISSING_FILE = "add macros/safeguard_materializations.sql"

WIRINGS = [
    Wiring("documented", (CREATE, PRUNE), (FINISH,), True),
    Wiring("documented_with_builtin_materializations_flag", (CREATE, PRUNE), (FINISH,), True,
           explicit_overrides_flag=True),
    Wiring("create_backups_only", (CREATE,), (), False, protects=False,
           message='no on-run-end line "{{ safeguard.finish_run(results) }}"'),
    Wiring("create_backups_and_finish_run", (CREATE,), (FINISH,), False, protects=False, message=MISSING_FILE),
    Wiring("pre_hook_only", (), (), False, pre_hook=True, protects=False,
           message='no on-run-start line "{{ safeguard.create_backups() }}"'),
    Wiring("materializations_file_only", (), (), True, protects=False,
           message='no on-run-start line "{{ safeguard.create_backups() }}"'),
    # The file is a required line of the install on every dbt version: without
    # it create_backups refuses the whole run before any node, whatever the flag.
    Wiring("hooks_without_materializations_file", (CREATE, PRUNE), (FINISH,), False, protects=False,
           message=MISSING_FILE),
    Wiring("hooks_and_pre_hook_with_builtin_materializations", (CREATE, PRUNE), (FINISH,), False,
           pre_hook=True, explicit_overrides_flag=True, protects=False, message=MISSING_FILE),
    Wiring("hooks_with_builtin_materializations", (CREATE, PRUNE), (FINISH,), False, explicit_overrides_flag=True,
           protects=False, message=MISSING_FILE),
]


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def base(request, tmp_path_factory, server, schema_prefix, day_dumps):
    """The reference warehouse built on day 1 with the documented wiring."""
    wh = build_warehouse(tmp_path_factory, server, schema_prefix, request.param, day_dumps, tag="wir")
    wh.load_day(1)
    assert wh.dbt("seed").success
    assert wh.run().success
    wh.load_day(2)
    yield wh
    wh.sql.close()


def _wired_project(base, wiring, tmp_path):
    project = copy_reference_project(tmp_path)
    config_path = project / "dbt_project.yml"
    config = yaml.safe_load(config_path.read_text())
    config["on-run-start"] = list(wiring.on_run_start)
    config["on-run-end"] = list(wiring.on_run_end)
    if wiring.pre_hook:
        config["models"]["safeguard_reference"]["+pre-hook"] = PRE_HOOK
    if wiring.explicit_overrides_flag:
        config["flags"] = {"require_explicit_package_overrides_for_builtin_materializations": True}
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    if not wiring.materializations_file:
        (project / MATERIALIZATIONS_FILE).unlink()
    wired = Warehouse(project, base.settings, base.prefix, base.dumps)
    assert wired.dbt("deps").success
    return wired


@pytest.mark.parametrize("wiring", WIRINGS, ids=[w.name for w in WIRINGS])
def test_partial_wiring_protects_fully_or_changes_no_protected_table(base, wiring, tmp_path):
    wired = _wired_project(base, wiring, tmp_path)
    history = f"{base.schema('silver')}.tenant_status_history"
    base.change_tenant_statuses(3)  # tonight's changes: a build would change the tables
    before = base.snapshot()
    try:
        with wired.prepend_to_model("silver/tenant_status_history.sql", FAILING_POST_HOOK):
            outcome = wired.dbt("run")
        after = base.snapshot()
        backups = base.catalog("kind = 'backup' and invocation_id = %s", (outcome.invocation_id,))
    finally:
        wired.sql.close()
    assert not outcome.success  # the post-hook fails in every wiring
    if not wiring.protects:
        assert after == before, "a protected table changed without protection"
        assert wiring.message in outcome.log + (outcome.error or "")
        assert not backups, "a refused run took backups"
        assert not base.sql.rows(f"SELECT 1 FROM `{base.catalog_schema}`.safeguard_run_lease")
        return
    # Protection is complete: the failed model was rolled back, and every
    # protected table the run rebuilt has a verified backup of its pre-run state.
    assert after[history] == before[history]
    by_table = {f"{row['source_schema']}.{row['source_table']}": row for row in backups}
    built = [f"{schema}.{table}" for schema, table in base.protected() if outcome.status_of(table) == "success"]
    assert built, "the run built no protected table"
    for name in built:
        backup = by_table[name]
        assert backup["status"] == "verified", name
        assert base.sql.table_rows(backup["backup_schema"], backup["backup_table"]) == before[name][1], name
    # The run gave its lease back: the next night is not refused.
    assert not base.sql.rows(f"SELECT 1 FROM `{base.catalog_schema}`.safeguard_run_lease")


def test_override_flag_without_the_file_changes_no_protected_seed(base, tmp_path):
    """dbt's flag makes dbt use its own seed materialization: create_backups
    refuses the run before any node, so a protected seed keeps its rows."""
    wiring = next(w for w in WIRINGS if w.name == "hooks_with_builtin_materializations")
    wired = _wired_project(base, wiring, tmp_path)
    config_path = wired.project / "dbt_project.yml"
    config = yaml.safe_load(config_path.read_text())
    config["seeds"]["safeguard_reference"]["tenant_statuses"]["+meta"] = {"safeguard": {"protect": True}}
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    seed = wired.project / "seeds" / "tenant_statuses.csv"
    seed.write_text("\n".join(seed.read_text().splitlines()[:2]) + "\n")  # tonight's seed: one row
    table = (base.schema("silver"), "tenant_statuses")
    before = (base.sql.checksum(*table), base.sql.table_rows(*table))
    catalog_before = base.catalog()
    try:
        outcome = wired.dbt("seed")
    finally:
        wired.sql.close()
    assert not outcome.success
    assert MISSING_FILE in outcome.log + (outcome.error or "")
    assert len(before[1]) > 1
    assert (base.sql.checksum(*table), base.sql.table_rows(*table)) == before
    assert base.catalog() == catalog_before
