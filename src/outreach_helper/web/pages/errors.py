"""Error pages: what went wrong, in a sentence, with the status the API gives.

The status comes from the API's one table (``problems.problem_for``), so a
page and its API twin never disagree: 400 for a name no account can have,
422 for a parameter that does not parse, 404 for an unknown user or
campaign, 502, 503 (with ``Retry-After`` when known) or 504 when the
dashboards fail. The sentence is written for people and names what to do
next; what was typed is put back in the form, escaped like everything else.
Never a stack trace: anything else is the app's own 500.

Cached as the API's problems are: server trouble never, a 404 for a minute,
a refusal for five.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from starlette.responses import Response

from outreach_helper.errors import (
    InvalidName,
    InvalidParameter,
    NotFound,
    OutreachError,
    UpstreamTimeout,
)
from outreach_helper.web.pages.render import HTML, PAGE_HEADERS, html
from outreach_helper.web.pages.views import dashboard_title
from outreach_helper.web.problems import problem_for

NOT_FOUND_MAX_AGE: Final = 60
REFUSED_MAX_AGE: Final = 300

_TITLES: Final = {
    400: "Not a username",
    404: "Not found",
    422: "Something to correct",
    502: "A dashboard answered badly",
    503: "The dashboards are not answering",
    504: "The dashboards took too long",
}


@dataclass(frozen=True, slots=True)
class Form:
    """The form an error page offers to try again, with what was typed put back."""

    kind: str  # "user" or "campaign"
    values: dict[str, str]
    dashboards: tuple[tuple[str, str], ...] = field(default=())  # (name, title), for campaigns


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first, a full stop last."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def sentences(exc: OutreachError, asked: Iterable[str], what: str = "an account") -> list[str]:
    """What happened, for people: one or two sentences naming what to do next."""
    if isinstance(exc, NotFound) and what == "a campaign":
        titles = " or ".join(dashboard_title(name) for name in asked)
        return [
            f"The {titles} has no campaign of that name.",
            "A campaign is named as in its address on the dashboard, such as wikidata_days_2026.",
        ]
    if isinstance(exc, NotFound):
        titles = ", ".join(dashboard_title(name) for name in asked)
        return [
            f"No dashboard asked ({titles}) has {what} named exactly \u201c{exc.name}\u201d.",
            "Names are exact: check the spelling, capitals and accents included.",
        ]
    if isinstance(exc, InvalidName):
        return [f"That cannot be: {exc}.", "Correct it below and try again."]
    if isinstance(exc, InvalidParameter):
        return [_sentence(str(exc))]
    if isinstance(exc, UpstreamTimeout):
        return ["The dashboards took too long to answer. Try again in a minute."]
    if problem_for(exc).status == 503:
        return [
            "The dashboards could not be asked just now: they are down or failing, or "
            "this service is sparing them while it is busy. Try again in a minute."
        ]
    return ["A dashboard answered something this service cannot read. Try again later."]


def page_headers(status: int, retry_after: float | None = None) -> dict[str, str]:
    """Headers of a page that is not kept hot: the pages' own, and the API's cache rules."""
    headers = {name.decode(): value.decode() for name, value in PAGE_HEADERS}
    if status >= 500:
        headers["Cache-Control"] = "no-store"
    elif status == 404:
        headers["Cache-Control"] = f"public, max-age={NOT_FOUND_MAX_AGE}"
    else:
        headers["Cache-Control"] = f"public, max-age={REFUSED_MAX_AGE}"
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return headers


def error_body(status: int, sentences: list[str], *, form: Form | None) -> bytes:
    """An error page: its title from its status, its sentences, and the form to try again
    (``form``: which form, and what to put back in it) or a link to the start page."""
    tone = "error" if status >= 500 or status in (400, 422) else "warning"
    return html(
        "error.html",
        title=_TITLES.get(status, "Something went wrong"),
        sentences=sentences,
        tone=tone,
        form=form,
    )


def error_page(
    status: int,
    sentences: list[str],
    *,
    form: Form | None = None,
    retry_after: float | None = None,
) -> Response:
    body = error_body(status, sentences, form=form)
    return Response(body, status, page_headers(status, retry_after), media_type=HTML)


def page_for(
    exc: OutreachError, asked: Iterable[str], *, form: Form, what: str = "an account"
) -> Response:
    """The error page for ``exc``, with the API's status for it."""
    return error_page(
        problem_for(exc).status,
        sentences(exc, asked, what),
        form=form,
        retry_after=getattr(exc, "retry_after", None),
    )
