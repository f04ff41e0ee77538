"""MySQL 8 compatibility lint: a sqlfluff plugin and a both-branch dbt runner."""
