"""The five SQL mistakes behind the 2026-02-06 outage, each planted into a copy
of a model, are each reported by the right rule; the fixed models pass."""
from __future__ import annotations

from pathlib import Path

import pytest

from safeguard_testing.lint_helpers import at_repo_root, project_linter


MODELS = Path(__file__).parent / "seed_models"
HISTORY = "tenant_status_history.sql"
TRANSITIONS = "tenant_status_transitions.sql"

MISTAKES = {
    "postgres_null_date_cast": (
        HISTORY,
        "CAST(NULL AS DATE) AS valid_to",
        "NULL::date AS valid_to",
        "SG01",
        (),
    ),
    "cte_comma_outside_is_incremental": (
        HISTORY,
        ")\n{% if is_incremental() %},",
        "),\n{% if is_incremental() %}",
        "PRS",
        ("full_refresh", "first_run"),
    ),
    "post_hook_update_reads_its_own_table": (
        HISTORY,
        "UPDATE {{ this }} AS t1 INNER JOIN (SELECT DISTINCT tenant_id FROM {{ this }} WHERE valid_from = CURDATE()) "
        "AS t2 ON t1.tenant_id = t2.tenant_id SET t1.valid_to = CURDATE() WHERE t1.valid_from < CURDATE() AND t1.valid_to IS NULL",
        "UPDATE {{ this }} SET valid_to = CURDATE() WHERE valid_to IS NULL AND tenant_id IN "
        "(SELECT DISTINCT tenant_id FROM {{ this }} WHERE valid_from = CURDATE())",
        "SG13",
        (),
    ),
    "alias_reused_in_same_select": (
        TRANSITIONS,
        """CONCAT(
            CASE previous_status WHEN 1 THEN 'active' WHEN 2 THEN 'notice' ELSE 'other' END,
            ' -> ',
            CASE status WHEN 1 THEN 'active' WHEN 2 THEN 'notice' ELSE 'other' END
        ) AS status_transition""",
        "CONCAT(previous_status_label, ' -> ', status_label) AS status_transition",
        "SG14",
        (),
    ),
    "order_by_name_hidden_by_rename": (
        TRANSITIONS,
        "ORDER BY tenant_id, effective_date",
        "ORDER BY tenant_id, valid_from",
        "SG15",
        (),
    ),
}


@pytest.fixture(scope="module")
def linter():
    return project_linter()


def lint(linter, path: Path):
    with at_repo_root():
        findings, _ = linter.lint_file(str(path))
    return findings


@pytest.mark.parametrize("model", [HISTORY, TRANSITIONS])
def test_fixed_model_lints_clean(linter, model):
    assert lint(linter, MODELS / model) == []


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_planted_mistake_is_reported_with_its_rule(linter, mistake, tmp_path):
    model, good, bad, code, branches = MISTAKES[mistake]
    source = (MODELS / model).read_text()
    assert good in source
    planted = tmp_path / model
    planted.write_text(source.replace(good, bad))
    bad_line = source[: source.index(good)].count("\n") + 1

    findings = lint(linter, planted)

    assert {f.code for f in findings} == {code}, [f.format() for f in findings]
    for finding in findings:
        assert finding.branches == branches
        if code == "PRS":
            # sqlfluff marks the whole statement; the message names the branch switch.
            assert f"line {bad_line + 1}" in finding.description, finding.format()
        else:
            # Reported at the planted text's source line (the hook's line for a hook).
            assert bad_line <= finding.line <= bad_line + bad.count("\n"), finding.format()


# The same five mistakes planted into copies of the reference project's own
# models. A plant whose anchor text the model no longer has is skipped (the
# fixture copies above still cover that mistake).
REFERENCE = Path(__file__).resolve().parents[2] / "dbt" / "models"
REFERENCE_PLANTS = {
    "postgres_null_date_cast": (
        "silver/tenant_status_history.sql",
        [(r"cast\(null as date\) as valid_to", "null::date as valid_to")],
        "SG01",
    ),
    "cte_comma_outside_is_incremental": (
        "silver/tenant_status_history.sql",
        [(r"\)(\s*)(\{%-? if is_incremental\(\) -?%\}),", r"),\1\2")],
        "PRS",
    ),
    "post_hook_update_reads_its_own_table": (
        "silver/tenant_status_history.sql",
        [(r"\A", "{{ config(post_hook=\"update {{ this }} set valid_to = current_date where tenant_id in "
                 "(select tenant_id from {{ this }} where valid_from = current_date)\") }}\n")],
        "SG13",
    ),
    "alias_reused_in_same_select": (
        "gold/tenant_status_transitions.sql",
        [(r"concat\(\n.*?\n    \) as status_transition", "concat(status_label, ' (', tenant_id, ')') as status_transition")],
        "SG14",
    ),
    "order_by_name_hidden_by_rename": (
        "gold/tenant_status_transitions.sql",
        [
            # the rename moves into the CTE, and the final ORDER BY keeps the old name
            (r"(with periods as \(\n    select\n        tenant_id,\n        status_code,\n)        valid_from,",
             r"\1        valid_from as effective_date,"),
            (r"    valid_from as effective_date,\n", "    effective_date,\n"),
            (r"datediff\(valid_from, previous_valid_from\)", "datediff(effective_date, previous_valid_from)"),
            (r"order by tenant_id, effective_date", "order by tenant_id, valid_from"),
        ],
        "SG15",
    ),
}


@pytest.mark.parametrize("mistake", sorted(REFERENCE_PLANTS))
def test_mistake_planted_into_reference_model_is_reported(linter, mistake, tmp_path):
    import re

    model, plants, code = REFERENCE_PLANTS[mistake]
    source_path = REFERENCE / model
    # A reference model that moved, or lost the text a mistake is planted
    # into, would silently stop proving the guarantee: that is a failure.
    assert source_path.exists(), f"reference model {model} is not there: update REFERENCE_PLANTS"
    source = source_path.read_text()
    assert lint(linter, source_path) == [], "the reference model itself must lint clean"
    planted = source
    for pattern, replacement in plants:
        planted, count = re.subn(pattern, replacement, planted, count=1, flags=re.DOTALL)
        assert count == 1, f"{model} no longer has the text {pattern!r} to plant {mistake} into: update REFERENCE_PLANTS"
    copy = tmp_path / Path(model).name
    copy.write_text(planted)

    findings = lint(linter, copy)

    assert code in {f.code for f in findings}, [f.format() for f in findings]
    if code == "PRS":
        assert all(f.branches == ("full_refresh", "first_run") for f in findings), [f.format() for f in findings]
