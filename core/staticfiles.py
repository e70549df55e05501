"""Static files for production: hashed names, compressed, served by WhiteNoise.

Two things stopped ``collectstatic`` (and, with no manifest written, made
every page answer 500 "Missing staticfiles manifest entry"):

* viewflow's static folder (146 MB of 186 MB collected) has a CSS file that
  names Roboto font files its wheel leaves out. No page of ours loads any of
  it: we use viewflow's engine, never its views or templates. The finder
  below leaves it out, in development too, so that a page that starts to need
  it fails on a developer's machine first, not after a deploy.
* Bootstrap's minified files end with a ``sourceMappingURL`` comment, and
  Django's manifest storage rewrites it to the hashed name of a ``.map``
  file Bootstrap's distribution keeps apart. Only a developer's browser tools
  ever ask for a source map, so a missing one is left as it is and logged
  (django-manifeststaticfiles-enhanced does the same). Any other missing file
  referenced from a stylesheet or script still stops ``collectstatic``: that
  is a real hole in what a page loads.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable

from django.contrib.staticfiles import finders
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)

# Installed for their Python code only; their static files are never served.
UNSERVED_APPS = frozenset({"viewflow"})


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    """Django's finder of apps' ``static/`` folders, without ``UNSERVED_APPS``."""

    def __init__(self, app_names=None, *args, **kwargs) -> None:
        if app_names is None:
            from django.apps import apps

            app_names = [
                config.name
                for config in apps.get_app_configs()
                if config.name not in UNSERVED_APPS
            ]
        super().__init__(app_names, *args, **kwargs)


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, tolerant of source maps nobody ships (see above)."""

    def url_converter(self, name, hashed_files, template=None) -> Callable:
        convert = super().url_converter(name, hashed_files, template)

        def tolerant(matchobj):
            try:
                return convert(matchobj)
            except ValueError:
                url = matchobj.group("url").strip()
                if posixpath.splitext(url.split("#")[0])[1] != ".map":
                    raise
                logger.info("collectstatic: %s names %s, not shipped", name, url)
                return matchobj.group(0)

        return tolerant
