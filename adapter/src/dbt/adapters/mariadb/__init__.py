"""The `mariadb` adapter type: the `mysql` adapter under MariaDB's name.

It depends on the `mysql` plugin, so dbt dispatches `mariadb__x`, then
`mysql__x`, then `default__x`: one macro tree, with MariaDB overrides only
where MariaDB differs.
"""
from dbt.adapters.mysql.distribution import refuse_foreign_adapter

refuse_foreign_adapter()

from dbt.adapters.base import AdapterPlugin  # noqa: E402
from dbt.adapters.mariadb.connections import MariaDBConnectionManager, MariaDBCredentials  # noqa: E402,F401
from dbt.adapters.mariadb.impl import MariaDBAdapter  # noqa: E402
from dbt.include import mariadb  # noqa: E402

Plugin = AdapterPlugin(
    adapter=MariaDBAdapter,  # type: ignore[arg-type]
    credentials=MariaDBCredentials,
    include_path=mariadb.PACKAGE_PATH,
    dependencies=["mysql"],
)
