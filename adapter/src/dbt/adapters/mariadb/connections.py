"""The `mariadb` profile and connection manager: the `mysql` ones under MariaDB's type."""
from __future__ import annotations

from dataclasses import dataclass

from dbt.adapters.events.logging import AdapterLogger
from dbt.adapters.mysql.connections import MySQLConnectionManager, MySQLCredentials

logger = AdapterLogger("mariadb")


@dataclass
class MariaDBCredentials(MySQLCredentials):
    @property
    def type(self) -> str:
        return "mariadb"


class MariaDBConnectionManager(MySQLConnectionManager):
    TYPE = "mariadb"
