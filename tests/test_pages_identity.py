"""Records known by their reference and city, the whole row opening a record, "Save and
continue editing", values by their labels, and the delete control away from Edit."""
from __future__ import annotations

import lxml.html
import pytest

from tests.servers import ROOT
from tests.test_pages import form_of, person, signed_in, submit  # noqa: F401  (fixtures)
from tests.test_pages_import import upload

STYLE = (ROOT / "static" / "style.css").read_text()

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
pytestmark = SQLITE_ONLY


def tree_of(response) -> lxml.html.HtmlElement:
    """The page's parsed HTML."""
    return lxml.html.fromstring(response.get_data(as_text=True))


@pytest.mark.parametrize("page", ["view", "edit", "delete", "timeline"])
def test_record_pages_are_titled_by_reference_and_city(signed_in, api, page):
    customer = api.create(referenceId="REF-0042", addressCity="Recife")
    tree = tree_of(signed_in.get(f"/customers/{customer['id']}/{page}"))
    title, heading = tree.findtext(".//title"), tree.xpath("string(//h1)")
    assert "REF-0042, Recife" in title and f"#{customer['id']}" in title
    assert "REF-0042, Recife" in heading and f"#{customer['id']}" in heading


def test_a_record_without_reference_or_city_is_known_by_its_id(signed_in, api):
    customer = api.create(gender="female")
    tree = tree_of(signed_in.get(f"/customers/{customer['id']}/view"))
    assert tree.xpath("normalize-space(//h1)") == f"Customer #{customer['id']}"
    assert tree.findtext(".//title").startswith(f"Customer #{customer['id']} ")
    other = api.create(addressCity="Natal")
    tree = tree_of(signed_in.get(f"/customers/{other['id']}/view"))
    assert tree.xpath("normalize-space(//h1)") == f"Customer #{other['id']}, Natal"


def test_each_list_row_has_one_link_stretched_over_it(signed_in, api):
    customer = api.create(referenceId="REF-1", addressCity="Olinda")
    tree = tree_of(signed_in.get("/customers/browse"))
    links = tree.xpath("//table[@class='records']/tbody/tr[1]//a[@class='row-link']")
    assert [link.get("href") for link in links] == [f"/customers/{customer['id']}/view"]
    assert ".row-link::after" in STYLE and ".records tbody tr { position: relative; }" in STYLE


@pytest.mark.parametrize(("then", "lands_on"), [("edit", "edit"), (None, "view")])
def test_save_and_continue_editing_returns_to_the_form(signed_in, api, then, lands_on):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    fields = {"addressCity": "Olinda", **({"then": then} if then else {})}
    saved = submit(signed_in, path, fields)
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/customers/{customer['id']}/{lands_on}"
    assert api.get(customer["id"])["addressCity"] == "Olinda"
    again = signed_in.get(saved.headers["Location"]).get_data(as_text=True)
    assert f"Customer {customer['id']} saved." in again


def test_create_and_continue_editing_opens_the_new_record_s_form(signed_in, api):
    created = submit(signed_in, "/customers/new", {"addressCity": "Natal", "then": "edit"})
    assert created.status_code == 302 and created.headers["Location"].endswith("/edit")
    assert "Save and continue editing" in signed_in.get(created.headers["Location"]).get_data(
        as_text=True)


def test_the_conflict_page_shows_labels_not_raw_values(signed_in, api):
    customer = api.create(addressCity="Recife", maritalStatus="single")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"maritalStatus": "stable_union"})
    conflict = signed_in.post(path, data={**form, "maritalStatus": "widowed"})
    assert conflict.status_code == 409
    cells = [" ".join(cell.xpath("string(.//label/text()[last()])").split())
             for cell in tree_of(conflict).xpath("//table[contains(@class, 'compare')]//td")]
    assert "Stable union" in cells and "Widowed" in cells
    assert "widowed" not in cells and "stable_union" not in cells


def test_view_and_delete_pages_show_enum_labels(signed_in, api):
    customer = api.create(maritalStatus="stable_union", gender="other")
    for page in ("view", "delete"):
        values = tree_of(signed_in.get(f"/customers/{customer['id']}/{page}")).xpath("//dd/text()")
        assert "Stable union" in values and "Other" in values and "stable_union" not in values


def test_the_street_input_spans_the_whole_form(signed_in, api):
    tree = tree_of(signed_in.get("/customers/new"))
    field = tree.xpath("//input[@name='addressStreet']/parent::div")[0]
    assert "wide" in field.get("class").split()
    assert ".field.wide { grid-column: 1 / -1; }" in STYLE


def test_delete_is_not_beside_edit_nor_as_heavy(signed_in, api):
    customer = api.create(addressCity="Recife")
    tree = tree_of(signed_in.get(f"/customers/{customer['id']}/view"))
    beside_edit = tree.xpath("//div[@class='heading']//a/text()")
    assert "Edit" in beside_edit and "Delete" not in beside_edit
    delete = tree.xpath("//section[@class='danger-zone']//a")[0]
    assert delete.text == "Delete" and "danger-outline" in delete.get("class")
    assert "primary" not in delete.get("class") and " danger " not in f" {delete.get('class')} "


def test_import_errors_name_fields_by_their_labels(signed_in):
    report = upload(signed_in, b"referenceId,maritalStatus\nA,complicated\n")
    assert report.status_code == 422
    assert tree_of(report).xpath("//table[contains(@class, 'import-errors')]//td[2]/text()") == [
        "Marital status"]
