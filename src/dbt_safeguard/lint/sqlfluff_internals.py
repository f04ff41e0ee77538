"""Every use of sqlfluff's private API, in one place.

The lint extends sqlfluff's jinja templater through methods sqlfluff does not
document (they start with ``_``), and reuses two private helpers. sqlfluff may
change any of them in a minor release: ``_compile_macro_template`` exists in
4.5 but not in 4.4 (checked in sqlfluff-4.4.0's wheel). pyproject.toml pins the range this module is
tested with, and ``tests/lint/test_sqlfluff_internals.py`` fails when an
installed sqlfluff no longer has one of ``PRIVATE_API`` with the parameters
listed there.

The rest of the lint sees only public names: ``JinjaTemplaterHooks`` turns
the private extension points into overridable public methods.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any, Dict, Iterable, Iterator, Optional, Set

from jinja2 import Environment
from jinja2.exceptions import UndefinedError
from jinja2.runtime import Macro
from sqlfluff.core import Linter
from sqlfluff.core.config import FluffConfig
from sqlfluff.core.templaters import jinja as _jinja
from sqlfluff.core.templaters.builtins.dbt import DBT_BUILTINS, DbtMacroWrapper
from sqlfluff.core.templaters.jinja import DummyUndefined, JinjaTemplater

# (owner, private name) -> the parameter names this module relies on.
PRIVATE_API = {
    (JinjaTemplater, "_apply_dbt_builtins"): ("self", "config"),
    (JinjaTemplater, "_extract_macros_from_template"): ("template", "env", "ctx"),
    (JinjaTemplater, "_init_undefined_tracking"): (
        "live_context", "potentially_undefined_variables", "ignore_templating",
    ),
    (JinjaTemplater, "_get_env_context"): ("self", "fname", "config", "env"),
    (_jinja, "_compile_macro_template"): ("template", "env"),
    (Linter, "_normalise_newlines"): ("string",),
}

# dbt's `zip` as sqlfluff's dbt builtins define it.
DBT_ZIP = DBT_BUILTINS["zip"]


def normalise_newlines(text: str) -> str:
    """Newlines as sqlfluff's render_string normalises them (line numbers must agree)."""
    return Linter._normalise_newlines(text)


@contextlib.contextmanager
def keep_traceback_limit() -> Iterator[None]:
    """Undo sqlfluff's `sys.tracebacklimit = 0`: its dialects set it before raising
    "Grammar refers to the ... keyword", which would hide every later traceback."""
    unset = object()
    before = getattr(sys, "tracebacklimit", unset)
    try:
        yield
    finally:
        if before is unset:
            if hasattr(sys, "tracebacklimit"):
                del sys.tracebacklimit
        else:
            sys.tracebacklimit = before


class Placeholder(DummyUndefined):
    """sqlfluff's stand-in for an undefined name; subclasses choose how it renders."""


def every_macro(template: str, env: Environment, ctx: Dict[str, Any]) -> Dict[str, DbtMacroWrapper]:
    """Every macro a file defines, private ones (`_name`) included.

    Jinja exports only public names from a template module, but a dbt
    package's public macros call its private ones (`safeguard._setting`).
    """
    macro_template = env.template_class.from_code(
        env, _jinja._compile_macro_template(template, env), env.make_globals(ctx)
    )
    context = macro_template.new_context()
    try:
        for _ in macro_template.root_render_func(context):
            pass
    except UndefinedError:
        pass  # a file that needs an undefined name at load time: its macros still load
    return {name: DbtMacroWrapper(value) for name, value in context.vars.items() if isinstance(value, Macro)}


class JinjaTemplaterHooks(JinjaTemplater):
    """sqlfluff's jinja templater with its private extension points made public.

    Subclasses override ``uses_dbt_builtins``, ``placeholder_for`` and
    ``context_ready`` instead of sqlfluff's private methods.
    """

    def uses_dbt_builtins(self, config: Optional[FluffConfig]) -> bool:
        return super()._apply_dbt_builtins(config)

    def placeholder_for(self, name: str) -> Optional[Any]:
        """The value an undefined name renders as; None: sqlfluff reports it undefined."""
        return None

    def context_ready(self, live_context: Dict[str, Any]) -> None:
        """Called with the full context (macros loaded) before rendering."""

    # sqlfluff's private extension points, delegating to the public ones above.

    def _apply_dbt_builtins(self, config: Optional[FluffConfig]) -> bool:
        return self.uses_dbt_builtins(config)

    @staticmethod
    def _extract_macros_from_template(template: str, env: Environment, ctx: Dict[str, Any]):
        return every_macro(template, env, ctx)

    def _init_undefined_tracking(
        self, live_context, potentially_undefined_variables: Iterable[str], ignore_templating: bool = False
    ) -> Set[str]:
        names = list(potentially_undefined_variables)
        placeholders = {name: self.placeholder_for(name) for name in names if name not in live_context}
        placeholders = {name: value for name, value in placeholders.items() if value is not None}
        if placeholders:
            live_context.update(placeholders)
            return set()
        return JinjaTemplater._init_undefined_tracking(live_context, names, ignore_templating)

    def _get_env_context(self, fname: Optional[str], config: Optional[FluffConfig], env: Environment):
        live_context = super()._get_env_context(fname, config, env)
        self.context_ready(live_context)
        return live_context
