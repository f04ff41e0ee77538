"""The dbt side of preflight: every selected model compiled, with its hooks, in the branches a night can take.

One `dbt parse`, then one `dbt compile` of the selection on that manifest:
the branch tonight's run takes (`is_incremental()` is true where the table
exists) and, for each protected incremental, the branch a rebuild takes.
That second branch comes from a twin of the model added to the in-memory
manifest: the same code, relation and hooks under its own unique id, with
`full_refresh` set in its config, which `should_full_refresh()` reads before
the flag, so its `is_incremental()` is false. One compile renders both; a
second `dbt compile --full-refresh` would pay dbt's whole task set-up again.

dbt renders a model's hooks only when its materialization runs, in the
model's context (`this`, `is_incremental()`). To compile them with the model
in the same pass, each hook's text is appended to the model's raw code in
the in-memory manifest, after a marker comment, and the compiled code is
split at the markers again. The project's files and its target/ are not
touched: the compiles write into a temporary target path.
"""
from __future__ import annotations

import copy
import csv
import dataclasses
import re
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..dbt_invoker import DbtInvoker, DbtOutcome
from ..errors import FatalError
from ..run_events import one_line

HOOK_KINDS = ("pre_hook", "post_hook")
_MARK = "\n/* safeguard preflight {kind} {index} */\n"
_MARK_PATTERN = re.compile(r"\n/\* safeguard preflight (pre_hook|post_hook) (\d+) \*/\n")
# Tests, analyses and snapshots are not built by `dbt run`: not compiled.
_NOT_BUILT = ("resource_type:test", "resource_type:analysis", "resource_type:snapshot")
# The full-refresh twin of a protected incremental: its unique id and the
# last part of its fqn get this suffix (a selector reaches it by fqn).
_TWIN = "__safeguard_full_refresh"


@dataclasses.dataclass
class Rendering:
    """One branch of one model: its compiled SELECT and hooks."""

    branch: str  # incremental, full-refresh, first-run; or the materialization (table, view)
    sql: str
    pre_hooks: List[str]
    post_hooks: List[str]
    hooks_separated: bool = True  # False: dbt's CTE injection kept only the first statement


@dataclasses.dataclass
class Node:
    unique_id: str
    resource_type: str  # model or seed
    materialized: str
    schema: str
    alias: str
    protected: bool
    reads: List[str]  # unique ids of the models and seeds its SQL reads (through ephemeral models)
    unique_key: List[str] = dataclasses.field(default_factory=list)
    seed_columns: List[Tuple[str, str]] = dataclasses.field(default_factory=list)  # seeds: (name, type)
    run: Optional[Rendering] = None  # the branch tonight's run takes
    full_refresh: Optional[Rendering] = None  # protected incrementals whose table exists

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.alias}"


def is_protected(node: Any) -> bool:
    """meta: {safeguard: {protect: true}}, read as the package's _is_protected does."""
    meta = getattr(node.config, "meta", None) or getattr(node, "meta", None) or {}
    options = meta.get("safeguard") or {}
    return isinstance(options, dict) and options.get("protect") is True


