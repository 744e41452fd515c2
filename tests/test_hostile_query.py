"""Hostile query strings on the list and the count: a 400 naming the parameter, never SQL."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.hostile import assert_refused

# (name, query string, the parameter the 400 must name)
QUERIES = [
    ("sort-injection", "_sort=id;DROP TABLE customers", "_sort"),
    ("sort-injection-direction", "_sort=id:ASC;--", "_sort"),
    ("sort-subquery", "_sort=(select 1)", "_sort"),
    ("sort-unknown-field", "_sort=secret_hash", "_sort"),
    ("sort-empty", "_sort=", "_sort"),
    ("sort-twice", "_sort=id&_sort=uuid", "_sort"),
    ("unknown-field", "isAdmin=true", "isAdmin"),
    ("unknown-suffix", "uuid_regex=.*", "uuid_regex"),
    ("column-of-another-table", "secret_hash=x", "secret_hash"),
    ("python-attribute", "__class__=x", "__class__"),
    ("operator-given-an-object", "id_contains[a]=1", "id_contains"),
    ("limit-not-a-number", "_limit=ten", "_limit"),
    ("limit-negative", "_limit=-5", "_limit"),
    ("limit-fraction", "_limit=1.5", "_limit"),
    ("limit-huge", "_limit=" + "9" * 40, "_limit"),
    ("limit-other-digits", "_limit=%D9%A1", "_limit"),
    ("limit-empty", "_limit=", "_limit"),
    ("start-negative", "_start=-1", "_start"),
    ("start-not-a-number", "_start=0x10", "_start"),
    ("start-huge", "_start=99999999999999999", "_start"),
    ("id-not-a-number", "id=1 OR 1=1", "id"),
    ("id-beyond-the-column", "id=2147483648", "id"),
    ("id-far-beyond-the-column", "id_lt=-99999999999999999", "id_lt"),
    ("date-not-a-date", "dateOfBirth=yesterday", "dateOfBirth"),
    ("date-year-zero", "dateOfBirth_gt=0000-01-01", "dateOfBirth_gt"),
    ("datetime-out-of-range-after-zone", "published_at_lt=9999-12-31T23:59:59-14:00",
     "published_at_lt"),
    ("datetime-before-year-one", "published_at_gt=0001-01-01T00:00:00%2B14:00", "published_at_gt"),
    ("null-not-boolean", "uuid_null=maybe", "uuid_null"),
    ("filter-nul", "uuid=a%00b", "uuid"),
    ("search-nul", "_q=%00", "_q"),
    ("search-control-character", "_q=%1b%5b31m", "_q"),
    ("filter-longer-than-any-value", "uuid=" + "a" * 256, "uuid"),
    ("search-longer-than-any-value", "_q=" + "a" * 100_000, "_q"),
    ("where-not-an-object", "_where=id", "_where"),
    ("where-item-not-an-object", "_where[0]=id&_where[1][id]=1", "_where[0]"),
    ("where-unknown-field", "_where[colour]=blue", "_where[colour]"),
    ("where-index-beside-fields", "_where[0][id]=1&_where[gender]=male", "_where[0]"),
    ("where-inside-where", "_where[_where][id]=1", "_where[_where]"),
    ("or-not-an-object", "_or=1", "_or"),
    ("or-bad-value", "_or[0][id]=1&_or[1][id]=x", "_or[1][id]"),
    ("and-unknown-operator", "_and[0][id_like]=1", "_and[0][id_like]"),
    ("nested-deeper-than-20", "_or" + "[0][_or]" * 10 + "[0][id]=1",
     "_or" + "[0][_or]" * 10 + "[0][id]"),
    ("array-index-above-100", "referenceId_in[101]=R-1", "referenceId_in[101]"),
    ("filter-given-an-object", "uuid[a]=1", "uuid"),
    ("prototype-name", "constructor=1", "constructor"),
    ("unknown-underscore-parameter", "_colour=blue", "_colour"),
    ("publication-state-unknown", "_publicationState=draft", "_publicationState"),
    ("publication-state-twice", "_publicationState[]=live", "_publicationState"),
    ("sort-as-a-list", "_sort[]=id", "_sort"),
    ("search-as-a-list", "_q[0]=a&_q[1]=b", "_q"),
    ("null-in-where-not-boolean", "_where[uuid_null]=yes", "_where[uuid_null]"),
    ("contains-longer-than-any-value", "addressCity_contains=" + "%25" * 60_000,
     "addressCity_contains"),
]


@pytest.fixture
def people(api) -> list[dict]:
    """A few records, so that a filter gone wrong would show."""
    return [api.create(uuid=f"u-{n}", referenceId=f"R-{n}", addressCity=city)
            for n, city in enumerate(["Recife", "Olinda", "Caruaru"])]


@pytest.mark.parametrize(("query", "parameter"), [q[1:] for q in QUERIES],
                         ids=[q[0] for q in QUERIES])
def test_hostile_query_is_400_naming_the_parameter(api, people, snapshot, query, parameter):
    before = snapshot()
    for path in ("/customers", "/customers/count"):
        response = api.client.get(f"{path}?{query}", headers=api.headers())
        answer = assert_refused(response, 400)
        assert list(answer["errors"]) == [parameter], answer
    assert snapshot() == before


@pytest.mark.parametrize("query", [
    "&".join(f"id_in={n}" for n in range(70_000)),  # more than PostgreSQL's 65535 parameters
    "&".join(f"addressCity_contains=a{n}" for n in range(1200)),  # deeper than SQLite's 1000
    "&".join(f"f{n}=1" for n in range(5000)),
], ids=["70000-ids", "1200-contains", "5000-parameters"])
def test_too_many_values_are_400(api, query):
    for path in ("/customers", "/customers/count"):
        assert_refused(api.client.get(f"{path}?{query}", headers=api.headers()), 400, "at most")


@pytest.mark.parametrize("query", [
    "&".join(f"addressCity_ncontains=a{n}" for n in range(499)) + "&_q=x",
    "&".join(f"referenceId_in=R-{n}" for n in range(500)),
    "&".join(f"id_lt={n + 10}" for n in range(500)),
], ids=["ncontains", "in", "lt"])
def test_as_many_values_as_allowed_still_work(api, people, query):
    """The limit leaves room for real filters, on both databases."""
    response = api.client.get(f"/customers?{query}", headers=api.headers())
    assert response.status_code == 200, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("value", ["' OR '1'='1", "%", "_", "\\", "Recife' --", "R-0%' OR 'x'='x"])
def test_injection_in_a_filter_value_is_only_text(api, people, value):
    """A filter value matches as text: no record has it, so nothing is found."""
    for name in ("addressCity", "addressCity_contains", "addressCity_containss", "referenceId_in"):
        response = api.client.get(f"/customers?{name}={quote(value)}", headers=api.headers())
        assert response.status_code == 200 and response.get_json() == [], (name, response.data)
    response = api.client.get(f"/customers?_q={quote(value)}", headers=api.headers())
    assert response.get_json() == []


@pytest.mark.parametrize("customer_id", ["-1", "01", "1%00", "1 OR 1=1", "%ED%A0%80", "%D9%A1",
                                         "1" * 10_000, "99999999999999999", "2147483648"])
def test_an_id_that_names_no_record_is_404(api, people, snapshot,
                                           customer_id):
    before = snapshot()
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = api.client.open(f"/customers/{customer_id}", method=method, data=b"{}",
                                   headers=api.headers(**{"Content-Type": "application/json"}))
        assert_refused(response, 404)
    assert snapshot() == before
