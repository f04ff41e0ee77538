"""The `mysql` adapter type (MySQL 8, Aurora MySQL 3) for dbt-core 1.8+ on dbt-adapters."""
from dbt.adapters.mysql.distribution import refuse_foreign_adapter

refuse_foreign_adapter()

from dbt.adapters.base import AdapterPlugin  # noqa: E402
from dbt.adapters.mysql.column import MySQLColumn  # noqa: E402,F401
from dbt.adapters.mysql.connections import MySQLConnectionManager, MySQLCredentials  # noqa: E402,F401
from dbt.adapters.mysql.impl import MySQLAdapter  # noqa: E402
from dbt.adapters.mysql.relation import MySQLRelation  # noqa: E402,F401
from dbt.include import mysql  # noqa: E402

Plugin = AdapterPlugin(
    adapter=MySQLAdapter,  # type: ignore[arg-type]
    credentials=MySQLCredentials,
    include_path=mysql.PACKAGE_PATH,
)
