"""Issue 11 item 11: a NUL byte or a lone surrogate is a 400 or 404, never a 500.

Every URL the project routes is requested by anyone, a resident, a
caseworker and an administrator, with NUL in each path parameter, in the
query string and in a form body. PostgreSQL refuses NUL in text where SQLite
stores it: run this file on both (DATABASE_URL=postgres://…).
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import AdministratorFactory, ResidentFactory
from tests.workflow.conftest import org  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

NUL = "%00"
# A sample for each converter, and the same with a NUL where text is taken.
SAMPLES = {
    "IntConverter": ("1", None),
    "UUIDConverter": (str(uuid.uuid4()), None),
    "SlugConverter": ("sample", "sam" + NUL + "ple"),
    "StringConverter": ("sample", "sam" + NUL + "ple"),
    "PathConverter": ("sample", "sam" + NUL + "ple"),
    "TokenConverter": ("sample", "sam" + NUL + "ple"),
}
SKIPPED = ("oidc/",)  # answered only with an identity provider configured


def _routes(patterns=None, prefix: str = ""):
    """(route with {name} holes, {name: converter class name}) for every URL."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        pattern = entry.pattern
        route = getattr(pattern, "_route", None)
        if route is None:
            continue  # admin's regex patterns: covered through its other routes
        converters = {
            name: type(conv).__name__ for name, conv in pattern.converters.items()
        }
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if isinstance(entry, URLResolver):
            for child, child_converters in _routes(entry.url_patterns, prefix + text):
                yield child, {**converters, **child_converters}
        elif isinstance(entry, URLPattern):
            yield prefix + text, converters


def _urls() -> list[str]:
    urls = []
    for route, converters in _routes():
        if route.startswith(SKIPPED):
            continue
        plain = {name: SAMPLES[kind][0] for name, kind in converters.items()}
        urls.append("/" + route.format(**plain) + "?q=" + NUL)
        for name, kind in converters.items():
            broken = SAMPLES[kind][1]
            if broken is not None:
                urls.append("/" + route.format(**{**plain, name: broken}))
    return urls


def test_every_url_is_listed():
    urls = _urls()
    assert "/verify/sam%00ple/" in urls
    assert "/api/v1/verify/sam%00ple/" in urls
    assert "/staff/inbox/?q=%00" in urls
    assert len(urls) > 60


@pytest.mark.parametrize("who", ["anyone", "resident", "caseworker", "administrator"])
def test_nul_anywhere_in_a_request_is_never_a_server_error(who, org):  # noqa: F811
    client = Client(raise_request_exception=False)
    user = {
        "anyone": lambda: None,
        "resident": ResidentFactory,
        "caseworker": lambda: org["people"]["tanto"],
        "administrator": AdministratorFactory,
    }[who]()
    failures = []
    for url in _urls():
        for method in ("GET", "POST"):
            # Signed in again each time: a POST to the logout URL ends the
            # session, and every later URL would only be seen by anyone.
            if user is not None:
                client.force_login(user)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url.split("?")[0], {"q": "a\x00"})
            if response.status_code >= 500:
                failures.append(f"{method} {url}: {response.status_code}")
    assert not failures


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/verify/%00/", 404),
        ("/api/v1/verify/%00/", 404),
        ("/verify/?q=%00", 400),
    ],
)
def test_public_urls_refuse_nul(client, db, url, expected):
    assert client.get(url).status_code == expected


def test_staff_inbox_search_with_nul_is_a_bad_request(org):  # noqa: F811
    client = Client()
    client.force_login(org["people"]["tanto"])

    response = client.get("/staff/inbox/?q=%E7%94%B3%00")

    assert response.status_code == 400
    assert "リクエストの内容に誤りがあります" in response.content.decode()
