"""The files the pages load (docs/pages.md, "Made like a Wikimedia tool"): vendored as
noted, with their licence, and nothing in them that loads from another host."""

from __future__ import annotations

import hashlib
import re
from importlib.resources import files

import pytest

from outreach_helper.web.pages.render import STATIC_FILES, static_file, static_url

CODEX = files("outreach_helper.web.pages").joinpath("static", "codex")
#: The npm package @wikimedia/codex-design-tokens, version 2.7.0, as its README.md notes.
CODEX_FILES = {
    "theme-wikimedia-ui.css": "12109b9b8b1fe160c2cb57418199f673c45522cc0186a264897d92289dbb824f",
    "theme-wikimedia-ui-mode-dark.css": (
        "0ef2fc576f5e5abae42b150d0da82887484c3c78cbcacfcb90381766143e7300"
    ),
    "LICENSE": "8177f97513213526df2cf6184d8ff986c675afb514d4e68a404010521b880643",
}


@pytest.mark.parametrize(("name", "digest"), CODEX_FILES.items())
def test_the_codex_tokens_are_the_noted_release_unchanged(name, digest):
    body = CODEX.joinpath(name).read_bytes()
    assert hashlib.sha256(body).hexdigest() == digest
    assert digest in CODEX.joinpath("README.md").read_text()


def test_the_codex_tokens_say_their_version_and_licence():
    readme = CODEX.joinpath("README.md").read_text()
    assert "`@wikimedia/codex-design-tokens`" in readme
    assert "**2.7.0**" in readme
    assert "GPL-2.0-or-later" in readme
    assert "Codex Design Tokens v2.7.0" in CODEX.joinpath("theme-wikimedia-ui.css").read_text()
    assert "GNU GENERAL PUBLIC LICENSE" in CODEX.joinpath("LICENSE").read_text()


@pytest.mark.parametrize("name", STATIC_FILES)
def test_no_file_the_pages_load_loads_anything_itself(name):
    found = static_file(name)
    assert found is not None
    text = found.body.decode()
    assert "@import" not in text
    assert not re.search(r"url\(", text)
    assert static_url(name).startswith(f"/static/{name}?v=")


def test_a_name_not_on_the_list_is_no_file():
    assert static_file("README.md") is None
    assert static_file("codex/LICENSE") is None
    assert static_file("../render.py") is None
