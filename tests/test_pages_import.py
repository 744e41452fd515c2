"""CSV from the pages: the export link of the filtered list, and import behind a dry run."""
from __future__ import annotations

import base64
import csv
import io
import re

import lxml.html
import pytest

from tests.test_pages import csrf_of, make_person, make_signed_in

person = pytest.fixture(make_person, name="person")
signed_in = pytest.fixture(make_signed_in, name="signed_in")


def upload(client, body: bytes, headers: dict[str, str] | None = None):
    token = csrf_of(client.get("/customers/browse/import").get_data(as_text=True))
    return client.post("/customers/browse/import", data={
        "csrf_token": token, "file": (io.BytesIO(body), "customers.csv")},
        content_type="multipart/form-data", headers=headers)


def hidden_text(page: str) -> str:
    return re.search(r'name="text"[^>]*value="([^"]*)"', page).group(1)


def test_the_export_link_gives_the_filtered_list(signed_in, api):
    api.create(referenceId="A", gender="female")
    api.create(referenceId="B", gender="male")
    response = signed_in.get("/customers/browse/export?gender=female&_start=5")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [row[2] for row in rows[1:]] == ["A"]


def test_a_dry_run_then_the_import(signed_in, api, snapshot):
    body = "referenceId,addressCity\nP-1,\"Line\nbreak\"\nP-2,Recife\n".encode()
    report = upload(signed_in, body)
    page = report.get_data(as_text=True)
    assert report.status_code == 200 and "2 to create" in page
    assert snapshot() == []
    token = csrf_of(page)
    assert base64.b64decode(hidden_text(page)) == body
    done = signed_in.post("/customers/browse/import", data={"csrf_token": token, "text": hidden_text(page)})
    assert done.status_code == 302
    records = api.send("GET", "/customers?_sort=id").get_json()
    assert [(r["referenceId"], r["addressCity"], r["updated_by"]) for r in records] == [
        ("P-1", "Line\nbreak", "ana"), ("P-2", "Recife", "ana")]


def test_bad_rows_are_listed_and_nothing_is_written(signed_in, snapshot):
    response = upload(signed_in, b"referenceId,gender\nA,robot\nB,female\nC,1\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<title>Error" in page
    assert "Nothing was imported" in page and ">2<" in page and ">4<" in page
    assert snapshot() == []


def test_an_unreadable_file_is_refused(signed_in, snapshot):
    response = upload(signed_in, b"\xff\xfe")
    assert response.status_code == 400 and "could not be read" in response.get_data(as_text=True)


def test_the_import_needs_csrf(signed_in, snapshot):
    response = signed_in.post("/customers/browse/import", data={"text": base64.b64encode(b"referenceId\nX\n").decode()})
    assert response.status_code == 400
    assert snapshot() == []


def test_the_list_links_its_export_with_every_filter(signed_in, api):
    page = signed_in.get("/customers/browse?gender=female&gender=male&_q=x").get_data(as_text=True)
    link = re.search(r'href="(/customers/browse/export[^"]*)"', page).group(1).replace("&amp;", "&")
    assert link == "/customers/browse/export?gender=female&gender=male&_q=x"


def test_only_admins_import(app, client, snapshot):
    from customers.accounts import create_user
    from tests.test_pages import PASSWORD, sign_in

    with app.app_context():
        create_user("eva", PASSWORD, "editor")
    assert sign_in(client, "eva").status_code == 302
    assert client.get("/customers/browse/import").status_code == 403
    assert "Import CSV" not in client.get("/customers/browse").get_data(as_text=True)
    response = client.post("/customers/browse/import", data={"text": "cmVmZXJlbmNlSWQKWAo="})
    assert response.status_code in (400, 403) and snapshot() == []


@pytest.mark.parametrize("body, status, said", [
    (b"\xff\xfe", 400, "Arquivo malformado: UTF-8 inválido no byte 0"),
    (b"", 400, "Arquivo malformado: o CSV não tem linha de cabeçalho"),
    (b"referenceId\nA,B\n", 400, "Arquivo malformado: a linha 2 tem 2 células, o cabeçalho 1"),
    (b"referenceId,colour,referenceId\nA,red,B\n", 422, "Informado em mais de uma coluna."),
    (b"referenceId,colour\nA,red\n", 422, "Campo desconhecido."),
    (b"id,referenceId\n{live},A\n{live},B\n", 422, "Já informado na linha 2."),
    (b"id,referenceId\n{gone},A\n", 422, "O cliente {gone} está na lixeira; restaure-o antes de "
                                           "importar alterações nele."),
    (b"id,referenceId\n99999,A\n", 422, "Nenhum cliente com o id '99999'."),
])
def test_a_refused_import_says_why_in_portuguese(signed_in, api, snapshot, body, status, said):
    live, gone = api.create()["id"], api.create()["id"]
    api.send("DELETE", f"/customers/{gone}")
    before = snapshot()
    body = body.replace(b"{live}", live.encode()).replace(b"{gone}", gone.encode())
    response = upload(signed_in, body, headers={"Accept-Language": "pt-BR"})
    main = lxml.html.fromstring(response.get_data(as_text=True)).xpath("//main")[0]
    page = " ".join(main.text_content().split())
    assert response.status_code == status
    assert said.replace("{gone}", gone) in page, page
    assert snapshot() == before
