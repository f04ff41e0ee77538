"""The lint's own corpus (tests/lint/corpus) and the checkers that score it.

``foreign/`` holds statements a MySQL 8.0.28 server rejects, or runs with
another meaning than their author's (category ``silent-*``), taken from other
dialects' documentation and real models; ``valid/`` holds valid MySQL 8.0.28,
after the MySQL reference manual's examples. In each file a
``-- source: <where> | category: <what>`` line labels the statements after it;
statements end with ``;`` at the end of a line.

A checker takes one statement and returns why it is flagged, or None. The
corpus test scores ``CHECKER``: any checker in it flagging a statement
flags it. The MySQL grammar gate joins the tuple when it lands.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

from .harness import REPO_ROOT

CORPUS = REPO_ROOT / "tests" / "lint" / "corpus"
LABEL = re.compile(r"^--\s*source:\s*(?P<source>.+?)\s*\|\s*category:\s*(?P<category>[\w-]+)\s*$")

Checker = Callable[[str], Optional[str]]


@dataclass(frozen=True)
class CorpusStatement:
    sql: str
    path: str  # relative to the corpus folder
    line: int
    source: str
    category: str

    def where(self) -> str:
        return f"{self.path}:{self.line} [{self.category}]"


def statements(side: str) -> List[CorpusStatement]:
    """Every statement of one side ("foreign" or "valid"), with its label."""
    found = []
    for path in sorted((CORPUS / side).glob("*.sql")):
        source, category = "", ""
        pending: List[str] = []
        start = 0
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            label = LABEL.match(line)
            if label:
                source, category = label.group("source"), label.group("category")
                continue
            if not pending and (not line.strip() or line.lstrip().startswith("--")):
                continue  # comments between statements
            if not pending:
                start = number
            pending.append(line)
            if line.rstrip().endswith(";"):
                sql = "\n".join(pending).rstrip()[:-1].rstrip()
                assert category, f"{path.name}:{start}: statement before any `-- source:` label"
                found.append(CorpusStatement(sql, f"{side}/{path.name}", start, source, category))
                pending = []
        assert not pending, f"{path.name}:{start}: statement without a closing `;`"
    return found


@functools.lru_cache(maxsize=None)
def _violations(sql: str) -> tuple:
    """sqlfluff's findings on one statement, (code, description, known false PRS), linted once."""
    from sqlfluff.core import FluffConfig, Linter

    from dbt_safeguard.lint.project_linter import is_known_false_parse_error
    from dbt_safeguard.lint.sqlfluff_internals import keep_traceback_limit

    linter = _linter(FluffConfig, Linter)
    try:
        with keep_traceback_limit():
            violations = linter.lint_string(sql + "\n").get_violations()
    except RuntimeError as exc:
        # A sqlfluff crash: `safeguard lint` reports it as an INT finding, which fails the lint.
        return (("INT", f"{type(exc).__name__}: {exc}", False),)
    return tuple((v.rule_code(), v.desc(), is_known_false_parse_error(v)) for v in violations)


@functools.lru_cache(maxsize=1)
def _linter(config_class, linter_class):
    return linter_class(config=config_class(overrides={"dialect": "mysql", "rules": "safeguard"}))


def rules_checker(parse_errors: bool = False) -> Checker:
    """The safeguard rules on sqlfluff's mysql dialect, on plain SQL: a rule
    finding flags the statement, and with parse_errors a parse error (PRS) too,
    as `safeguard lint` runs without the grammar gate."""

    def check(sql: str) -> Optional[str]:
        for code, description, false_parse_error in _violations(sql):
            if code in ("PRS", "INT") and (not parse_errors or false_parse_error):
                continue
            return f"{code}: {description}"
        return None

    return check


def any_of(checkers: Sequence[Checker]) -> Checker:
    def check(sql: str) -> Optional[str]:
        for checker in checkers:
            reason = checker(sql)
            if reason is not None:
                return reason
        return None

    return check


def grammar_checker(gate, version: str = "8.0.28") -> Checker:
    """MySQL's own grammar (the lint's grammar gate) at `version`: a statement
    it cannot parse is flagged with the grammar's message."""

    def check(sql: str) -> Optional[str]:
        error = gate.check(sql, version)
        return None if error is None else f"PRS: MySQL {version} grammar: {error.message}"

    return check


# What the corpus test scores: MySQL's grammar, then the rules. The grammar
# replaces sqlfluff's parse errors, which flag valid MySQL that sqlfluff's
# dialect lacks (GRANT ... PROXY, LOCK TABLES, SAVEPOINT, ...), so the rules
# are scored without PRS, as `safeguard lint` runs them beside the gate.
def default_checkers(gate) -> List[Checker]:
    return [grammar_checker(gate), rules_checker(parse_errors=False)]
