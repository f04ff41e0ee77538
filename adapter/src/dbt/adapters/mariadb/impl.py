"""The `mariadb` adapter: the `mysql` adapter with MariaDB's connection manager."""
from __future__ import annotations

from dbt.adapters.mariadb.connections import MariaDBConnectionManager
from dbt.adapters.mysql.impl import MySQLAdapter


class MariaDBAdapter(MySQLAdapter):
    ConnectionManager = MariaDBConnectionManager
