"""Implementation of Rule SG18."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ..mysql_versions import INTERSECT_AND_EXCEPT, LATERAL_DERIVED_TABLES, format_version, parse_version
from ._tokens import code_tokens


class Rule_SG18(BaseRule):
    """A MySQL 8.0 feature newer than ``mysql_target_version`` (error 1064).

    INTERSECT and EXCEPT arrived in 8.0.31, LATERAL derived tables in 8.0.14.
    ``SELECT SQL_CACHE`` went the other way: 8.0.3 removed it.
    The default target, 8.0.28, is Aurora MySQL 3.04.

    **Anti-pattern**

    .. code-block:: sql

        SELECT tenant_id FROM contracts
        EXCEPT
        SELECT tenant_id FROM moveouts

    **Best practice**

    Use an anti-join (or raise ``mysql_target_version`` if every server is new enough).

    .. code-block:: sql

        SELECT c.tenant_id FROM contracts AS c
        LEFT JOIN moveouts AS m ON m.tenant_id = c.tenant_id
        WHERE m.tenant_id IS NULL
    """

    name = "mysql8.version_feature"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    config_keywords = ["mysql_target_version"]
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        version = parse_version(self.mysql_target_version)
        features = {}
        if version < INTERSECT_AND_EXCEPT:
            features["INTERSECT"] = (INTERSECT_AND_EXCEPT, "use an (anti-)join or EXISTS")
            features["EXCEPT"] = (INTERSECT_AND_EXCEPT, "use a LEFT JOIN ... IS NULL anti-join")
        if version < LATERAL_DERIVED_TABLES:
            features["LATERAL"] = (LATERAL_DERIVED_TABLES, "use a correlated subquery or a join")
        results = []
        for token in code_tokens(context.segment):
            word = token.raw.upper()
            if word == "SQL_CACHE":
                results.append(
                    LintResult(
                        anchor=token,
                        description="SQL_CACHE was removed in MySQL 8.0.3 with the query cache (error 1064): drop it.",
                    )
                )
                continue
            if word in features:
                since, instead = features[word]
                results.append(
                    LintResult(
                        anchor=token,
                        description=(
                            f"{word} needs MySQL {format_version(since)}; the target is "
                            f"{format_version(version)} (mysql_target_version): {instead}."
                        ),
                    )
                )
        return results
