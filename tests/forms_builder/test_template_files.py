"""A 様式 (template file) attached to a file question (issue 12): uploaded by
the administrator, checked like an upload, shown next to the question and
downloadable by residents once the version is published."""

from __future__ import annotations

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forms_builder.models import FormVersion, TemplateFile
from forms_builder.services import form_create, form_version_publish
from tests.factories import PASSWORD, ResidentFactory
from tests.forms_builder import views as test_views
from tests.forms_builder.test_new_field_types import XLSM_TYPES, xlsx

pytestmark = pytest.mark.django_db

BUDGET = {
    "version": 1,
    "pages": [
        {
            "key": "page1",
            "title": {"ja": "書類"},
            "fields": [
                {
                    "key": "budget",
                    "type": "file",
                    "label": {"ja": "収支予算書"},
                    "accept": ["excel"],
                }
            ],
        }
    ],
}


@pytest.fixture
def draft(administrator) -> FormVersion:
    form = form_create(
        code="budget", title="補助金", actor=administrator, definition=BUDGET
    )
    return form.versions.get()


def _attach(admin_client, content: bytes, name: str = "収支予算書.xlsx"):
    return admin_client.post(
        reverse("forms_builder:field_template", args=["budget", 1, "budget"]),
        {"action": "upload", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_a_template_is_attached_and_downloaded_by_residents_once_published(
    admin_client, administrator, draft, client
):
    edit = reverse("forms_builder:field_edit", args=["budget", 1, "budget"])
    assert "様式ファイルは登録されていません" in admin_client.get(edit).content.decode()
    content = xlsx()
    response = _attach(admin_client, content)
    assert "様式ファイルを登録しました。" in response.content.decode()
    draft.refresh_from_db()
    template = draft.definition["pages"][0]["fields"][0]["template"]
    stored = TemplateFile.objects.get()
    assert template == {
        "id": str(stored.public_id),
        "name": "収支予算書.xlsx",
        "size": len(content),
    }
    assert stored.content_type.endswith("spreadsheetml.sheet")
    url = reverse("form_template_download", args=[stored.public_id])
    assert url in admin_client.get(edit).content.decode()

    resident = ResidentFactory()
    client.login(username=resident.email, password=PASSWORD)
    assert client.get(url).status_code == 404  # a draft's file is not out yet

    form_version_publish(version=draft, actor=administrator)
    test_views.CURRENT.update(definition=draft.definition, answers={})
    page = client.get("/test-forms/0/").content.decode()
    assert url in page
    assert "収支予算書の様式「収支予算書.xlsx」をダウンロード" in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_macro_enabled_template_is_refused(admin_client, draft):
    response = _attach(admin_client, xlsx(XLSM_TYPES), "収支予算書.xlsm")
    assert "マクロを含むファイル" in response.content.decode()
    assert not TemplateFile.objects.exists()
    draft.refresh_from_db()
    assert "template" not in draft.definition["pages"][0]["fields"][0]


def test_the_template_is_taken_off_a_draft(admin_client, draft):
    _attach(admin_client, xlsx())
    response = admin_client.post(
        reverse("forms_builder:field_template", args=["budget", 1, "budget"]),
        {"action": "remove"},
        follow=True,
    )
    assert "様式ファイルを外しました。" in response.content.decode()
    draft.refresh_from_db()
    assert "template" not in draft.definition["pages"][0]["fields"][0]


def test_a_template_not_stored_here_gives_no_link_and_a_warning(admin_client, draft):
    """A package carries the reference, not the file (docs/forms.md)."""
    definition = copy.deepcopy(BUDGET)
    definition["pages"][0]["fields"][0]["template"] = {
        "id": "0f0e0d0c-0b0a-4908-8706-050403020100",
        "name": "他所の様式.xlsx",
    }
    draft.definition = definition
    draft.save()
    edit = reverse("forms_builder:field_edit", args=["budget", 1, "budget"])
    page = admin_client.get(edit).content.decode()
    assert "このシステムに保存されていません" in page
    test_views.CURRENT.update(definition=definition, answers={})
    page = admin_client.get("/test-forms/0/").content.decode()
    assert "他所の様式.xlsx" not in page
    assert "data-fb-template-file" not in page
