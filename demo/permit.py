"""The second demo procedure: a business designation (介護サービス事業者の指定申請).

Unlike the grant, only a business (法人) may apply, an agent such as a
行政書士 may apply on its behalf with a 委任状, and the notice is addressed
to the corporation and its representative (殿, 公印省略). Built through the
same services an administrator's clicks call.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from demo.common import demo_procedure_draft
from organisation.models import Position
from procedures.models import Procedure
from procedures.services import (
    procedure_version_publish,
    procedure_version_update,
)

PROCEDURE_CODE = "kaigo-jigyosha-shitei"
FORM_CODE = "kaigo-jigyosha-shitei-form"


def _t(ja: str, en: str) -> dict[str, str]:
    return {"ja": ja, "en": en}


_BY_AGENT = {"==": [{"var": "by_agent"}, True]}

DEFINITION: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "business",
            "title": _t("申請する法人", "The applying corporation"),
            "fields": [
                {
                    "key": "corp_name",
                    "type": "text",
                    "label": _t("法人の名称", "Name of the corporation"),
                    "required": True,
                    "max_length": 100,
                    "prefill": "business_name",
                },
                {
                    "key": "corporate_number",
                    "type": "text",
                    "label": _t("法人番号（13桁）", "Corporate number (13 digits)"),
                    "required": True,
                    "pattern": "^[0-9]{13}$",
                    "pattern_message": _t(
                        "法人番号は13桁の数字で入力してください。",
                        "Enter the corporate number as 13 digits.",
                    ),
                    "prefill": "corporate_number",
                },
                {
                    "key": "rep_title",
                    "type": "text",
                    "label": _t("代表者の役職", "Representative's title"),
                    "required": True,
                    "max_length": 50,
                    "prefill": "representative_title",
                },
                {
                    "key": "rep_name",
                    "type": "text",
                    "label": _t("代表者の氏名", "Representative's name"),
                    "required": True,
                    "max_length": 50,
                    "prefill": "representative_name",
                },
                {
                    "key": "corp_postal_code",
                    "type": "postal_code",
                    "label": _t(
                        "主たる事務所の郵便番号", "Postal code of the head office"
                    ),
                    "required": True,
                    "prefill": "business_postal_code",
                },
                {
                    "key": "corp_address",
                    "type": "address",
                    "label": _t("主たる事務所の所在地", "Address of the head office"),
                    "required": True,
                    "prefill": "business_address",
                },
            ],
        },
        {
            "key": "office",
            "title": _t("指定を受ける事業所", "The service office"),
            "fields": [
                {
                    "key": "office_name",
                    "type": "text",
                    "label": _t("事業所の名称", "Name of the office"),
                    "required": True,
                    "max_length": 100,
                },
                {
                    "key": "office_address",
                    "type": "address",
                    "label": _t("事業所の所在地", "Address of the office"),
                    "required": True,
                },
                {
                    "key": "service_type",
                    "type": "choice",
                    "label": _t("サービスの種類", "Kind of service"),
                    "required": True,
                    "options": [
                        {"value": "homon", "label": _t("訪問介護", "Home help")},
                        {"value": "tsusho", "label": _t("通所介護", "Day service")},
                        {
                            "value": "kyotaku",
                            "label": _t("居宅介護支援", "Care management"),
                        },
                    ],
                },
                {
                    "key": "start_date",
                    "type": "date",
                    "label": _t("事業の開始予定日", "Planned start date"),
                    "required": True,
                    "wareki": True,
                },
            ],
        },
        {
            "key": "submitter",
            "title": _t("提出する方と添付書類", "Who submits, and documents"),
            "fields": [
                {
                    "key": "by_agent",
                    "type": "yesno",
                    "label": _t(
                        "行政書士などの代理人が申請しますか",
                        "Is an agent (such as a gyoseishoshi) applying?",
                    ),
                    "required": True,
                },
                {
                    "key": "agent_name",
                    "type": "text",
                    "label": _t("代理人の氏名", "Agent's name"),
                    "show_if": _BY_AGENT,
                    "required_if": _BY_AGENT,
                    "max_length": 50,
                },
                {
                    "key": "agent_address",
                    "type": "address",
                    "label": _t("代理人の住所・事務所", "Agent's address or office"),
                    "show_if": _BY_AGENT,
                },
                {
                    "key": "agent_phone",
                    "type": "phone",
                    "label": _t("代理人の電話番号", "Agent's phone number"),
                    "show_if": _BY_AGENT,
                    "required_if": _BY_AGENT,
                },
                {
                    "key": "power_of_attorney",
                    "type": "file",
                    "label": _t("委任状", "Power of attorney"),
                    "show_if": _BY_AGENT,
                    "required_if": _BY_AGENT,
                    "accept": ["application/pdf", "image/jpeg", "image/png"],
                },
                {
                    "key": "registry",
                    "type": "file",
                    "label": _t("登記事項証明書", "Certificate of registered matters"),
                    "required": True,
                    "accept": ["application/pdf", "image/jpeg", "image/png"],
                },
            ],
        },
    ],
}

ADDRESSEE = {
    "business_name": "corp_name",
    "representative_title": "rep_title",
    "representative_name": "rep_name",
    "business_postal_code": "corp_postal_code",
    "business_address": "corp_address",
    "proxy": "by_agent",
    "agent_name": "agent_name",
    "agent_address": "agent_address",
    "agent_phone": "agent_phone",
    "power_of_attorney": "power_of_attorney",
}

TEXTS = {
    "title": "介護サービス事業者 指定申請",
    "title_en": "Designation of a care service provider: application",
    "summary": "介護保険の訪問介護・通所介護・居宅介護支援の事業所として、県の指定を受けるための申請です。",
    "summary_en": "Apply for the prefecture's designation of an office providing"
    " home help, day service or care management under long-term care insurance.",
    "eligibility": "法人（代理人による申請もできます。その場合は委任状が必要です）",
    "eligibility_en": "Corporations (an agent may apply with a power of attorney)",
    "required_documents": "登記事項証明書、代理人が申請する場合は委任状",
    "required_documents_en": "Certificate of registered matters; a power of attorney"
    " when an agent applies",
    "fee_yen": 0,
    "fee_note": "手数料はかかりません。",
    "fee_note_en": "There is no fee.",
    "contact": "健康福祉部 福祉政策課 指定係 電話 000-000-0001（平日 8:30〜17:15）",
    "contact_en": "Designation Unit, Welfare Policy Division; phone 000-000-0001"
    " (weekdays 8:30-17:15)",
    "processing_days": 60,
    "processing_in_business_days": False,
}

# The demo resident also runs a small care company, to show the business
# profile prefilling the form (a valid 法人番号: its check digit is 9).
DEMO_BUSINESS = {
    "business_name": "株式会社かせい介護サービス",
    "corporate_number": "9010401012345",
    "business_postal_code": "100-0002",
    "business_address": "架空県架空市本町4-5-6",
    "representative_title": "代表取締役",
    "representative_name": "架空 太郎",
}


def _seed_route(version: Any) -> None:
    """担当 → 係長 → 課長: a designation is the 課長's (専決)."""
    from workflow.models import Route, RouteLevel

    route, _created = Route.objects.get_or_create(procedure_version=version)
    route.levels.all().delete()
    for order, code in enumerate(("tanto", "kakaricho", "kacho")):
        position = Position.objects.filter(code=code).first()
        if position is not None:
            RouteLevel.objects.create(route=route, order=order, position=position)


