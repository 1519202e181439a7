"""Identity is exact: courses are only ever attributed to the account asked about.

The dashboard finds users ignoring case and accents; MediaWiki does not. Its
username column is unique under that collation, so its profile route names
the one stored account a spelling folds onto (docs/api.md, "Identity"). Every
test here runs over real HTTP against the stand-in and counts what the
dashboard was asked.
"""

from __future__ import annotations

from urllib.parse import quote

from outreach_standin import world as w


def user(name: str, suffix: str = "") -> str:
    return "/api/users/" + quote(name) + suffix


async def test_an_exact_name_is_confirmed_then_its_courses_are_read(api, upstream):
    response = await api.get(user(w.HASHTAG))
    counters = upstream.counters()
    assert (response.status_code, counters["user_profile"], counters["user_stats"]) == (200, 1, 1)


async def test_a_lookalike_spelling_is_an_unknown_user(api, upstream):
    response = await api.get(user(w.HASHTAG_LOOKALIKE))
    counters = upstream.counters()
    assert (response.status_code, counters["user_profile"], counters["user_stats"]) == (404, 1, 0)


async def test_a_lookalike_with_other_accents_is_an_unknown_user(api):
    assert (await api.get(user(w.ZOE_LOOKALIKE))).status_code == 404


async def test_a_lookalike_has_zero_status(api):
    body = (await api.get(user(w.ZOE_LOOKALIKE, "/status"))).json()
    assert (body["has_any_courses"], body["total_courses"], body["is_student"]) == (
        False,
        0,
        False,
    )


async def test_a_lookalike_has_no_active_staff(api):
    response = await api.get(user(w.HASHTAG_LOOKALIKE, "/active-staff"))
    assert response.status_code == 404


async def test_in_a_batch_the_account_and_its_lookalike_get_their_own_answers(api, upstream):
    names = quote(f"{w.HASHTAG}|{w.HASHTAG_LOOKALIKE}")
    rows = (await api.get(f"/api/users?usernames={names}")).json()["users"]
    assert [(r["username"], r["has_any_courses"]) for r in rows] == [
        (w.HASHTAG, True),
        (w.HASHTAG_LOOKALIKE, False),
    ]


async def test_spellings_the_dashboard_folds_together_cost_one_profile_request(api, upstream):
    await api.get(user(w.ZOE, "/status"))
    await api.get(user(w.ZOE_LOOKALIKE, "/status"))
    assert upstream.counters()["user_profile"] == 1


async def test_a_lookalike_verdict_is_cached(api, upstream):
    for _ in range(3):
        await api.get(user(w.HASHTAG_LOOKALIKE, "/status"))
    assert upstream.total == 1


async def test_an_unknown_user_costs_one_light_request(api, upstream):
    response = await api.get(user("Nobody Ever Registered This", "/status"))
    counters = upstream.counters()
    assert (response.status_code, counters["user_profile"], counters["total"]) == (200, 1, 1)


async def test_a_real_name_with_a_plus_is_confirmed(api):
    body = (await api.get(user(w.KAI))).json()
    assert body["username"] == w.KAI
    assert body["courses"], "confirmed, but with no courses"


async def test_a_real_name_with_a_percent_is_confirmed(api):
    assert (await api.get(user(w.PERCENT))).status_code == 200


async def test_an_old_name_with_at_and_colon_is_confirmed(api):
    assert (await api.get(user(w.OLD_TIMER))).status_code == 200


async def test_the_flags_follow_the_listed_courses_not_private_ones(api, standin_server):
    body = (await api.get(user(w.PRIVATE_TEACHER))).json()
    listed_roles = {c["user_role"] for c in body["courses"]}
    assert (listed_roles, body["is_instructor"], body["is_student"]) == ({"student"}, False, True)


# Mathematical bold capital H (U+1D407): MySQL's utf8mb4_unicode_ci (UCA 4.0.0) weighs
# every character outside the BMP as U+FFFD, so the dashboard does not fold it onto "H".
BOLD_HASHTAG = "\U0001d407ashtag Hero"


async def test_a_look_alike_outside_the_bmp_is_unknown_and_never_hides_the_real_user(api, upstream):
    look_alike = await api.get(user(BOLD_HASHTAG))
    real = await api.get(user(w.HASHTAG))
    assert look_alike.status_code == 404
    assert real.status_code == 200
    assert real.json()["courses"], "the real user's courses are hidden"


async def test_a_look_alikes_404_is_not_served_to_the_real_user_even_after_it(api, upstream):
    await api.get(user(w.ZOE_LOOKALIKE))  # found by the dashboard as Zoë: not this account
    await api.get(user("Nobody Ever Registered This"))
    real = await api.get(user(w.ZOE))
    assert (real.status_code, upstream.counters()["user_profile"]) == (200, 2)
