"""Safe YAML reading that keeps line numbers, so errors can name file, line and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from casey_cli.errors import InvalidInput

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[str, Any]):
    """A mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader (never builds Python objects) that leaves dates as text for our own parser."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.plain_tags: dict[str, str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # Without path resolvers a plain scalar's tag depends on its text alone, and a
        # register repeats the same boroughs, statuses and dates thousands of times: run
        # the implicit-resolver regexes once per distinct text (the C parser calls this
        # Python method for every scalar).
        if kind is yaml.ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            tag = self.plain_tags.get(value)
            if tag is None:
                tag = self.plain_tags[value] = super().resolve(kind, value, implicit)
            return tag
        return super().resolve(kind, value, implicit)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


_STR_TAG = "tag:yaml.org,2002:str"


def _construct(loader: Any, node: yaml.Node) -> Any:
    """construct_object, without its bookkeeping for the common case: a text scalar is
    its own value (as SafeConstructor.construct_yaml_str returns it)."""
    if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
        return node.value
    return loader.construct_object(node, deep=True)


def _mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        if not isinstance(key, str):  # never repr() it: it could be an alias bomb
            raise InvalidInput(
                f"a {type(key).__name__} cannot be a key; keys are text",
                line=key_node.start_mark.line + 1,
            )
        if key in result:
            raise InvalidInput(f"key '{key}' appears twice", line=key_node.start_mark.line + 1)
        result[key] = _construct(loader, value_node)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


MAX_DEPTH = 200
_BRACKET = re.compile(r"[\[\]{}]")
# Lines that open two block levels at once ('- - x'): rare, so only those are measured.
_NESTED_DASHES = re.compile(r"^[ \t]*[-?][ \t]+[-?](?:[ \t]|$)", re.M)
_DEEP_INDENT = re.compile(rf"^[ \t]{{{4 * MAX_DEPTH},}}", re.M)


def _too_deep(text: str) -> bool:
    """libyaml's C composer recurses on the C stack: tens of thousands of nested levels crash
    the process (not a Python RecursionError), so refuse absurd nesting before parsing."""
    depth = deepest = 0
    for char in _BRACKET.findall(text):  # few in a register: scan for them in C
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return True
    if _DEEP_INDENT.search(text):
        return True
    for match in _NESTED_DASHES.finditer(text):
        end = text.find("\n", match.start())
        line = text[match.start() : end if end >= 0 else len(text)]
        if line.count("- ") + line.count("? ") > MAX_DEPTH:
            return True
    return False


def read_yaml(path: Path) -> Any:
    """Parse one YAML file safely; every problem becomes InvalidInput naming file and line."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput("file not found; check the path", file=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read file ({exc}); save it as UTF-8 text", file=name) from None
    if _too_deep(text):
        raise InvalidInput(
            f"the YAML nests more than {MAX_DEPTH} levels deep; a register is a few levels deep",
            file=name,
        )
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except InvalidInput as exc:
        raise InvalidInput(exc.message, file=name, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in str(exc):
            problem = "YAML tags that build objects are not allowed; remove the '!' tag"
        raise InvalidInput(f"{problem}; fix the YAML syntax", file=name, line=line) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"invalid YAML ({exc})", file=name) from None
    except ValueError:  # e.g. an integer of thousands of digits
        raise InvalidInput(
            "a value could not be read (a number too long?); fix it", file=name
        ) from None
    except RecursionError:
        raise InvalidInput(
            "the YAML nests too deeply; a register is a few levels deep", file=name
        ) from None
