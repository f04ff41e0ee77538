"""dbt-tests-adapter's incremental suite (dbt.tests.adapter.incremental), the parts MySQL can run.

Not run (docs/testing.md "The adapter"): merge_exclude_columns and
incremental_predicates (MERGE-strategy options; MySQL has no MERGE),
on_schema_change (the materialization does not alter columns yet) and
microbatch (not implemented on this adapter yet).
"""
from dbt.tests.adapter.incremental.test_incremental_unique_id import BaseIncrementalUniqueKey


class TestIncrementalUniqueKey(BaseIncrementalUniqueKey):
    pass
