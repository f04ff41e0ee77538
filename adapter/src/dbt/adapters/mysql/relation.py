"""Relations of the MySQL family: a schema is a database, so names are `schema`.`table`."""
from __future__ import annotations

from dataclasses import dataclass, field

from dbt.adapters.base.relation import BaseRelation, Policy
from dbt_common.exceptions import DbtRuntimeError


@dataclass
class MySQLQuotePolicy(Policy):
    database: bool = False
    schema: bool = True
    identifier: bool = True


@dataclass
class MySQLIncludePolicy(Policy):
    # MySQL has no level above the schema (SCHEMA is a synonym of DATABASE).
    database: bool = False
    schema: bool = True
    identifier: bool = True


@dataclass(frozen=True, eq=False, repr=False)
class MySQLRelation(BaseRelation):
    quote_policy: MySQLQuotePolicy = field(default_factory=lambda: MySQLQuotePolicy())
    include_policy: MySQLIncludePolicy = field(default_factory=lambda: MySQLIncludePolicy())
    quote_character: str = "`"

    def __post_init__(self) -> None:
        if self.database and self.database != self.schema:
            raise DbtRuntimeError(
                f"relation {self.schema}.{self.identifier}: `database` is '{self.database}' but MySQL has no "
                "database above the schema; leave `database` unset or equal to `schema`"
            )

    def relation_max_name_length(self) -> int:
        # MySQL limits table names to 64 characters; dbt shortens its
        # suffixed temp and backup names to fit.
        return 64
