"""Query strings written by the real `qs` package from npm, as Strapi's clients write them, and
our parse checked against qs's own (the qs of Strapi v3's time, 6.10, with Strapi's options).
npm installs both into a temporary folder once per session; node is required, here and in CI."""
from __future__ import annotations

import json
import random
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from customers import qs
from tests.test_query_language import SEEDED, found

STRAPI_QS = "qs-strapi-v3"  # npm alias of qs@6.10.5, what Strapi v3 parsed with
STRAPI_OPTIONS = {"depth": qs.DEPTH, "arrayLimit": qs.ARRAY_LIMIT}


@pytest.fixture(scope="session")
def node(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Any], Any]:
    """Run a node script with `qs` (the newest) and the Strapi-era qs; JSON in, JSON out."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.fail("node and npm are required (Debian: apt-get install nodejs npm)")
    folder = tmp_path_factory.mktemp("npm")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "qs",
                    f"{STRAPI_QS}@npm:qs@6.10.5"], cwd=folder, check=True, timeout=240,
                   capture_output=True)

    def run(script: str, data: Any) -> Any:
        program = ("const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
                   f"const qs = require('qs'), strapiQs = require('{STRAPI_QS}');\n{script}")
        done = subprocess.run(["node", "-e", program], cwd=folder, input=json.dumps(data),
                              capture_output=True, text=True, check=True, timeout=60)
        return json.loads(done.stdout)
    return run


# (what a client passes to qs.stringify, the records Strapi's rules give)
PARAMS = [
    ({"referenceId_in": ["R2", "R4"]}, ["R2", "R4"]),
    ({"id_gt": [5, 3]}, ["R4", "R5", "R6"]),
    ({"addressCity_contains": ["olinda", "são"]}, ["R3", "R5", "R6"]),
    ({"gender_nin": ["male", "other"], "_publicationState": "live"}, ["R1", "R6"]),
    ({"dateOfBirth_contains": 1977}, ["R1", "R2"]),
    ({"_where": {"addressCity_null": True}}, ["R4"]),
    ({"_where": {"_or": [{"id": 1}, {"id": 3}]}}, ["R1", "R3"]),
    ({"_where": [{"gender": "female"}, {"id_lte": 1}]}, ["R1"]),
    ({"_or": [{"gender": "other"}, {"_or": [{"referenceId": "R4"}, {"referenceId": "R6"}]}]},
     ["R3", "R4", "R6"]),
    ({"_and": [{"gender": "male"}, {"_or": [{"id": 2}, {"addressCity_containss": "Paulo"}]}]},
     ["R2", "R5"]),
    ({"_where": {"_or": [[{"gender": "male"}, {"id_gt": 2}], {"id": [1, 6]}]}}, ["R1", "R5", "R6"]),
    ({"_q": "recife", "_sort": "id:DESC", "_limit": 1}, ["R2"]),
]
# qs.stringify's array formats (indices is its default) and its unencoded output. Brackets
# and repeats lose which object of a list a key belongs to, in qs's own parse too (so in
# Strapi): they are for lists of values only.
FORMATS = [{}, {"encode": False}]
FLAT_FORMATS = [{"arrayFormat": "brackets"}, {"arrayFormat": "repeat"}]


def formats(params: Any) -> list[dict[str, Any]]:
    """The stringify options that keep these parameters' meaning."""
    def nested(value: Any) -> bool:
        if isinstance(value, dict):
            return any(nested(item) for item in value.values())
        return isinstance(value, list) and any(isinstance(i, (dict, list)) for i in value)
    return FORMATS + ([] if nested(params) else FLAT_FORMATS)


@pytest.fixture
def seeded(api) -> None:
    for person in SEEDED:
        api.create(**person)


def test_what_qs_stringify_writes_is_read_as_strapi_reads_it(node, api, seeded):
    queries = node("console.log(JSON.stringify(input.map(([p, o]) => qs.stringify(p, o))));",
                   [[params, options] for params, _ in PARAMS for options in formats(params)])
    expected = [records for params, records in PARAMS for _ in formats(params)]
    assert len(set(queries)) > len(PARAMS)  # the formats really differ
    for query, records in zip(queries, expected, strict=True):
        assert found(api, query) == records, query


def _random_queries(count: int) -> list[str]:
    """Query strings mixing every shape qs reads: brackets, indices, repeats, odd keys."""
    draw = random.Random(15)
    parents = ["a", "b", "_where", "_or", "id_in", "", "a%5Bx%5D"]
    segments = ["[]", "[0]", "[1]", "[2]", "[7]", "[x]", "[_or]", "[id]", "[100]", "[01]",
                "[-1]", "[ ]", "junk"]
    values = ["1", "2", "", "x", "a%20b", "%zz", "+", "%C3%A9", "%FF", "%E2%82", "a=b"]
    queries = []
    for _ in range(count):
        parts = []
        for _ in range(draw.randint(1, 6)):
            key = draw.choice(parents) + "".join(draw.choices(segments, k=draw.randint(0, 4)))
            parts.append(key if draw.random() < 0.1 else f"{key}={draw.choice(values)}")
        queries.append("&".join(parts))
    return queries


def test_our_parse_is_qs_parse_with_strapis_options(node):
    stringified = node("console.log(JSON.stringify(input.map(p => qs.stringify(p))));",
                       [params for params, _ in PARAMS])
    queries = stringified + _random_queries(3000) + [
        "a[b]=1&a=2", "a=1&a[b]=2", "a[0]=1&a[5]=2&a[]=3", "a[1]=x&a[0]=y", "a[0][b]=1&a[0]=2",
        "[x]=1", "a[b]c[d]=1", "a[=1", "a]=1", "a[b=1]=2", "=1&&a", "a[0]=1&a[0]=2",
        "a[100]=x", "a[][]=1&a[][]=2", "a[b][c]=1&a[b]=", "%61=1&a=2", "a+b=c+d"]
    theirs = node("console.log(JSON.stringify(input.map(q => strapiQs.parse(q, "
                  f"{json.dumps(STRAPI_OPTIONS)}))));", queries)
    for query, expected in zip(queries, theirs, strict=True):
        errors: dict[str, list[str]] = {}
        assert qs.parse(qs.split(query.encode()), errors) == expected and not errors, query


def test_what_qs_would_mangle_is_refused_by_name(node):
    """Beyond 20 levels qs keeps the rest of the key as text, and beyond index 100 it makes
    an object key: Strapi then fails on a field that does not exist; we name the key."""
    deep, far = "a" + "[b]" * 21, "a[101]"
    theirs = node("console.log(JSON.stringify(input.map(q => strapiQs.parse(q, "
                  f"{json.dumps(STRAPI_OPTIONS)}))));", [f"{deep}=1", f"{far}=1"])
    assert list(theirs[1]["a"]) == ["101"]  # an object, not an array
    for key in (deep, far):
        errors: dict[str, list[str]] = {}
        qs.parse(qs.split(f"{key}=1".encode()), errors)
        assert list(errors) == [key]