class ProjectRenderer:
    """`ProjectRenderer(invoker, select).nodes()`, then `.render_full_refresh(ids)`."""

    def __init__(self, invoker: DbtInvoker, select: Sequence[str] = (), dbt_args: Sequence[str] = ()):
        self.invoker = invoker
        self.select = list(select)
        self.dbt_args = list(dbt_args)
        self.manifest: Any = None
        self.dbt_seconds = 0.0  # parse and compile, for the summary
        self._full_refresh: Dict[str, Rendering] = {}  # by the original's unique id
        self._target = tempfile.TemporaryDirectory(prefix="safeguard-preflight-")

    def close(self) -> None:
        self._target.cleanup()

    def nodes(self) -> List[Node]:
        """The selected models and seeds, dependencies first, each with tonight's rendering."""
        self.manifest = self._dbt("parse").result
        twins: Dict[str, str] = {}  # twin's unique id -> the original's
        for node in list(self.manifest.nodes.values()):
            if node.resource_type == "model" and is_protected(node):
                _append_hooks(node)
                if node.config.materialized == "incremental":
                    twin = _full_refresh_twin(node)
                    self.manifest.nodes[twin.unique_id] = twin
                    twins[twin.unique_id] = node.unique_id
        # Every twin is selected: one is kept only if its original was.
        twin_fqns = [f"fqn:{'.'.join(self.manifest.nodes[twin].fqn)}" for twin in twins]
        selection = ["--select", *self.select, *twin_fqns] if self.select else []
        compiled = self._dbt("compile", *selection, "--exclude", *_NOT_BUILT)
        nodes = []
        for result in compiled.result.results:
            if result.node.unique_id in twins:
                self._full_refresh[twins[result.node.unique_id]] = _rendering("full-refresh", result.node)
            elif result.node.config.materialized != "ephemeral":  # compiled into their readers
                nodes.append(self._node(result.node))
        return _dependencies_first(nodes)

    def render_full_refresh(self, nodes: Sequence[Node]) -> None:
        """Adds the full-refresh rendering to each of `nodes` (protected incrementals whose table exists)."""
        for node in nodes:
            node.full_refresh = self._full_refresh[node.unique_id]

    def _node(self, compiled: Any) -> Node:
        manifest_node = self.manifest.nodes[compiled.unique_id]
        node = Node(
            unique_id=compiled.unique_id,
            resource_type=str(compiled.resource_type),
            materialized=compiled.config.materialized,
            schema=compiled.schema,
            alias=compiled.alias or compiled.name,
            protected=compiled.resource_type == "model" and is_protected(compiled),
            reads=self._reads(manifest_node),
            unique_key=_key_columns(getattr(compiled.config, "unique_key", None)),
        )
        if node.resource_type == "seed":
            node.seed_columns = _seed_columns(compiled)
        else:
            # An incremental's label (incremental or first-run) is the
            # checker's to give: it depends on whether the table exists.
            node.run = _rendering(node.materialized, compiled)
        return node

    def _reads(self, node: Any) -> List[str]:
        reads: List[str] = []
        for parent_id in getattr(node.depends_on, "nodes", []):  # a seed depends on macros only
            parent = self.manifest.nodes.get(parent_id)
            if parent is None:  # a source: read as it is on the server
                continue
            if parent.resource_type == "model" and parent.config.materialized == "ephemeral":
                reads.extend(r for r in self._reads(parent) if r not in reads)
            elif parent_id not in reads:
                reads.append(parent_id)
        return reads

    def _dbt(self, command: str, *args: str) -> DbtOutcome:
        # parse keeps its partial-parse file in the project's target/, where
        # every later dbt command (tonight's seed and run) reuses it; the
        # compiles, whose manifest carries the hooks' text, write elsewhere.
        where = [] if command == "parse" else ["--target-path", self._target.name]
        outcome = self.invoker.invoke(
            command, *args, *self.dbt_args, *where, "--log-level", "none",
            manifest=self.manifest if command != "parse" else None,
        )
        self.dbt_seconds += outcome.duration
        if not outcome.success:
            failed = [f"{node.name}: {one_line(node.message or '')}" for node in outcome.nodes
                      if node.status == "error"]
            detail = "; ".join(failed) or one_line(outcome.error or "") or "see dbt's output"
            raise FatalError(f"preflight: dbt {command} failed: {detail}; nothing was checked on the server")
        return outcome


def _full_refresh_twin(node: Any) -> Any:
    """A copy of a protected incremental that compiles its rebuild branch:
    is_incremental() asks should_full_refresh(), which takes the model's own
    full_refresh config before the flag (so a model with full_refresh=false
    renders its rebuild branch too)."""
    twin = copy.deepcopy(node)
    twin.unique_id = node.unique_id + _TWIN
    twin.fqn = [*node.fqn[:-1], node.fqn[-1] + _TWIN]
    twin.config.full_refresh = True
    return twin


def _append_hooks(node: Any) -> None:
    """The hooks' text after the model's, each behind a marker: one compile renders them all in the model's context."""
    parts = [node.raw_code]
    for kind in HOOK_KINDS:
        for index, hook in enumerate(getattr(node.config, kind)):
            parts.append(_MARK.format(kind=kind, index=index) + hook.sql)
    node.raw_code = "".join(parts)


def _rendering(branch: str, compiled: Any) -> Rendering:
    """Splits compiled code at the hook markers. dbt's injection of ephemeral
    CTEs keeps only the first statement sqlparse finds: when a `;` made it
    drop the hooks, the rendering says so instead of checking less silently."""
    code = compiled.compiled_code or ""
    pieces = _MARK_PATTERN.split(code)
    hooks: Dict[str, List[str]] = {kind: [] for kind in HOOK_KINDS}
    for i in range(1, len(pieces), 3):
        hooks[pieces[i]].append(pieces[i + 2])
    expected = sum(len(getattr(compiled.config, kind)) for kind in HOOK_KINDS)
    found = sum(len(found) for found in hooks.values())
    return Rendering(branch, pieces[0], hooks["pre_hook"], hooks["post_hook"],
                     hooks_separated=found == expected)


def _key_columns(unique_key: Any) -> List[str]:
    if not unique_key:
        return []
    return [unique_key] if isinstance(unique_key, str) else [str(key) for key in unique_key]


def _seed_columns(node: Any) -> List[Tuple[str, str]]:
    """A seed's columns: its CSV header, typed by column_types (text where not
    given: preflight resolves names, the seed's own load infers types)."""
    path = Path(node.root_path) / node.original_file_path
    delimiter = getattr(node.config, "delimiter", None) or ","
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header = next(csv.reader(stream, delimiter=delimiter), [])
    types = {name.lower(): kind for name, kind in (node.config.column_types or {}).items()}
    return [(name, types.get(name.lower(), "text")) for name in header]


def _dependencies_first(nodes: List[Node]) -> List[Node]:
    by_id = {node.unique_id: node for node in nodes}
    ordered: List[Node] = []
    placed: set = set()

    def place(node: Node) -> None:
        if node.unique_id in placed:
            return
        placed.add(node.unique_id)
        for parent in node.reads:
            if parent in by_id:
                place(by_id[parent])
        ordered.append(node)

    for node in sorted(nodes, key=lambda n: n.unique_id):
        place(node)
    return ordered
