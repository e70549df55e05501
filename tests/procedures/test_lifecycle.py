"""Procedure lifecycle in /manage/procedures/: create, publish, supersede, suspend, retire."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import AuditEvent
from procedures.models import Application, Procedure, ProcedureVersion
from tests.procedures.conftest import (
    fill_and_submit,
    give_route,
    login,
    make_form_version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(administrator):
    return login(Client(), administrator)


def _version_post(office, form_version, **overrides):
    data = {
        "title": "浄化槽設置補助金",
        "title_en": "",
        "summary": "浄化槽の設置費用を補助します。",
        "summary_en": "",
        "keywords": "",
        "eligibility": "県内に住む方",
        "eligibility_en": "",
        "required_documents": "見積書",
        "required_documents_en": "",
        "fee_yen": "0",
        "fee_note": "",
        "fee_note_en": "",
        "contact": "",
        "contact_en": "",
        "processing_days": "20",
        "retention_years": "5",
        "processing_in_business_days": "on",
        "section": office["section"].pk,
        "form_version": form_version.pk,
    }
    data.update(overrides)
    return data


def test_residents_and_caseworkers_cannot_enter_the_procedure_admin(
    resident_client, office
):
    assert resident_client.get("/manage/procedures/").status_code == 403
    clerk = login(Client(), office["clerk"])
    assert clerk.get("/manage/procedures/").status_code == 403
    anonymous = Client().get("/manage/procedures/")
    assert anonymous.status_code == 302


def test_administrator_creates_publishes_and_residents_find_it(
    admin_client, office, administrator, client
):
    form_version = make_form_version()
    post = {
        "procedure-code": "johkaso",
        "procedure-receipt_prefix": "JK",
        "procedure-category": "",
        **{f"version-{k}": v for k, v in _version_post(office, form_version).items()},
    }
    response = admin_client.post("/manage/procedures/new/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    procedure = Procedure.objects.get(code="johkaso")
    assert procedure.status == Procedure.Status.DRAFT
    assert client.get("/procedures/johkaso/").status_code == 404

    # Without an approval route it is refused (the workflow's publish check),
    # with the reason listed.
    refused = admin_client.post("/manage/procedures/johkaso/versions/1/publish/")
    assert "承認ルートに審査の段階がありません" in refused.content.decode()
    give_route(procedure.versions.get(), office["position"])

    admin_client.post("/manage/procedures/johkaso/versions/1/publish/")

    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.PUBLISHED
    assert procedure.current_version.number == 1
    assert "浄化槽設置補助金" in client.get("/procedures/").content.decode()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"procedure.create", "procedure.publish"} <= actions
    assert AuditEvent.objects.filter(actor=administrator).count() >= 2


def test_publishing_a_new_version_supersedes_the_old_and_applications_keep_theirs(
    admin_client, resident_client, procedure, office
):
    started = fill_and_submit(resident_client, procedure)
    old_version = procedure.current_version

    response = admin_client.post(f"/manage/procedures/{procedure.code}/versions/new/")
    assert response.status_code == 302
    draft = procedure.versions.get(status=ProcedureVersion.Status.DRAFT)
    # The new draft carries the route over (copied through the package registry).
    from workflow.models import Route

    if Route.objects.filter(procedure_version=old_version).exists() and hasattr(
        draft, "route"
    ):
        assert Route.objects.filter(procedure_version=draft).exists()
    response = admin_client.post(
        f"/manage/procedures/{procedure.code}/versions/{draft.number}/edit/",
        _version_post(
            office, draft.form_version, title="福祉施設整備助成金（令和9年度）"
        ),
    )
    assert response.status_code == 302
    admin_client.post(
        f"/manage/procedures/{procedure.code}/versions/{draft.number}/publish/"
    )

    old_version.refresh_from_db()
    procedure.refresh_from_db()
    started.refresh_from_db()
    assert old_version.status == ProcedureVersion.Status.SUPERSEDED
    assert procedure.current_version == draft
    assert started.procedure_version == old_version
    page = resident_client.get(procedure.get_absolute_url()).content.decode()
    assert "令和9年度" in page


def test_a_published_version_cannot_be_edited(admin_client, procedure, office):
    version = procedure.current_version
    response = admin_client.post(
        f"/manage/procedures/{procedure.code}/versions/{version.number}/edit/",
        _version_post(office, version.form_version, title="書き換え"),
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.title != "書き換え"


def test_suspending_stops_new_applications_but_not_open_ones(
    admin_client, resident_client, procedure
):
    open_application = fill_and_submit(resident_client, procedure)

    admin_client.post(
        f"/manage/procedures/{procedure.code}/status/", {"status": "suspended"}
    )

    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.SUSPENDED
    response = resident_client.post(f"/procedures/{procedure.code}/start/", follow=True)
    assert "申請を受け付けていません" in response.content.decode()
    assert Application.objects.count() == 1
    open_application.refresh_from_db()
    assert open_application.is_open

    admin_client.post(
        f"/manage/procedures/{procedure.code}/status/", {"status": "published"}
    )
    procedure.refresh_from_db()
    assert procedure.accepts_applications


def test_retiring_hides_the_procedure_and_cannot_be_undone(
    admin_client, client, procedure
):
    admin_client.post(
        f"/manage/procedures/{procedure.code}/status/", {"status": "retired"}
    )
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.RETIRED
    assert client.get(procedure.get_absolute_url()).status_code == 404

    response = admin_client.post(
        f"/manage/procedures/{procedure.code}/status/",
        {"status": "published"},
        follow=True,
    )
    assert "この状態には変更できません" in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.status == Procedure.Status.RETIRED


def test_a_version_with_an_unpublished_form_is_not_published(admin_client, procedure):
    from forms_builder.models import Form, FormVersion

    draft_form = FormVersion.objects.create(
        form=Form.objects.create(code="unpublished", title="未公開"), number=1
    )
    ProcedureVersion.objects.filter(pk=procedure.current_version.pk)
    draft = ProcedureVersion.objects.create(
        procedure=procedure,
        number=2,
        title="次の版",
        section=procedure.current_version.section,
        processing_days=10,
        form_version=draft_form,
    )
    response = admin_client.post(
        f"/manage/procedures/{procedure.code}/versions/2/publish/", follow=True
    )
    assert "フォームを公開してください" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ProcedureVersion.Status.DRAFT


def test_admin_list_query_count_is_flat(
    admin_client, office, django_assert_max_num_queries
):
    from tests.procedures.conftest import make_procedure

    for _n in range(8):
        make_procedure(office)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/manage/procedures/")
    assert response.status_code == 200
