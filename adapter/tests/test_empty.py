"""dbt-tests-adapter's `--empty` suite (dbt.tests.adapter.empty).

Not run (docs/testing.md "The adapter"): BaseTestEmptySeedFlag (`dbt seed
--empty` is newer than dbt-core 1.11), BaseTestEmptyInlineSourceRef and
MetadataWithEmptyFlag (fail on this adapter; not investigated yet).
"""
from dbt.tests.adapter.empty.test_empty import BaseTestEmpty


class TestEmpty(BaseTestEmpty):
    pass
