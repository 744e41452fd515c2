"""The pages in English and Brazilian Portuguese: chosen by Accept-Language or the switch,
`lang` to match, the schema's messages translated (the API's stay English), dates as
dd/mm/aaaa both ways, times in TIMEZONE; and catalogs that are complete and compiled."""
from __future__ import annotations

import subprocess
import sys
from io import BytesIO

import lxml.html
import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from customers.secret_key import ConfigurationError
from tests.conftest import make_app
from tests.servers import ROOT
from tests.test_pages import csrf_of, field_errors, form_of, input_value, person, signed_in  # noqa: F401

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
PORTUGUESE = {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}
CATALOG = ROOT / "translations" / "pt_BR" / "LC_MESSAGES"


def tree(response) -> lxml.html.HtmlElement:
    """The page's parsed HTML."""
    return lxml.html.fromstring(response.get_data(as_text=True))


@SQLITE_ONLY
@pytest.mark.parametrize(("accept", "lang", "title", "city"), [
    (None, "en", "Customers · Customers", "City"),
    ("en-US,en;q=0.9", "en", "Customers · Customers", "City"),
    ("pt-BR,pt;q=0.9", "pt-BR", "Clientes · Clientes", "Cidade"),
    ("pt", "pt-BR", "Clientes · Clientes", "Cidade"),
    ("fr-FR,fr;q=0.9", "en", "Customers · Customers", "City"),
])
def test_the_browser_s_language_chooses_the_page_s(signed_in, api, accept, lang, title, city):
    api.create(addressCity="Recife")
    headers = {"Accept-Language": accept} if accept else {}
    page = tree(signed_in.get("/customers/browse", headers=headers))
    assert page.get("lang") == lang and page.findtext(".//title") == title
    assert city in page.xpath("//th//a/text()")


@SQLITE_ONLY
def test_the_switch_on_every_page_remembers_the_choice(client, signed_in, api):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/view"
    switch = tree(client.get(path)).xpath("//a[@class='language']")
    assert [(a.text, a.get("lang")) for a in switch] == [("Português (Brasil)", "pt-BR")]
    chosen = client.get(switch[0].get("href"))
    assert chosen.status_code == 302 and chosen.headers["Location"] == path
    assert "customers_language=pt_BR" in chosen.headers["Set-Cookie"]
    page = tree(client.get(path, headers={"Accept-Language": "en"}))  # the choice wins
    assert page.get("lang") == "pt-BR" and page.xpath("//dt/text()")[5] == "Cidade"
    assert [a.text for a in page.xpath("//a[@class='language']")] == ["English"]
    for other in ("/login", "/docs", "/customers/new", "/nowhere"):
        page = tree(client.get(other, headers={"Accept": "text/html"}))
        assert page.xpath("//a[@class='language']/@lang") == ["en"], other
    client.get("/language/en?next=/customers/browse")
    assert tree(client.get(path)).get("lang") == "en"


@SQLITE_ONLY
@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_the_switch_goes_back_only_to_this_site(client, target):
    answer = client.get("/language/pt_BR", query_string={"next": target})
    assert answer.status_code == 302 and answer.headers["Location"] == "/customers/browse"


@SQLITE_ONLY
def test_an_unknown_language_is_a_404_and_sets_nothing(client):
    answer = client.get("/language/fr?next=/login")
    assert answer.status_code == 404
    assert "customers_language" not in answer.headers.get("Set-Cookie", "")


@SQLITE_ONLY
def test_a_portuguese_record_page(signed_in, api):
    customer = api.create(referenceId="REF-7", addressCity="Recife", dateOfBirth="1980-05-06",
                          maritalStatus="stable_union", gender="female")
    page = tree(signed_in.get(f"/customers/{customer['id']}/view", headers=PORTUGUESE))
    values = {dt.text: dt.getnext().text_content() for dt in page.xpath("//dl/dt")}
    assert values["Data de nascimento"] == "06/05/1980"
    assert values["Estado civil"] == "União estável" and values["Gênero"] == "Feminino"
    assert "Alterado por último por" in page.xpath("string(//p[@class='meta'])")
    assert page.xpath("//a[@class='button primary']/text()") == ["Editar"]


