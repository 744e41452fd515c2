"""The customers list, the record page, and the pages' routes beside the API's."""
from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import event

from customers.extensions import db
from tests.test_pages import csrf_of, make_person, make_signed_in

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


def rows(html: str) -> list[list[str]]:
    """The list's rows, as the text of their cells."""
    return [[td.text_content().strip() for td in tr.xpath("td")]
            for tr in lxml.html.fromstring(html).xpath("//table/tbody/tr")]


def next_link(html: str) -> str | None:
    """Where the list's "Next" link leads, if it has one."""
    links = lxml.html.fromstring(html).xpath("//a[@rel='next']/@href")
    return links[0] if links else None


def test_list_searches_sorts_and_pages(signed_in, api):
    for number in range(30):
        api.create(referenceId=f"R{number:02}", addressCity="Recife" if number % 3 else "Olinda")
    first = signed_in.get("/customers/browse").get_data(as_text=True)
    assert [row[1] for row in rows(first)] == [f"R{n:02}" for n in range(25)]
    second = signed_in.get(next_link(first)).get_data(as_text=True)
    assert [row[1] for row in rows(second)] == [f"R{n}" for n in range(25, 30)]
    assert next_link(second) is None and 'rel="prev"' in second
    found = signed_in.get("/customers/browse?_q=OLIN").get_data(as_text=True)
    assert {row[3] for row in rows(found)} == {"Olinda"} and len(rows(found)) == 10
    by_reference = lxml.html.fromstring(found).xpath("//th/a[contains(., 'Reference ID')]/@href")
    assert by_reference == ["/customers/browse?_q=OLIN&_sort=referenceId%3AASC"]
    descending = signed_in.get("/customers/browse?_q=OLIN&_sort=referenceId:DESC")
    assert [row[1] for row in rows(descending.get_data(as_text=True))][:3] == ["R27", "R24", "R21"]


def test_list_takes_the_api_filters_and_keeps_them_while_searching(signed_in, api):
    api.create(addressCity="Recife", gender="male")
    api.create(addressCity="Recife", gender="female")
    html = signed_in.get("/customers/browse?gender=female&_sort=id:DESC&_limit=5").get_data(as_text=True)
    assert [row[6] for row in rows(html)] == ["Female"]
    search = lxml.html.fromstring(html).xpath("//form[@role='search']")[0]
    assert sorted(search.form_values()) == [
        ("_limit", "5"), ("_q", ""), ("_sort", "id:DESC"), ("addressCity_contains", ""),
        ("addressState", ""), ("dateOfBirth_gte", ""), ("dateOfBirth_lte", ""), ("gender", "female"),
        ("maritalStatus", "")]


def test_the_first_page_costs_one_limited_query(app, signed_in, api):
    api.create(addressCity="Recife")
    statements = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    assert signed_in.get("/customers/browse").status_code == 200
    on_customers = [s for s in statements if "FROM customers" in s]
    assert len(on_customers) == 1 and "LIMIT" in on_customers[0]
    assert "count(" not in on_customers[0].lower()


def test_list_links_each_record_and_refuses_a_bad_sort(signed_in, api):
    customer = api.create()
    html = signed_in.get("/customers/browse?_q=").get_data(as_text=True)
    assert f'href="/customers/{customer["id"]}/view"' in html
    bad = signed_in.get("/customers/browse?_sort=password:ASC")
    assert bad.status_code == 400 and bad.mimetype == "text/html"
    assert "cannot sort on" in bad.get_data(as_text=True)


def test_record_page_says_who_changed_it_last(signed_in, api):
    customer = api.create(addressCity="Recife", maritalStatus="stable_union")
    html = signed_in.get(f"/customers/{customer['id']}/view").get_data(as_text=True)
    assert "Last changed by <strong>writer</strong>" in html and "Stable union" in html


@pytest.mark.parametrize("method, path", [("GET", "/customers/999/view"), ("GET", "/customers/999/edit"),
                                          ("GET", "/customers/x/delete"), ("POST", "/customers/999/edit")])
def test_pages_of_a_missing_record_are_html_404s(signed_in, method, path):
    data = {"csrf_token": csrf_of(signed_in.get("/customers/new").get_data(as_text=True)),
            "version": "1", "addressCity": "Olinda"}
    answer = signed_in.open(path, method=method, data=data if method == "POST" else None)
    assert (answer.status_code, answer.mimetype) == (404, "text/html")
    assert "No customer with id" in answer.get_data(as_text=True)


def test_pages_sit_beside_the_api_without_changing_it(client, api):
    customer = api.create(addressCity="Recife")
    assert client.get("/").location == "/customers/browse"
    for method in ("PUT", "PATCH", "DELETE"):  # no page takes these: the API answers, as before
        answer = api.send(method, "/customers/new", {} if method != "DELETE" else None)
        assert (answer.status_code, answer.mimetype) == (404, "application/json"), method
        assert "No customer with id 'new'" in answer.get_json()["message"]
    assert api.send("GET", f"/customers/{customer['id']}").get_json() == customer
    assert api.send("GET", "/customers/count").get_json() == 1
    for path in ("/customers/new", "/customers/browse"):  # a token is not a session
        answer = client.get(path, headers=api.headers())
        assert answer.status_code == 302 and answer.location.startswith("/login?next=")
