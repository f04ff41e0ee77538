"""The `mysql` adapter: what differs on MySQL from dbt's SQLAdapter.

The SQL itself lives in dbt/include/mysql/macros; this class holds what
must be Python: type conversions for seeds, constraint support, the
catalog filter (MySQL relations have no database) and the helpers
dbt-tests-adapter calls.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, FrozenSet, List, Optional, Tuple

from dbt.adapters.base.impl import ConstraintSupport
from dbt.adapters.base.meta import available
from dbt.adapters.mysql.column import MySQLColumn
from dbt.adapters.mysql.connections import MySQLConnectionManager
from dbt.adapters.mysql.relation import MySQLRelation
from dbt.adapters.sql import SQLAdapter
from dbt_common.clients.agate_helper import table_from_rows
from dbt_common.contracts.constraints import ConstraintType
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError
import pymysql

if TYPE_CHECKING:
    import agate

# The strategies the incremental materialization implements
# (materializations/incremental.sql): MySQL has no MERGE.
INCREMENTAL_STRATEGIES = ["append", "delete+insert"]


class MySQLAdapter(SQLAdapter):
    Relation = MySQLRelation
    Column = MySQLColumn
    ConnectionManager = MySQLConnectionManager

    CONSTRAINT_SUPPORT = {
        # CHECK is enforced from MySQL 8.0.16 and MariaDB 10.2.1.
        ConstraintType.check: ConstraintSupport.ENFORCED,
        ConstraintType.not_null: ConstraintSupport.ENFORCED,
        ConstraintType.unique: ConstraintSupport.ENFORCED,
        ConstraintType.primary_key: ConstraintSupport.ENFORCED,
        # dbt builds tables with CREATE TABLE ... SELECT, which cannot declare
        # a FOREIGN KEY; add one with a post-hook instead.
        ConstraintType.foreign_key: ConstraintSupport.NOT_SUPPORTED,
    }

    @classmethod
    def date_function(cls) -> str:
        return "current_date()"

    @classmethod
    def is_cancelable(cls) -> bool:
        return True

    @classmethod
    def quote(cls, identifier: str) -> str:
        # dbt quotes a missing database as None too: format, not replace.
        return "`{}`".format(identifier)

    # Seed column types: MySQL spellings of dbt's portable ones.
    @classmethod
    def convert_text_type(cls, agate_table: "agate.Table", col_idx: int) -> str:
        return "text"

    @classmethod
    def convert_number_type(cls, agate_table: "agate.Table", col_idx: int) -> str:
        import agate

        decimals = agate_table.aggregate(agate.MaxPrecision(col_idx))
        return "double" if decimals else "bigint"

    @classmethod
    def convert_integer_type(cls, agate_table: "agate.Table", col_idx: int) -> str:
        return "bigint"

    @classmethod
    def convert_boolean_type(cls, agate_table: "agate.Table", col_idx: int) -> str:
        return "boolean"

    @classmethod
    def convert_datetime_type(cls, agate_table: "agate.Table", col_idx: int) -> str:
        # Not TIMESTAMP: its range ends in 2038, and on MariaDB before 10.10 the
        # first TIMESTAMP column of a table updates itself on every UPDATE.
        return "datetime"

    @classmethod
    def convert_time_type(cls, agate_table: "agate.Table", col_idx: int) -> str:
        return "time"

    def valid_incremental_strategies(self) -> List[str]:
        return list(INCREMENTAL_STRATEGIES)

    @available
    def check_incremental_strategy(self, strategy: Optional[str], model_name: str) -> str:
        """The strategy a model asked for, or a one-line error naming the model."""
        chosen = strategy or "default"
        if chosen not in ("default", *INCREMENTAL_STRATEGIES):
            raise DbtRuntimeError(
                f"model {model_name}: incremental_strategy '{strategy}' is not supported on {self.type()}; "
                f"available: {', '.join(INCREMENTAL_STRATEGIES)}"
            )
        return chosen

    def get_columns_in_relation(self, relation: MySQLRelation) -> List[MySQLColumn]:  # type: ignore[override]
        # dbt expects no columns for a relation that does not exist (e.g. at
        # compile time). SHOW COLUMNS, the only listing that sees TEMPORARY
        # tables, fails there with ER_NO_SUCH_TABLE (1146) instead.
        try:
            return super().get_columns_in_relation(relation)
        except DbtDatabaseError as e:
            cause = e.__cause__
            if isinstance(cause, pymysql.err.ProgrammingError) and cause.args and cause.args[0] == 1146:
                return []
            raise

    @classmethod
    def _catalog_filter_table(
        cls, table: "agate.Table", used_schemas: FrozenSet[Tuple[str, str]]
    ) -> "agate.Table":
        # dbt's filter matches (database, schema) and drops rows without a
        # database; MySQL relations have none, so match the schema alone.
        table = table_from_rows(
            table.rows, table.column_names, text_only_columns=["table_database", "table_schema", "table_name"]
        )
        return table.where(_schema_filter(used_schemas))

    # Used by dbt-tests-adapter.
    def timestamp_add_sql(self, add_to: str, number: int = 1, interval: str = "hour") -> str:
        return f"date_add({add_to}, interval {number} {interval})"

    def string_add_sql(self, add_to: str, value: str, location: str = "append") -> str:
        if location == "append":
            return f"concat({add_to}, '{value}')"
        if location == "prepend":
            return f"concat('{value}', {add_to})"
        raise DbtRuntimeError(f'string_add_sql: location "{location}" is not append or prepend')

    def get_rows_different_sql(
        self,
        relation_a: MySQLRelation,  # type: ignore[override]
        relation_b: MySQLRelation,  # type: ignore[override]
        column_names: Optional[List[str]] = None,
        except_operator: str = "",
    ) -> str:
        # EXCEPT arrived in MySQL 8.0.31 (Aurora MySQL 3 is older): compare by
        # a null-safe join (<=>) of the two relations instead.
        if column_names is None:
            names = sorted(self.quote(c.name) for c in self.get_columns_in_relation(relation_a))
        else:
            names = sorted(self.quote(n) for n in column_names)
        on = " and ".join(f"a.{n} <=> b.{n}" for n in names)
        a_cols = ", ".join(f"a.{n}" for n in names)
        b_cols = ", ".join(f"b.{n}" for n in names)
        return f"""
        select
            (select count(*) from {relation_a}) - (select count(*) from {relation_b}) as row_count_difference,
            (select count(*) from (
                select {a_cols} from {relation_a} as a
                where not exists (select 1 from {relation_b} as b where {on})
                union all
                select {b_cols} from {relation_b} as b
                where not exists (select 1 from {relation_a} as a where {on})
            ) as missing) as num_mismatched
        """


def _schema_filter(used_schemas: FrozenSet[Tuple[str, str]]) -> Callable[["agate.Row"], bool]:
    schemas = {schema.lower() for _, schema in used_schemas}
    return lambda row: (row["table_schema"] or "").lower() in schemas
