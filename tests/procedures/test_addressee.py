"""Who applies and to whom the notice is addressed (issue 14, the addressee).

A grant decided for a company was addressed to the private person who
clicked: these tests apply for a business, for a person and through an
agent (代理申請), and read the notice as the applicant would.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from procedures import packages, services
from procedures.models import Application, Procedure, ProcedureVersion
from tests.factories import ResidentFactory
from tests.procedures.conftest import (
    give_route,
    login,
    make_form_version,
    office_decides,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


def _text(key: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": "text", "label": {"ja": label}, **extra}


DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "applicant",
            "title": {"ja": "申請者"},
            "fields": [
                {
                    "key": "is_business",
                    "type": "yesno",
                    "label": {"ja": "法人・個人事業主として申請しますか"},
                    "required": True,
                },
                _text("corp_name", "名称"),
                _text("rep_title", "代表者の役職"),
                _text("rep_name", "代表者の氏名"),
                {"key": "corp_address", "type": "address", "label": {"ja": "所在地"}},
                _text("person_name", "氏名"),
                {"key": "person_address", "type": "address", "label": {"ja": "住所"}},
                {
                    "key": "by_agent",
                    "type": "yesno",
                    "label": {"ja": "代理人が申請しますか"},
                    "required": True,
                },
                _text("agent_name", "代理人の氏名"),
                {
                    "key": "amount",
                    "type": "amount",
                    "label": {"ja": "申請額"},
                    "required": True,
                },
            ],
        },
        {
            "key": "documents",
            "title": {"ja": "添付書類"},
            "fields": [
                {
                    "key": "proxy_letter",
                    "type": "file",
                    "label": {"ja": "委任状"},
                    "accept": ["application/pdf"],
                }
            ],
        },
    ],
}

MAPPING = {
    "applicant_type": "is_business",
    "business_name": "corp_name",
    "representative_title": "rep_title",
    "representative_name": "rep_name",
    "business_address": "corp_address",
    "person_name": "person_name",
    "person_address": "person_address",
    "proxy": "by_agent",
    "agent_name": "agent_name",
    "power_of_attorney": "proxy_letter",
}


def make_either_procedure(office: dict[str, Any], **version: Any) -> Procedure:
    procedure = Procedure.objects.create(
        code="kigyo-josei", receipt_prefix="KG", status=Procedure.Status.PUBLISHED
    )
    published = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.PUBLISHED,
        title="中小企業設備導入補助金",
        section=office["section"],
        processing_days=30,
        form_version=make_form_version(DEFINITION),
        applicant_kind="either",
        allows_proxy=True,
        addressee_fields=MAPPING,
        **version,
    )
    procedure.current_version = published
    procedure.save(update_fields=["current_version"])
    give_route(published, office["position"])
    return procedure


def apply(
    client: Client,
    procedure: Procedure,
    answers: dict[str, str],
    *,
    letter: bool = False,
    consent: bool = True,
) -> tuple[Application, Any]:
    client.post(f"/procedures/{procedure.code}/start/")
    application = Application.objects.order_by("-id").first()
    base = f"/my/{application.public_id}"
    response = client.post(f"{base}/page/0/", {**answers, "action": "next"})
    assert response.status_code == 302, response.content.decode()[:2000]
    files = {"proxy_letter": pdf_upload("委任状.pdf")} if letter else {}
    response = client.post(f"{base}/page/1/", {**files, "action": "next"})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        f"{base}/confirm/", {"delivery_consent": "on"} if consent else {}
    )
    application.refresh_from_db()
    return application, response


BUSINESS = {
    "is_business": "yes",
    "corp_name": "株式会社架空商事",
    "rep_title": "代表取締役",
    "rep_name": "鈴木 一郎",
    "corp_address": "架空県見本市本町一丁目2番3号",
    "by_agent": "no",
    "amount": "800000",
}


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_a_business_applicants_notice_is_addressed_to_the_business(
    client, resident, office, tmp_path, django_capture_on_commit_callbacks
):
    procedure = make_either_procedure(office)
    with django_capture_on_commit_callbacks(execute=True):
        application, response = apply(login(client, resident), procedure, BUSINESS)
    assert response.status_code == 302
    assert application.addressee["name"] == "株式会社架空商事"
    assert application.addressee["submitter"]["name"] == "山田 太郎"
    assert application.applicant == resident  # the submitter, recorded as such
    # The e-mail greets the one who clicked and names the applicant.
    assert mail.outbox[0].body.startswith("山田 太郎 様")
    assert "株式会社架空商事　代表取締役 鈴木 一郎" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        office_decides(application, office["clerk"], "approve")
    document = application.documents.get()
    assert document.status == "issued", document.last_error
    from documents.services import document_open

    with document_open(document) as stored:
        text = _pdftotext(stored.read(), tmp_path)
    assert "株式会社架空商事" in text
    assert "代表取締役" in text
    assert "鈴木 一郎" in text
    assert "架空県見本市本町一丁目2番3号" in text
    assert "山田" not in text

    mine = client.get(application.get_absolute_url()).content.decode()
    assert "株式会社架空商事　代表取締役 鈴木 一郎" in mine

    clerk = login(Client(), office["clerk"])
    page = clerk.get(f"/staff/cases/{application.public_id}/").content.decode()
    assert "株式会社架空商事" in page
    assert "提出者（ログインしたアカウント）" in page


def test_the_addressee_is_kept_from_submission_when_the_profile_changes(
    client, resident, office, recording_engine
):
    procedure = make_either_procedure(office)
    person = {
        "is_business": "no",
        "person_name": "山田 太郎",
        "person_address": "架空県見本市旭町4-5",
        "by_agent": "no",
        "amount": "1000",
    }
    application, _response = apply(login(client, resident), procedure, person)
    assert application.addressee["kind"] == "person"
    resident.full_name = "山田 次郎"
    resident.address = "別の町"
    resident.save()
    application.refresh_from_db()
    assert application.addressee["name"] == "山田 太郎"
    assert application.addressee["address"] == "架空県見本市旭町4-5"


def test_an_agents_application_needs_the_power_of_attorney(
    client, resident, office, recording_engine
):
    procedure = make_either_procedure(office)
    answers = {
        "is_business": "no",
        "person_name": "高橋 ハナ",
        "person_address": "架空県見本市港町1-1",
        "by_agent": "yes",
        "agent_name": "山田 太郎",
        "amount": "1000",
    }
    resident_client = login(client, resident)
    application, response = apply(resident_client, procedure, answers)
    assert response.status_code == 200
    assert (
        "代理人が申請するときは委任状を添付してください。" in response.content.decode()
    )
    assert application.status == Application.Status.DRAFT

    base = f"/my/{application.public_id}"
    resident_client.post(
        f"{base}/page/1/", {"proxy_letter": pdf_upload("委任状.pdf"), "action": "next"}
    )
    response = resident_client.post(f"{base}/confirm/", {"delivery_consent": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    # The principal is the addressee; the agent is the contact.
    assert application.addressee["name"] == "高橋 ハナ"
    assert application.addressee["agent"]["name"] == "山田 太郎"
    assert application.applicant_name == "高橋 ハナ"


def _draft_version(office: dict[str, Any]) -> ProcedureVersion:
    procedure = Procedure.objects.create(code="kyoka-draft", receipt_prefix="KD")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        title="営業許可申請",
        section=office["section"],
        processing_days=20,
        form_version=make_form_version(DEFINITION),
    )
    give_route(version, office["position"])  # publishing checks the route too
    return version


def _version_post(version: ProcedureVersion, **overrides: str) -> dict[str, Any]:
    data = {
        "title": version.title,
        "processing_days": "20",
        "retention_years": "5",
        "fee_yen": "0",
        "section": version.section_id,
        "form_version": version.form_version_id,
        "asks_delivery_consent": "on",
    }
    data.update(overrides)
    return data


def test_a_business_procedure_without_a_name_field_cannot_be_published(
    administrator, office
):
    version = _draft_version(office)
    admin = login(Client(), administrator)
    edit = f"/manage/procedures/{version.procedure.code}/versions/1/edit/"
    page = admin.get(edit).content.decode()
    # A person's procedure offers the person's parts only, guessed from the
    # form's labels (氏名, 住所) until chosen.
    assert 'name="addressee_business_name"' not in page
    assert '<option value="person_name" selected>氏名（person_name）' in page
    response = admin.post(
        edit,
        _version_post(
            version,
            applicant_kind="business",
            addressee_representative_name="rep_name",
            addressee_business_address="corp_address",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    # Chosen from the form's questions, never typed: an amount is not offered
    # as a name; the missing 名称 is offered as the question labelled so.
    page = admin.get(edit).content.decode()
    assert '<option value="corp_name" selected>名称（corp_name）' in page
    assert 'value="amount"' not in page
    response = admin.post(
        f"/manage/procedures/{version.procedure.code}/versions/1/publish/"
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "宛名の「法人・事業者の名称」に使う項目を選んでください。" in page
    # The refusal links to the drop-down that fixes it.
    assert f'<a href="{edit}#id_addressee_business_name">宛名の設定を直す</a>' in page
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.DRAFT

    refused = admin.post(
        edit,
        _version_post(
            version, applicant_kind="business", addressee_business_name="amount"
        ),
    )
    assert refused.status_code == 200
    assert version.addressee_fields.get("business_name") is None

    admin.post(
        edit,
        _version_post(
            version,
            applicant_kind="business",
            addressee_business_name="corp_name",
            addressee_representative_name="rep_name",
            addressee_business_address="corp_address",
        ),
    )
    admin.post(f"/manage/procedures/{version.procedure.code}/versions/1/publish/")
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.PUBLISHED
    assert version.addressee_fields["business_name"] == "corp_name"


def test_publishing_refuses_a_field_of_the_wrong_type(office):
    version = _draft_version(office)
    version.applicant_kind = "business"
    version.addressee_fields = {
        "business_name": "amount",
        "representative_name": "rep_name",
        "business_address": "corp_address",
    }
    version.save()
    with pytest.raises(services.PublishRefused) as refused:
        services.procedure_version_publish(version=version, actor=None)
    assert [(p.message, p.place) for p in refused.value.problems] == [
        (
            "宛名の「法人・事業者の名称」には「申請額」の種類の項目を使えません。",
            "addressee_business_name",
        )
    ]


def test_the_mapping_travels_in_the_package(office):
    procedure = make_either_procedure(office, asks_delivery_consent=False)
    package = packages.package_loads(
        packages.package_dumps(packages.package_export_procedure(procedure=procedure))
    )
    assert package["sections"]["applicant"]["addressee"] == MAPPING
    version = packages.package_import(package=package, actor=None)
    assert version.number == 2
    assert version.applicant_kind == "either"
    assert version.allows_proxy is True
    assert version.addressee_fields == MAPPING
    assert version.asks_delivery_consent is False

    package["sections"]["applicant"]["addressee"] = {"nickname": "corp_name"}
    procedure.versions.filter(status="draft").delete()
    with pytest.raises(packages.PackageError, match="applicant"):
        packages.package_import(package=package, actor=None)


def test_the_business_profile_prefills_and_checks_the_corporate_number(
    client, resident, office, recording_engine
):
    resident_client = login(client, resident)
    data = {
        "full_name": "山田 太郎",
        "preferred_language": "ja",
        "business_name": "株式会社架空商事",
        "corporate_number": "7000012050003",
        "representative_title": "代表取締役",
        "representative_name": "山田 太郎",
    }
    response = resident_client.post("/accounts/profile/", data)
    assert response.status_code == 200
    assert "チェックディジットが一致しません" in response.content.decode()
    response = resident_client.post(
        "/accounts/profile/", {**data, "corporate_number": "7-0000-1205-0002"}
    )
    assert response.status_code == 302, response.context["form"].errors
    resident.refresh_from_db()
    assert resident.corporate_number == "7000012050002"

    definition = {
        "version": 1,
        "pages": [
            {
                "key": "p",
                "title": {"ja": "申請者"},
                "fields": [
                    _text("corp_name", "名称", prefill="business_name"),
                    _text("rep_title", "役職", prefill="representative_title"),
                ],
            }
        ],
    }
    procedure = make_either_procedure(office)
    procedure.current_version.form_version = make_form_version(definition)
    procedure.current_version.save()
    application = services.application_start(procedure=procedure, applicant=resident)
    assert application.answers == {
        "corp_name": "株式会社架空商事",
        "rep_title": "代表取締役",
    }


def test_submission_records_consent_with_its_time(office, recording_engine):
    procedure = make_either_procedure(office)
    resident = ResidentFactory()
    application = services.application_start(procedure=procedure, applicant=resident)
    application.answers = {**BUSINESS, "is_business": True, "by_agent": False}
    application.answers["amount"] = 800000
    application.save()
    before = dt.datetime.now(tz=dt.UTC)
    services.application_submit(application=application, delivery_consent=True)
    application.refresh_from_db()
    assert application.delivery_consent_at >= before


def test_a_resubmission_after_amendment_takes_the_addressee_again(
    office, recording_engine
):
    procedure = make_either_procedure(office)
    resident = ResidentFactory(full_name="山田 太郎")
    application = services.application_start(procedure=procedure, applicant=resident)
    services.application_save_answers(
        application=application,
        answers={**BUSINESS, "is_business": True, "by_agent": False, "amount": 800000},
    )
    services.application_submit(application=application, delivery_consent=True)
    application.refresh_from_db()
    consented = application.delivery_consent_at
    services.application_request_amendment(
        application=application,
        actor=office["clerk"],
        applicant_message="名称を登記のとおりに直してください。",
        fields=["corp_name"],
    )
    services.application_save_answers(
        application=application,
        answers={"corp_name": "株式会社架空商事ホールディングス"},
    )
    services.application_resubmit(application=application)
    application.refresh_from_db()
    assert application.addressee["name"] == "株式会社架空商事ホールディングス"
    assert application.applicant_name.startswith("株式会社架空商事ホールディングス")
    assert application.delivery_consent_at == consented
