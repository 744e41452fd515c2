"""The reference page's code snippets, run as written against a live gunicorn.

Only the base URL, the token and the id are replaced, as a reader of the page would.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

PAGE = Path(__file__).parent / "reference" / "customers-id-put.mdx"
EXAMPLE_FIELDS = {"uuid": "string", "referenceId": "string", "dateOfBirth": "2019-08-24",
                  "gender": "male", "maritalStatus": "single", "addressCity": "string"}


def snippet(label: str) -> str:
    """The snippet titled `label` on the reference page."""
    match = re.search(rf'```\w+ title="{re.escape(label)}"\n(.*?)\n```', PAGE.read_text(), re.S)
    assert match, f"no {label} snippet on the page"
    return match.group(1)


def new_customer(server) -> str:
    """Create a record through the API; its id."""
    request = urllib.request.Request(f"{server.url}/customers", data=b"{}", method="POST", headers={
        "Authorization": f"Bearer {server.write_token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["id"]


def check_output(output: str, customer_id: str, server) -> None:
    """The snippet printed the whole updated record."""
    record = json.loads(output)
    assert record["id"] == customer_id
    assert {k: record[k] for k in EXAMPLE_FIELDS} == EXAMPLE_FIELDS
    assert record["updated_by"] == "live-writer"


def personalise(code: str, server, customer_id: str) -> str:
    """Put our token and id where the page has placeholders."""
    return code.replace("REPLACE_BEARER_TOKEN", server.write_token).replace("%7Bid%7D", customer_id)


def test_shell_curl_snippet(live_server):
    customer_id = new_customer(live_server)
    code = personalise(snippet("Shell + Curl"), live_server, customer_id)
    code = code.replace("https://maiascore.com", live_server.url)
    result = subprocess.run(["bash", "-c", code + " --silent --show-error"], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    check_output(result.stdout, customer_id, live_server)


def test_python_snippet(live_server):
    customer_id = new_customer(live_server)
    host, port = live_server.url.removeprefix("http://").split(":")
    code = personalise(snippet("Python + Python3"), live_server, customer_id)
    code = code.replace('http.client.HTTPSConnection("maiascore.com")',
                        f'http.client.HTTPConnection("{host}", {port})')
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    check_output(result.stdout, customer_id, live_server)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_snippet(live_server):
    customer_id = new_customer(live_server)
    host, port = live_server.url.removeprefix("http://").split(":")
    code = personalise(snippet("Node + Native"), live_server, customer_id)
    code = code.replace('require("https")', 'require("http")').replace(
        'hostname: "maiascore.com",\n  port: null,', f'hostname: "{host}",\n  port: {port},')
    result = subprocess.run(["node", "-e", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    check_output(result.stdout, customer_id, live_server)


def test_snippet_with_unknown_id_gets_404_in_the_error_shape(live_server):
    code = snippet("Shell + Curl").replace("https://maiascore.com", live_server.url)
    code = code.replace("REPLACE_BEARER_TOKEN", live_server.write_token)
    result = subprocess.run(["bash", "-c", code + " --silent"], capture_output=True, text=True, timeout=30)
    assert json.loads(result.stdout) == {"code": 404, "message": "No customer with id '{id}'."}


def test_snippet_without_a_valid_token_gets_403(live_server):
    customer_id = new_customer(live_server)
    code = snippet("Shell + Curl").replace("https://maiascore.com", live_server.url)
    code = code.replace("%7Bid%7D", customer_id)
    result = subprocess.run(["bash", "-c", code + " --silent"], capture_output=True, text=True, timeout=30)
    answer = json.loads(result.stdout)
    assert answer["code"] == 403 and "Authentication required" in answer["message"]
