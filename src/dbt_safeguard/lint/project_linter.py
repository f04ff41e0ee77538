"""Lints dbt models in every branch they can render in, their hooks and macros.

Each file is rendered per branch (incremental, full refresh, first run) by
the safeguard_dbt templater: a file whose first render never asked for its
branch stands for all of them, and identical renderings are parsed and linted
once. A finding present in only some renderings is reported with those
branches.

Also linted, with line numbers mapped back into their file: the
``pre_hook``/``post_hook`` SQL a model passes to ``config()`` (dbt runs it as
written; MySQL error 1093 in a post-hook is how the nightly job failed), hook
SQL in YAML files, and the statements macros build in ``{% set sql %}``
blocks.

Every rendering is also parsed by MySQL's own grammar at
``mysql_target_version`` (grammar_gate): its verdict replaces sqlfluff's
parse errors (PRS), so SQL MySQL accepts needs no ``noqa`` where sqlfluff's
dialect falls short.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlfluff.core import FluffConfig, Linter
from sqlfluff.core.errors import SQLBaseError

from ..errors import FatalError
from .branches import BRANCH_LABELS, BRANCHES
from .dbt_context import RenderRecord
from .dbt_templater import SafeguardDbtTemplater
from .grammar_gate import GrammarGate, GrammarGateUnavailable
from .sqlfluff_internals import keep_traceback_limit, normalise_newlines
from .macro_sql import STATEMENT_START, sql_blocks
from .mysql_versions import DEFAULT_TARGET_VERSION, format_version, parse_version
from .project_config import TEMPLATER, complete, default_paths, find_project_root, project_config
from .yaml_hooks import yaml_hooks

log = logging.getLogger("safeguard")

# SQL files, and YAML files for the hook SQL they carry (dbt_project.yml, model properties).
LINTED_SUFFIXES = (".sql", ".yml", ".yaml")
SKIPPED_DIRS = {"target", "dbt_packages", "logs", ".venv", "node_modules", ".git"}
# Parse and templating failures are what the lint exists to catch: they may be
# waived line by line (`-- noqa: PRS`), never for a whole file or project.
FORBIDDEN_IGNORES = {"parsing", "templating"}
BRANCH_SWITCH = re.compile(r"\{%-?\s*(if|elif)\b[^%]*(is_incremental|full_refresh|FULL_REFRESH)")
RANGE_NOQA = re.compile(r"noqa\s*:\s*disable\s*=\s*([A-Za-z0-9_, ]+)")
# A parse error's text repeats its position in the rendered SQL; ours is the source line.
PARSE_POSITION = re.compile(r"^Line \d+, Position \d+: ")
# Valid MySQL 8 that sqlfluff 4.5's mysql dialect cannot parse: a locking
# clause after LIMIT (`SELECT ... LIMIT 1 FOR UPDATE`, MySQL manual 15.7.2.4).
# Only the whole unparsable text being exactly such a clause is waived.
_FALSE_PARSE_ERRORS = (
    re.compile(
        r"^(FOR\s+(UPDATE|SHARE)(\s+OF\s+[\w`$]+(\s*\.\s*[\w`$]+)?(\s*,\s*[\w`$]+(\s*\.\s*[\w`$]+)?)*)?"
        r"(\s+(NOWAIT|SKIP\s+LOCKED))?|LOCK\s+IN\s+SHARE\s+MODE)\s*;?$",
        re.IGNORECASE,
    ),
)


def is_known_false_parse_error(violation: SQLBaseError) -> bool:
    """A PRS on valid MySQL 8 that sqlfluff's dialect gets wrong (see _FALSE_PARSE_ERRORS)."""
    if violation.rule_code() != "PRS":
        return False
    segment = getattr(violation, "segment", None)
    raw = segment.raw.strip() if segment is not None else ""
    return any(pattern.match(raw) for pattern in _FALSE_PARSE_ERRORS)
GRAMMAR_FINDING = " grammar: "  # "MySQL 8.0.28 grammar: <the grammar's message>"
# `-- noqa` or `-- noqa: PRS` on a line waives a grammar error there, as it does sqlfluff's.
LINE_NOQA = re.compile(r"--\s*noqa\b(?:\s*:\s*(?P<codes>[A-Za-z0-9_, ]+))?", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    pos: int
    code: str
    description: str
    branches: Tuple[str, ...]  # empty: every rendering has it
    origin: str = ""  # "" for the model body, "post_hook 1" for a hook

    def format(self) -> str:
        where = []
        if self.branches:
            where.append(" and ".join(BRANCH_LABELS[b] for b in self.branches) + " only")
        if self.origin:
            where.append(self.origin)
        label = f" [{'; '.join(where)}]" if where else ""
        return f"{self.path}:{self.line}:{self.pos}: {self.code}{label} {self.description}"

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "pos": self.pos,
            "code": self.code,
            "description": self.description,
            "branches": [BRANCH_LABELS[b] for b in self.branches] or ["all"],
            "origin": self.origin or "model",
        }


