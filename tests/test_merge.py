"""The three-way merge rule (customers/merge.py), field by field."""
from __future__ import annotations

from datetime import date

import pytest

from customers.merge import Merge, three_way

BASE = {"addressCity": "Recife", "addressNeighborhood": "Boa Vista", "gender": None,
        "dateOfBirth": date(1980, 5, 6)}


@pytest.mark.parametrize("mine, current, expected", [
    # The person changed nothing that others changed: the current values stay, nothing sent.
    (BASE, {**BASE, "addressCity": "Olinda"}, Merge(kept=("addressCity",))),
    # Only the person changed it: applied.
    ({**BASE, "addressNeighborhood": "Derby"}, {**BASE, "addressCity": "Olinda"},
     Merge(apply={"addressNeighborhood": "Derby"}, kept=("addressCity",))),
    # Both made the same change: nothing to do.
    ({**BASE, "addressCity": "Olinda"}, {**BASE, "addressCity": "Olinda"}, Merge()),
    # Both changed it differently: a conflict (mine, theirs).
    ({**BASE, "addressCity": "Paulista"}, {**BASE, "addressCity": "Olinda"},
     Merge(conflicts={"addressCity": ("Paulista", "Olinda")})),
    # Clearing is a change like any other, on either side.
    ({**BASE, "gender": "female"}, {**BASE, "addressCity": None},
     Merge(apply={"gender": "female"}, kept=("addressCity",))),
    ({**BASE, "addressCity": None}, {**BASE, "addressCity": "Olinda"},
     Merge(conflicts={"addressCity": (None, "Olinda")})),
    # Dates compare as dates.
    ({**BASE, "dateOfBirth": date(1981, 1, 1)}, BASE,
     Merge(apply={"dateOfBirth": date(1981, 1, 1)})),
])
def test_each_field_follows_the_rule(mine, current, expected):
    assert three_way(BASE, mine, current) == expected


def test_only_the_fields_sent_are_merged():
    merge = three_way(BASE, {"addressNeighborhood": "Derby"}, {**BASE, "addressCity": "Olinda"})
    assert merge == Merge(apply={"addressNeighborhood": "Derby"})


def test_without_a_base_every_difference_is_a_conflict():
    mine = {**BASE, "addressNeighborhood": "Derby"}
    current = {**BASE, "addressCity": "Olinda"}
    merge = three_way(None, mine, current)
    assert merge.conflicts == {"addressCity": ("Recife", "Olinda"),
                               "addressNeighborhood": ("Derby", "Boa Vista")}
    assert merge.apply == {} and not merge.clean


def test_a_merge_applies_only_values_the_person_sent():
    mine = {"addressCity": "Paulista", "addressNeighborhood": "Derby", "gender": None}
    current = {**BASE, "addressCity": "Olinda", "gender": "male"}
    merge = three_way(BASE, mine, current)
    assert all(mine[name] == value for name, value in merge.apply.items())
    assert all(mine[name] == chosen for name, (chosen, _) in merge.conflicts.items())
