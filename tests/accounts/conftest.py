"""Login failures and mail limits count in the cache, which outlives a test."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()
