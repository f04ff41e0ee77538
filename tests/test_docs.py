"""The docs mirror the code they describe, and the README stays a front page."""
from __future__ import annotations

import re

from safeguard_testing.harness import REPO_ROOT

SETTINGS_MACRO = REPO_ROOT / "macros" / "config" / "_settings.sql"
CONFIGURATION_DOC = REPO_ROOT / "docs" / "configuration.md"
README = REPO_ROOT / "README.md"


def _settings_in_macro() -> set:
    return set(re.findall(r"'(\w+)': \{'default':", SETTINGS_MACRO.read_text()))


def test_the_configuration_table_lists_exactly_the_settings_of_the_macro():
    settings = _settings_in_macro()
    assert {"enabled", "lock_wait_seconds", "max_backups_per_table"} <= settings  # the parse found them
    table_rows = set(re.findall(r"^\| `safeguard_(\w+)` \|", CONFIGURATION_DOC.read_text(), re.MULTILINE))
    assert table_rows == settings


def test_the_readme_is_a_front_page_and_its_links_resolve():
    text = README.read_text()
    assert len(text.encode()) <= 16_000
    targets = re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)(?:#[\w-]+)?\)", text)
    assert targets, "the README links its docs"
    missing = [t for t in targets if not (REPO_ROOT / t).is_file()]
    assert not missing