@dataclass
class LintReport:
    files: int
    renderings: int
    findings: List[Finding]


def sql_files(paths: Iterable[str]) -> List[str]:
    """Every .sql and YAML file under paths (dbt build output and packages left out), sorted."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if path.suffix in LINTED_SUFFIXES:
                found.append(str(path))
            continue
        if not path.exists():
            raise FatalError(f"safeguard lint: {raw} does not exist; pass .sql or .yml files, or folders")
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
            found += [os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(LINTED_SUFFIXES)]
    return sorted(dict.fromkeys(found))


@dataclass
class _FileJob:
    """One file being linted: its text and settings, and what its renderings found."""

    fname: str
    raw: str
    config: FluffConfig
    encoding: str
    rule_pack: object
    renderings: int = 0
    # (line, pos, code, description, origin) -> the branches whose rendering has it
    collected: Dict[tuple, set] = field(default_factory=dict)
    # Renderings sent to the grammar gate, verdicts not read yet (_gate_submit).
    pending: list = field(default_factory=list)
    # sqlfluff's parse errors, reported only when the gate gave no verdict (_finish).
    parse_errors: list = field(default_factory=list)


class ProjectLinter:
    """Lints files in several branches with one sqlfluff Linter."""

    def __init__(
        self,
        branches: Sequence[str] = BRANCHES,
        config: Optional[FluffConfig] = None,
        project_root: Optional[Path] = None,
        grammar: bool = True,
        node: Optional[str] = None,
        gate: Optional[GrammarGate] = None,
    ):
        """gate: a helper the caller started early (Node loads while sqlfluff
        does), for the first lint(); later runs start their own."""
        unknown = [b for b in branches if b not in BRANCHES]
        if unknown:
            raise FatalError(f"safeguard lint: unknown branch {unknown[0]!r}; choose from {', '.join(BRANCHES)}")
        self.branches = tuple(branches)
        # The dbt project the working directory is in (None: loose files).
        self.project_root = project_root or find_project_root()
        # A config we build is completed for each file too (project_config.complete).
        self._completed_in = None if config is not None else (self.project_root or Path.cwd())
        self.root_config = config or project_config(self.project_root or Path.cwd())
        self.linter = Linter(config=self.root_config)
        if not isinstance(self.linter.templater, SafeguardDbtTemplater):
            raise FatalError(
                f"safeguard lint: the sqlfluff templater must be {TEMPLATER}, not "
                f"{self.linter.templater.name!r}; set `templater = {TEMPLATER}` under [sqlfluff]"
            )
        self.templater: SafeguardDbtTemplater = self.linter.templater
        self._rule_packs: Dict[tuple, object] = {}
        self.grammar = grammar
        self.node = node
        # Why the grammar gate did not run (one line), or None.
        self.grammar_unavailable: Optional[str] = None
        self._gate: Optional[GrammarGate] = None
        self._next_gate = gate

    def default_paths(self) -> List[str]:
        """The project's model, snapshot and macro folders and its dbt_project.yml."""
        if self.project_root is None:
            raise FatalError(
                f"safeguard lint: no dbt_project.yml in {os.getcwd()} or above; run it in a dbt "
                "project, or pass the .sql/.yml files or folders to lint"
            )
        return default_paths(self.project_root)

    def lint(self, paths: Iterable[str]) -> LintReport:
        files = sql_files(paths)
        findings: List[Finding] = []
        renderings = 0
        gate, self._next_gate = self._next_gate, None
        if gate is None and self.grammar:
            gate = GrammarGate(node=self.node)
        try:
            if gate is not None:
                gate.start()  # one helper process per run
                self._gate = gate
        except GrammarGateUnavailable as exc:
            self.grammar_unavailable = str(exc)
        try:
            # Every file is linted before any grammar verdict is read: the
            # helper parses the renderings sent so far while sqlfluff lints the
            # next files, on the other core.
            jobs = [self._start_file(fname) for fname in files]
            for job in jobs:
                file_findings, count = self._finish(job)
                findings += file_findings
                renderings += count
        finally:
            self._gate = None
            if gate is not None:
                gate.close()
        return LintReport(files=len(files), renderings=renderings, findings=findings)

    def lint_file(self, fname: str) -> Tuple[List[Finding], int]:
        return self._finish(self._start_file(fname))

    def _start_file(self, fname: str) -> "_FileJob":
        """Render and lint one file with sqlfluff; its renderings go to the
        grammar gate, whose verdicts _finish() reads."""
        if os.path.relpath(os.path.abspath(fname)).startswith(".."):
            # Outside the working tree (a scratch copy): only the root config applies.
            with open(fname, encoding="utf-8") as handle:
                raw, config, encoding = handle.read(), self.root_config, "utf-8"
        else:
            raw, config, encoding = self.linter.load_raw_file_and_config(fname, self.root_config)
            if self._completed_in is not None:
                config = complete(config, self._completed_in)
        ignored = FORBIDDEN_IGNORES & set(config.get("ignore") or [])
        if ignored:
            raise FatalError(
                f"safeguard lint: {fname}: `ignore = {', '.join(sorted(ignored))}` would hide SQL "
                "MySQL rejects; waive a false parse error on its line with `-- noqa: PRS` instead"
            )
        downgraded = {"PRS", "TMP"} & {w.upper() for w in config.get("warnings") or []}
        if downgraded:
            raise FatalError(
                f"safeguard lint: {fname}: `warnings = {', '.join(sorted(downgraded))}` would let SQL "
                "MySQL rejects pass; waive a false parse error on its line with `-- noqa: PRS` instead"
            )
        raw = normalise_newlines(raw)
        job = _FileJob(fname, raw, config, encoding, self._rule_pack_for(config))
        if fname.endswith(".sql"):
            self._lint_model(job)
            self._lint_macro_blocks(job)
        else:
            self._lint_yaml_hooks(job)
        return job

    def _finish(self, job: "_FileJob") -> Tuple[List[Finding], int]:
        for pending in job.pending:
            self._gate_collect(*pending)
        if self._gate is None:
            # No grammar verdict (no Node, or the helper failed to load):
            # sqlfluff's parse errors stand in for it.
            for args in job.parse_errors:
                self._collect(job.collected, *args)
        return self._findings(job), job.renderings

    def _lint_model(self, job: "_FileJob") -> None:
        renders, hooks, records = self._render_branches(job.raw, job, job.config, self.branches)
        self._lint_renders(renders, job, "", 0, 0)
        materialized = records[0].materialized if records else None
        for number, (hook, hook_branches) in enumerate(hooks.items(), start=1):
            # dbt renders a hook at run time, in the model's context: its
            # is_incremental() must see the model's materialization.
            line_offset, col_offset = self._text_position(job.raw, hook)
            hook_config = self._hook_config(job.config, materialized)
            hook_renders, _, _ = self._render_branches(
                hook, job, hook_config, hook_branches, f"hook {number}", line_offset
            )
            self._lint_renders(hook_renders, job, f"hook {number}", line_offset, col_offset)

    def _lint_macro_blocks(self, job: "_FileJob") -> None:
        """Statements a macro builds in {% set sql %} blocks, rendered with
        placeholders for the macro's arguments and locals."""
        block_config = job.config.copy()
        block_config.set_value(["templater", SafeguardDbtTemplater.name, "placeholders"], True)
        for block in sql_blocks(job.raw):
            origin = f"{{% {block.tag} %}} block"
            renders, _, _ = self._render_branches(
                block.body, job, block_config, self.branches, origin, block.line_offset
            )
            statements = {
                key: value
                for key, value in renders.items()
                if value[1].templated_variants and STATEMENT_START.match(key)
            }
            self._lint_renders(statements, job, origin, block.line_offset, block.col_offset)

    def _lint_yaml_hooks(self, job: "_FileJob") -> None:
        for number, hook in enumerate(yaml_hooks(job.raw), start=1):
            origin = f"{hook.key} {number}"
            renders, _, _ = self._render_branches(
                hook.sql, job, self._hook_config(job.config), self.branches, origin, hook.line_offset
            )
            self._lint_renders(renders, job, origin, hook.line_offset, hook.col_offset)

    def _findings(self, job: "_FileJob") -> List[Finding]:
        all_branches = set(self.branches)
        findings = [
            Finding(job.fname, line, 1, "NOQA", description, ())
            for line, description in self._range_waivers(job.raw)
        ]
        # A rule finding names the fix: the grammar's error later on its line,
        # where the parse gave up on that SQL, adds nothing.
        rule_spots = [(line, pos, origin) for (line, pos, code, _, origin) in job.collected if code not in ("PRS", "TMP")]
        for (line, pos, code, description, origin), branches in job.collected.items():
            if code == "PRS" and GRAMMAR_FINDING in description and any(
                (r_line, r_origin) == (line, origin) and r_pos <= pos for r_line, r_pos, r_origin in rule_spots
            ):
                continue
            label = () if branches == all_branches else tuple(b for b in self.branches if b in branches)
            if label and code in ("PRS", "TMP") and not origin:
                description += self._branch_hint(job.raw, label)
            findings.append(Finding(job.fname, line, pos, code, description, label, origin))
        findings.sort(key=lambda f: (f.line, f.pos, f.code))
        return findings

    def _rule_pack_for(self, config: FluffConfig):
        """Rules configured as this file's .sqlfluff chain says, built once per distinct setting."""
        key = (
            repr(config.get("rules")),
            repr(config.get("exclude_rules")),
            repr(config.get_section("rules")),
        )
        if key not in self._rule_packs:
            self._rule_packs[key] = self.linter.get_rulepack(config=config)
        return self._rule_packs[key]

    def _render_branches(self, text: str, job: "_FileJob", config: FluffConfig, branches,
                         origin: str = "", line_offset: int = 0):
        """Render text in each branch: {rendered SQL: (branches, RenderedFile)}, {hook: branches},
        and each render's record.

        The first render tells whether the text asks for its branch at all;
        if not, it stands for every branch and the others are not rendered.
        """
        renders: Dict[str, Tuple[List[str], object]] = {}
        hooks: Dict[str, List[str]] = {}
        records: List[RenderRecord] = []
        for branch in branches:
            try:
                with keep_traceback_limit():
                    rendered, record = self.templater.render(
                        self.linter, text, job.fname, config, branch, job.encoding
                    )
            except Exception as exc:  # noqa: BLE001 - see _internal_error
                self._internal_error(job, exc, [branch], origin, line_offset)
                continue
            records.append(record)
            key = rendered.templated_variants[0].templated_str if rendered.templated_variants else "\0tmp"
            renders.setdefault(key, ([], rendered))[0].append(branch)
            for hook in record.hooks:
                hooks.setdefault(hook, []).append(branch)
            if not record.read_branch:
                others = [b for b in branches if b != branch]
                renders[key][0].extend(others)
                for hook_branches in hooks.values():
                    hook_branches.extend(others)
                break
        job.renderings += len(renders)
        return renders, hooks, records

    def _lint_renders(self, renders, job: "_FileJob", origin: str, line_offset: int, col_offset: int) -> None:
        # The grammar helper parses while sqlfluff lints: send now, read in _finish().
        job.pending.append((self._gate_submit(renders, job), job, origin, line_offset, col_offset))
        linted = []
        for branches, rendered in renders.values():
            try:
                with keep_traceback_limit():
                    linted.append((branches, self.linter.lint_rendered(rendered, job.rule_pack)))
            except Exception as exc:  # noqa: BLE001 - see _internal_error
                self._internal_error(job, exc, branches, origin, line_offset)
        for branches, linted_file in linted:
            for violation in linted_file.get_violations():
                if violation.rule_code() == "PRS":
                    # MySQL's grammar decides what parses when it runs; sqlfluff's
                    # parse errors would only repeat or contradict it.
                    if not is_known_false_parse_error(violation):
                        job.parse_errors.append((violation, branches, origin, line_offset, col_offset))
                    continue
                self._collect(job.collected, violation, branches, origin, line_offset, col_offset)

    def _gate_submit(self, renders, job: "_FileJob") -> list:
        if self._gate is None:
            return []
        version = format_version(parse_version(job.config.get("mysql_target_version", section="rules") or DEFAULT_TARGET_VERSION))
        try:
            return [
                (branches, templated, version, self._gate.submit(templated.templated_str, version))
                for branches, rendered in renders.values()
                for templated in rendered.templated_variants
                if templated.templated_str.strip()
            ]
        except GrammarGateUnavailable as exc:  # the helper could not load its packages
            self.grammar_unavailable, self._gate = str(exc), None
            return []

    def _gate_collect(self, pending: list, job: "_FileJob", origin: str, line_offset: int, col_offset: int) -> None:
        for branches, templated, version, ticket in pending:
            if self._gate is None:
                return
            try:
                error = self._gate.result(ticket)
            except GrammarGateUnavailable as exc:  # the helper could not load its packages
                self.grammar_unavailable, self._gate = str(exc), None
                return
            if error is None:
                continue
            # The grammar's offset is into the rendered SQL; the finding's line is the source's.
            offset = min(error.offset, max(len(templated.templated_str) - 1, 0))
            source = templated.templated_slice_to_source_slice(slice(offset, offset + 1))
            line_no, line_pos = templated.get_line_pos_of_char_pos(source.start, source=True)
            source_lines = templated.source_str.splitlines()
            source_line = source_lines[line_no - 1] if 0 < line_no <= len(source_lines) else ""
            if self._waived(source_line):
                continue
            pos = line_pos + (col_offset if line_no == 1 else 0)
            description = f"MySQL {version}{GRAMMAR_FINDING}{error.message}"
            key = (line_no + line_offset, pos, "PRS", description, origin)
            job.collected.setdefault(key, set()).update(branches)

    @staticmethod
    def _waived(source_line: str) -> bool:
        match = LINE_NOQA.search(source_line)
        if match is None:
            return False
        codes = {c.strip().upper() for c in (match.group("codes") or "").split(",") if c.strip()}
        return not codes or bool(codes & {"PRS", "ALL"})

    @staticmethod
    def _internal_error(job: "_FileJob", exc: Exception, branches, origin: str, line_offset: int) -> None:
        """sqlfluff failed on this text: an INT finding on the file, and the run goes on.

        Only sqlfluff's own calls are guarded, the way sqlfluff's runner guards
        each file: a crash there is a sqlfluff bug (sqlfluff 4.5's mysql dialect
        raises RuntimeError on grammar it lacks a keyword for) and this one text
        is left unchecked, so the lint fails. The traceback goes to the debug
        log (safeguard lint -v).
        """
        log.debug("sqlfluff internal error on %s (%s)", job.fname, origin or "model", exc_info=exc)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        description = (
            f"sqlfluff internal error, this SQL was not checked: {type(exc).__name__}"
            f"{': ' + message if message else ''}"
        )
        key = (line_offset + 1, 1, "INT", description, origin)
        job.collected.setdefault(key, set()).update(branches)

    @staticmethod
    def _hook_config(config: FluffConfig, materialized: Optional[str] = None) -> FluffConfig:
        hook_config = config.copy()
        hook_config.set_value(["templater", SafeguardDbtTemplater.name, "execute"], False)
        if materialized:
            hook_config.set_value(["templater", SafeguardDbtTemplater.name, "materialized"], materialized)
        return hook_config

    @staticmethod
    def _range_waivers(raw: str) -> List[Tuple[int, str]]:
        """`-- noqa: disable=...` that would hide parse errors for a whole range."""
        found = []
        for match in RANGE_NOQA.finditer(raw):
            codes = {c.strip().upper() for c in match.group(1).split(",")}
            if codes & {"ALL", "PRS", "TMP"}:
                found.append(
                    (
                        raw[: match.start()].count("\n") + 1,
                        f"`noqa: disable={match.group(1).strip()}` would hide parse errors for every "
                        "line after it; waive a false parse error on its own line with `-- noqa: PRS`.",
                    )
                )
        return found

    @staticmethod
    def _branch_hint(raw: str, branches: Tuple[str, ...]) -> str:
        """Point at the branch switch: sqlfluff reports a whole unparsable statement."""
        match = BRANCH_SWITCH.search(raw)
        if match is None:
            return ""
        line = raw[: match.start()].count("\n") + 1
        rendering = " and ".join(BRANCH_LABELS[b] for b in branches)
        return (
            f" (Only the {rendering} rendering fails to parse: check the SQL next to the "
            f"branch at line {line}, e.g. a comma outside {{% if is_incremental() %}}.)"
        )

    @staticmethod
    def _text_position(raw: str, hook: str) -> Tuple[int, int]:
        """(line offset, column offset) of a hook's text in the model file."""
        idx = raw.find(hook)
        if idx < 0:  # built with ~ or escapes: point at the config() call
            idx = max(raw.find("config("), 0)
            return raw[:idx].count("\n"), 0
        return raw[:idx].count("\n"), idx - (raw.rfind("\n", 0, idx) + 1)

    @staticmethod
    def _collect(collected, violation: SQLBaseError, branches, origin: str, line_offset: int, col_offset: int):
        line_no = violation.line_no or 1
        pos = (violation.line_pos or 1) + (col_offset if line_no == 1 else 0)
        description = PARSE_POSITION.sub("", violation.desc())
        # The parser's grammar dump ("Expected: <Sequence: [<Ref: ...") helps nobody here.
        description = description.split(". Expected: <")[0]
        key = (line_no + line_offset, pos, violation.rule_code(), description, origin)
        collected.setdefault(key, set()).update(branches)
