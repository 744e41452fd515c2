"""A small API client for tests: bodies in each format, answers decoded."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient
from lxml import etree
from werkzeug.test import TestResponse

FORMATS = ("json", "xml", "form")
ACCEPTS = ("application/json", "application/xml")
CONTENT_TYPES = {"json": "application/json", "xml": "application/xml",
                 "form": "application/x-www-form-urlencoded"}


def encode_body(fields: dict[str, Any], fmt: str) -> bytes:
    """The same document as JSON, as `<item>` XML, or as form fields (None is blank)."""
    if fmt == "json":
        return json.dumps(fields).encode()
    if fmt == "form":
        return urlencode({k: "" if v is None else v for k, v in fields.items()}).encode()
    item = etree.Element("item")
    for key, value in fields.items():
        etree.SubElement(item, key).text = None if value is None else str(value)
    return etree.tostring(item, xml_declaration=True, encoding="utf-8")


def decode_answer(response: TestResponse) -> Any:
    """A JSON or XML answer as Python data (XML errors as the JSON shape)."""
    if response.mimetype == "application/json":
        return response.get_json()
    root = etree.fromstring(response.data)
    if root.tag == "error":
        answer: dict[str, Any] = {"code": int(root.findtext("code")), "message": root.findtext("message")}
        fields = root.findall("errors/field")
        if fields:
            answer["errors"] = {f.get("name"): [m.text for m in f.findall("message")] for f in fields}
        return answer
    if root.tag == "items":
        return [{c.tag: c.text for c in item} for item in root]
    if root.tag == "count":
        return int(root.text)
    return {c.tag: c.text for c in root}


class Api:
    """Requests as an authenticated client would send them."""

    def __init__(self, client: FlaskClient, token: str):
        self.client = client
        self.token = token

    def headers(self, accept: str = "application/json", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": accept, **extra}

    def send(self, method: str, path: str, fields: dict[str, Any] | None = None, fmt: str = "json",
             accept: str = "application/json", **headers: str) -> TestResponse:
        data = None if fields is None else encode_body(fields, fmt)
        if data is not None:
            headers.setdefault("Content-Type", CONTENT_TYPES[fmt])
        return self.client.open(path, method=method, data=data,
                                headers=self.headers(accept, **headers))

    def create(self, **fields: Any) -> dict[str, Any]:
        response = self.send("POST", "/customers", fields)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def get(self, customer_id: str) -> dict[str, Any]:
        response = self.send("GET", f"/customers/{customer_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()