@SQLITE_ONLY
def test_dates_as_dd_mm_aaaa_there_and_back(signed_in, api):
    customer = api.create(addressCity="Recife", dateOfBirth="1980-05-06")
    path = f"/customers/{customer['id']}/edit"
    html = signed_in.get(path, headers=PORTUGUESE).get_data(as_text=True)
    date_input = lxml.html.fromstring(html).xpath("//input[@name='dateOfBirth']")[0]
    assert date_input.get("type") == "text" and date_input.get("value") == "06/05/1980"
    assert date_input.get("placeholder") == "dd/mm/aaaa"
    hint = lxml.html.fromstring(html).xpath(f"//*[@id='{date_input.get('aria-describedby')}']")
    assert hint[0].text == "Dia, mês e ano: dd/mm/aaaa"
    form = dict(lxml.html.fromstring(html).xpath("//main//form[@method='post']")[0].form_values())
    saved = signed_in.post(path, data={**form, "dateOfBirth": "7/8/1990"}, headers=PORTUGUESE)
    assert saved.status_code == 302 and api.get(customer["id"])["dateOfBirth"] == "1990-08-07"
    again = signed_in.get(path, headers=PORTUGUESE).get_data(as_text=True)
    assert input_value(again, "dateOfBirth") == "07/08/1990"
    english = signed_in.get(path).get_data(as_text=True)
    assert input_value(english, "dateOfBirth") == "1990-08-07"
    assert lxml.html.fromstring(english).xpath("//input[@name='dateOfBirth']/@type") == ["date"]


@SQLITE_ONLY
@pytest.mark.parametrize(("typed", "message"), [
    ("31/02/1990", "Não é uma data válida."),
    ("01/01/2999", "Não pode estar no futuro."),
    ("31/12/1899", "Deve ser em ou depois de 01/01/1900."),
    ("1990-08-07", None),  # ISO is a date in every language
    ("ontem", "Não é uma data válida."),
])
def test_a_wrong_portuguese_date_is_refused_in_portuguese_and_kept(signed_in, api, snapshot,
                                                                    typed, message):
    customer = api.create(addressCity="Recife", dateOfBirth="1980-05-06")
    path = f"/customers/{customer['id']}/edit"
    before = snapshot()
    form = form_of(signed_in, path)
    answer = signed_in.post(path, data={**form, "dateOfBirth": typed}, headers=PORTUGUESE)
    if message is None:
        assert answer.status_code == 302 and api.get(customer["id"])["dateOfBirth"] == "1990-08-07"
        return
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and field_errors(html) == {"dateOfBirth": [message]}
    assert input_value(html, "dateOfBirth") == typed
    assert lxml.html.fromstring(html).findtext(".//title").startswith("Erro: ")
    assert snapshot() == before


@SQLITE_ONLY
def test_the_schema_s_messages_in_portuguese_on_the_page_in_english_from_the_api(signed_in, api):
    customer = api.create(addressCity="Recife")
    path = f"/customers/{customer['id']}/edit"
    bad = {"gender": "robot", "addressCity": "x" * 256}
    page = signed_in.post(path, data={**form_of(signed_in, path), **bad}, headers=PORTUGUESE)
    assert field_errors(page.get_data(as_text=True)) == {
        "gender": ["Deve ser um destes: Masculino, Feminino, Outro."],
        "addressCity": ["Mais longo que o máximo de 255 caracteres."]}
    answer = api.send("PUT", f"/customers/{customer['id']}", bad, **PORTUGUESE)
    assert answer.get_json()["errors"] == {"gender": ["Must be one of: male, female, other."],
                                           "addressCity": ["Longer than maximum length 255."]}


@SQLITE_ONLY
def test_flashes_errors_and_the_sign_in_page_in_portuguese(client, person, api):
    page = tree(client.get("/login", headers=PORTUGUESE))
    assert page.xpath("//label/text()") == ["Nome", "Senha"]
    token = csrf_of(client.get("/login").get_data(as_text=True))
    wrong = tree(client.post("/login", data={"csrf_token": token, "name": person,
                                             "password": "not the password at all"},
                             headers=PORTUGUESE))
    assert wrong.findtext(".//title").startswith("Erro: ")
    assert wrong.xpath("string(//*[@class='error-summary'])") == "Nome ou senha incorretos."
    from tests.test_pages import PASSWORD
    client.post("/login", data={"csrf_token": token, "name": person, "password": PASSWORD},
                headers=PORTUGUESE)
    listed = tree(client.get("/customers/browse", headers=PORTUGUESE))
    assert listed.xpath("//p[contains(@class, 'flash')]/text()") == [f"Conectado como {person}."]
    missing = tree(client.get("/customers/999999/view", headers=PORTUGUESE))
    assert missing.findtext(".//h1") == "Erro 404"
    assert missing.findtext(".//p[@class='lead']") == "Nenhum cliente com o id '999999'."


@SQLITE_ONLY
@pytest.mark.parametrize(("zone", "shown"), [(None, "(UTC-03:00)"), ("UTC", "(UTC+00:00)"),
                                              ("Asia/Tokyo", "(UTC+09:00)")])
def test_times_are_shown_in_timezone(database_url, zone, shown):
    from customers.accounts import create_user
    from tests.test_pages import sign_in

    app = make_app(database_url, **({"TIMEZONE": zone} if zone else {}))
    with app.app_context():
        create_user("ana", "correct horse battery staple", "admin")
    client = app.test_client()
    sign_in(client)
    token = csrf_of(client.get("/customers/new").get_data(as_text=True))
    created = client.post("/customers/new", data={"csrf_token": token, "addressCity": "Natal"})
    meta = tree(client.get(created.headers["Location"])).xpath("string(//p[@class='meta'])")
    assert meta.count(shown) == 2, meta


