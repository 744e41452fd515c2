"""The list page as a tool: its search (every word, case and accents ignored, enum labels
whole), the API's filters shown as chips, the total, page numbers and sizes, and the list
kept for the way back from a record."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest

from tests.test_pages import make_person, make_signed_in, submit
from tests.test_pages_list import rows

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")

PEOPLE = [
    {"referenceId": "A-1", "addressCity": "São Paulo", "addressState": "SP", "gender": "female",
     "maritalStatus": "married", "dateOfBirth": "1980-05-01"},
    {"referenceId": "A-2", "addressCity": "SÃO PAULO", "addressState": "SP", "gender": "male",
     "dateOfBirth": "1990-01-15"},
    {"referenceId": "B-1", "addressCity": "Recife", "addressState": "PE", "gender": "male",
     "maritalStatus": "stable_union", "dateOfBirth": "2001-12-31"},
    {"referenceId": "B-2", "addressCity": "Recife", "addressState": "PE", "gender": "female",
     "addressStreet": "Rua São Bento", "dateOfBirth": "1975-07-07"},
    {"referenceId": "C-1", "addressStreet": "Rua Paulo Afonso", "addressCity": "Olinda",
     "addressState": "PE", "gender": "other", "maritalStatus": "single"},
]


@pytest.fixture
def people(api) -> list[dict]:
    return [api.create(**person) for person in PEOPLE]


def page(client, query: str = "") -> lxml.html.HtmlElement:
    answer = client.get(f"/customers/browse?{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return lxml.html.fromstring(answer.get_data(as_text=True))


def references(client, query: str) -> list[str]:
    return [row[1] for row in rows(lxml.html.tostring(page(client, query), encoding=str))]


def total(tree) -> str:
    return tree.xpath("string(//p[@class='total'])").strip()


@pytest.mark.parametrize("search, expected", [
    ("Sao Paulo", ["A-1", "A-2"]),  # accents and case ignored, every word required
    ("paulo", ["A-1", "A-2", "C-1"]),
    ("PAULO afonso", ["C-1"]),
    ("são", ["A-1", "A-2", "B-2"]),
    ("sao   recife", ["B-2"]),  # each word in some field: São in the street, Recife the city
    ("ulo", ["A-1", "A-2", "C-1"]),  # a word is contained, not only a prefix
    ("male", ["A-2", "B-1"]),  # an enum's whole label: not "female"
    ("Female", ["A-1", "B-2"]),
    ("fem", []),  # part of a label finds nothing (no text holds it)
    ("stable union", ["B-1"]),  # a label of two words
    ("married recife", []),
    ("male sp", ["A-2"]),
    ("a-", ["A-1", "A-2"]),  # two characters: below a trigram, still found
    ("5", ["C-1"]),  # the id (C-1 is #5)
    ("", ["A-1", "A-2", "B-1", "B-2", "C-1"]),
])
def test_the_page_search_finds_what_people_type(signed_in, people, search, expected):
    assert references(signed_in, f"_q={search}") == expected


def test_the_page_search_does_not_find_records_in_the_trash(signed_in, people, api):
    assert api.send("DELETE", f"/customers/{people[0]['id']}").status_code == 200
    assert references(signed_in, "_q=sao paulo") == ["A-2"]
    assert total(page(signed_in, "_q=sao paulo")) == "1 of 4 customers"


def test_filters_are_the_apis_shown_as_removable_chips_with_the_total(signed_in, people):
    query = "gender=female&addressState=PE&dateOfBirth_gte=1970-01-01&dateOfBirth_lte=1989-12-31"
    tree = page(signed_in, query)
    assert [row[1] for row in rows(lxml.html.tostring(tree, encoding=str))] == ["B-2"]
    assert total(tree) == "1 of 5 customers"
    chips = [chip.text_content().replace("×", "").strip() for chip in tree.xpath("//li[@class='chip']")]
    assert chips == ["Gender: Female", "State: PE", "Date of birth from 1970-01-01",
                     "Date of birth until 1989-12-31"]
    without_state = tree.xpath("//li[@class='chip'][2]/a/@href")[0]
    assert dict(parse_qsl(urlsplit(without_state).query)) == {
        "gender": "female", "dateOfBirth_gte": "1970-01-01", "dateOfBirth_lte": "1989-12-31"}
    assert total(page(signed_in, urlsplit(without_state).query)) == "2 of 5 customers"
    assert total(page(signed_in)) == "5 customers" and not page(signed_in).xpath("//li[@class='chip']")


def test_the_filter_form_sends_only_what_was_chosen(signed_in, people):
    tree = page(signed_in, "referenceId=B-1&_sort=id:DESC")
    form = dict(tree.xpath("//form[@role='search']")[0].form_values())
    assert form == {"referenceId": "B-1", "_sort": "id:DESC", "_q": "", "gender": "",
                    "maritalStatus": "", "addressState": "", "addressCity_contains": "",
                    "dateOfBirth_gte": "", "dateOfBirth_lte": "", "_limit": "25"}
    # As the browser sends it: the empty filters are no filters, the city one ignores case.
    query = "&".join(f"{k}={v}" for k, v in {**form, "addressCity_contains": "RECI"}.items())
    assert references(signed_in, query) == ["B-1"]
    assert references(signed_in, "gender=&maritalStatus=stable_union") == ["B-1"]


def test_a_bad_filter_is_the_apis_400(signed_in):
    answer = signed_in.get("/customers/browse?dateOfBirth_gte=yesterday")
    assert answer.status_code == 400 and "expected a date" in answer.get_data(as_text=True)


def test_page_numbers_and_sizes(signed_in, api):
    for number in range(45):
        api.create(referenceId=f"R{number:02}")
    tree = page(signed_in, "_limit=10&_start=20")
    assert [row[1] for row in rows(lxml.html.tostring(tree, encoding=str))][0] == "R20"
    numbers = tree.xpath("//ol[@class='page-numbers']/li")
    assert [li.text_content().strip() for li in numbers] == ["1", "2", "3", "4", "5"]
    assert tree.xpath("//a[@aria-current='page']/text()") == ["3"]
    assert tree.xpath("//ol[@class='page-numbers']//a[.='5']/@href") == [
        "/customers/browse?_limit=10&_start=40"]
    assert tree.xpath("//a[@rel='next']/@href") == ["/customers/browse?_limit=10&_start=30"]
    assert tree.xpath("//select[@name='_limit']/option[@selected]/@value") == ["10"]
    assert total(tree) == "45 customers"
    many = page(signed_in, "_limit=2&_start=20")
    shown = [li.text_content().strip() for li in many.xpath("//ol[@class='page-numbers']/li")]
    assert shown == ["1", "…", "9", "10", "11", "12", "13", "…", "23"]


def back_link(client, path: str) -> str:
    tree = lxml.html.fromstring(client.get(path).get_data(as_text=True))
    return tree.xpath("//p[@class='back']/a/@href")[0]


def test_the_list_is_kept_across_opening_a_record_and_saving_it(signed_in, people):
    query = "_q=paulo&gender=male&_sort=referenceId%3ADESC&_limit=10"
    page(signed_in, query)
    record = people[1]["id"]
    assert back_link(signed_in, f"/customers/{record}/view") == f"/customers/browse?{query}"
    saved = submit(signed_in, f"/customers/{record}/edit", {"addressStreet": "Rua Nova"})
    assert saved.status_code == 302 and saved.location.endswith(f"/customers/{record}/view")
    assert back_link(signed_in, saved.location) == f"/customers/browse?{query}"
    page(signed_in)  # the whole list again: that is what the way back leads to now
    assert back_link(signed_in, f"/customers/{record}/view") == "/customers/browse"


def test_the_kept_list_can_only_lead_to_the_list(signed_in, people, app):
    with signed_in.session_transaction() as session:
        session["list"] = "//evil.example/?x=1"
    link = back_link(signed_in, f"/customers/{people[0]['id']}/view")
    assert link.startswith("/customers/browse?") and urlsplit(link).netloc == ""


def test_the_export_link_exports_what_the_list_shows(signed_in, people):
    tree = page(signed_in, "_q=sao paulo&gender=female")
    export = tree.xpath("//a[@download]/@href")[0]
    text = signed_in.get(export).get_data(as_text=True)
    assert [line.split(",")[1] for line in text.splitlines()[1:]] == [people[0]["uuid"] or ""]
