"""The webhook queue's depth and oldest age in /metrics, read from the outbox at each scrape."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from customers.extensions import db
from customers.webhooks.times import now
from tests.test_metrics import scrape
from tests.webhooks import add_webhook


def test_the_queue_depth_and_age_are_scraped(client, api, app, read_token):
    before = scrape(client, read_token)
    assert before[("customers_webhook_queue_depth", ())] == 0
    assert before[("customers_webhook_queue_oldest_age_seconds", ())] == 0
    add_webhook(app, "http://127.0.0.1:9/")
    for _ in range(3):
        api.create()
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE webhook_messages SET created_at = :then WHERE id = 1"),
                           {"then": now() - timedelta(minutes=5)})
    after = scrape(client, read_token)
    assert after[("customers_webhook_queue_depth", ())] == 3
    assert 300 <= after[("customers_webhook_queue_oldest_age_seconds", ())] < 400
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE webhook_messages SET state = 'delivered'"))
    assert scrape(client, read_token)[("customers_webhook_queue_depth", ())] == 0
