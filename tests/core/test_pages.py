import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_japanese_by_default_with_landmarks_and_a_skip_link(client):
    page = client.get("/").content.decode()

    assert '<html lang="ja">' in page
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in page
    assert 'role="banner"' in page
    assert '<main id="main"' in page
    assert 'role="contentinfo"' in page


def test_language_switcher_changes_to_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    japanese = client.get("/").content.decode()

    assert '<html lang="en">' in english
    assert "Skip to main content" in english
    assert "本文へ移動" in japanese
    # The prefecture's own name follows the language of the page.
    assert "Kakū Prefecture" in english
    assert "架空県" not in english
    assert "架空県" in japanese


def test_every_response_carries_a_self_only_content_security_policy(client):
    response = client.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_unknown_pages_answer_404_in_japanese(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()
