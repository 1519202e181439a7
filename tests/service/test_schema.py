"""Schema-driven testing of our own API: schemathesis against our OpenAPI document.

The app runs in process (schemathesis' ASGI transport) in front of the
stand-in, so generated requests really travel the whole path, dashboard
included. For every operation the document lists, hypothesis generates
requests (valid ones, and invalid ones where there are query parameters to
get wrong), and every answer must be no 5xx we did not document (never a
500), a documented status code, a documented content type and a body that
matches its documented schema. Deterministic (derandomized, no example
database) and bounded (25 examples per operation and mode).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from outreach_helper.app import create_app
from outreach_helper.settings import Settings
from outreach_standin import StandinServer
from outreach_standin import world as w

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = settings(max_examples=25, derandomize=True, database=None, deadline=None)


def documented_operations() -> list[tuple[str, str, bool]]:
    """(method, path, has query parameters) for every operation in our document.

    Read from an app that is never started: building one only wires objects.
    """
    document = create_app(
        Settings(dashboard_url="http://127.0.0.1:9", redis_url=None, key_prefix="schema")
    ).openapi()
    return [
        (method.upper(), path, any(p.get("in") == "query" for p in op.get("parameters", [])))
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    ]


def slug_parameters(slug: str) -> dict[str, str]:
    school, _, title = slug.partition("/")
    return {"school": school, "title_slug": title}


OPERATIONS = documented_operations()
CASES = [
    pytest.param(method, path, mode, id=f"{mode.value}-{method} {path}")
    for method, path, has_query in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # Only query parameters can be made invalid: a path segment is any non-empty string.
    if mode is GenerationMode.POSITIVE or has_query
]

# Usernames a gadget might send by mistake or malice: every one must be a
# documented answer (400, 404 or 200), never a 500.
STRANGE_NAMES = [
    "Bad|Name",
    "Bad#Name",
    "<script>",
    "{{tpl}}",
    "a" * 300,
    "é" * 128,
    "1.2.3.4",
    "::1",
    "_",
    "   ",
    "%",
    "%2F",
    "..",
    "+",
    "ß",
    "\u0131\u0301a",
    "a<\u0338b",
    "\x7f",
    "\u200b",
    "\ufffd",
    "😀",
    "Marta_Quill",
]


@pytest.fixture
def api_schema(standin_server: StandinServer) -> OpenApiSchema:
    """A fresh app per test: schemathesis' pytest plugin ends ASGI lifespans after each
    test, and an app's lifespan closes its parts for good."""
    app = create_app(
        Settings(
            dashboard_url=standin_server.url,
            redis_url=None,
            key_prefix="schema",
            upstream_timeout=2.0,
            upstream_retries=0,
            # The fuzzer checks answers, not the request budget (whose 503 with
            # Retry-After test_fairness covers): one it never spends.
            upstream_rate=1000.0,
            upstream_burst=10_000.0,
        )
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_documented_operation_is_fuzzed():
    assert {(m, p) for m, p, _ in OPERATIONS} >= {
        ("GET", "/api/users/{username}"),
        ("GET", "/api/users/{username}/status"),
        ("GET", "/api/users/{username}/active-staff"),
        ("GET", "/api/users"),
        ("GET", "/api/courses/{school}/{title_slug}"),
        ("GET", "/api/courses/{school}/{title_slug}/users"),
        ("GET", "/api/campaigns/{campaign}/active-courses"),
        ("GET", "/api/campaigns/{campaign}/participants"),
        ("GET", "/health"),
    }


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_generated_requests_get_documented_answers(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @EXAMPLES
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    check()


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/{username}",
        "/api/users/{username}/status",
        "/api/users/{username}/active-staff",
    ],
)
def test_strange_usernames_get_documented_answers(api_schema, path):
    operation = api_schema[path]["GET"]
    statuses = set()
    for name in STRANGE_NAMES:
        # Sent as a client must: a raw "#" or "?" would end the path and a "." or ".."
        # segment would be resolved away (the request would land on another route).
        sent = name.replace("#", "%23").replace("?", "%3F")
        if sent in (".", ".."):
            sent = sent.replace(".", "%2E")
        response = operation.Case(path_parameters={"username": sent}).call_and_validate(
            checks=CHECKS
        )
        statuses.add(response.status_code)
    assert statuses <= {200, 400, 404}


# Generated names rarely exist, so the 200 answers' schemas are checked on real ones too.
REAL_ANSWERS = [
    ("/api/users/{username}", {"username": w.TWO_HATS}, {}),
    ("/api/users/{username}", {"username": w.BUSY}, {"enrich": "true"}),
    ("/api/users/{username}", {"username": w.QUIET}, {"enrich": "true"}),
    ("/api/users/{username}/status", {"username": w.TWO_HATS}, {}),
    ("/api/users/{username}/active-staff", {"username": w.TWO_HATS}, {"window": "event"}),
    ("/api/users", {}, {"usernames": f"{w.TWO_HATS}|{w.QUIET}|Nobody Here|Bad#Name"}),
    ("/api/courses/{school}/{title_slug}", slug_parameters(w.COURSE_ACTIVE), {"enrich": "true"}),
    ("/api/courses/{school}/{title_slug}", slug_parameters(w.COURSE_ENDED), {}),
    ("/api/courses/{school}/{title_slug}/users", slug_parameters(w.COURSE_TWO_HATS), {}),
    (
        "/api/campaigns/{campaign}/active-courses",
        {"campaign": w.NORMAL_CAMPAIGN},
        {"staff": "true"},
    ),
    ("/api/campaigns/{campaign}/active-courses", {"campaign": w.BIG_CAMPAIGN}, {}),
    ("/api/campaigns/{campaign}/participants", {"campaign": w.NORMAL_CAMPAIGN}, {}),
]


@pytest.mark.parametrize(("path", "parameters", "query"), REAL_ANSWERS)
def test_real_answers_match_their_schemas(api_schema, path, parameters, query):
    case = api_schema[path]["GET"].Case(path_parameters=parameters, query=query)
    assert case.call_and_validate(checks=CHECKS).status_code == 200


def test_every_field_of_every_answer_is_described(api_schema):
    # Issue: a client reads the schema to learn what a field means; none is left bare.
    schemas = api_schema.raw_schema["components"]["schemas"]
    bare = [
        f"{name}.{field}"
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert bare == []


@pytest.mark.parametrize("path", ["/api/users/{username}/status", "/api/users"])
def test_routes_that_answer_unknown_users_with_zeros_document_no_404(api_schema, path):
    assert "404" not in api_schema.raw_schema["paths"][path]["get"]["responses"]
