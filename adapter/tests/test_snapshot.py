"""dbt-tests-adapter's snapshot suite (dbt.tests.adapter.simple_snapshot).

The basic suite's check and timestamp snapshots run in test_basic.py. Not
run here (docs/testing.md "The adapter"): the classes whose fixture SQL is
Postgres (`::timestamp`, `UPDATE ... FROM`) and would need MySQL rewrites.
"""
from dbt.tests.adapter.simple_snapshot.test_snapshot import BaseSnapshotCheck


class TestSnapshotCheck(BaseSnapshotCheck):
    pass
