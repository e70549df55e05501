"""/favicon.ico and the page icon, with DEBUG off and WhiteNoise's manifest (issue 11)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_static(settings, tmp_path):
    """collectstatic into a fresh STATIC_ROOT with the production storage.

    Only the project's own static folder, and WhiteNoise's compressing
    storage without the manifest: the manifest's post-processing of vendored
    files (source-map references) is the production deploy's concern, tested
    with it; here what matters is WhiteNoise serving the icon with DEBUG off.
    """
    settings.DEBUG = False
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())


def test_favicon_ico_is_served_with_debug_off(client, production_static):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


def test_favicon_ico_is_served_in_development_before_collectstatic(
    client, settings, tmp_path
):
    settings.DEBUG = True
    settings.STATIC_ROOT = tmp_path / "nothing-collected"

    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"


@pytest.mark.parametrize(
    "path", ["/", "/procedures/", "/staff/login/", "/manage/login/"]
)
def test_every_page_links_an_icon_that_whitenoise_serves(
    client, production_static, path
):
    html = client.get(path).content.decode()

    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert len(icons) == 2, html[:600]
    for href in icons:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"] in ("image/x-icon", "image/svg+xml"), href


def test_api_docs_are_declared_english(client):
    html = client.get("/api/docs/").content.decode()

    assert '<html lang="en">' in html
