"""`flask webhooks ...`: registering receivers, their secrets and URLs, the deliveries list."""
from __future__ import annotations

import base64
import re

import pytest

from customers.extensions import db
from customers.webhooks.models import Webhook
from tests.webhooks import add_webhook, cli

SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode()


def test_add_prints_a_new_standard_webhooks_secret_alone_on_the_last_line(app):
    secret = add_webhook(app, "https://hooks.example.com/customers")
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert add_webhook(app, "http://127.0.0.1:9/a") != secret  # each one its own
    listing = cli(app, "list")
    assert listing.splitlines() == [
        "1\thttps://hooks.example.com/customers\tentry.create,entry.update,entry.delete",
        "2\thttp://127.0.0.1:9/a\tentry.create,entry.update,entry.delete"]
    assert secret not in listing


def test_add_takes_a_given_secret_and_a_choice_of_events(app):
    output = cli(app, "add", "http://10.0.0.7:8080/in", "--events", "entry.delete, entry.create",
                 "--secret", SECRET)
    assert SECRET not in output  # the operator has it: it is not echoed
    assert cli(app, "list") == "1\thttp://10.0.0.7:8080/in\tentry.create,entry.delete\n"
    with app.app_context():
        assert db.session.execute(db.select(Webhook.secret)).scalar_one() == SECRET


@pytest.mark.parametrize("url", [
    "ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "example.com/hooks",
    "http://", "https://user:pw@example.com/", "http://example.com/a b", "http://example.com:x/",
    "http://example.com/#frag", "http://exa\x00mple.com/", "https://" + "a" * 2050 + ".com/",
])
def test_add_refuses_what_is_not_an_http_or_https_url(app, url):
    result = app.test_cli_runner().invoke(args=["webhooks", "add", url])
    assert result.exit_code != 0 and "URL" in result.output
    assert cli(app, "list") == ""


@pytest.mark.parametrize("options, complaint", [
    (["--events", "entry.created"], "entry.created"),
    (["--events", ","], "none given"),
    (["--secret", "not-a-secret"], "whsec_"),
    (["--secret", "whsec_" + base64.b64encode(b"short").decode()], "24 to 64"),
    (["--secret", "whsec_!!!!"], "whsec_"),
])
def test_add_refuses_unknown_events_and_malformed_secrets(app, options, complaint):
    result = app.test_cli_runner().invoke(args=["webhooks", "add", "http://example.com/", *options])
    assert result.exit_code != 0 and complaint in result.output
    assert cli(app, "list") == ""


def test_remove_takes_the_webhook_and_its_messages(app, api):
    add_webhook(app, "http://127.0.0.1:9/one")
    add_webhook(app, "http://127.0.0.1:9/two")
    api.send("POST", "/customers", {})
    queue = cli(app, "deliveries").splitlines()[0]
    assert re.fullmatch(r"queue: 2 pending, oldest [0-5] s old", queue), queue
    assert cli(app, "remove", "1") == "removed webhook 1\n"
    assert cli(app, "list").splitlines() == ["2\thttp://127.0.0.1:9/two\t"
                                              "entry.create,entry.update,entry.delete"]
    lines = cli(app, "deliveries").splitlines()
    assert lines[0].startswith("queue: 1 pending") and len(lines) == 2
    assert lines[1].split("\t")[1:] == ["entry.create", "1", "pending", "0", "-", "webhook 2"]
    result = app.test_cli_runner().invoke(args=["webhooks", "remove", "1"])
    assert result.exit_code != 0 and "no webhook with id 1" in result.output


def test_redeliver_refuses_an_unknown_or_still_queued_message(app, api):
    add_webhook(app, "http://127.0.0.1:9/")
    api.send("POST", "/customers", {})
    msg_id = cli(app, "deliveries").splitlines()[1].split("\t")[0]
    for unknown in (msg_id, "msg_nope"):
        result = app.test_cli_runner().invoke(args=["webhooks", "redeliver", unknown])
        assert result.exit_code != 0 and "no delivered or failed message" in result.output
