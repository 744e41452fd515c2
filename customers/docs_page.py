"""What the /docs page shows beside the OpenAPI document: the list's and the count's query
language at a glance (its options, the fields and operators of its filters), with examples."""
from __future__ import annotations

from typing import Any

from customers.query_values import FIELDS
from customers.rest_params import OPERATORS
from customers.schemas import N_

LISTS = ("/customers", "/customers/count", "/customers/export", "/customers/deleted")
# (what it asks, the query string): each runs as it is against GET /customers.
EXAMPLES = (
    (N_("The third page of 20, by city then newest id first"),
     "_limit=20&_start=40&_sort=addressCity:ASC,id:DESC"),
    (N_("Records whose text fields or id contain “recife”, ignoring case"), "_q=recife"),
    (N_("Women in Pernambuco"), "gender=female&addressState=PE"),
    (N_("Born in the 1980s"), "dateOfBirth_gte=1980-01-01&dateOfBirth_lt=1990-01-01"),
    (N_("Either of two references"), "referenceId_in=R-1&referenceId_in=R-2"),
    (N_("No city given"), "addressCity_null=true"),
    (N_("Recife or Olinda (a group of alternatives)"),
     "_where[_or][0][addressCity]=Recife&_where[_or][1][addressCity]=Olinda"),
)


def list_guide(spec: dict[str, Any]) -> dict[str, Any]:
    """The list's options (the `_` parameters, from the document), the fields a filter
    names, its operators, and the examples."""
    parameters = spec["paths"]["/customers"]["get"]["parameters"]
    options = [p for p in parameters if p["in"] == "query" and p["name"].startswith("_")]
    return {"options": options, "fields": list(FIELDS), "operators": list(OPERATORS),
            "examples": EXAMPLES, "lists": LISTS}
