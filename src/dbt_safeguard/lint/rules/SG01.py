"""Implementation of Rule SG01."""
from __future__ import annotations

from typing import Optional


from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ..mysql_versions import parse_version
from ._mysql_types import replacement, type_name
from ._tokens import lexed


class Rule_SG01(BaseRule):
    """PostgreSQL ``::`` cast; MySQL 8 rejects it (error 1064).

    **Anti-pattern**

    .. code-block:: sql

        SELECT NULL::date AS valid_to FROM tenants

    **Best practice**

    Use ``CAST(expr AS type)`` with a MySQL CAST type.

    .. code-block:: sql

        SELECT CAST(NULL AS DATE) AS valid_to FROM tenants
    """

    name = "mysql8.postgres_cast"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    config_keywords = ["mysql_target_version"]
    crawl_behaviour = SegmentSeekerCrawler({"cast_expression"})
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> Optional[LintResult]:
        cast = context.segment
        operator = cast.get_child("casting_operator")
        if operator is None:
            return None
        children = [c for c in cast.segments if not c.is_meta]
        idx = children.index(operator)
        value = "".join(c.raw for c in children[:idx]).strip()
        target = "".join(c.raw for c in children[idx + 1 :]).strip()
        version = parse_version(self.mysql_target_version)
        mysql_type = replacement(type_name(target), version)
        description = f"PostgreSQL cast `{value}::{target}`: MySQL 8 rejects `::` (error 1064)."
        fixes = []
        if mysql_type and value and "::" not in value:
            suffix = target[len(target.split("(")[0]) :] if "(" in target else ""
            if mysql_type in ("SIGNED", "JSON", "DATE", "DATETIME", "TIME", "YEAR"):
                suffix = ""
            new = f"CAST({value} AS {mysql_type}{suffix})"
            description += f" Use `{new}`."
            fixes = [LintFix.replace(cast, lexed(new, context.dialect))]
        else:
            description += " Use CAST(expr AS <MySQL type>)."
        return LintResult(anchor=operator, fixes=fixes, description=description)
