"""Safe YAML with bounded aliases: front matter, the knowledge base and the glossary.

A YAML alias repeats a node by reference, so a few kilobytes of nested aliases ("billion
laughs") stand for billions of values, and `&a [*a]` for an endless one. Before anything is
constructed, the node graph is walked once (linear in its distinct nodes): a value that
contains itself, or a document that expands to more than MAX_VALUES values, is refused with
the line of the offending node. Lone surrogates (`"\\ud800"`), which no UTF-8 file can
hold, are refused the same way.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_VALUES = 100_000  # values in one YAML document once its aliases are expanded
_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlLimitError(yaml.MarkedYAMLError):
    """A YAML document refused by `check_nodes`; `problem_mark` is the offending node."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def check_nodes(root: yaml.Node) -> None:
    """Raise YamlLimitError for a self-containing value, too large an expansion or a lone
    surrogate; each distinct node is visited once."""
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_VALUES:
                raise YamlLimitError(
                    problem=f"the YAML expands to more than {MAX_VALUES:,} values (aliases "
                    "repeating aliases); write the values out or remove the aliases",
                    problem_mark=node.start_mark)
            size[key] = total
            continue
        if key in size:
            continue
        if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(str(node.value)):
            raise YamlLimitError(
                problem="the text contains a lone surrogate (an invalid character such as "
                "\\ud800); remove the escape", problem_mark=node.start_mark)
        open_nodes.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in open_nodes:
                raise YamlLimitError(
                    problem="a YAML alias refers to the value that contains it (an endless "
                    "value); remove the alias", problem_mark=child.start_mark)
            if id(child) not in size:
                stack.append((child, False))


class BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that checks the node graph (`check_nodes`) before constructing."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        check_nodes(node)
        return self.construct_document(node)
