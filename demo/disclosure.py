"""The third demo procedure: a request for disclosure (公文書開示請求).

Unlike the grant and the designation, its outcome may be partial: the
prefecture discloses the documents (開示決定), discloses them except some
parts (部分開示決定) or refuses (不開示決定), and for each part withheld it
states the part and its reason, an exemption of the 情報公開条例 with an
explanation. A person or a business may request. Built through the same
services an administrator's clicks call.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from demo.common import demo_procedure_draft, demo_published_form
from organisation.models import Position
from procedures.models import Procedure
from procedures.outcomes import outcomes_replace
from procedures.services import procedure_version_publish, procedure_version_update

PROCEDURE_CODE = "kobunsho-kaiji-seikyu"
FORM_CODE = "kobunsho-kaiji-seikyu-form"
DECISION_FORM_CODE = "kobunsho-kaiji-seikyu-decision"


def _t(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


_AS_BUSINESS = {"==": [{"var": "as_business"}, True]}
_AS_PERSON = {"!=": [{"var": "as_business"}, True]}

DEFINITION: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "requester",
            "title": _t("請求者", "Requester"),
            "fields": [
                {
                    "key": "as_business",
                    "type": "yesno",
                    "label": _t(
                        "法人その他の団体として請求しますか",
                        "Are you requesting for a corporation or another body?",
                    ),
                    "required": True,
                },
                {
                    "key": "requester_name",
                    "type": "name_pair",
                    "label": _t("氏名", "Name"),
                    "prefill": "full_name",
                    "show_if": _AS_PERSON,
                    "required_if": _AS_PERSON,
                },
                {
                    "key": "corp_name",
                    "type": "text",
                    "label": _t("法人・団体の名称", "Name of the corporation or body"),
                    "max_length": 100,
                    "prefill": "business_name",
                    "show_if": _AS_BUSINESS,
                    "required_if": _AS_BUSINESS,
                },
                {
                    "key": "rep_title",
                    "type": "text",
                    "label": _t("代表者の役職", "Representative's title"),
                    "max_length": 50,
                    "prefill": "representative_title",
                    "show_if": _AS_BUSINESS,
                },
                {
                    "key": "rep_name",
                    "type": "text",
                    "label": _t("代表者の氏名", "Representative's name"),
                    "max_length": 50,
                    "prefill": "representative_name",
                    "show_if": _AS_BUSINESS,
                    "required_if": _AS_BUSINESS,
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
                    "label": _t(
                        "住所（法人・団体は所在地）",
                        "Address (of the corporation or body, if any)",
                    ),
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
            ],
        },
        {
            "key": "request",
            "title": _t("請求の内容", "The request"),
            "fields": [
                {
                    "key": "documents",
                    "type": "textarea",
                    "label": _t(
                        "開示を請求する公文書の件名または内容",
                        "The documents requested (title or content)",
                    ),
                    "help": _t(
                        "どの課のいつごろの、どのような文書かを、できるだけ具体的に"
                        "書いてください。",
                        "Say as precisely as you can which division's documents,"
                        " of when, and about what.",
                    ),
                    "required": True,
                    "max_length": 2000,
                },
                {
                    "key": "receive_method",
                    "type": "choice",
                    "label": _t("開示の実施の方法", "How to receive the documents"),
                    "required": True,
                    "options": [
                        {
                            "value": "view",
                            "label": _t(
                                "窓口で閲覧する", "Inspect them at the counter"
                            ),
                        },
                        {
                            "value": "copy_counter",
                            "label": _t(
                                "写しを窓口で受け取る",
                                "Collect copies at the counter",
                            ),
                        },
                        {
                            "value": "copy_post",
                            "label": _t(
                                "写しを郵送で受け取る", "Receive copies by post"
                            ),
                        },
                        {
                            "value": "electronic",
                            "label": _t(
                                "電子データで受け取る", "Receive electronic copies"
                            ),
                        },
                    ],
                },
            ],
        },
    ],
}

ADDRESSEE = {
    "applicant_type": "as_business",
    "business_name": "corp_name",
    "representative_title": "rep_title",
    "representative_name": "rep_name",
    "business_postal_code": "postal_code",
    "business_address": "address",
    "person_name": "requester_name",
    "person_postal_code": "postal_code",
    "person_address": "address",
}

TEXTS = {
    "title": "公文書開示請求",
    "title_en": "Request for disclosure of public documents",
    "summary": "県が保有する公文書の開示を、情報公開条例に基づいて請求できます。",
    "summary_en": "Request the disclosure of documents the prefecture holds,"
    " under its freedom of information ordinance.",
    "eligibility": "どなたでも（個人・法人その他の団体）",
    "eligibility_en": "Anyone (a person, a corporation or another body)",
    "required_documents": "ありません",
    "required_documents_en": "None",
    "fee_yen": 0,
    "fee_note": "請求は無料です。写しの交付には費用がかかります（白黒1枚10円）。",
    "fee_note_en": "The request is free; copies cost 10 yen a page (black and white).",
    "contact": "健康福祉部 福祉政策課 情報公開担当 電話 000-000-0002（平日 8:30〜17:15）",
    "contact_en": "Information disclosure, Welfare Policy Division; phone"
    " 000-000-0002 (weekdays 8:30-17:15)",
    "processing_days": 15,
    "processing_in_business_days": False,
}

# The exemptions of the 情報公開条例 (不開示情報) a withheld part may fall under.
EXEMPTIONS = [
    ("personal", "個人情報", "Personal information"),
    ("corporate", "法人等情報", "Information of a corporation"),
    ("deliberation", "審議検討情報", "Deliberation in progress"),
    ("administration", "事務事業情報", "Conduct of public business"),
    ("public_safety", "公共安全情報", "Public safety"),
]

# What the final level decides with 部分開示 or 不開示: each part withheld
# and why (理由の提示, 行政手続法第8条).
DECISION_DEFINITION: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "decision",
            "title": _t("決定内容", "Decision"),
            "fields": [
                {
                    "key": "withheld",
                    "type": "repeat",
                    "label": _t(
                        "不開示とした部分とその理由",
                        "Parts withheld and why",
                    ),
                    "min_rows": 1,
                    "max_rows": 20,
                    "fields": [
                        {
                            "key": "part",
                            "type": "text",
                            "label": _t("部分", "Part"),
                            "required": True,
                            "max_length": 200,
                        },
                        {
                            "key": "exemption",
                            "type": "choice",
                            "label": _t("理由（不開示情報）", "Exemption"),
                            "required": True,
                            "options": [
                                {"value": value, "label": _t(ja, en)}
                                for value, ja, en in EXEMPTIONS
                            ],
                        },
                        {
                            "key": "explanation",
                            "type": "textarea",
                            "label": _t("理由の説明", "Explanation"),
                            "required": True,
                            "max_length": 1000,
                        },
                    ],
                }
            ],
        }
    ],
}


def _disclosure_outcomes(decision_form: Any) -> list[dict[str, Any]]:
    return [
        {
            "code": "disclose",
            "kind": "favourable",
            "label": "開示決定",
            "label_en": "Disclosure",
            "status_label": "開示決定",
            "status_label_en": "Disclosed",
            "notice_title": "公文書開示決定通知書",
            "reason_required": False,
        },
        {
            "code": "disclose_partly",
            "kind": "partial",
            "label": "部分開示決定",
            "label_en": "Partial disclosure",
            "status_label": "部分開示決定",
            "status_label_en": "Disclosed in part",
            "notice_title": "公文書部分開示決定通知書",
            "reason_required": True,
            "decision_form": decision_form,
        },
        {
            "code": "withhold",
            "kind": "unfavourable",
            "label": "不開示決定",
            "label_en": "Non-disclosure",
            "status_label": "不開示決定",
            "status_label_en": "Not disclosed",
            "notice_title": "公文書不開示決定通知書",
            "reason_required": True,
            "decision_form": decision_form,
        },
    ]


def _seed_route(version: Any) -> None:
    """担当 → 係長 → 課長: a disclosure decision is the 課長's (専決)."""
    from workflow.models import Route, RouteLevel

    route, _created = Route.objects.get_or_create(procedure_version=version)
    route.levels.all().delete()
    for order, code in enumerate(("tanto", "kakaricho", "kacho")):
        position = Position.objects.filter(code=code).first()
        if position is not None:
            RouteLevel.objects.create(route=route, order=order, position=position)


