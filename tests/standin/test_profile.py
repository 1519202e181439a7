"""``GET /users/NAME``: the profile route, the light way to learn a user's stored name.

Expected behaviour is the source report's (sections 2.2 and 7.3): the same
``set_user`` as user_stats (path decoding keeps ``+``, then ``CGI.unescape``,
then ``_`` to a space, then a case- and accent-insensitive lookup); JSON only
with ``?format=json`` or a JSON Accept header; an unknown user is a 302 to
the dashboard's own root ``/`` (``redirect_to controller: 'dashboard', action:
'index'``, whose first route is the root), never JSON, with a session cookie
(the flash writes the session); a ``.json`` suffix is swallowed into the name.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import httpx
import pytest

from outreach_standin.world import KAI, MARTA, OLD_TIMER, PERCENT, QUIET, ZOE
from tests.standin.support import JSON, get_accepting, get_without_accept, profile_path

PROFILE_KEYS = {"username", "profile_image", "bio", "location", "institution"}


def profile(client: httpx.Client, path: str) -> dict[str, object] | None:
    """The ``user_profile`` object, or None for the redirect an unknown user gets."""
    response = client.get(path, params={"format": "json"}, headers=JSON)
    if response.status_code == 302:
        return None
    assert response.status_code == 200, path
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["user_profile"]
    found: dict[str, object] = body["user_profile"]
    return found


def assert_redirected_to_dashboard(response: httpx.Response) -> None:
    assert response.status_code == 302
    assert urlsplit(response.headers["location"]).path == "/"
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == b""


def test_profile_json_names_the_stored_user(client: httpx.Client) -> None:
    marta = profile(client, profile_path(MARTA))
    assert marta is not None
    assert set(marta) == PROFILE_KEYS
    assert marta["username"] == MARTA
    assert marta["profile_image"] is None
    assert all(isinstance(marta[key], str) for key in ("bio", "location", "institution"))


def test_a_user_without_a_saved_profile_has_null_fields(client: httpx.Client) -> None:
    assert profile(client, profile_path(QUIET)) == {
        "username": QUIET,
        "profile_image": None,
        "bio": None,
        "location": None,
        "institution": None,
    }


@pytest.mark.parametrize(
    "spelling", ["zoe_astrom", "ZOË ÅSTRÖM", "Zoë_Åström", "ZOE ASTROM", "Zoë Åström   "]
)
def test_lookup_ignores_case_and_accents_and_answers_the_stored_name(
    client: httpx.Client, spelling: str
) -> None:
    found = profile(client, profile_path(spelling))
    assert found is not None
    assert found["username"] == ZOE


def test_the_accept_header_alone_can_ask_for_json(client: httpx.Client) -> None:
    response = client.get(profile_path(MARTA), headers=JSON)
    assert response.json()["user_profile"]["username"] == MARTA
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept", ["*/*", "text/html,application/xhtml+xml,*/*;q=0.8", None])
def test_without_a_json_format_the_profile_is_an_html_page(
    client: httpx.Client, accept: str | None
) -> None:
    response = get_accepting(client, profile_path(MARTA), accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("accept", ["application/json", "*/*"])
def test_an_unknown_user_is_a_redirect_never_json(client: httpx.Client, accept: str) -> None:
    response = client.get(
        profile_path("Nobody At All 12345"),
        params={"format": "json"},
        headers={"Accept": accept},
    )
    assert_redirected_to_dashboard(response)


def test_double_decoding_needs_form_escaping(client: httpx.Client) -> None:
    # The report's example: "Kai+Lani Makoa" -> /users/Kai%252BLani+Makoa
    assert profile(client, "/users/Kai%252BLani+Makoa") == profile(client, profile_path(KAI))
    found = profile(client, profile_path(KAI))
    assert found is not None
    assert found["username"] == KAI
    percent = profile(client, profile_path(PERCENT))
    assert percent is not None
    assert percent["username"] == PERCENT
    # Percent-encoded only once, CGI.unescape turns "+" into a space and "%Ed" into a byte.
    assert profile(client, f"/users/{quote(KAI, safe='')}") is None
    assert profile(client, f"/users/{quote(PERCENT, safe='')}") is None


def test_plain_names_survive_double_decoding(client: httpx.Client) -> None:
    for path in ("/users/Marta_Quill", "/users/Marta%20Quill", "/users/Marta+Quill"):
        found = profile(client, path)
        assert found is not None
        assert found["username"] == MARTA
    old = profile(client, profile_path(OLD_TIMER))
    assert old is not None
    assert old["username"] == OLD_TIMER


def test_a_json_suffix_becomes_part_of_the_name(client: httpx.Client) -> None:
    # users/:username with constraints /.*/: the greedy segment swallows ".json".
    assert_redirected_to_dashboard(client.get("/users/Marta_Quill.json", headers=JSON))
    assert_redirected_to_dashboard(get_without_accept(client, "/users/Marta_Quill.json"))


def test_profile_requests_are_counted_and_can_be_broken(client: httpx.Client) -> None:
    profile(client, profile_path(MARTA))
    profile(client, profile_path("Nobody At All 12345"))
    assert client.get("/__standin/counters").json()["user_profile"] == 2
    client.post("/__standin/faults", json={"mode": "error500", "endpoint": "user_profile"})
    assert client.get(profile_path(MARTA), headers=JSON).status_code == 500
    stats = client.get("/user_stats.json", params={"username": MARTA})
    assert stats.status_code == 200


def test_an_unknown_users_redirect_sets_the_session_cookie(client: httpx.Client) -> None:
    response = client.get(profile_path("Nobody Ever Registered"), params={"format": "json"})
    assert response.headers["set-cookie"].startswith("_wikiedudashboard_session=")


def test_a_known_users_profile_sets_no_cookie(client: httpx.Client) -> None:
    response = client.get(profile_path(MARTA), params={"format": "json"}, headers=JSON)
    assert "set-cookie" not in response.headers
