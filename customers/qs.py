"""The query string read as `qs.parse` reads it with Strapi v3's options.

Strapi v3 (packages/strapi/lib/middlewares/parser) parses every query string with the `qs`
library, `{arrayLimit: 100, depth: 20}`, and its clients build them with `qs.stringify`. This
is that parse (qs 6's lib/parse.js and lib/utils.js), so `a=1&a=2`, `a[]=1&a[]=2`,
`a[0]=1&a[1]=2` and `_where[_or][0][id]=42` come out as the same structures Strapi sees.
Where qs would quietly turn a key into something else, we refuse it by name instead: more
than 20 bracketed levels (qs keeps the rest as one literal key) and an array index above 100
(qs makes it an object key).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

DEPTH = 20
ARRAY_LIMIT = 100
_SEGMENT = re.compile(r"\[[^\[\]]*\]")  # qs's `child` pattern: one [...] with no brackets inside
_INDEX = re.compile(r"0|[1-9][0-9]*")  # what String(parseInt(x, 10)) === x accepts
_MALFORMED = re.compile(rb"%(?![0-9A-Fa-f]{2})")  # decodeURIComponent throws on these


class Array(dict):
    """A JavaScript array while parsing: index -> value, holes allowed (qs compacts them)."""

    def push(self, item: Any) -> None:
        """Array.prototype.push: after the highest index."""
        self[max(self, default=-1) + 1] = item

    @classmethod
    def of(cls, *items: Any) -> "Array":
        """`[].concat(...items)`: arrays are spread, holes and all; anything else is one item."""
        result, offset = cls(), 0
        for item in items:
            if isinstance(item, Array):
                result.update({offset + index: value for index, value in item.items()})
                offset += max(item, default=-1) + 1
            else:
                result[offset] = item
                offset += 1
        return result


def split(query: bytes) -> list[tuple[str, str]]:
    """The (key, value) pairs: qs splits each part at its first `]=`, else its first `=`."""
    if not query:  # the first page's usual case; qs's one empty part would be skipped anyway
        return []
    pairs = []
    for part in query.split(b"&"):
        bracket_equals = part.find(b"]=")
        at = part.find(b"=") if bracket_equals == -1 else bracket_equals + 1
        key, value = (part, b"") if at == -1 else (part[:at], part[at + 1:])
        pairs.append((decode(key), decode(value)))
    return pairs


def decode(raw: bytes) -> str:
    """qs's decoder: `+` is a space, then decodeURIComponent; what it cannot decode stays as
    sent (we read unencoded bytes as UTF-8, as a client sending them means)."""
    raw = raw.replace(b"+", b" ")
    if not _MALFORMED.search(raw):
        try:
            return unquote_to_bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", "replace")


def parse(pairs: Iterable[tuple[str, str]], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The nested structure of the pairs; a key qs would mangle goes into `errors` instead."""
    spelt: dict[str, Any] = {}  # qs's first pass: one entry per key as written, repeats combined
    for key, value in pairs:
        spelt[key] = Array.of(spelt[key], value) if key in spelt else value
    result: Any = {}
    for key, value in spelt.items():
        if not key:  # qs skips an empty key (`=x`, `&&`)
            continue
        try:
            result = merge(result, _nest(_chain(key), value))
        except ValueError as error:
            errors[key] = [str(error)]
    return compact(result)


def _chain(key: str) -> list[str]:
    """`a[b][0]` -> [`a`, `[b]`, `[0]`]; text between or after brackets is ignored, as in qs.
    qs also drops keys named like Object.prototype's members (`constructor`, `__proto__`):
    we keep them, so they are refused by name like any other unknown field."""
    first = _SEGMENT.search(key)
    parent = key[: first.start()] if first else key
    segments = _SEGMENT.findall(key)
    if len(segments) > DEPTH:
        raise ValueError(f"nested deeper than {DEPTH} levels of brackets")
    return ([parent] if parent else []) + segments


def _nest(chain: list[str], leaf: Any) -> Any:
    """qs's parseObject: the leaf wrapped in an object or array per segment, innermost first."""
    for root in reversed(chain):
        if root == "[]":
            leaf = Array.of(leaf)
            continue
        bracketed = root.startswith("[") and root.endswith("]")
        name = root[1:-1] if bracketed else root
        if bracketed and _INDEX.fullmatch(name):
            if int(name) > ARRAY_LIMIT:
                raise ValueError(f"array index {name} is above {ARRAY_LIMIT}, the most allowed")
            leaf = Array({int(name): leaf})
        else:
            leaf = {name: leaf}
    return leaf


def merge(target: Any, source: Any) -> Any:
    """qs's utils.merge, for the plain objects, arrays and strings a parse makes."""
    if not isinstance(source, dict):
        if source == "":  # `if (!source) return target`
            return target
        if isinstance(target, Array):
            target.push(source)
        elif isinstance(target, dict):
            target[source] = True
        else:
            return Array.of(target, source)
        return target
    if not isinstance(target, dict):
        return Array.of(target, source)
    if isinstance(target, Array) and isinstance(source, Array):
        for index, item in sorted(source.items()):
            if index not in target:
                target[index] = item
            elif isinstance(target[index], dict) and isinstance(item, dict):
                target[index] = merge(target[index], item)
            else:
                target.push(item)
        return target
    merged = {str(i): v for i, v in target.items()} if isinstance(target, Array) else target
    for key, value in source.items():
        key = str(key)  # an array merged into an object gives its indices as keys
        merged[key] = merge(merged[key], value) if key in merged else value
    return merged


def compact(value: Any) -> Any:
    """Arrays without their holes, as lists; objects as dicts; strings as they are."""
    if isinstance(value, Array):
        return [compact(item) for _, item in sorted(value.items())]
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()}
    return value
