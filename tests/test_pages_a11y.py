"""Accessibility that the HTML and the style sheet carry: contrast of focus rings and input
borders, the error summary focused on arrival, titles that start with "Error"."""
from __future__ import annotations

import re

import lxml.html
import pytest

from tests.servers import ROOT
from tests.test_pages import person, signed_in, sign_in, submit  # noqa: F401  (fixtures)

STYLE = (ROOT / "static" / "style.css").read_text()
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def luminance(colour: str) -> float:
    """WCAG relative luminance of `#rrggbb`."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two colours."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def variable(name: str) -> str:
    """A colour of the style sheet's :root."""
    return re.search(rf"--{name}: (#[0-9a-f]{{6}});", STYLE).group(1)


def test_a_focus_ring_and_input_borders_stand_out_at_3_to_1():
    backgrounds = ["#ffffff", variable("bg"), "#fbe9e8", "#eef1f6", variable("warn-bg")]
    for colour in (variable("focus"), variable("control")):
        assert min(contrast(colour, background) for background in backgrounds) >= 3, colour
    assert "outline: 3px solid var(--focus)" in STYLE
    inputs = re.search(r"input\[type=text\][^{]*\{([^}]*)\}", STYLE).group(1)
    assert "border: 1px solid var(--control)" in inputs


@SQLITE_ONLY
def test_a_failed_save_titles_the_page_error_and_focuses_the_summary(signed_in, api):
    customer = api.create(addressCity="Recife")
    answer = submit(signed_in, f"/customers/{customer['id']}/edit", {"dateOfBirth": "2999-01-01"})
    tree = lxml.html.fromstring(answer.get_data(as_text=True))
    assert answer.status_code == 422 and tree.findtext(".//title").startswith("Error: ")
    summary = tree.xpath("//div[contains(@class, 'error-summary')]")[0]
    assert summary.get("tabindex") == "-1" and summary.get("autofocus") is not None
    assert not tree.xpath("//script[not(@src)]")  # no inline script (the CSP forbids it)


@SQLITE_ONLY
def test_a_wrong_password_titles_the_page_error(client, person):
    answer = sign_in(client, person, "not the password at all")
    tree = lxml.html.fromstring(answer.get_data(as_text=True))
    assert tree.findtext(".//title").startswith("Error: ")
    assert tree.xpath("//*[@class='error-summary'][@autofocus][@tabindex='-1']")
