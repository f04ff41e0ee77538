"""Implementation of Rule SG10."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ..mysql_versions import format_version, parse_version
from ._mysql_types import CAST_TARGETS, is_cast_target, replacement, type_name
from ._tokens import lexed


class Rule_SG10(BaseRule):
    """CAST/CONVERT to a type MySQL 8 cannot cast to (error 1064).

    MariaDB accepts ``CAST(x AS INT)``; MySQL 8 only casts to BINARY, CHAR,
    DATE, DATETIME, DECIMAL, JSON, NCHAR, SIGNED, TIME, UNSIGNED, and (from
    8.0.17) DOUBLE, FLOAT, REAL, (from 8.0.22) YEAR. ``mysql_target_version``
    decides the version-dependent ones.

    **Anti-pattern**

    .. code-block:: sql

        SELECT CAST(room_no AS INT), CAST(amount AS NUMERIC(10, 2)) FROM rooms

    **Best practice**

    .. code-block:: sql

        SELECT CAST(room_no AS SIGNED), CAST(amount AS DECIMAL(10, 2)) FROM rooms
    """

    name = "mysql8.cast_type"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    config_keywords = ["mysql_target_version"]
    crawl_behaviour = SegmentSeekerCrawler({"function"})
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> Optional[LintResult]:
        function = context.segment
        fname = function.get_child("function_name")
        if fname is None or fname.raw.upper() not in ("CAST", "CONVERT"):
            return None
        data_type = next(function.recursive_crawl("data_type", no_recursive_seg_type="function"), None)
        if data_type is None:
            return None
        version = parse_version(self.mysql_target_version)
        name = type_name(data_type.raw)
        if is_cast_target(name, version):
            return None
        target = replacement(name, version)
        if name in CAST_TARGETS:
            description = (
                f"CAST to {name} needs MySQL {format_version(CAST_TARGETS[name])}; the target "
                f"version is {format_version(version)} (mysql_target_version)."
            )
        else:
            description = f"MySQL 8 cannot CAST to {data_type.raw.strip()} (error 1064; MariaDB accepts it)."
        fixes = []
        if target and target != name:
            new = target + self._length_suffix(data_type, target)
            description += f" Use {new}."
            fixes = [LintFix.replace(data_type, lexed(new, context.dialect))]
        elif not target:
            description += " Cast to CHAR, SIGNED, DECIMAL, DATE, DATETIME or JSON instead."
        return LintResult(anchor=data_type, fixes=fixes, description=description)

    @staticmethod
    def _length_suffix(data_type: BaseSegment, target: str) -> str:
        if target not in ("CHAR", "NCHAR", "DECIMAL", "BINARY"):
            return ""
        raw = data_type.raw
        return raw[raw.index("(") :] if "(" in raw else ""
