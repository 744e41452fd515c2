"""A stale save of the edit form through Flask's test client: merged three ways against the
version the form was opened at, conflicts shown field by field, nothing undone."""
from __future__ import annotations

import lxml.html
import pytest
from sqlalchemy import text

from customers.extensions import db
from tests.test_pages import field_errors, form_of, input_value, make_person, make_signed_in

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


def conflicts(html: str) -> dict[str, tuple[str, str]]:
    """The conflict page's rows: field label -> (saved now, your edit), as shown."""
    tree = lxml.html.fromstring(html)
    for hidden in tree.xpath("//span[@class='visually-hidden']"):
        hidden.drop_tree()
    return {tr.xpath("th")[0].text_content().strip():
            tuple(" ".join(td.text_content().split()) for td in tr.xpath("td"))
            for tr in tree.xpath("//table[@class='compare']/tbody/tr")}


def choices_form(html: str) -> dict[str, str]:
    """What the conflict page's form sends untouched (radios as checked)."""
    return dict(lxml.html.fromstring(html).xpath("//main//form[@method='post']")[0].form_values())


def history_of(api, customer_id: str) -> list[dict]:
    """The record's history entries, newest first."""
    return api.send("GET", f"/customers/{customer_id}/history").get_json()


def test_a_colleagues_change_to_another_field_is_kept(signed_in, api):
    customer = api.create(addressCity="Recife", addressNeighborhood="Boa Vista")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    saved = signed_in.post(path, data={**form, "addressNeighborhood": "Derby"})
    assert saved.status_code == 302 and saved.location == f"/customers/{customer['id']}/view"
    record = api.get(customer["id"])
    assert (record["addressCity"], record["addressNeighborhood"], record["updated_by"]) == (
        "Olinda", "Derby", "ana")
    newest = history_of(api, customer["id"])[0]
    assert newest["changes"] == {"addressNeighborhood": {"from": "Boa Vista", "to": "Derby"}}
    page = signed_in.get(saved.location).get_data(as_text=True)
    assert "the other changes (City) were kept" in page


def test_both_making_the_same_change_is_no_conflict(signed_in, api):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    assert signed_in.post(path, data={**form, "addressCity": "Olinda "}).status_code == 302
    assert len(history_of(api, customer["id"])) == 2  # the create and the colleague's change


def test_a_real_conflict_shows_only_that_field_and_writes_nothing(signed_in, api, snapshot):
    customer = api.create(addressCity="Recife", addressNeighborhood="Boa Vista", gender="male")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Caruaru", "gender": "female"})
    before = snapshot()
    page = signed_in.post(path, data={**form, "addressCity": "Olinda",
                                      "addressNeighborhood": "Derby"})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert conflicts(html) == {"City": ("Caruaru", "Olinda")}
    tree = lxml.html.fromstring(html)  # a failed save, as the accessibility rules have it
    assert tree.findtext(".//title").startswith("Error: ")
    assert tree.xpath("//*[@class='error-summary'][@autofocus][@tabindex='-1']")
    assert snapshot() == before
    sent = choices_form(html)
    # The saved value is the default; the person's own other change rides along.
    assert sent["addressCity"] == "Caruaru" and sent["addressNeighborhood"] == "Derby"
    assert sent["version"] == "2" and "gender" not in sent and "referenceId" not in sent


@pytest.mark.parametrize("choice, city", [("Olinda", "Olinda"), (None, "Caruaru")])
def test_the_choice_is_saved_with_the_other_own_changes(signed_in, api, choice, city):
    customer = api.create(addressCity="Recife", addressNeighborhood="Boa Vista")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Caruaru"})
    page = signed_in.post(path, data={**form, "addressCity": "Olinda",
                                      "addressNeighborhood": "Derby"})
    sent = choices_form(page.get_data(as_text=True))
    if choice is not None:
        sent["addressCity"] = choice
    assert signed_in.post(path, data=sent).status_code == 302
    record = api.get(customer["id"])
    assert (record["addressCity"], record["addressNeighborhood"]) == (city, "Derby")


def test_choices_over_a_record_changed_again_are_merged_again(signed_in, api):
    customer = api.create(addressCity="Recife", addressState="PE")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Caruaru"})
    page = signed_in.post(path, data={**form, "addressCity": "Olinda"})
    sent = {**choices_form(page.get_data(as_text=True)), "addressCity": "Olinda"}
    api.send("PUT", f"/customers/{customer['id']}", {"addressState": "PB"})
    assert signed_in.post(path, data=sent).status_code == 302
    record = api.get(customer["id"])
    assert (record["addressCity"], record["addressState"]) == ("Olinda", "PB")


def test_choices_are_shown_by_their_labels(signed_in, api):
    customer = api.create(maritalStatus="single", dateOfBirth="1980-05-06")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"maritalStatus": "widowed",
                                                     "dateOfBirth": None})
    page = signed_in.post(path, data={**form, "maritalStatus": "stable_union",
                                      "dateOfBirth": "1981-01-02"})
    html = page.get_data(as_text=True)
    assert conflicts(html) == {"Marital status": ("Widowed", "Stable union"),
                               "Date of birth": ("not given", "1981-01-02")}
    radios = lxml.html.fromstring(html).xpath("//input[@name='maritalStatus']/@value")
    assert radios == ["widowed", "stable_union"]


