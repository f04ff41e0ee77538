"""Every rule's YAML cases (pass, fail, fix), through sqlfluff's own rule-test helper."""
from pathlib import Path

import pytest
from sqlfluff.utils.testing.rules import load_test_cases, rules__test_helper

CASES = Path(__file__).parent / "rule_cases"
ids, test_cases = load_test_cases(str(CASES / "*.yml"))


@pytest.mark.parametrize("test_case", test_cases, ids=ids)
def test_rule_case(test_case):
    rules__test_helper(test_case)
