"""Strapi v3's query language on the list and the count: every operator, in every array spelling
qs writes, at the root and inside `_where`, `_or` and `_and`, on SQLite and PostgreSQL.

The expected records follow Strapi's rules (strapi-connector-bookshelf's buildWhereClause): `_in`
and `_nin` take one list, any other operator ORs its values, and a comparison with a NULL field
matches nothing."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

SEEDED = [  # referenceId R1..R6 are ids 1..6
    {"referenceId": "R1", "uuid": "u-1", "addressCity": "Recife", "gender": "female",
     "dateOfBirth": "1977-03-04", "maritalStatus": "married"},
    {"referenceId": "R2", "uuid": "u-2", "addressCity": "recife antigo", "gender": "male",
     "dateOfBirth": "1977-12-31"},
    {"referenceId": "R3", "uuid": "u-3", "addressCity": "Olinda", "gender": "other",
     "dateOfBirth": "1980-01-15", "maritalStatus": "single"},
    {"referenceId": "R4", "uuid": "u-4"},
    {"referenceId": "R5", "uuid": "u-5", "addressCity": "São Paulo", "gender": "male",
     "dateOfBirth": "1990-06-01", "maritalStatus": "single"},
    {"referenceId": "R6", "addressCity": "SÃO PAULO", "gender": "female"},
]
EVERYONE = ["R1", "R2", "R3", "R4", "R5", "R6"]
# (filter key, its values, the records Strapi's rules give)
OPERATORS = [
    ("referenceId", ["R1"], ["R1"]),
    ("referenceId_eq", ["R1", "R3"], ["R1", "R3"]),
    ("uuid", ["u-2"], ["R2"]),
    ("id", ["3"], ["R3"]),
    ("gender_ne", ["male"], ["R1", "R3", "R6"]),  # R4 has no gender: NULL != 'male' is unknown
    ("gender_ne", ["male", "female"], ["R1", "R2", "R3", "R5", "R6"]),  # != OR-ed
    ("id_lt", ["3"], ["R1", "R2"]),
    ("id_lt", ["2", "4"], ["R1", "R2", "R3"]),
    ("dateOfBirth_lte", ["1977-12-31"], ["R1", "R2"]),
    ("dateOfBirth_lte", ["1977-03-04", "1980-01-15"], ["R1", "R2", "R3"]),
    ("id_gt", ["5"], ["R6"]),
    ("id_gt", ["5", "3"], ["R4", "R5", "R6"]),
    ("dateOfBirth_gte", ["1980-01-15"], ["R3", "R5"]),
    ("dateOfBirth_gte", ["1990-06-01", "1985"], ["R5"]),  # 1985 is 1985-01-01, as parseISO reads it
    ("referenceId_in", ["R5"], ["R5"]),
    ("referenceId_in", ["R2", "R4"], ["R2", "R4"]),
    ("uuid_nin", ["u-1", "u-2"], ["R3", "R4", "R5"]),  # R6 has no uuid
    ("gender_nin", ["male", "other"], ["R1", "R6"]),
    ("addressCity_contains", ["recife"], ["R1", "R2"]),
    ("addressCity_contains", ["olinda", "são"], ["R3", "R5", "R6"]),
    ("addressCity_ncontains", ["recife"], ["R3", "R5", "R6"]),  # R4 has no city
    ("addressCity_ncontains", ["recife", "paulo"], ["R1", "R2", "R3", "R5", "R6"]),
    ("addressCity_containss", ["São"], ["R5"]),
    ("addressCity_containss", ["SÃO", "Recife"], ["R1", "R6"]),
    ("addressCity_ncontainss", ["Recife"], ["R2", "R3", "R5", "R6"]),
    ("addressCity_ncontainss", ["São", "SÃO"], ["R1", "R2", "R3", "R5", "R6"]),
    ("addressCity_null", ["true"], ["R4"]),
    ("addressCity_null", ["false"], ["R1", "R2", "R3", "R5", "R6"]),
    ("addressCity_null", ["true", "false"], EVERYONE),
    ("uuid_null", ["1"], ["R6"]),
    ("gender_null", ["t"], ["R4"]),
    ("gender_null", ["f"], ["R1", "R2", "R3", "R5", "R6"]),
    ("maritalStatus_null", ["0"], ["R1", "R3", "R5"]),
    ("dateOfBirth_contains", ["1977"], ["R1", "R2"]),  # the text the API writes
    ("dateOfBirth_contains", ["-12-", "-01-"], ["R2", "R3"]),
    ("dateOfBirth_ncontains", ["1977"], ["R3", "R5"]),
    ("dateOfBirth_containss", ["1990-06"], ["R5"]),
    ("id_contains", ["6"], ["R6"]),
    ("id_ncontainss", ["1", "2"], EVERYONE),
    ("published_at_contains", ["t"], EVERYONE),  # 2026-12-01T09:30:00Z, ignoring case
    ("published_at_containss", ["t"], []),  # ... but not with it
    ("published_at_containss", ["T", "z"], EVERYONE),
]


def spellings(key: str, values: list[str]) -> list[str]:
    """The three ways qs.stringify and hand-written clients spell a list (one value too)."""
    pairs = [(key, value) for value in values]
    return ["&".join(f"{k}={quote(v)}" for k, v in pairs),
            "&".join(f"{k}[]={quote(v)}" for k, v in pairs),
            "&".join(f"{k}[{i}]={quote(v)}" for i, (k, v) in enumerate(pairs))]


# Where a filter may stand: (wrap its key, extra filters); each place means the same here.
PLACES = [
    lambda key: key,
    lambda key: f"_where[{key}]",
    lambda key: f"_where[0][{key}]",
    lambda key: f"_or[0][{key}]",
    lambda key: f"_and[0][{key}]",
    lambda key: f"_where[_or][0][{key}]",
    lambda key: f"_where[1][_and][0][_or][0][{key}]",
]


@pytest.fixture
def seeded(api) -> None:
    for person in SEEDED:
        api.create(**person)


def found(api, query: str) -> list[str]:
    """The referenceIds the list returns, checking that the count and X-Total-Count agree."""
    response = api.send("GET", f"/customers?{query}")
    assert response.status_code == 200, (query, response.get_data(as_text=True))
    count = api.send("GET", f"/customers/count?{query}")
    assert count.status_code == 200 and count.get_json() == int(response.headers["X-Total-Count"])
    return [record["referenceId"] for record in response.get_json()]


@pytest.mark.parametrize(("key", "values", "expected"), OPERATORS,
                         ids=[f"{k}={'|'.join(v)}" for k, v, _ in OPERATORS])
def test_every_operator_in_every_spelling_and_place(api, seeded, key, values, expected):
    for place in PLACES:
        for query in spellings(place(key), values):
            if "_where[1]" in query:
                query += "&_where[0][id_gt]=0"  # a list of two clauses, both to hold
            assert found(api, query) == expected, query


@pytest.mark.parametrize(("query", "expected"), [
    ("_or[0][id]=1&_or[1][id]=3", ["R1", "R3"]),
    ("_where[_or][0][id]=1&_where[_or][1][id]=3", ["R1", "R3"]),
    ("_where[0][gender]=female&_where[1][id_lte]=1", ["R1"]),
    ("_where[gender]=male&_where[dateOfBirth_gte]=1980-01-01", ["R5"]),
    ("_and[0][gender]=male&_and[1][dateOfBirth_gte]=1980-01-01", ["R5"]),
    ("_where[_and][0][gender]=male&_where[_and][1][addressCity_contains]=paulo", ["R5"]),
    ("_where[_or][0][gender]=other&_where[_or][1][addressCity_containss]=Recife", ["R1", "R3"]),
    ("_or[0][gender]=other&_or[1][_or][0][referenceId]=R4&_or[1][_or][1][referenceId]=R6",
     ["R3", "R4", "R6"]),
    ("_or[0][0][gender]=male&_or[0][1][id_gt]=2&_or[1][id]=1", ["R1", "R5"]),  # a group as a list
    ("_or[gender]=other", ["R3"]),  # one group, as an object
    ("_or[0][gender]=female&_or[0][uuid_null]=true", ["R6"]),  # a group's clauses all hold
    ("gender=male&_where[id_gt]=2", ["R5"]),  # root and _where together
    ("_or[0][id]=1&_or[1][id]=2&_or[1][id]=5&gender=male", ["R2", "R5"]),
    ("_referenceId=R2", ["R2"]),  # convertExtraRootParams: a root `_` is dropped
    ("_publicationState=live", EVERYONE),
    ("_publicationState=preview&gender=male", ["R2", "R5"]),
    ("_q=recife", ["R1", "R2"]),
    ("_q=6", ["R6"]),  # the id, as text: R6 has no uuid
    ("_q=writer", []),  # created_by is not searched
    ("_q=1977", []),  # nor are dates
    ("_q=SINGLE", ["R3", "R5"]),  # enumerations are
    ("_q=&gender=other", ["R3"]),  # an empty search finds everyone
    ("_sort=dateOfBirth:DESC&_limit=2&_where[dateOfBirth_null]=false", ["R5", "R3"]),
    ("id_in[0]=2&id_in[1]=4&id_in[]=6&id_in=1", ["R1", "R2", "R4", "R6"]),  # every spelling at once
])
def test_junctions_options_and_search(api, seeded, query, expected):
    assert found(api, query) == expected


def test_array_indices_up_to_100_are_a_list(api, seeded):
    query = "&".join(f"referenceId_in[{i}]=R{i}" for i in range(101))
    assert found(api, query) == EVERYONE


def test_nesting_of_20_brackets_is_read(api, seeded):
    key = "_or[0]" + "[_or][0]" * 9  # 1 + 18 brackets, then the field's: 20
    assert found(api, f"{key}[id]=2") == ["R2"]


def test_the_readme_examples_answer(api, seeded):
    """Every list and count example of the README is read (a 200 with its records)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    examples = re.findall(r'"\$H(/customers(?:/count)?\?[^"]+)"', readme)
    assert len(examples) >= 15
    for path in examples:
        response = api.send("GET", path)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
