"""/openapi.json is generated from the schemas; the docs page and probes need no token."""
from __future__ import annotations

from customers.schemas import GENDERS, WRITABLE


def test_openapi_documents_put_as_the_reference_page_does(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    put = spec["paths"]["/customers/{id}"]["put"]
    assert put["operationId"] == "updateCustomer"
    assert set(put["requestBody"]["content"]) >= {"application/json", "application/xml",
                                                  "application/x-www-form-urlencoded"}
    assert {"200", "403", "404", "default"} <= set(put["responses"])
    assert put["parameters"][0] == {"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "string"}, "description": "Customer Id"}


def test_openapi_schema_comes_from_the_marshmallow_schema(client):
    customer = client.get("/openapi.json").get_json()["components"]["schemas"]["Customer"]
    assert set(WRITABLE) < set(customer["properties"])
    assert customer["properties"]["gender"]["enum"][: len(GENDERS)] == list(GENDERS)
    assert customer["properties"]["addressCity"]["maxLength"] == 255
    assert customer["properties"]["id"]["readOnly"] is True


def test_docs_page_is_html_from_our_own_static_files(client):
    response = client.get("/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/customers/{id}" in page and "maritalStatus" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")


def test_probes_need_no_token(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/readyz").get_json() == {"status": "ready"}
