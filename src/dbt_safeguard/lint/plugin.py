"""The sqlfluff plugin: MySQL 8 compatibility rules and the branch-aware dbt templater.

Registered through the ``sqlfluff`` entry-point group in pyproject.toml. Rules
are imported inside ``get_rules`` so that loading the plugin (which sqlfluff
does for every command) stays cheap.
"""
from __future__ import annotations

from typing import Any, Dict, List

from sqlfluff.core.plugin import hookimpl


@hookimpl
def get_rules() -> List[type]:
    from .rules import RULES

    return list(RULES)


@hookimpl
def get_templaters() -> List[type]:
    from .dbt_templater import SafeguardDbtTemplater

    return [SafeguardDbtTemplater]


@hookimpl
def load_default_config() -> Dict[str, Any]:
    from .mysql_versions import DEFAULT_TARGET_VERSION

    return {"rules": {"mysql_target_version": DEFAULT_TARGET_VERSION, "mysql_functions": ""}}


@hookimpl
def get_configs_info() -> Dict[str, Dict[str, Any]]:
    return {
        "mysql_target_version": {
            "definition": (
                "The oldest MySQL server version the SQL must run on, e.g. 8.0.28 "
                "(Aurora MySQL 3.04) or 8.0.32 (Aurora MySQL 3.05). Features newer "
                "than this version are reported."
            ),
        },
        "mysql_functions": {
            "definition": (
                "Functions the target schema has beyond MySQL 8.0's built-in and loadable "
                "ones (stored functions, UDFs), comma-separated: SG11 does not report calls "
                "to them. Functions the project's own SQL creates are added automatically."
            ),
        },
    }
