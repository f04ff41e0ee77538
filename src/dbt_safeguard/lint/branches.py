"""The branches a dbt model renders in; importing this costs nothing (no sqlfluff).

* ``incremental``: the table exists, a normal run (``is_incremental()`` true).
* ``full_refresh``: ``dbt run --full-refresh`` (``is_incremental()`` false,
  ``flags.FULL_REFRESH`` true).
* ``first_run``: the table does not exist yet (both false).
"""

BRANCHES = ("incremental", "full_refresh", "first_run")
DEFAULT_BRANCH = "incremental"
BRANCH_LABELS = {"incremental": "incremental", "full_refresh": "full-refresh", "first_run": "first-run"}