@transaction.atomic
def seed_disclosure() -> Procedure:
    """Create and publish the disclosure request once; later runs leave it."""
    existing = Procedure.objects.filter(code=PROCEDURE_CODE).first()
    if existing is not None:
        return existing
    from documents.demo import seed_demo_template
    from documents.services import document_template_save

    admin = User.objects.get(email="admin@example.jp")
    procedure = demo_procedure_draft(
        code=PROCEDURE_CODE,
        receipt_prefix="JK",
        form_code=FORM_CODE,
        texts=TEXTS,
        definition=DEFINITION,
        admin=admin,
    )
    version = procedure.versions.get()
    procedure_version_update(
        version=version,
        data={"applicant_kind": "either", "addressee_fields": ADDRESSEE},
        actor=admin,
    )
    decision_version = demo_published_form(
        code=DECISION_FORM_CODE,
        title="公文書開示請求の決定",
        title_en="Request for disclosure: decision",
        definition=DECISION_DEFINITION,
        admin=admin,
    )
    outcomes_replace(
        version=version, items=_disclosure_outcomes(decision_version), actor=admin
    )
    _seed_route(version)
    seed_demo_template(version, preset="notice")
    document_template_save(
        procedure_version=version,
        data={
            "number_symbol": "福政",
            "approval_title": "公文書開示決定通知書",
            "approval_text": (
                "{{ procedure.submitted_on|wareki }}付けで請求のあった"
                "{{ procedure.title }}については、情報公開条例の規定により、"
                "次のとおり決定したので通知します。"
            ),
            "rejection_title": "公文書不開示決定通知書",
            "rejection_text": (
                "{{ procedure.submitted_on|wareki }}付けで請求のあった"
                "{{ procedure.title }}については、情報公開条例の規定により、"
                "次の理由により開示しないことと決定したので通知します。"
            ),
            "shown_fields": ["documents", "receive_method"],
        },
    )
    procedure_version_publish(version=version, actor=admin)
    procedure.refresh_from_db()
    return procedure