def _seed_business_profile() -> None:
    resident = User.objects.filter(email="resident@example.jp").first()
    if resident is not None and not resident.business_name:
        for name, value in DEMO_BUSINESS.items():
            setattr(resident, name, value)
        resident.save(update_fields=list(DEMO_BUSINESS))


@transaction.atomic
def seed_permit() -> Procedure:
    """Create and publish the business procedure once; later runs leave it."""
    _seed_business_profile()
    existing = Procedure.objects.filter(code=PROCEDURE_CODE).first()
    if existing is not None:
        return existing
    from documents.demo import seed_demo_template
    from documents.services import document_template_save

    admin = User.objects.get(email="admin@example.jp")
    procedure = demo_procedure_draft(
        code=PROCEDURE_CODE,
        receipt_prefix="KS",
        form_code=FORM_CODE,
        texts=TEXTS,
        definition=DEFINITION,
        admin=admin,
    )
    version = procedure.versions.get()
    procedure_version_update(
        version=version,
        data={
            "applicant_kind": "business",
            "allows_proxy": True,
            "addressee_fields": ADDRESSEE,
        },
        actor=admin,
    )
    _seed_route(version)
    seed_demo_template(version, preset="permit")
    document_template_save(
        procedure_version=version,
        data={
            "number_symbol": "福政",
            "approval_title": "指定通知書",
            "approval_text": (
                "{{ procedure.submitted_on|wareki }}付けで申請のあった"
                "{{ procedure.title }}については、介護保険法の規定により、"
                "次のとおり指定します。"
            ),
            "rejection_title": "指定をしない旨の通知書",
            "shown_fields": [
                "office_name",
                "office_address",
                "service_type",
                "start_date",
            ],
            # This prefecture's rules: designations are addressed 殿 and
            # carry no printed seal (公印省略).
            "honorific": "殿",
            "print_seal": False,
        },
    )
    procedure_version_publish(version=version, actor=admin)
    procedure.refresh_from_db()
    return procedure
