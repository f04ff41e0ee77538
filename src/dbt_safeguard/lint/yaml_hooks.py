"""Hook SQL written in YAML: dbt_project.yml and model property files.

``on-run-start``/``on-run-end`` and ``+pre-hook``/``+post-hook`` (also in a
model's ``config:`` block) are SQL that dbt renders and runs as written, the
same as a ``post_hook`` in a model's ``config()`` call.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List

import yaml

HOOK_KEYS = {
    "on-run-start", "on-run-end", "on_run_start", "on_run_end",
    "pre-hook", "post-hook", "pre_hook", "post_hook",
    "+pre-hook", "+post-hook", "+pre_hook", "+post_hook",
}


@dataclass(frozen=True)
class YamlHook:
    key: str
    sql: str
    line_offset: int  # lines before the hook's first line of SQL
    col_offset: int


def yaml_hooks(text: str) -> List[YamlHook]:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []  # not ours to judge: dbt reports broken YAML itself
    return list(_walk(root)) if root is not None else []


def _walk(node) -> Iterator[YamlHook]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in HOOK_KEYS:
                yield from _hook_values(key.value, value)
            else:
                yield from _walk(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def _hook_values(key: str, node) -> Iterator[YamlHook]:
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _hook_values(key, item)
    elif isinstance(node, yaml.MappingNode):
        for sub_key, value in node.value:
            if isinstance(sub_key, yaml.ScalarNode) and sub_key.value == "sql":
                yield from _hook_values(key, value)
    elif isinstance(node, yaml.ScalarNode) and node.value.strip():
        block = node.style in ("|", ">")
        # A block scalar's text starts on the line after its indicator.
        yield YamlHook(
            key=key,
            sql=node.value,
            line_offset=node.start_mark.line + (1 if block else 0),
            col_offset=0 if block else node.start_mark.column + (1 if node.style in ("'", '"') else 0),
        )
