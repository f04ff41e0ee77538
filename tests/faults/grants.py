"""The minimal MySQL grants of the ETL user (docs/faults.md,
"Least privilege"), as statements for one schema prefix."""
from __future__ import annotations

from typing import List

# The loader's schemas: it creates <staging>_loading, fills it, swaps it into
# <staging> and keeps the replaced tables in <staging>_previous. Dumps carry
# views, triggers and routines; FOREIGN_KEY_CHECKS=0 needs no privilege.
LOADER_PRIVILEGES = ("SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, LOCK TABLES,"
                     " CREATE TEMPORARY TABLES, CREATE VIEW, SHOW VIEW, TRIGGER, CREATE ROUTINE, ALTER ROUTINE,"
                     " EXECUTE, EVENT")
# dbt's schemas and the safeguard catalog: tables, views, incremental temporary
# tables; backups are tables in the same schemas (or safeguard_backup_schema).
WAREHOUSE_PRIVILEGES = ("SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, LOCK TABLES,"
                        " CREATE TEMPORARY TABLES, CREATE VIEW, SHOW VIEW")
# The catalog schema also holds the package's stored procedure that retries a
# DDL statement with short lock waits (safeguard_run_ddl_v1, SQL SECURITY
# INVOKER): it is created on first use and called on every swap and drop.
CATALOG_PRIVILEGES = WAREHOUSE_PRIVILEGES + ", CREATE ROUTINE, ALTER ROUTINE, EXECUTE"
LOADER_SCHEMAS = ("staging", "staging_loading", "staging_previous")
WAREHOUSE_SCHEMAS = ("silver", "gold")
CATALOG_SCHEMA = "analytics"


def grant_statements(user: str, host: str, prefix: str = "") -> List[str]:
    def db(name: str) -> str:
        # In a GRANT's database name, _ and % are wildcards: escape _.
        return "`" + (prefix + name).replace("_", "\\_") + "`.*"

    account = f"'{user}'@'{host}'"
    statements = [f"GRANT {LOADER_PRIVILEGES} ON {db(s)} TO {account}" for s in LOADER_SCHEMAS]
    statements += [f"GRANT {WAREHOUSE_PRIVILEGES} ON {db(s)} TO {account}" for s in WAREHOUSE_SCHEMAS]
    statements.append(f"GRANT {CATALOG_PRIVILEGES} ON {db(CATALOG_SCHEMA)} TO {account}")
    return statements