def test_without_the_base_in_history_every_difference_is_asked(signed_in, api, app):
    customer = api.create(addressCity="Recife", addressNeighborhood="Boa Vista")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    with app.app_context():  # as for a record kept from before history: its first version lost
        db.session.execute(text("DELETE FROM customer_history WHERE version = 1"))
        db.session.commit()
    page = signed_in.post(path, data={**form, "addressNeighborhood": "Derby"})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert conflicts(html) == {"Neighborhood": ("Boa Vista", "Derby"), "City": ("Olinda", "Recife")}
    assert signed_in.post(path, data=choices_form(html)).status_code == 302
    record = api.get(customer["id"])  # the defaults keep what is saved
    assert (record["addressCity"], record["addressNeighborhood"]) == ("Olinda", "Boa Vista")


def test_a_stale_save_with_a_bad_value_shows_the_schemas_message(signed_in, api, snapshot):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    before = snapshot()
    page = signed_in.post(path, data={**form, "gender": "robot"})
    assert page.status_code == 422
    assert field_errors(page.get_data(as_text=True)) == {
        "gender": ["Must be one of: male, female, other."]}
    assert snapshot() == before


def test_a_partial_post_shown_again_never_offers_to_clear_the_rest(signed_in, api):
    customer = api.create(addressCity="Recife", gender="male")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    sent = {"csrf_token": form["csrf_token"], "version": form["version"],
            "dateOfBirth": "2999-01-01"}
    html = signed_in.post(path, data=sent).get_data(as_text=True)
    assert [input_value(html, n) for n in ("addressCity", "gender", "dateOfBirth")] == [
        "Recife", "male", "2999-01-01"]


def interfering(monkeypatch, every_time: bool):
    """service.update, with a colleague's change (the state, a new value each time) landing
    just before the merged save: once, or before every save."""
    from customers import service
    from customers.changes import Origin

    real, calls = service.update, []

    def update(customer_id, changes, origin, expected=None, guard=None):
        calls.append(changes)
        if len(calls) == 2 or (every_time and len(calls) > 1):
            real(customer_id, {"addressState": f"S{len(calls)}"}, Origin("colleague", "api"))
        return real(customer_id, changes, origin, expected, guard)

    monkeypatch.setattr(service, "update", update)
    return calls


def test_a_save_stale_again_while_merging_is_merged_again(signed_in, api, monkeypatch):
    customer = api.create(addressCity="Recife", addressState="PE")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    calls = interfering(monkeypatch, every_time=False)
    saved = signed_in.post(path, data={**form, "addressNeighborhood": "Derby"})
    assert saved.status_code == 302 and len(calls) == 3
    record = api.get(customer["id"])
    assert (record["addressCity"], record["addressState"], record["addressNeighborhood"]) == (
        "Olinda", "S2", "Derby")


def test_a_record_that_keeps_changing_is_not_saved_over(signed_in, api, monkeypatch):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    interfering(monkeypatch, every_time=True)
    page = signed_in.post(path, data={**form, "addressNeighborhood": "Derby"})
    assert page.status_code == 409 and "kept changing" in page.get_data(as_text=True)
    assert api.get(customer["id"])["addressNeighborhood"] is None


def test_save_and_continue_editing_stays_so_through_a_merge(signed_in, api):
    customer = api.create(addressCity="Recife", addressState="PE")
    path = f"/customers/{customer['id']}/edit"
    form = {**form_of(signed_in, path), "then": "edit"}
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    merged = signed_in.post(path, data={**form, "addressState": "PB"})
    assert merged.status_code == 302 and merged.location == path
    form = {**form_of(signed_in, path), "then": "edit"}
    api.send("PUT", f"/customers/{customer['id']}", {"addressState": "AL"})
    page = signed_in.post(path, data={**form, "addressState": "SE"})
    sent = choices_form(page.get_data(as_text=True))
    assert page.status_code == 409 and sent["then"] == "edit"
    assert signed_in.post(path, data=sent).location == path


def test_a_record_trashed_while_a_stale_save_is_merged_saves_nothing(signed_in, api, snapshot,
                                                                     monkeypatch):
    from customers import service
    from customers.changes import Origin

    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    form = form_of(signed_in, path)
    api.send("PUT", f"/customers/{customer['id']}", {"addressCity": "Olinda"})
    real = service.update

    def update(customer_id, changes, origin, expected=None, guard=None):
        try:
            return real(customer_id, changes, origin, expected, guard)
        except Exception:  # the stale save: a colleague deletes the record before the merge
            service.delete(customer_id, Origin("colleague", "api"))
            raise

    monkeypatch.setattr(service, "update", update)
    before = snapshot()
    saved = signed_in.post(path, data={**form, "addressNeighborhood": "Derby"})
    assert saved.status_code == 303 and saved.location == f"/customers/{customer['id']}/view"
    assert len(snapshot()) == len(before) + 1  # the colleague's delete, and nothing of ours
    monkeypatch.setattr(service, "update", real)
    api.send("POST", f"/customers/{customer['id']}/restore")
    assert api.get(customer["id"])["addressNeighborhood"] is None
