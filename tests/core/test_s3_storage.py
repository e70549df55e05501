"""The configured S3 storage against a real SeaweedFS server (no mocks)."""

import time
import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile

pytestmark = pytest.mark.s3


def test_files_round_trip_through_s3_with_japanese_names(s3_storage):
    name = s3_storage.save(
        "attachments/住民票の写し.txt", ContentFile("こんにちは".encode())
    )

    with s3_storage.open(name) as stored:
        assert stored.read().decode() == "こんにちは"
    assert s3_storage.exists(name)
    s3_storage.delete(name)
    assert not s3_storage.exists(name)


def test_existing_names_are_never_overwritten(s3_storage):
    first = s3_storage.save("doc.pdf", ContentFile(b"one"))
    second = s3_storage.save("doc.pdf", ContentFile(b"two"))

    assert first != second
    with s3_storage.open(first) as stored:
        assert stored.read() == b"one"


def test_bucket_is_private_and_urls_are_signed_and_expire(s3_storage, s3_server):
    name = s3_storage.save("private.txt", ContentFile(b"secret"))
    plain = f"{s3_server.endpoint}/{s3_server.bucket}/{name}"
    signed = s3_storage.url(name)

    assert "X-Amz-Signature=" in signed
    assert "X-Amz-Expires=300" in signed
    with urllib.request.urlopen(signed, timeout=5) as response:
        assert response.read() == b"secret"
    # Without a signature, or with a tampered one, the server refuses.
    for url in (plain, signed.replace("X-Amz-Signature=", "X-Amz-Signature=0")):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 403


def test_unreachable_s3_fails_fast_instead_of_hanging(settings, s3_server):
    storages = s3_server.storage_settings()
    # A port nobody listens on: connection refused, bounded retries.
    storages["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"
    settings.STORAGES = storages
    from django.core.files.storage import default_storage

    started = time.monotonic()
    with pytest.raises(Exception, match="Could not connect"):
        default_storage.save("x.txt", ContentFile(b"x"))
    # Generous bound: the point is seconds, not the minutes of botocore's defaults.
    assert time.monotonic() - started < 15