def test_an_unknown_timezone_is_one_clear_error():
    with pytest.raises(ConfigurationError, match="TIMEZONE 'Mars/Olympus' is no time zone"):
        make_app("sqlite://", TIMEZONE="Mars/Olympus")


def messages(catalog) -> dict:
    """A catalog's translations, id -> string (plural ones as tuples)."""
    return {tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id:
            tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
            for m in catalog if m.id}


def test_the_compiled_catalog_is_the_po_file_compiled():
    """The .mo is committed (a fresh install needs no build step): it must match its .po."""
    with open(CATALOG / "messages.po", "rb") as po:
        expected = BytesIO()
        write_mo(expected, read_po(po, locale="pt_BR"))
    with open(CATALOG / "messages.mo", "rb") as mo:
        committed = messages(read_mo(mo))
    compiled = messages(read_mo(BytesIO(expected.getvalue())))
    assert committed == compiled, "run: pybabel compile -d translations"


def test_every_message_of_the_code_and_templates_is_translated(tmp_path):
    """Extracted afresh from the code and templates: no message without its Portuguese."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
                    "babel.cfg", "-k", "N_", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    with open(pot, "rb") as template, open(CATALOG / "messages.po", "rb") as po:
        wanted = {m.id for m in read_po(template) if m.id}
        catalog = {m.id: m for m in read_po(po, locale="pt_BR") if m.id}
    untranslated = sorted(str(i) for i in wanted if i not in catalog or not catalog[i].string
                          or catalog[i].fuzzy)
    assert untranslated == [], "see README, Languages: pybabel update, translate, compile"


@SQLITE_ONLY
def test_a_service_message_with_values_reads_in_portuguese(signed_in, api):
    customer = api.create(addressCity="Recife")
    path = f"/customers/browse/trash/{customer['id']}/restore"  # a live record: 409
    data = {"csrf_token": csrf_of(signed_in.get("/customers/new").get_data(as_text=True))}
    english = tree(signed_in.post(path, data=data))
    assert english.findtext(".//p[@class='lead']") == f"Customer {customer['id']} is not in the trash."
    page = tree(signed_in.post(path, data=data, headers=PORTUGUESE))
    assert page.findtext(".//p[@class='lead']") == f"O cliente {customer['id']} não está na lixeira."


@SQLITE_ONLY
def test_the_list_in_portuguese_searches_labels_and_says_its_filters(signed_in, api):
    widowed = api.create(referenceId="W-1", maritalStatus="widowed", addressCity="Recife")
    api.create(referenceId="S-1", maritalStatus="single", addressCity="Recife")
    found = tree(signed_in.get("/customers/browse?_q=viuvo", headers=PORTUGUESE))
    assert found.xpath("//table[@class='records']/tbody/tr//a[@class='row-link']/@href") == [
        f"/customers/{widowed['id']}/view"]
    chips = tree(signed_in.get("/customers/browse?maritalStatus=single&dateOfBirth_gte=1980-01-02",
                               headers=PORTUGUESE))
    assert [chip.text.strip() for chip in chips.xpath("//li[@class='chip']")] == [
        "Estado civil: Solteiro", "Data de nascimento a partir de 02/01/1980"]
    assert chips.xpath("normalize-space(//p[@class='total'])") == "0 de 2 clientes"


def test_every_choice_of_the_schema_has_a_label():
    from customers.pages.forms import CHOICE_LABELS
    from customers.schemas import GENDERS, MARITAL_STATUSES

    assert set(CHOICE_LABELS) == {*GENDERS, *MARITAL_STATUSES}


@SQLITE_ONLY
def test_the_list_s_date_filters_take_dd_mm_aaaa_in_portuguese(signed_in, api):
    older = api.create(referenceId="A", dateOfBirth="1975-03-04")
    api.create(referenceId="B", dateOfBirth="1990-03-04")
    page = tree(signed_in.get("/customers/browse?dateOfBirth_lte=31/12/1979", headers=PORTUGUESE))
    assert page.xpath("//a[@class='row-link']/@href") == [f"/customers/{older['id']}/view"]
    box = page.xpath("//input[@name='dateOfBirth_lte']")[0]
    assert (box.get("type"), box.get("value"), box.get("placeholder")) == (
        "text", "31/12/1979", "dd/mm/aaaa")
    assert [c.text.strip() for c in page.xpath("//li[@class='chip']")] == [
        "Data de nascimento até 31/12/1979"]
    english = tree(signed_in.get("/customers/browse?dateOfBirth_lte=1979-12-31"))
    assert english.xpath("//input[@name='dateOfBirth_lte']/@type") == ["date"]
