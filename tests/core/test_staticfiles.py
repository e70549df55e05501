"""Issue 16: collectstatic finishes on the project's own static files, and
still stops on a real hole in what a page loads."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

STORAGE = {"BACKEND": "core.staticfiles.ManifestStaticFilesStorage"}


@pytest.fixture
def own_static(settings, tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": STORAGE}
    return source


def test_a_missing_source_map_does_not_stop_collectstatic(own_static, settings):
    # As Bootstrap's minified files ship: the comment names a .map left out.
    (own_static / "css" / "vendor.min.css").write_text(
        "body{color:#111}\n/*# sourceMappingURL=vendor.min.css.map */\n"
    )

    call_command("collectstatic", "--noinput", verbosity=0)

    manifest = json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/vendor.min.css"]
    assert (settings.STATIC_ROOT / hashed).read_text().startswith("body")


def test_a_missing_image_in_our_own_css_still_stops_collectstatic(own_static):
    (own_static / "css" / "site.css").write_text("h1{background:url(gone.png)}")

    with pytest.raises(ValueError, match=r"gone\.png"):
        call_command("collectstatic", "--noinput", verbosity=0)


def test_viewflow_static_files_are_not_collected():
    # Its CSS names fonts its wheel leaves out; no page of ours uses any of it.
    assert finders.find("viewflow/css/trix.css") is None
    assert finders.find("admin/css/base.css") is not None
    assert finders.find("css/site.css") is not None
