"""The parsed query string read as Strapi v3 reads it: options, then a tree of where clauses.

This follows strapi-utils' convert-rest-query-params.js (v3.6): `_sort`, `_start`, `_limit`
and `_publicationState` are options; every other root key, and `_where` in its object and
array forms, is a where clause; `field_op` is split at the last `_` when `op` is an operator,
else the whole key is a field compared with `eq`; `_or` and `_and` (at the root, in `_where`
and at any depth below) hold groups, each group a list of clauses that hold together. A
root key starting with `_` (other than those and `_where`, `_or`, `_and`) loses that `_`, as
Strapi's convertExtraRootParams does: `_referenceId=A` is `referenceId=A`. `_q` is the search
(Strapi's connectors take it out before converting the rest).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

OPTIONS = ("_limit", "_start", "_sort", "_q", "_publicationState")
JUNCTIONS = ("_where", "_or", "_and")
OPERATORS = ("eq", "ne", "in", "nin", "contains", "ncontains", "containss", "ncontainss",
             "lt", "lte", "gt", "gte", "null")
BOOLEAN = ("or", "and")
SHAPE = "must hold conditions: [field]=value, or [0][field]=value for a list of them"


@dataclass(frozen=True)
class Clause:
    """`field_operator=value`: value is a string or a list, as qs gave it."""

    name: str  # the parameter as the client wrote its path, for error messages
    field: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Junction:
    """`_or` or `_and`: each group is a list of nodes that hold together."""

    name: str
    operator: str
    groups: list[list["Node"]]


Node = Union[Clause, Junction]


@dataclass
class Params:
    """The options given (as qs parsed them) and the where clauses, all to hold together."""

    options: dict[str, Any] = field(default_factory=dict)
    where: list[Node] = field(default_factory=list)


def convert(parsed: dict[str, Any], errors: dict[str, list[str]]) -> Params:
    """Strapi's convertRestQueryParams: root options, root clauses, then `_where`'s."""
    params = Params()
    for key, value in parsed.items():
        if key in OPTIONS:
            params.options[key] = value
        elif key == "_where":
            params.where += where_nodes(value, key, errors)
        else:
            bare = key[1:] if key.startswith("_") and key not in JUNCTIONS else key
            params.where += nodes({bare: value}, "", errors, names={bare: key})
    return params


def where_nodes(value: Any, name: str, errors: dict[str, list[str]]) -> list[Node]:
    """convertWhereParams: an object's keys are clauses; an array's items are concatenated."""
    if isinstance(value, list):
        return [node for index, item in enumerate(value)
                for node in where_nodes(item, f"{name}[{index}]", errors)]
    if isinstance(value, dict):
        return nodes(value, name, errors)
    errors[name] = [SHAPE]
    return []


def nodes(clauses: dict[str, Any], prefix: str, errors: dict[str, list[str]],
          names: dict[str, str] | None = None) -> list[Node]:
    """One node per key of an object of clauses."""
    found: list[Node] = []
    for key, value in clauses.items():
        name = (names or {}).get(key) or (f"{prefix}[{key}]" if prefix else key)
        found.append(_node(key, value, name, errors))
    return found


def _node(key: str, value: Any, name: str, errors: dict[str, list[str]]) -> Node:
    """convertWhereClause: `_or`/`_and`, `field_operator`, or a bare field (`eq`)."""
    base, underscore, operator = key.rpartition("_")
    if underscore and not base and operator in BOOLEAN:
        if not isinstance(value, list):  # [].concat(value): one group
            return Junction(name, operator, [where_nodes(value, name, errors)])
        return Junction(name, operator, [where_nodes(group, f"{name}[{index}]", errors)
                                         for index, group in enumerate(value)])
    if underscore and operator in OPERATORS:
        return Clause(name, base, operator, value)
    return Clause(name, key, "eq", value)
