"""MySQL's grammar gates every rendering: exact per server version, reported
like a parse error with the branch and the source line, and a missing Node
is one line, not a crash."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import yaml

from dbt_safeguard.cli import lint_command
from dbt_safeguard.lint.grammar_gate import GrammarGate, GrammarGateUnavailable
from dbt_safeguard.run_events import configure_logging
from safeguard_testing.lint_helpers import at_repo_root, project_linter

CASES = yaml.safe_load((Path(__file__).parent / "grammar_cases.yml").read_text())
GATED = [(c["name"], c["sql"], v, True) for c in CASES["version_gated"] for v in c["accept"]] + [
    (c["name"], c["sql"], v, False) for c in CASES["version_gated"] for v in c["reject"]
]


@pytest.fixture(scope="module")
def gate():
    with GrammarGate("8.0.28") as running:
        yield running


@pytest.fixture(scope="module")
def linter():
    return project_linter()


def run_lint(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    lint_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lint", *argv])
    configure_logging(args.log_format)
    with at_repo_root():
        return args.handler(args)


def lint(linter, tmp_path, sql: str, name: str = "model.sql"):
    path = tmp_path / name
    path.write_text(sql)
    with at_repo_root():
        return linter.lint([str(path)]).findings


@pytest.mark.parametrize("name,sql,version,accepted", GATED, ids=[f"{g[0]}-{g[2]}" for g in GATED])
def test_version_gated_construct_is_accepted_from_its_release_on(gate, name, sql, version, accepted):
    error = gate.check(sql, version)
    assert (error is None) == accepted, f"{sql!r} at {version}: {error}"


@pytest.mark.parametrize("name", sorted(CASES["rejected_at_8_0_28"]))
def test_foreign_syntax_is_rejected_at_8_0_28(gate, name):
    sql = CASES["rejected_at_8_0_28"][name]
    assert gate.check(sql) is not None, sql


@pytest.mark.parametrize("name", sorted(CASES["accepted_at_8_0_28"]))
def test_valid_mysql_is_accepted_at_8_0_28(gate, name):
    sql = CASES["accepted_at_8_0_28"][name]
    assert gate.check(sql) is None, sql


def test_error_names_line_column_and_offending_token(gate):
    error = gate.check("select a,\n  cast(b as int) as b\nfrom t")
    assert (error.line, error.column) == (2, 13)
    assert "'int'" in error.message
    # ANTLR's list of hundreds of expected tokens is left out.
    assert len(error.message) < 120


def test_error_deep_in_a_subquery_points_at_it(gate):
    error = gate.check("delete from t where id in (select id from u where x::int > 1)")
    assert error.column == 52 and error.message == "unexpected ':'"


def test_grammar_error_in_one_branch_is_reported_with_branch_and_source_line(linter, tmp_path):
    findings = lint(
        linter,
        tmp_path,
        "{{ config(materialized='incremental') }}\n"
        "select id, updated_at from {{ ref('stg') }}\n"
        "{% if is_incremental() %}\n"
        "where updated_at > (select max(updated_at) from {{ this }})\n"
        "  and id not in (select id from {{ this }} where flag = 1 sort by id)\n"
        "{% endif %}\n",
    )
    grammar = [f for f in findings if "grammar:" in f.description]
    assert [(f.line, f.code, f.branches) for f in grammar] == [(5, "PRS", ("incremental",))]
    assert grammar[0].description.startswith("MySQL 8.0.28 grammar: ")
    assert grammar[0].format().startswith(f"{tmp_path / 'model.sql'}:5:")


def test_valid_mysql_that_sqlfluff_cannot_parse_needs_no_noqa(linter, tmp_path):
    # sqlfluff's mysql dialect reports PRS on SAVEPOINT; MySQL accepts it.
    assert lint(linter, tmp_path, "savepoint before_load\n") == []
    with at_repo_root():
        findings, _ = linter.lint_file(str(tmp_path / "model.sql"))  # without the gate: sqlfluff's PRS
    assert [f.code for f in findings] == ["PRS"]


def test_noqa_prs_on_the_line_waives_a_grammar_error(linter, tmp_path):
    sql = "select a\nfrom t\nwhere b = 1 and c similar to 'x%'  -- noqa: PRS\n"
    assert lint(linter, tmp_path, sql) == []
    assert [f.code for f in lint(linter, tmp_path, sql.replace("  -- noqa: PRS", ""))] == ["PRS"]


def test_hook_grammar_error_points_into_the_model_file(linter, tmp_path):
    findings = lint(
        linter,
        tmp_path,
        "{{ config(post_hook=\"alter table {{ this }} rename column a b\") }}\nselect 1 as a\n",
    )
    # Column 61: the `b` after `rename column a` in the model file, where TO is missing.
    assert [(f.line, f.pos, f.code, f.origin) for f in findings] == [(1, 61, "PRS", "hook 1")]
    assert findings[0].description == "MySQL 8.0.28 grammar: missing TO at 'b'"


def linter_at(version: str):
    from sqlfluff.core import FluffConfig

    from dbt_safeguard.lint.project_linter import ProjectLinter

    with at_repo_root():
        config = FluffConfig.from_root()
        config.set_value(["rules", "mysql_target_version"], version)
        return ProjectLinter(config=config)


def test_target_version_comes_from_sqlfluff_config(linter, tmp_path):
    values = "select * from (values row(1, 2)) as v\n"
    assert lint(linter, tmp_path, values) == []  # 8.0.28, the repository's target
    old = lint(linter_at("8.0.18"), tmp_path, values)
    assert [(f.code, f.description) for f in old] == [("PRS", "MySQL 8.0.18 grammar: no viable alternative at 'values'")]
    assert lint(linter_at("8.0.31"), tmp_path, "select a from t except select a from u\n") == []


def test_missing_node_is_one_line_and_the_lint_goes_on(tmp_path):
    from dbt_safeguard.lint.project_linter import ProjectLinter

    with at_repo_root():
        linter = ProjectLinter(node=str(tmp_path / "no-such-node"))
    findings = lint(linter, tmp_path, "savepoint before_load\n")
    assert "\n" not in linter.grammar_unavailable
    assert "not checked against MySQL's grammar" in linter.grammar_unavailable
    assert "no-such-node" in linter.grammar_unavailable
    # sqlfluff's parser still runs, false alarm and all.
    assert [f.code for f in findings] == ["PRS"]
    with pytest.raises(GrammarGateUnavailable):
        GrammarGate(node=str(tmp_path / "no-such-node")).start()


def test_missing_grammar_packages_are_one_line(tmp_path):
    (tmp_path / "gate.js").write_text("")
    with pytest.raises(GrammarGateUnavailable, match="--install-grammar"):
        GrammarGate(grammar_dir=tmp_path).start()


def test_require_grammar_fails_the_lint_when_node_is_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_NODE", str(tmp_path / "no-such-node"))
    model = tmp_path / "clean.sql"
    model.write_text("select 1 as a\n")
    assert run_lint(str(model)) == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "grammar" in line] == [
        next(line for line in err.splitlines() if "not checked against MySQL's grammar" in line)
    ]
    assert run_lint("--require-grammar", str(model)) == 1


def test_helper_that_never_answers_stops_the_lint_within_its_bound(tmp_path):
    from dbt_safeguard.lint.grammar_gate import GrammarGateError

    silent = tmp_path / "silent-node"
    silent.write_text("#!/bin/sh\nexec sleep 30\n")
    silent.chmod(0o755)
    gate = GrammarGate(node=str(silent), ready_timeout=1)
    gate.start()
    try:
        with pytest.raises(GrammarGateError, match="no answer within 1 s"):
            gate.check("select 1")
    finally:
        gate.close()


def test_verdicts_submitted_ahead_come_back_to_their_own_statement(gate):
    # The linter sends every rendering of a file before sqlfluff lints them.
    tickets = [gate.submit(sql) for sql in ("select 1", "select null::date", "select 2", "select cast(x as int)")]
    verdicts = [gate.result(t) for t in reversed(tickets)][::-1]
    assert [v is None for v in verdicts] == [True, False, True, False]
    assert verdicts[3].message == "no viable alternative at 'int'"


def test_startup_snapshot_gives_the_verdicts_of_the_plain_helper():
    # scripts/bootstrap.sh builds the warmed-up snapshot with this node.
    sqls = [c["sql"] for c in CASES["version_gated"]]
    sqls += list(CASES["rejected_at_8_0_28"].values()) + list(CASES["accepted_at_8_0_28"].values())
    with GrammarGate() as snapshot, GrammarGate(use_snapshot=False) as plain:
        assert any(arg.startswith("--snapshot-blob=") for arg in snapshot.command())
        assert plain.command()[1].endswith("gate.js")
        for version in ("8.0.18", "8.0.28", "8.0.31"):
            assert [snapshot.check(s, version) for s in sqls] == [plain.check(s, version) for s in sqls]


def test_safeguard_lint_reports_grammar_errors_with_the_helper_it_starts(tmp_path, capsys):
    model = tmp_path / "model.sql"
    model.write_text("select a\nfrom t\nwhere b = 1 and c similar to 'x%'\n")
    assert run_lint("--require-grammar", str(model)) == 1
    assert capsys.readouterr().out.startswith(f"{model}:3:19: PRS MySQL 8.0.28 grammar: ")
    assert run_lint("--no-grammar", str(model)) == 1  # sqlfluff's parser fails too, with its own words
    assert "grammar" not in capsys.readouterr().out


def test_statement_cut_short_is_reported_on_its_last_line(linter, tmp_path):
    findings = lint(linter, tmp_path, "select a\nfrom t\nwhere\n")
    assert [(f.line, f.code, f.description) for f in findings] == [
        (3, "PRS", "MySQL 8.0.28 grammar: no viable alternative at end of input")
    ]


def test_a_whole_project_submitted_before_any_verdict_is_read_does_not_block(gate):
    # ~2,000 error replies fill the helper's stdout pipe many times over: the
    # helper then stops reading, and submit() must read replies meanwhile.
    sqls = [f"select null::date as d{i}" for i in range(2000)] + ["select 1"]
    tickets = [gate.submit(sql) for sql in sqls]
    verdicts = [gate.result(t) for t in tickets]
    assert all(v is not None and v.message.startswith("mismatched input ':'") for v in verdicts[:-1])
    assert verdicts[-1] is None


def test_helper_that_cannot_load_leaves_sqlfluff_parse_errors_on_every_file(tmp_path):
    from dbt_safeguard.lint.project_linter import ProjectLinter

    grammar = tmp_path / "grammar"
    (grammar / "node_modules" / "ts-mysql-parser").mkdir(parents=True)
    (grammar / "node_modules" / "ts-mysql-parser" / "package.json").write_text("{}")
    (grammar / "gate.js").write_text("process.stdout.write(JSON.stringify({ready: false, error: 'broken install'}) + '\\n');\n")
    models = []
    for name in ("a.sql", "b.sql"):
        models.append(tmp_path / name)
        models[-1].write_text("savepoint before_load\n")  # sqlfluff's dialect cannot parse it
    with at_repo_root():
        linter = ProjectLinter(gate=GrammarGate(grammar_dir=grammar, use_snapshot=False))
        report = linter.lint([str(m) for m in models])
    assert "broken install" in linter.grammar_unavailable
    assert sorted((Path(f.path).name, f.code) for f in report.findings) == [("a.sql", "PRS"), ("b.sql", "PRS")]


def test_startup_snapshot_is_not_used_once_the_helper_code_changed(tmp_path):
    # The snapshot holds gate.js and rewrite.js as they were when it was built.
    from dbt_safeguard.lint.grammar_gate import GRAMMAR_DIR, SNAPSHOT_SOURCES

    for name in SNAPSHOT_SOURCES:
        (tmp_path / name).write_bytes((GRAMMAR_DIR / name).read_bytes())
    (tmp_path / "node_modules").symlink_to(GRAMMAR_DIR / "node_modules")
    gate = GrammarGate(grammar_dir=tmp_path)
    assert any(arg.startswith("--snapshot-blob=") for arg in gate.command())  # bootstrap built it
    with (tmp_path / "rewrite.js").open("a") as handle:
        handle.write("// edited\n")
    assert gate.command() == [gate.node, str(tmp_path / "gate.js")]
