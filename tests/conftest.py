"""Fixtures shared by every app's tests: real services, started for real."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.s3server import S3Server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A SeaweedFS S3 server on loopback for the whole session, killed at the end."""
    server = S3Server(data_dir=tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture
def s3_storage(s3_server: S3Server, settings):
    """Point Django's default storage at the SeaweedFS server for one test."""
    if s3_server.process is None or s3_server.process.poll() is not None:
        s3_server.start()  # a previous test took it down
    settings.STORAGES = s3_server.storage_settings()
    from django.core.files.storage import default_storage

    return default_storage


@pytest.fixture(autouse=True)
def _isolated_media(request, settings, tmp_path):
    # Every test writes its files in its own folder, never in var/; static
    # files are served from the source folders (no collectstatic manifest).
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # Deliberately slow password hashing only slows the tests down.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "s3_storage" in request.fixturenames:
        return
    settings.STORAGES = {
        "staticfiles": static,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (its own browser download cannot work here)."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context (cookies, storage) and page, Japanese by default."""
    context = chromium.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def redis_cache(settings):
    """A private redis-server as Django's cache for one test, stopped after it."""
    from axes.handlers.proxy import AxesProxyHandler

    from tests.redisserver import RedisServer

    server = RedisServer()
    server.start()
    settings.CACHES = server.cache_settings()
    # django-axes keeps its handler, and with it the cache it opened, for the
    # life of the process: let it open this test's cache.
    AxesProxyHandler.implementation = None
    yield server
    server.stop()
    AxesProxyHandler.implementation = None


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request in English leaves English active in this thread (LocaleMiddleware
    # never switches back): the next test's services would speak English.
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
