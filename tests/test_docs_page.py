"""/docs: how to get a token, and the list's and count's parameters with examples that work."""
from __future__ import annotations

import html
import re

import lxml.html
import pytest

from customers.docs_page import EXAMPLES

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def docs(client) -> lxml.html.HtmlElement:
    """The docs page, parsed."""
    answer = client.get("/docs")
    assert answer.status_code == 200
    return lxml.html.fromstring(answer.get_data(as_text=True))


@SQLITE_ONLY
def test_the_docs_say_how_to_get_a_token(client):
    section = docs(client).xpath("//section[h2[@id='token']]")[0].text_content()
    assert "flask --app app tokens create ACME --scope write" in section
    assert "--scope read" in section and 'Authorization: Bearer $TOKEN' in section


@SQLITE_ONLY
def test_the_docs_list_every_option_of_the_list_and_count_with_an_example(client):
    page = docs(client)
    rows = page.xpath("//table[contains(@class, 'params')]/tbody/tr")
    shown = {row.xpath("string(td[1])"): row.xpath("string(td[3])") for row in rows}
    assert {"_limit", "_start", "_sort", "_q"} <= set(shown)
    assert shown["_sort"] == "_sort=addressCity:ASC,id:DESC" and shown["_limit"] == "_limit=20"
    guide = page.xpath("//section[h2[@id='lists']]")[0].text_content()
    assert "GET /customers/count" in guide and "X-Total-Count" in guide
    assert all(f"_{op}" in guide for op in ("eq", "in", "contains", "gte", "null"))
    listed = [code.text for code in page.xpath("//ul[@class='examples']//code")]
    assert listed[:len(EXAMPLES)] == [f"GET /customers?{query}" for _, query in EXAMPLES]


@SQLITE_ONLY
def test_every_example_of_the_docs_runs(client, api):
    api.create(addressCity="Recife", gender="female", addressState="PE", referenceId="R-1",
               dateOfBirth="1985-02-03")
    page = docs(client)
    for code in page.xpath("//ul[@class='examples']//code/text()"):
        path = html.unescape(re.sub(r"^GET ", "", code))
        answer = api.send("GET", path)
        assert answer.status_code == 200, (path, answer.get_json())
    assert api.send("GET", "/customers/count?gender=female").get_json() == 1


def test_every_screenshot_the_readme_shows_is_there():
    from tests.page_states import SHOWN_IN_README
    from tests.servers import ROOT

    shown = set(re.findall(r"\(docs/screenshots/([\w-]+)\.png\)", (ROOT / "README.md").read_text()))
    assert shown == SHOWN_IN_README
    assert all((ROOT / "docs" / "screenshots" / f"{name}.png").is_file() for name in shown)
