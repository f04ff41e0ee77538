"""dbt-safeguard: protect dbt tables on MySQL-family warehouses."""

__version__ = "0.1.0"
