"""axe-core (from npm) run inside a Playwright page: the WCAG 2.2 A and AA rules.

npm installs axe-core into a temporary folder once per session (node and npm are required,
here and in CI, as for tests/test_qs_node.py). The pages' CSP forbids injected scripts, so a
page to check is opened in a context with `bypass_csp=True`.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The text of axe.min.js."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.fail("node and npm are required (Debian: apt-get install nodejs npm)")
    folder = tmp_path_factory.mktemp("axe")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "axe-core@4"],
                   cwd=folder, check=True, timeout=240, capture_output=True)
    return (Path(folder) / "node_modules" / "axe-core" / "axe.min.js").read_text()


def violations(page: Any, source: str) -> list[str]:
    """Each rule the page breaks, with the elements that break it (empty: none)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    found = page.evaluate("(rules) => axe.run(document, {runOnly: rules})"
                          ".then(r => r.violations.map(v => v.id + ': ' + v.nodes.map("
                          "n => n.target.join(' ')).join(', ')))", RULES)
    return list(found)


def sideways_overflow(page: Any) -> int:
    """How many pixels the page scrolls sideways (0: none)."""
    return page.evaluate("() => document.documentElement.scrollWidth"
                         " - document.documentElement.clientWidth")
