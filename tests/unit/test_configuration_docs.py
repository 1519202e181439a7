"""The configuration table of docs/operations.md is the settings the service reads.

An operator sets the service up from that table alone, so it must name every
``OUTREACH_*`` variable ``Settings`` accepts and nothing else, and every
default it states must be the one the service starts with. Here the
documentation is what is checked, and the code is its reference: the
defaults come from a ``Settings()`` built in an environment without any
``OUTREACH_*`` variable, exactly what an operator who sets nothing gets.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from outreach_helper.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "docs" / "operations.md"
PREFIX = "OUTREACH_"
# Every page an operator or developer reads for settings (the changelog is history).
PAGES = [
    ROOT / "README.md",
    ROOT / "GADGET.md",
    ROOT / "bench" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def table() -> dict[str, str]:
    """The ``| variable | default | meaning |`` table: each variable's default cell."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    in_table = False
    for line in section.splitlines():
        if line.startswith("| variable | default | meaning |"):
            in_table = True
            continue
        if not in_table or line.startswith("|---"):
            continue
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        variable = re.fullmatch(r"`(OUTREACH_[A-Z0-9_]+)`", cells[0])
        assert variable, f"one variable per row, in backticks: {cells[0]!r}"
        assert variable[1] not in rows, f"{variable[1]} is in the table twice"
        rows[variable[1]] = cells[1].replace("\\|", "|")
    return rows


def accepted() -> set[str]:
    """The environment variables ``Settings`` reads."""
    return {PREFIX + name.upper() for name in Settings.model_fields}


@pytest.fixture
def defaults(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings of a service started with no ``OUTREACH_*`` variable set."""
    for name in list(os.environ):
        if name.upper().startswith(PREFIX):
            monkeypatch.delenv(name)
    return Settings()


def documented(cell: str) -> tuple[str, Any]:
    """What a default cell states: ("unset", None), ("text", ...) or ("number", ...)."""
    if cell == "unset" or cell.startswith("unset:"):
        return "unset", None
    if cell == "empty":
        return "text", ""
    if code := re.fullmatch(r"`([^`]*)`", cell):
        return "text", code[1]
    if number := re.fullmatch(r"-?\d+(?:\.\d+)?", cell):
        return "number", float(number[0])
    raise AssertionError(f"state a default as a number, `code`, empty or unset: {cell!r}")


def as_written(value: Any) -> str:
    """A setting's value as it would be written in the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_the_table_names_every_variable_the_service_reads():
    missing = accepted() - set(table())
    assert not missing, f"settings missing from docs/operations.md: {sorted(missing)}"


def test_the_table_names_only_variables_the_service_reads():
    unknown = set(table()) - accepted()
    assert not unknown, f"docs/operations.md documents settings that do not exist: {unknown}"


@pytest.mark.parametrize(("variable", "cell"), sorted(table().items()))
def test_a_documented_default_is_the_default(defaults: Settings, variable: str, cell: str):
    value = getattr(defaults, variable.removeprefix(PREFIX).lower())
    kind, stated = documented(cell)
    if kind == "unset":
        assert value is None, f"{variable} is documented unset, but defaults to {value!r}"
    elif kind == "number":
        assert not isinstance(value, bool), f"{variable} is a flag: write `true` or `false`"
        assert isinstance(value, int | float), f"{variable} is not a number: {value!r}"
        assert math.isclose(value, stated), f"{variable}: documented {stated}, is {value}"
    else:
        assert not isinstance(value, SecretStr), f"{variable}: a secret has no default to show"
        assert as_written(value) == stated, f"{variable}: documented {stated!r}, is {value!r}"


def test_the_dashboards_asked_by_default_are_the_documented_ones(defaults: Settings):
    # OUTREACH_DASHBOARDS is unset by default, which means the pairs its row names.
    pairs = re.search(r"`([^`]*)`", table()["OUTREACH_DASHBOARDS"])
    assert pairs is not None, "name the dashboards asked when OUTREACH_DASHBOARDS is unset"
    asked = ",".join(f"{spec.name}={spec.base_url}" for spec in defaults.dashboard_specs)
    assert asked == pairs[1]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_variable_a_page_names_exists(page: Path):
    # A renamed or removed setting must not live on in the prose.
    text = page.read_text(encoding="utf-8")
    named = set(re.findall(r"OUTREACH_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_<*])", text))
    assert named <= accepted(), f"{page.name} names unknown settings: {named - accepted()}"
