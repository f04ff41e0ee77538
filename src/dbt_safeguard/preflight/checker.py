"""Preflight: every selected protected model, in both branches, checked by the server before anything is written.

For each protected model (meta safeguard.protect) and each branch a night
can take, the model's SELECT and its rendered hooks go to the server to be
parsed and name-resolved without running (server_check). The models and
seeds tonight's run builds before it are resolved through their compiled
SQL (a temporary stand-in) when they are new or their columns change;
where that cannot be done (their schema does not exist yet), whatever reads
them is skipped with a line saying so. An incremental's incremental branch
is skipped, with a line, while its table does not exist.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from typing import Dict, List, Optional, Sequence, Set

from ..connection import ConnectionSettings
from ..dbt_invoker import DbtInvoker
from ..errors import FatalError
from ..run_events import event, one_line
from .renderings import Node, ProjectRenderer, Rendering
from .server_check import (
    ER_CANT_REOPEN_TABLE, ER_UNSUPPORTED_PS, RESOLVED_AT_PREPARE, Relation, ServerCheck, StatementError,
    first_keyword,
)

BRANCH_NOTES = {"incremental": "is_incremental() true", "full-refresh": "is_incremental() false",
                "first-run": "is_incremental() false, the table does not exist yet"}


@dataclasses.dataclass
class PreflightReport:
    models: int = 0  # protected models checked
    statements: int = 0  # statements the server checked
    skipped: List[str] = dataclasses.field(default_factory=list)
    failures: List[str] = dataclasses.field(default_factory=list)
    round_trips: int = 0
    dbt_seconds: float = 0.0  # dbt parse and compile
    duration: float = 0.0


class Preflight:
    """`Preflight(invoker, settings, select).run()` -> PreflightReport; FatalError naming the first failure."""

    def __init__(self, invoker: DbtInvoker, settings: ConnectionSettings, select: Sequence[str] = (),
                 dbt_args: Sequence[str] = ()):
        self.renderer = ProjectRenderer(invoker, select, dbt_args)
        self.settings = settings
        self.report = PreflightReport()
        # Built tonight, and no stand-in: unique id -> the root causes, e.g.
        # "silver.tenant_statuses (a seed; schema silver does not exist yet)".
        self.unresolved: Dict[str, List[str]] = {}
        self.by_id: Dict[str, Node] = {}
        self.read_by: Set[str] = set()
        self.relations: Dict = {}
        self.schemas: Set[str] = set()
        self.server: Optional[ServerCheck] = None

    def run(self) -> PreflightReport:
        started = time.monotonic()
        try:
            nodes = self._wanted(self.renderer.nodes())
            self.server = ServerCheck(self.settings)
            try:
                self.relations, self.schemas = self.server.relations((n.schema, n.alias) for n in nodes)
                self.renderer.render_full_refresh([n for n in nodes if n.protected and n.materialized == "incremental"
                                                   and self._kind(n) == "BASE TABLE"])
                for node in nodes:
                    self._check(node)
                self.report.round_trips = self.server.round_trips
            finally:
                self.server.close()
        finally:
            self.renderer.close()
        self.report.duration = round(time.monotonic() - started, 3)
        self.report.dbt_seconds = round(self.renderer.dbt_seconds, 3)
        self._summarize()
        return self.report

    def _wanted(self, nodes: List[Node]) -> List[Node]:
        """Protected models and what they read (transitively) among the selection, dependencies first."""
        self.by_id = {node.unique_id: node for node in nodes}
        wanted: Set[str] = set()
        pending = [node.unique_id for node in nodes if node.protected]
        while pending:
            unique_id = pending.pop()
            if unique_id in wanted or unique_id not in self.by_id:
                continue
            wanted.add(unique_id)
            pending.extend(self.by_id[unique_id].reads)
        kept = [node for node in nodes if node.unique_id in wanted]
        self.read_by = {parent for node in kept for parent in node.reads}
        self.report.models = sum(1 for node in kept if node.protected)
        return kept

    # -- one node -------------------------------------------------------------------

    def _check(self, node: Node) -> None:
        if node.resource_type == "seed":
            self._stand_in_seed(node)
            return
        assert node.run is not None
        if node.materialized == "incremental":
            node.run.branch = "incremental" if self._kind(node) == "BASE TABLE" else "first-run"
            if node.protected and node.run.branch == "first-run":
                self._skip(node, "incremental", "the table does not exist yet (tonight builds it with the "
                                                "first-run branch)")
        causes = sorted({cause for parent in node.reads for cause in self.unresolved.get(parent, [])})
        if causes:
            for rendering in (node.run, node.full_refresh):
                if rendering is not None and node.protected:
                    self._skip(node, rendering.branch, "not checked: it reads what this run builds first, "
                                                       f"which preflight cannot stand in for: {'; '.join(causes)}")
            if self._standing_in_needed(node):
                self.unresolved[node.unique_id] = causes
            return
        self._check_rendering(node, node.run, tonight=True)
        if node.full_refresh is not None:
            self._check_rendering(node, node.full_refresh, tonight=False)

    def _check_rendering(self, node: Node, rendering: Rendering, tonight: bool) -> None:
        """Pre-hooks against the relation as it is, the SELECT, then post-hooks against what the branch built."""
        failures = len(self.report.failures)
        if node.protected:
            self._hooks(node, rendering, "pre-hook", rendering.pre_hooks)
        try:
            columns = self.server.probe(rendering.sql)
            self.report.statements += 1
        except StatementError as exc:
            self._refused(node, rendering, "model SQL", exc)
            if tonight and self._standing_in_needed(node):
                self.unresolved[node.unique_id] = [f"{node.relation} (its SQL fails, above)"]
            return
        if rendering.branch == "incremental":
            self._check_merge(node, rendering, columns)
            built_ok = True
        else:
            built_ok = self._stand_in(node, rendering, columns, tonight)
        if node.protected and rendering.post_hooks:
            if built_ok:
                self._hooks(node, rendering, "post-hook", rendering.post_hooks)
            else:
                self._skip(node, rendering.branch, "post-hooks not checked: " + "; ".join(self.unresolved.get(
                    node.unique_id, [f"schema {node.schema} does not exist yet"])))
        if not tonight and (node.schema, node.alias) in self.server.shadows:
            self.server.drop_shadow(node.schema, node.alias)
        if node.protected and len(self.report.failures) == failures:
            event("preflight", "OK       %s %s branch", node.relation, rendering.branch,
                  relation=node.relation, branch=rendering.branch, status="ok")

    def _check_merge(self, node: Node, rendering: Rendering, columns: List[str]) -> None:
        """dbt-mysql merges by `insert into t (every column of t) select those columns from <the new rows>`
        and deletes by unique_key: a column of the table the SELECT lost fails there (error 1054)."""
        returned = {column.lower() for column in columns}
        table = self._columns(node)
        missing = [column for column in table if column.lower() not in returned]
        missing += [key for key in node.unique_key if key.lower() not in returned and key not in missing]
        if missing:
            self._fail(node, rendering.branch, "model SQL",
                       f"returns no column {', '.join(missing)} of {node.relation}: dbt-mysql's merge "
                       f"(insert into {node.relation} (its columns) select them from the new rows) would fail "
                       "with error 1054 Unknown column")

    def _stand_in(self, node: Node, rendering: Rendering, columns: List[str], tonight: bool) -> bool:
        """A temporary stand-in for what this branch builds, when later statements need it and
        it differs from the server's relation. False when it cannot be made."""
        needed = (node.unique_id in self.read_by and tonight) or (node.protected and any(
            hook.strip() for hook in rendering.post_hooks))
        if not needed or (self._kind(node) is not None and _same_names(self._columns(node), columns)):
            return True
        if node.schema not in self.schemas:
            if tonight:
                self.unresolved[node.unique_id] = [f"{node.relation} (schema {node.schema} does not exist yet)"]
            return False
        if (node.schema, node.alias) in self.server.shadows:
            self.server.drop_shadow(node.schema, node.alias)
        try:
            self.server.shadow_select(node.schema, node.alias, rendering.sql)
        except StatementError as exc:
            if tonight:
                self.unresolved[node.unique_id] = [f"{node.relation} (the server refused a temporary stand-in: {exc})"]
            return False
        event("preflight", "STANDIN  %s: a temporary table with the columns of its %s branch (%s)",
              node.relation, rendering.branch, ", ".join(columns), relation=node.relation, status="stand_in")
        return True

    def _stand_in_seed(self, node: Node) -> None:
        names = [name for name, _ in node.seed_columns]
        if node.unique_id not in self.read_by or (self._kind(node) and _same_names(self._columns(node), names)):
            return
        if node.schema not in self.schemas:
            self.unresolved[node.unique_id] = [f"{node.relation} (a seed; schema {node.schema} does not exist yet)"]
            return
        try:
            self.server.shadow_columns(node.schema, node.alias, node.seed_columns)
        except StatementError as exc:
            self.unresolved[node.unique_id] = [f"{node.relation} (a seed; the server refused a temporary stand-in: "
                                               f"{exc})"]
            return
        event("preflight", "STANDIN  %s: a temporary table with the seed's columns (%s)", node.relation,
              ", ".join(names), relation=node.relation, status="stand_in")

    # -- statements ---------------------------------------------------------------------

    def _hooks(self, node: Node, rendering: Rendering, label: str, hooks: List[str]) -> None:
        if not rendering.hooks_separated:
            self._skip(node, rendering.branch, "hooks not checked: dbt's CTE injection kept only the model's "
                                               "first statement (a `;` in the model or a hook)")
            return
        for index, hook in enumerate(hooks, start=1):
            keyword = first_keyword(hook)
            if not keyword:
                continue  # rendered to nothing in this branch
            what = f"{label} {index}"
            try:
                self.server.prepare(hook)
            except StatementError as exc:
                if exc.code == ER_UNSUPPORTED_PS:
                    self._skip(node, rendering.branch, f"{what} ({keyword.upper()}) cannot be prepared: not checked")
                else:
                    self._refused(node, rendering, what, exc)
                continue
            self.report.statements += 1
            if keyword not in RESOLVED_AT_PREPARE:
                self._skip(node, rendering.branch, f"{what} ({keyword.upper()}): syntax checked; its names are "
                                                   "resolved only when it runs")

    def _refused(self, node: Node, rendering: Rendering, what: str, exc: StatementError) -> None:
        if exc.code == ER_CANT_REOPEN_TABLE and self.server.shadows:
            self._skip(node, rendering.branch, f"{what}: reads a temporary stand-in twice, which MySQL 8 "
                                               f"cannot do in one statement ({exc}): not checked")
            return
        self._fail(node, rendering.branch, what, one_line(str(exc)))

    # -- lines ------------------------------------------------------------------------------

    def _fail(self, node: Node, branch: str, what: str, error: str) -> None:
        where = f"{node.relation} {branch} branch ({BRANCH_NOTES.get(branch, node.materialized)}), {what}"
        if not node.protected:
            where = f"{node.relation} ({node.materialized}, built before protected models), {what}"
        self.report.failures.append(f"{where}: {error}")
        event("preflight", "FAIL     %s: %s", where, error, level=logging.ERROR, relation=node.relation,
              branch=branch, status="fail", statement=what, error=error)

    def _skip(self, node: Node, branch: str, reason: str) -> None:
        line = f"{node.relation} {branch} branch: {reason}"
        self.report.skipped.append(line)
        event("preflight", "SKIP     %s", line, relation=node.relation, branch=branch, status="skip", reason=reason)

    def _summarize(self) -> None:
        report = self.report
        event("preflight_summary", "SUMMARY  preflight %s: %d protected models, %d statements checked by the "
              "server in %d round trips, %d skipped, %d failed in %.1fs (dbt %.1fs)",
              "failed" if report.failures else "passed", report.models, report.statements, report.round_trips, len(report.skipped), len(report.failures),
              report.duration, report.dbt_seconds,
              level=logging.ERROR if report.failures else logging.INFO, **dataclasses.asdict(report))
        if report.failures:
            more = f" (and {len(report.failures) - 1} more above)" if len(report.failures) > 1 else ""
            raise FatalError(f"preflight: {report.failures[0]}{more}; nothing was written")

    # -- the server's relations ----------------------------------------------------------------

    def _kind(self, node: Node) -> Optional[str]:
        relation: Optional[Relation] = self.relations.get((node.schema, node.alias))
        return relation.kind if relation else None

    def _columns(self, node: Node) -> List[str]:
        relation = self.relations.get((node.schema, node.alias))
        return relation.columns if relation else []

    def _standing_in_needed(self, node: Node) -> bool:
        """Tonight changes what readers see of it: anything but an incremental whose table exists."""
        return not (node.materialized == "incremental" and self._kind(node) == "BASE TABLE")


def _same_names(left: List[str], right: List[str]) -> bool:
    # MySQL compares column names case-insensitively.
    return {name.lower() for name in left} == {name.lower() for name in right}


def run_preflight(invoker: DbtInvoker, settings: ConnectionSettings, select: Sequence[str] = (),
                  dbt_args: Sequence[str] = ()) -> PreflightReport:
    return Preflight(invoker, settings, select, dbt_args).run()
