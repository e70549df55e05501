"""The template editor's 見本: the saved template printed as this version would
issue it, with made-up answers.

Everything an administrator checks on the 見本 is this version's own: the
文書記号 and department that number it, the section on the approval stamps,
the receipt number's prefix, the form's questions, and each outcome with its
title, its decision form (sample values) and its reason. A preview built on
another procedure's sample (福政, 福祉政策課, no decided values) could not show
whether a partial outcome's notice reads right (QA walk).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from core.japanese import era_of, fiscal_year
from documents.defaults import sample_snapshot
from documents.models import DocumentTemplate
from documents.services import (
    _decision_items,
    _display_rows,
    document_number,
    notice_title,
)
from procedures.outcomes import version_outcomes

SAMPLE_REASON = "（見本）ここに、決定の理由として申請者へのメッセージが入ります。"
SAMPLE_BUSINESS = {
    "kind": "business",
    "name": "株式会社見本商事",
    "representative_title": "代表取締役",
    "representative_name": "見本 太郎",
    "postal_code": "000-0000",
    "address": "架空県見本市中央一丁目2番3号",
}


def preview_outcome(version: Any, *, code: str = "", approved: bool = True) -> Any:
    """The outcome a 見本 shows: the one named, else the version's first
    favourable (or, for the refusal 見本, unfavourable) outcome."""
    outcomes = version_outcomes(version)
    for outcome in outcomes:
        if code and outcome.code == code:
            return outcome
    return next(
        (outcome for outcome in outcomes if outcome.favourable == approved), None
    )


def preview_snapshot(
    *, version: Any, template: DocumentTemplate, outcome: Any, approved: bool
) -> dict[str, Any]:
    """A snapshot shaped as ``build_snapshot`` makes one, with sample data."""
    if outcome is not None:
        approved = outcome.favourable
    snapshot = sample_snapshot(approved=approved)
    decision_form = getattr(outcome, "decision_form", None)
    sample = SimpleNamespace(
        pk=None,
        procedure_version=version,
        answers=version.form_version.runtime.sample_answers(),
        outcome=outcome,
        decision_data=decision_form.runtime.sample_answers() if decision_form else {},
    )
    department = version.section.department
    today = timezone.localdate()
    snapshot["number"] = document_number(
        symbol=template.number_symbol or department.name,
        year=fiscal_year(today),
        serial=12,
    )
    # 受付番号 as procedures numbers them: prefix, era initial and year of
    # the fiscal year, serial.
    era, era_year = era_of(dt.date(fiscal_year(today), 4, 1))
    snapshot["procedure"] = {
        **snapshot["procedure"],
        "title": version.title,
        "receipt_number": (
            f"{version.procedure.receipt_prefix}-{era.romaji[0]}{era_year}-00012"
        ),
    }
    snapshot["department"] = {"code": department.code, "name": department.name}
    snapshot["section"] = {"name": version.section.name, "contact": ""}
    for stamp in snapshot["approvals"]:
        stamp["section"] = version.section.name
    snapshot["title"] = notice_title(sample, template, approved)
    snapshot["answers"] = _display_rows(sample, list(template.shown_fields or []))
    if outcome is not None:
        snapshot["outcome"] = {
            "code": outcome.code,
            "kind": outcome.kind,
            "label": outcome.label,
            "label_en": outcome.label_en,
        }
        snapshot["decision"] = _decision_items(sample)
        snapshot["decision_data"] = dict(sample.decision_data)
        # As issued: a refusal and a partial grant state their reason.
        states_reason = not approved or outcome.kind == "partial"
        snapshot["reason"] = SAMPLE_REASON if states_reason else ""
    if version.applicant_kind == "business":
        snapshot["addressee"] = dict(SAMPLE_BUSINESS)
    snapshot["honorific"] = template.honorific
    snapshot["print_seal"] = template.print_seal
    return snapshot
