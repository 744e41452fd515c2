"""ETags, If-Match and If-None-Match; two writers holding the same tag."""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.client import FORMATS


def tag_of(api, customer_id: str) -> str:
    return api.send("GET", f"/customers/{customer_id}").headers["ETag"]


def test_every_record_response_has_a_strong_etag_that_changes(api):
    record = api.create()
    created_tag = api.send("GET", f"/customers/{record['id']}").headers["ETag"]
    assert created_tag.startswith('"') and not created_tag.startswith("W/")
    put = api.send("PUT", f"/customers/{record['id']}", {"uuid": "a"})
    assert put.headers["ETag"] != created_tag
    assert tag_of(api, record["id"]) == put.headers["ETag"]
    same_again = api.send("PUT", f"/customers/{record['id']}", {"uuid": "a"})
    assert same_again.headers["ETag"] == put.headers["ETag"]  # nothing changed: no new version
    moved = api.send("PUT", f"/customers/{record['id']}", {"uuid": "b"})
    assert moved.headers["ETag"] != put.headers["ETag"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_matching_if_match_writes(api, fmt, method):
    record = api.create()
    response = api.send(method, f"/customers/{record['id']}", {"uuid": "b"}, fmt=fmt,
                        **{"If-Match": tag_of(api, record["id"])})
    assert response.status_code == 200 and response.get_json()["uuid"] == "b"


@pytest.mark.parametrize("if_match", ['"c1v99"', 'W/"c1v1"', '"c2v1"', "garbage", '""'])
def test_non_matching_if_match_is_412_and_changes_nothing(api, snapshot, if_match):
    api.create()
    api.create()
    before = snapshot()
    response = api.send("PUT", "/customers/1", {"uuid": "x"}, **{"If-Match": if_match})
    assert response.status_code == 412
    assert snapshot() == before


def test_if_match_star_and_lists(api):
    record = api.create()
    assert api.send("PUT", f"/customers/{record['id']}", {"uuid": "c"}, **{"If-Match": "*"}).status_code == 200
    tags = f'"c1v1", {tag_of(api, record["id"])}'
    assert api.send("PUT", f"/customers/{record['id']}", {"uuid": "d"}, **{"If-Match": tags}).status_code == 200


def test_if_match_on_a_missing_record_is_404(api):
    assert api.send("PUT", "/customers/42", {"uuid": "x"}, **{"If-Match": '"c42v1"'}).status_code == 404


def test_delete_with_if_match(api):
    record = api.create()
    stale = tag_of(api, record["id"])
    api.send("PUT", f"/customers/{record['id']}", {"uuid": "e"})
    assert api.send("DELETE", f"/customers/{record['id']}", **{"If-Match": stale}).status_code == 412
    fresh = tag_of(api, record["id"])
    assert api.send("DELETE", f"/customers/{record['id']}", **{"If-Match": fresh}).status_code == 200


def test_if_none_match_gives_304(api):
    record = api.create()
    tag = tag_of(api, record["id"])
    response = api.send("GET", f"/customers/{record['id']}", **{"If-None-Match": tag})
    assert response.status_code == 304 and response.data == b"" and response.headers["ETag"] == tag
    api.send("PUT", f"/customers/{record['id']}", {"uuid": "f"})
    assert api.send("GET", f"/customers/{record['id']}", **{"If-None-Match": tag}).status_code == 200


def test_post_put_patch_name_their_content_location(api):
    response = api.send("POST", "/customers", {})
    location = response.headers["Content-Location"]
    record_id = response.get_json()["id"]
    assert location.endswith(f"/customers/{record_id}")
    for method in ("PUT", "PATCH"):
        assert api.send(method, f"/customers/{record_id}", {}).headers["Content-Location"] == location


@pytest.mark.parametrize("prefix", ["", "/api", "/api%20v1"])
@pytest.mark.parametrize("host", ["localhost", "example.com:8443"])
def test_content_location_of_a_write_is_where_the_record_lives(api, client, prefix, host):
    """Under a mount prefix and whatever Host: the URL a GET of the record would use."""
    base_url = f"http://{host}{prefix}"
    created = client.post("/customers", json={}, headers=api.headers(), base_url=base_url)
    location = created.headers["Location"]
    assert location == f"{base_url}/customers/{created.get_json()['id']}"
    for method in ("PUT", "PATCH"):
        answer = client.open(location.removeprefix(base_url), method=method, json={},
                             headers=api.headers(), base_url=base_url)
        assert answer.status_code == 200 and answer.headers["Content-Location"] == location


def test_content_location_is_a_uri_under_a_non_ascii_prefix(api, client):
    """A percent-encoded prefix, the same on POST, PUT and PATCH."""
    # A WSGI string: the prefix as UTF-8 bytes read as latin-1.
    environ = {"SCRIPT_NAME": "/prä fix".encode().decode("latin-1")}
    created = client.post("/customers", json={}, headers=api.headers(), environ_overrides=environ)
    record_id = created.get_json()["id"]
    expected = f"http://localhost/pr%C3%A4%20fix/customers/{record_id}"
    assert created.headers["Location"] == created.headers["Content-Location"] == expected
    for method in ("PUT", "PATCH"):
        answer = client.open(f"/customers/{record_id}", method=method, json={}, headers=api.headers(),
                             environ_overrides=environ)
        assert answer.status_code == 200 and answer.headers["Content-Location"] == expected


def _put(url: str, token: str, tag: str, value: str, results: list, barrier: threading.Barrier) -> None:
    request = urllib.request.Request(url, data=json.dumps({"addressCity": value}).encode(), method="PUT",
                                     headers={"Authorization": f"Bearer {token}", "If-Match": tag,
                                              "Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results.append((response.status, value))
    except urllib.error.HTTPError as error:
        results.append((error.code, value))


@pytest.mark.server
def test_two_writers_with_the_same_tag_exactly_one_wins(live_server):
    """Against a real gunicorn with two workers, many rounds of two racing writers."""
    server = live_server
    request = urllib.request.Request(f"{server.url}/customers", data=b"{}", method="POST", headers={
        "Authorization": f"Bearer {server.write_token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        url, tag = response.headers["Location"], response.headers["ETag"]
    for round_number in range(15):
        results: list = []
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=_put, args=(url, server.write_token, tag, f"w{i}-{round_number}",
                                                       results, barrier)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(status for status, _ in results) == [200, 412], results
        winner = next(value for status, value in results if status == 200)
        with urllib.request.urlopen(urllib.request.Request(url, headers={
                "Authorization": f"Bearer {server.read_token}"})) as response:
            assert json.load(response)["addressCity"] == winner
            tag = response.headers["ETag"]
