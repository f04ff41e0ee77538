"""`safeguard lint` prints one line per finding and exits 1 when there is any."""
from __future__ import annotations

import argparse
import json

from dbt_safeguard.cli import lint_command
from dbt_safeguard.run_events import configure_logging

from safeguard_testing.lint_helpers import at_repo_root


def run_lint(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    lint_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lint", *argv])
    configure_logging(args.log_format)  # as main() does
    with at_repo_root():
        return args.handler(args)


def test_clean_file_exits_zero(tmp_path, capsys):
    model = tmp_path / "clean.sql"
    model.write_text("select cast(null as date) as valid_to from t\n")
    assert run_lint(str(model)) == 0
    assert "0 findings" in capsys.readouterr().err


def test_finding_exits_one_with_file_line_and_rule(tmp_path, capsys):
    model = tmp_path / "bad.sql"
    model.write_text("select 1\n, null::date as valid_to from t\n")
    assert run_lint(str(model)) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{model}:2:7: SG01 ")


def test_json_lines_name_the_branches(tmp_path, capsys):
    model = tmp_path / "bad.sql"
    model.write_text("select a from t {% if is_incremental() %}limit all{% endif %}\n")
    assert run_lint("--log-format", "json", str(model)) == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["event"] for e in events] == ["lint_finding", "lint_summary"]
    assert events[0]["code"] == "SG08"
    assert events[0]["branches"] == ["incremental"]
    assert events[1]["findings"] == 1


def test_internal_error_is_a_json_finding_and_the_summary_still_comes(tmp_path, capsys):
    crashing = tmp_path / "grants.sql"
    crashing.write_text("GRANT USAGE ON ALL FILE FORMATS IN SCHEMA analytics.public TO ROLE loader\n")
    clean = tmp_path / "clean.sql"
    clean.write_text("select 1 as ok\n")
    assert run_lint("--log-format", "json", str(crashing), str(clean)) == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["event"], e.get("code")) for e in events] == [("lint_finding", "INT"), ("lint_summary", None)]
    assert events[0]["path"] == str(crashing) and "RuntimeError" in events[0]["description"]
    assert events[1]["files"] == 2


def _orphan_comma_model(tmp_path):
    """The seed incident's model with its CTE comma moved outside {% if is_incremental() %}."""
    from pathlib import Path

    seed = (Path(__file__).parent / "seed_models" / "tenant_status_history.sql").read_text()
    planted = seed.replace(")\n{% if is_incremental() %},", "),\n{% if is_incremental() %}")
    assert planted != seed
    model = tmp_path / "tenant_status_history.sql"
    model.write_text(planted)
    return model


def test_without_the_grammar_the_first_line_says_the_syntax_gate_is_off(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_NODE", str(tmp_path / "no-such-node"))
    model = _orphan_comma_model(tmp_path)
    assert run_lint(str(model)) == 1  # sqlfluff's parser still catches the orphan comma
    captured = capsys.readouterr()
    assert "syntax gate off" in captured.err.splitlines()[0]
    assert [line.split(": ", 1)[1][:3] for line in captured.out.splitlines()] == ["PRS"]


def test_require_grammar_fails_before_linting_when_the_grammar_is_absent(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_NODE", str(tmp_path / "no-such-node"))
    model = _orphan_comma_model(tmp_path)
    assert run_lint("--require-grammar", str(model)) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0].endswith("then run `safeguard lint --install-grammar`")
    assert "syntax gate off" in captured.err.splitlines()[0]
    assert captured.out == ""  # nothing linted: a run without the gate proves less than CI needs


def test_no_grammar_says_so_first(tmp_path, capsys):
    model = tmp_path / "clean.sql"
    model.write_text("select 1 as a\n")
    assert run_lint("--no-grammar", str(model)) == 0
    assert "syntax gate off (--no-grammar)" in capsys.readouterr().err.splitlines()[0]
