"""The one-pass dump (customers/schema_dump.py) writes what marshmallow's own Schema.dump
writes, for every record the store can hold and every schema that uses it."""
from __future__ import annotations

from datetime import timezone
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, post_dump

from customers.record import COLUMNS, CustomerRecord
from customers.schema_dump import OnePassDumpSchema
from customers.schemas import CustomerSchema, TrashedSchema

TEXT = st.one_of(st.none(), st.text(max_size=20))
MOMENT = st.one_of(st.none(), st.datetimes(), st.datetimes(timezones=st.just(timezone.utc)))
VALUES = {"id": st.one_of(st.integers(1, 2**53), st.text(max_size=5)),
          "date_of_birth": st.one_of(st.none(), st.dates()),
          "dateOfBirth": st.one_of(st.none(), st.dates()),
          "published_at": MOMENT, "updated_at": MOMENT, "deleted_at": MOMENT,
          "version": st.integers(1, 2**31)}
RECORDS = st.fixed_dictionaries({name: VALUES.get(name, TEXT) for name in COLUMNS}).map(
    lambda values: CustomerRecord(**values))


@settings(max_examples=300, deadline=None)
@given(records=st.lists(RECORDS, max_size=4))
@pytest.mark.parametrize("schema", [CustomerSchema(), TrashedSchema(),
                                    CustomerSchema(only=("id", "addressCity", "published_at"))])
def test_the_one_pass_dump_is_marshmallow_s_dump(schema, records):
    assert schema.dump(records, many=True) == Schema.dump(schema, records, many=True)
    for record in records:
        assert list(schema.dump(record).items()) == list(Schema.dump(schema, record).items())


def test_what_it_does_not_do_is_marshmallow_s_own():
    class Hooked(OnePassDumpSchema):
        name = fields.String(attribute="person.name")

        @post_dump
        def mark(self, data, **_kwargs):
            return {**data, "marked": True}

    assert Hooked().dump({"person": {"name": "ana"}}) == {"name": "ana", "marked": True}
    assert CustomerSchema(only=("id", "uuid")).dump(SimpleNamespace(id=5)) == {"id": "5"}
    assert CustomerSchema(only=("id", "uuid")).dump({"id": 7, "uuid": "u"}) == {"id": "7", "uuid": "u"}
