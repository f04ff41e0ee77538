"""A sqlfluff templater that renders a dbt model in one chosen branch.

sqlfluff's own jinja templater (with ``apply_dbt_builtins``) renders
``is_incremental()`` as true, always, so the full-refresh rendering of a model
is never parsed. This templater is the jinja templater with a dbt context
(``dbt_context``) whose ``is_incremental()`` and ``flags.FULL_REFRESH`` follow
the configured branch:

* ``incremental``: the table exists, a normal run (``is_incremental()`` true).
* ``full_refresh``: ``dbt run --full-refresh`` (``is_incremental()`` false,
  ``flags.FULL_REFRESH`` true).
* ``first_run``: the table does not exist yet (``is_incremental()`` false,
  ``flags.FULL_REFRESH`` false).

``render`` returns, with the rendered file, a ``RenderRecord``: the
``pre_hook``/``post_hook`` SQL passed to ``config()`` (dbt runs those
statements after rendering them, so the runner lints them too) and whether
the file asked for its branch. The project's and the package's macros are
loaded (private ones too) so that macro calls render; with the
``placeholders`` setting, unknown names render as placeholder identifiers so
that a macro's SQL block can be linted on its own. Nothing here connects to a
database.
"""
from __future__ import annotations

import contextvars
from typing import Any, Dict, Optional, Tuple

from sqlfluff.core import Linter
from sqlfluff.core.config import FluffConfig
from sqlfluff.core.linter.common import RenderedFile

from .branches import BRANCHES, DEFAULT_BRANCH
from .dbt_blocks import renderable
from .dbt_context import (
    RenderRecord,
    SqlPlaceholder,
    bind_macros,
    dbt_context,
)
from .sqlfluff_internals import JinjaTemplaterHooks

# The record of the render() in progress. sqlfluff calls get_context() deep
# inside render_string() and config values must be plain settings, so the
# record travels in a context variable scoped to that one call.
_RECORD: contextvars.ContextVar[Optional[RenderRecord]] = contextvars.ContextVar("render_record", default=None)


class SafeguardDbtTemplater(JinjaTemplaterHooks):
    """The jinja templater with a dbt context that renders one chosen branch."""

    name = "safeguard_dbt"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._placeholders = False

    def render(
        self, linter: Linter, text: str, fname: str, config: FluffConfig, branch: str, encoding: str = "utf-8"
    ) -> Tuple[RenderedFile, RenderRecord]:
        """Render text as fname in branch: the rendered file and what the render recorded."""
        record = RenderRecord()
        render_config = config.copy()
        render_config.set_value(["templater", self.name, "branch"], branch)
        token = _RECORD.set(record)
        try:
            return linter.render_string(text, fname, render_config, encoding), record
        finally:
            _RECORD.reset(token)

    def _setting(self, config: Optional[FluffConfig], key: str, default: Any = None) -> Any:
        if config is None:
            return default
        value = config.get_section((self.templater_selector, self.name, key))
        return default if value is None else value

    def branch(self, config: Optional[FluffConfig]) -> str:
        value = str(self._setting(config, "branch", DEFAULT_BRANCH))
        if value not in BRANCHES:
            raise ValueError(
                f"templater:{self.name}:branch must be one of {', '.join(BRANCHES)}, not {value!r}"
            )
        return value

    def uses_dbt_builtins(self, config: Optional[FluffConfig]) -> bool:
        # Our context below replaces most of them; the rest (return, zip, tojson,
        # fromjson) are filled in by the jinja templater when missing.
        return True

    def get_context(self, fname: Optional[str], config: Optional[FluffConfig]) -> Dict[str, Any]:
        context = super().get_context(fname, config)
        record = _RECORD.get()
        packages = str(self._setting(config, "package_names", "") or "").split(",")
        dbt = dbt_context(
            branch=self.branch(config),
            fname=fname,
            project_dir=self._setting(config, "project_dir"),
            materialized=self._setting(config, "materialized"),
            execute=bool(self._setting(config, "execute", True)),
            package_names=[p.strip() for p in packages if p.strip()],
            # Macros from load_macros_from_path are added to `context` later by
            # the jinja templater; context_ready() points the lookups at them.
            macros=context,
            # Plain `sqlfluff lint` renders without a record: keep a throwaway.
            record=record if record is not None else RenderRecord(),
        )
        for key, value in dbt.items():
            context.setdefault(key, value)
        return context

    def context_ready(self, live_context: Dict[str, Any]) -> None:
        bind_macros(live_context)

    @classmethod
    def macro_source(cls, template: str) -> str:
        # A macro folder may hold {% docs %} blocks (dbt reads them from any .md or .sql there).
        return renderable(template)

    def process(self, *, in_str, fname, config=None, formatter=None):
        # Placeholders: rendering a macro's SQL block, whose arguments are unknown.
        self._placeholders = bool(self._setting(config, "placeholders", False))
        # {% snapshot %} and {% docs %}: dbt's tags, which plain Jinja lacks (dbt_blocks).
        return super().process(in_str=renderable(in_str), fname=fname, config=config, formatter=formatter)

    def placeholder_for(self, name: str) -> Optional[Any]:
        return SqlPlaceholder.create(name) if self._placeholders else None

    def process_with_variants(self, *, in_str, fname, config=None, formatter=None):
        # One rendering per branch, chosen by the runner; sqlfluff's own
        # variant search (flipping {% if %} blocks blindly) would only cost time.
        yield self.process(in_str=in_str, fname=fname, config=config, formatter=formatter)
