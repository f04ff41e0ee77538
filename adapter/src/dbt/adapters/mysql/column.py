"""Columns of the MySQL family, quoted with backticks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Optional

from dbt.adapters.base.column import Column


@dataclass
class MySQLColumn(Column):
    # dbt's portable names (type_string(), type_int(), ...) as MySQL column types.
    TYPE_LABELS: ClassVar[Dict[str, str]] = {
        "STRING": "TEXT",
        "TIMESTAMP": "DATETIME",
        "FLOAT": "DOUBLE",
        "INTEGER": "INT",
        "BOOLEAN": "TINYINT(1)",
    }
    table_database: Optional[str] = None
    table_schema: Optional[str] = None
    table_name: Optional[str] = None
    table_type: Optional[str] = None
    table_owner: Optional[str] = None
    table_stats: Optional[Dict[str, Any]] = None
    column_index: Optional[int] = None

    @property
    def quoted(self) -> str:
        return "`{}`".format(self.column.replace("`", "``"))

    @property
    def data_type(self) -> str:
        # information_schema.columns.column_type is already the full type
        # (`varchar(20)`, `decimal(10,2)`, `bigint unsigned`): keep it as is.
        return self.dtype

    def __repr__(self) -> str:
        return "<MySQLColumn {} ({})>".format(self.name, self.data_type)
