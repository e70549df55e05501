"""The demo procedure: a community welfare grant (地域福祉活動支援補助金).

Built through the same services an administrator's clicks call, so the demo
exercises the real path: form published, procedure version with its route
and document template, then published.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from demo.common import demo_procedure_draft, demo_published_form
from procedures.models import Procedure
from procedures.outcomes import outcomes_replace
from procedures.services import procedure_version_publish

PROCEDURE_CODE = "chiiki-fukushi-josei"
FORM_CODE = "chiiki-fukushi-josei-form"


def _t(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


DEFINITION: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "applicant",
            "title": _t("申請者", "Applicant"),
            "fields": [
                {
                    "key": "applicant_name",
                    "type": "name_pair",
                    "label": _t("申請者の氏名", "Applicant's name"),
                    "required": True,
                    "prefill": "full_name",
                },
                {
                    "key": "postal_code",
                    "type": "postal_code",
                    "label": _t("郵便番号", "Postal code"),
                    "required": True,
                    "prefill": "postal_code",
                },
                {
                    "key": "address",
                    "type": "address",
                    "label": _t("住所", "Address"),
                    "required": True,
                    "prefill": "address",
                },
                {
                    "key": "phone",
                    "type": "phone",
                    "label": _t("日中の連絡先電話番号", "Daytime phone number"),
                    "required": True,
                    "prefill": "phone",
                },
                {
                    "key": "organisation_type",
                    "type": "choice",
                    "label": _t("申請する立場", "Applying as"),
                    "required": True,
                    "options": [
                        {"value": "individual", "label": _t("個人", "An individual")},
                        {"value": "group", "label": _t("団体", "A group")},
                    ],
                },
                {
                    "key": "group_name",
                    "type": "text",
                    "label": _t("団体の名称", "Name of the group"),
                    "required_if": {"==": [{"var": "organisation_type"}, "group"]},
                    "show_if": {"==": [{"var": "organisation_type"}, "group"]},
                    "max_length": 100,
                },
            ],
        },
        {
            "key": "project",
            "title": _t("事業の内容", "The project"),
            "fields": [
                {
                    "key": "project_title",
                    "type": "text",
                    "label": _t("事業の名称", "Project title"),
                    "required": True,
                    "max_length": 100,
                },
                {
                    "key": "purpose",
                    "type": "textarea",
                    "label": _t("事業の目的と内容", "Purpose and description"),
                    "help": _t(
                        "誰のために、何を、どのように行うかを書いてください。",
                        "Who it is for, what you will do and how.",
                    ),
                    "required": True,
                    "max_length": 2000,
                },
                {
                    "key": "start_date",
                    "type": "date",
                    "label": _t("事業の開始予定日", "Planned start date"),
                    "help": _t(
                        "令和8年12月1日 や 2026-12-01 のように入力してください。",
                        "For example 2026-12-01 or 令和8年12月1日.",
                    ),
                    "required": True,
                    "wareki": True,
                },
                {
                    "key": "amount",
                    "type": "amount",
                    "label": _t("補助金の申請額（円）", "Grant requested (yen)"),
                    "help": _t(
                        "100万円以下は課長、1,000万円以下は部長、それを超えると知事が決定します。",
                        "Up to 1,000,000 yen the director decides; up to 10,000,000"
                        " the director-general; above that the governor.",
                    ),
                    "required": True,
                    "min": 10000,
                    "max": 50000000,
                },
            ],
        },
        {
            "key": "participants",
            "title": _t("事業に参加する方", "Participants"),
            "fields": [
                {
                    "key": "members",
                    "type": "repeat",
                    "label": _t("参加者", "Participants"),
                    "min_rows": 1,
                    "max_rows": 10,
                    "fields": [
                        {
                            "key": "name",
                            "type": "text",
                            "label": _t("氏名", "Name"),
                            "required": True,
                            "max_length": 50,
                        },
                        {
                            "key": "role",
                            "type": "choice",
                            "label": _t("役割", "Role"),
                            "required": True,
                            "options": [
                                {"value": "leader", "label": _t("代表", "Leader")},
                                {"value": "staff", "label": _t("スタッフ", "Staff")},
                                {
                                    "value": "volunteer",
                                    "label": _t("ボランティア", "Volunteer"),
                                },
                            ],
                        },
                    ],
                }
            ],
        },
        {
            "key": "attachments",
            "title": _t("添付書類と同意", "Documents and consent"),
            "fields": [
                {
                    "key": "plan",
                    "type": "file",
                    "label": _t("事業計画書", "Project plan"),
                    "help": _t(
                        "PDF・JPEG・PNG、1ファイル10MBまで、3ファイルまで。",
                        "PDF, JPEG or PNG, up to 10 MB each, up to 3 files.",
                    ),
                    "required": True,
                    "accept": ["application/pdf", "image/jpeg", "image/png"],
                    "max_size": 10485760,
                    "max_files": 3,
                },
                {
                    "key": "consent",
                    "type": "agreement",
                    "label": _t(
                        "記載内容に偽りがないことを誓約し、審査のために県が関係機関へ照会することに同意します。",
                        "I declare that the above is true and agree that the prefecture"
                        " may check it with other public bodies.",
                    ),
                    "required": True,
                },
            ],
        },
    ],
}

TEXTS = {
    "title": "地域福祉活動支援補助金 交付申請",
    "title_en": "Community Welfare Activity Grant: application",
    "summary": "地域で高齢者や子育て家庭を支える活動に、県が費用の一部を補助します。",
    "summary_en": "The prefecture pays part of the cost of local activities"
    " that support older people and families with children.",
    "eligibility": "県内に住所がある個人、または県内で活動する団体",
    "eligibility_en": "Individuals living in the prefecture, or groups active in it",
    "required_documents": "事業計画書（PDF・画像）",
    "required_documents_en": "A project plan (PDF or image)",
    "fee_yen": 0,
    "fee_note": "手数料はかかりません。",
    "fee_note_en": "There is no fee.",
    "contact": "健康福祉部 福祉政策課 助成係 電話 000-000-0000（平日 8:30〜17:15）",
    "contact_en": "Grants Unit, Welfare Policy Division, Health and Welfare Department;"
    " phone 000-000-0000 (weekdays 8:30-17:15)",
    "processing_days": 30,
    "processing_in_business_days": True,
}


DECISION_FORM_CODE = "chiiki-fukushi-josei-decision"

# What the final level decides with a grant (交付決定): the amount granted,
# at most the amount applied for, and the conditions of the grant.
DECISION_DEFINITION: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "decision",
            "title": _t("決定内容", "Decision"),
            "fields": [
                {
                    "key": "granted_amount",
                    "type": "amount",
                    "label": _t("交付決定額（円）", "Amount granted (yen)"),
                    "help": _t(
                        "申請額以下で入力します。空欄なら申請額のとおりです。",
                        "At most the amount requested; blank means as requested.",
                    ),
                    "min": 0,
                },
                {
                    "key": "conditions",
                    "type": "textarea",
                    "label": _t("交付の条件", "Conditions of the grant"),
                },
            ],
        }
    ],
}


def _grant_outcomes(decision_form: Any) -> list[dict[str, Any]]:
    limit = [{"field": "granted_amount", "answer": "amount"}]
    return [
        {
            "code": "grant",
            "kind": "favourable",
            "label": "交付決定",
            "label_en": "Grant",
            "status_label": "交付決定",
            "status_label_en": "Granted",
            "notice_title": "交付決定通知書",
            "reason_required": False,
            "decision_form": decision_form,
            "limits": limit,
        },
        {
            "code": "grant_reduced",
            "kind": "partial",
            "label": "減額交付決定",
            "label_en": "Reduced grant",
            "status_label": "減額交付決定",
            "status_label_en": "Granted in part",
            "notice_title": "減額交付決定通知書",
            "reason_required": True,
            "decision_form": decision_form,
            "limits": limit,
        },
        {
            "code": "no_grant",
            "kind": "unfavourable",
            "label": "不交付決定",
            "label_en": "No grant",
            "status_label": "不交付決定",
            "status_label_en": "Not granted",
            "notice_title": "不交付決定通知書",
            "reason_required": True,
        },
    ]


@transaction.atomic
def seed_procedure() -> Procedure:
    """Create and publish the demo procedure once; later runs leave it as it is."""
    existing = Procedure.objects.filter(code=PROCEDURE_CODE).first()
    if existing is not None:
        return existing
    from documents.demo import seed_demo_template
    from documents.services import document_template_save
    from workflow.demo import seed_demo_route

    admin = User.objects.get(email="admin@example.jp")
    procedure = demo_procedure_draft(
        code=PROCEDURE_CODE,
        receipt_prefix="FK",
        form_code=FORM_CODE,
        texts=TEXTS,
        definition=DEFINITION,
        admin=admin,
    )
    version = procedure.versions.get()
    decision_version = demo_published_form(
        code=DECISION_FORM_CODE,
        title="地域福祉活動助成金の交付決定",
        title_en="Community welfare grant: decision",
        definition=DECISION_DEFINITION,
        admin=admin,
    )
    outcomes_replace(
        version=version, items=_grant_outcomes(decision_version), actor=admin
    )
    seed_demo_route(version)
    seed_demo_template(version, preset="grant")
    # The notice prints what the decision is about, not every answer.
    document_template_save(
        procedure_version=version,
        data={
            "number_symbol": "福政",
            "shown_fields": ["project_title", "start_date", "amount"],
        },
    )
    procedure_version_publish(version=version, actor=admin)
    procedure.refresh_from_db()
    return procedure
