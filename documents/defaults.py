"""Default wording of the three kinds of notice, and sample data for previews.

The texts are templates for the sandboxed engine: they see the snapshot
(``procedure``, ``addressee``, ``issued_on`` …) and nothing else.
"""

from __future__ import annotations

from typing import Any

# 行政不服審査法第82条 and 行政事件訴訟法第46条 require this notice (教示)
# on every decision that can be appealed.
APPEAL_NOTICE = (
    "1　この処分に不服がある場合は、この処分があったことを知った日の翌日から"
    "起算して3か月以内に、{{ issuer }}に対して審査請求をすることができます。\n"
    "2　この処分の取消しの訴えは、この処分があったことを知った日の翌日から"
    "起算して6か月以内に、県を被告として提起することができます。"
)

REJECTION_TEXT = (
    "{{ procedure.submitted_on|wareki }}付けで申請のあった"
    "{{ procedure.title }}については、下記の理由により許可しないことと"
    "したので通知します。"
)

PRESETS: dict[str, dict[str, str]] = {
    # 許可書
    "permit": {
        "approval_title": "許可書",
        "approval_text": (
            "{{ procedure.submitted_on|wareki }}付けで申請のあった"
            "{{ procedure.title }}については、次のとおり許可します。"
        ),
        "rejection_title": "不許可通知書",
        "rejection_text": REJECTION_TEXT,
        "closing_text": APPEAL_NOTICE,
    },
    # 交付決定通知書 (補助金)
    "grant": {
        "approval_title": "交付決定通知書",
        "approval_text": (
            "{{ procedure.submitted_on|wareki }}付けで申請のあった"
            "{{ procedure.title }}については、次のとおり交付することに決定した"
            "ので通知します。"
        ),
        "rejection_title": "不交付決定通知書",
        "rejection_text": (
            "{{ procedure.submitted_on|wareki }}付けで申請のあった"
            "{{ procedure.title }}については、下記の理由により交付しないことに"
            "決定したので通知します。"
        ),
        "closing_text": APPEAL_NOTICE,
    },
    # 決定通知書 (generic)
    "notice": {
        "approval_title": "決定通知書",
        "approval_text": (
            "{{ procedure.submitted_on|wareki }}付けで申請のあった"
            "{{ procedure.title }}については、次のとおり決定したので通知します。"
        ),
        # Not a permit: a claim or a request refused is not 「不許可」.
        "rejection_title": "決定通知書",
        "rejection_text": (
            "{{ procedure.submitted_on|wareki }}付けで申請のあった"
            "{{ procedure.title }}については、下記の理由により、申請の内容を"
            "認めないことと決定したので通知します。"
        ),
        "closing_text": APPEAL_NOTICE,
    },
}


def sample_snapshot(*, approved: bool = True) -> dict[str, Any]:
    """Fictitious data for previews, tests and the benchmark."""
    return {
        "version": 1,
        "approved": approved,
        "title": "許可書" if approved else "不許可通知書",
        "number": "令8福政第00012号",
        "issued_on": "2026-11-26",
        "addressee": {
            "name": "髙橋 𠮷郎（株式会社﨑山建設 代表取締役）",
            "postal_code": "000-0000",
            "address": "架空県見本市中央一丁目2番3号 サンプルビル4階",
        },
        "procedure": {
            "title": "産業廃棄物収集運搬業許可申請",
            "receipt_number": "SH-R8-00012",
            "submitted_on": "2026-10-01",
        },
        "department": {"code": "fukushi", "name": "福祉保健部"},
        "section": {"name": "福祉政策課", "contact": "電話 000-000-0000"},
        "issuer": "架空県知事　齋藤 徳太郎",
        "answers": [
            {
                "label": "許可の種類",
                "value": "産業廃棄物収集運搬業（積替え・保管を除く。）",
            },
            {
                "label": "事業の範囲",
                "value": "燃え殻、汚泥、廃油、廃酸、廃アルカリ\nがれき類",
            },
            {"label": "事業所の所在地", "value": "架空県見本市港町五丁目6番7号"},
            {"label": "運搬車両", "value": "8台（別紙のとおり）"},
            {"label": "有効期限", "value": "令和13年11月25日"},
            {"label": "手数料", "value": "81,000円"},
        ],
        "reason": "" if approved else "申請の事業計画が基準に適合しないため。",
        "approvals": [
            {
                "level": 0,
                "position": "担当",
                "name": "田中 一郎",
                "section": "福祉政策課",
                "action": "approve",
                "decided_at": "2026-11-19T10:00:00+09:00",
                "mark": "",
                "on_behalf_of": None,
            },
            {
                "level": 1,
                "position": "係長",
                "name": "鈴木 花子",
                "section": "福祉政策課",
                "action": "approve",
                "decided_at": "2026-11-20T10:00:00+09:00",
                "mark": "",
                "on_behalf_of": None,
            },
            {
                "level": 2,
                "position": "課長",
                "name": "髙橋 美咲",
                "section": "福祉政策課",
                "action": "approve" if approved else "reject",
                "decided_at": "2026-11-24T15:00:00+09:00",
                "mark": "専決",
                "on_behalf_of": None,
            },
        ],
        "verification_url": "http://127.0.0.1:8000/verify/SAMPLE/",
        "template": {**PRESETS["permit"], "html": "", "css": ""},
    }
