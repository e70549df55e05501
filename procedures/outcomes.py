"""Outcomes of a procedure version and the data decided with them (issue 14).

A version's outcomes are what its final level chooses from. A version
without any gets the defaults of a permit (許可 / 不許可), coded ``approve``
and ``reject`` so that the caseworker page and the API keep speaking as
they did. Each outcome may carry a decision form (a published version of a
form of the form builder) whose answers are validated by the same runtime
as an application, plus limits against the application's answers
(交付決定額 ≤ 申請額).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from procedures.models import Outcome, ProcedureVersion

# The words of the outcomes every procedure had before issue 14. They are
# data (each version keeps its own), so they are not translated here.
DEFAULT_OUTCOMES = (
    {
        "code": "approve",
        "kind": Outcome.Kind.FAVOURABLE,
        "label": "許可",
        "label_en": "Approval",
        "status_label": "許可・交付済み",
        "status_label_en": "Approved",
        "reason_required": False,
    },
    {
        "code": "reject",
        "kind": Outcome.Kind.UNFAVOURABLE,
        "label": "不許可",
        "label_en": "Refusal",
        "status_label": "不許可",
        "status_label_en": "Refused",
        "reason_required": True,
    },
)

OUTCOME_FIELDS = (
    "order",
    "code",
    "kind",
    "label",
    "label_en",
    "status_label",
    "status_label_en",
    "notice_title",
    "reason_required",
    "limits",
)


def version_outcomes(
    version: ProcedureVersion, *, create: bool = False
) -> list[Outcome]:
    """The version's outcomes in order; the permit defaults when it has none.

    Versions made before issue 14 got theirs from a data migration, new ones
    from their first decision (``create=True``, inside the deciding
    transaction); until then pages read unsaved defaults, so a GET never
    writes. Cached on the version instance: a page and its form ask often.
    """
    cached = getattr(version, "_outcomes", None)
    if cached is not None and (not create or all(o.pk for o in cached)):
        return cached
    outcomes = list(version.outcomes.select_related("decision_form__form"))
    if not outcomes and create:
        with transaction.atomic():
            for order, data in enumerate(DEFAULT_OUTCOMES):
                Outcome.objects.get_or_create(
                    procedure_version=version,
                    code=data["code"],
                    defaults={**data, "order": order},
                )
        outcomes = list(version.outcomes.select_related("decision_form__form"))
    if not outcomes:
        outcomes = [
            Outcome(procedure_version=version, order=order, **data)
            for order, data in enumerate(DEFAULT_OUTCOMES)
        ]
    version._outcomes = outcomes
    return outcomes


def outcome_for_decision(
    outcomes: list[Outcome], decision: str, outcome_code: str = ""
) -> Outcome | None:
    """Which outcome a final decision names, or None.

    The outcome's code is the decision (``grant``, ``reject``), or
    ``outcome_code`` when given (with ``decide`` or ``approve``). ``approve`` and ``reject`` also
    name the version's first favourable and first unfavourable outcome, so
    callers written for permits keep working on any procedure.
    """
    by_code = {outcome.code: outcome for outcome in outcomes}
    if outcome_code or decision == "decide":
        # An explicit outcome wins over what approve / reject would name.
        return by_code.get(outcome_code)
    if decision in by_code:
        return by_code[decision]
    if decision == "approve":
        kinds = (Outcome.Kind.FAVOURABLE,)
    elif decision == "reject":
        kinds = (Outcome.Kind.UNFAVOURABLE,)
    else:
        return None
    return next((outcome for outcome in outcomes if outcome.kind in kinds), None)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def decision_data_clean(
    *, outcome: Outcome, data: Any, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The decision data as stored, and the problems by field key.

    The outcome's decision form checks it exactly as an application's
    answers are checked (types, required, rules, min/max, rows); then each
    limit compares a decided value with the application's answer (a granted
    amount above the requested one is refused next to its field). Keys the
    form does not know are refused, never dropped silently.
    """
    if data in (None, ""):
        data = {}
    if not isinstance(data, dict):
        return {}, {"decision_data": [gettext("決定内容の形式が正しくありません。")]}
    form_version = outcome.decision_form
    if form_version is None:
        if data:
            return {}, {
                "decision_data": [gettext("この決定には入力する決定内容がありません。")]
            }
        return {}, {}
    runtime = form_version.runtime
    known = {info.key for info in runtime.field_keys()}
    errors: dict[str, list[str]] = {}
    for key in sorted(set(data) - known):
        errors[key] = [gettext("この決定にない項目です。")]
    data = {key: value for key, value in data.items() if key in known}
    for key, messages in runtime.validate(data).items():
        errors.setdefault(key, []).extend(messages)
    cleaned = runtime.clean(data) if not errors else data
    answers_runtime = outcome.procedure_version.form_version.runtime
    for limit in outcome.limits or []:
        field, answer = limit.get("field"), limit.get("answer")
        value, ceiling = _integer(cleaned.get(field)), _integer(answers.get(answer))
        if value is None and ceiling is not None and field not in errors:
            # Left blank, the decided value is what was applied for (交付決定額
            # = 申請額), so the notice always prints it.
            cleaned[field] = ceiling
            continue
        if value is None or ceiling is None or value <= ceiling or field in errors:
            continue
        info = answers_runtime.field(answer)
        errors.setdefault(field, []).append(
            gettext(
                "申請の「%(answer)s」（%(ceiling)s）を超えています。"
                "%(ceiling)s以下にしてください。"
            )
            % {
                "answer": info.label if info else answer,
                "ceiling": f"{ceiling:,}",
            }
        )
    return cleaned, errors


def decision_data_display(
    *, outcome: Outcome | None, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """The decided values as label/value items (case page, notice, API)."""
    if outcome is None or outcome.decision_form is None or not data:
        return []
    items = []
    for section in outcome.decision_form.runtime.display(data):
        items.extend(section["items"])
    return items


# --- Administrators ---------------------------------------------------------


class OutcomeError(Exception):
    """Outcomes an administrator may not save; ``message`` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def outcome_errors(outcomes: list[Outcome]) -> list[str]:
    """What makes a version's set of outcomes unusable, whole-set rules only."""
    errors = []
    if not any(outcome.kind == Outcome.Kind.FAVOURABLE for outcome in outcomes):
        errors.append(gettext("認容の決定を少なくとも一つ定めてください。"))
    if not any(outcome.kind == Outcome.Kind.UNFAVOURABLE for outcome in outcomes):
        errors.append(gettext("不認容の決定を少なくとも一つ定めてください。"))
    codes = [outcome.code for outcome in outcomes]
    if len(codes) != len(set(codes)):
        errors.append(gettext("決定のコードが重複しています。"))
    return errors


NUMERIC_TYPES = ("integer", "amount")


def is_whole_number(info: Any) -> bool:
    """A question whose answer is a whole number: an integer or an amount, or
    a value computed as one (申請額の合計, 補助対象経費の2分の1)."""
    if info.type in NUMERIC_TYPES:
        return True
    return info.type == "computed" and info.node.spec.get("format") in NUMERIC_TYPES


def limit_errors(
    *, version: ProcedureVersion, form_version: Any, limits: list[Any]
) -> list[str]:
    """Limits must compare a whole number decided with a whole number applied for."""
    numeric = NUMERIC_TYPES
    errors = []
    decided = (
        {info.key: info for info in form_version.runtime.field_keys()}
        if form_version is not None
        else {}
    )
    applied = {info.key: info for info in version.form_version.runtime.field_keys()}
    for limit in limits:
        if not isinstance(limit, dict) or set(limit) != {"field", "answer"}:
            errors.append(gettext("上限の形式が正しくありません。"))
            continue
        field, answer = decided.get(limit["field"]), applied.get(limit["answer"])
        if field is None or field.type not in numeric:
            errors.append(
                gettext(
                    "上限を設ける決定内容の項目「%(key)s」は数値の項目ではありません。"
                )
                % {"key": limit["field"]}
            )
        if answer is None or not is_whole_number(answer):
            errors.append(
                gettext("上限とする申請の項目「%(key)s」は数値の項目ではありません。")
                % {"key": limit["answer"]}
            )
    return errors


def outcome_check(outcome: Outcome) -> None:
    """Raise ValidationError for one outcome (its model rules, its form, its limits)."""
    outcome.full_clean(exclude=["procedure_version"])
    form_version = outcome.decision_form
    if form_version is not None and not form_version.is_published:
        raise ValidationError(
            {"decision_form": gettext("公開済みのフォームの版を選んでください。")}
        )
    problems = limit_errors(
        version=outcome.procedure_version,
        form_version=form_version,
        limits=outcome.limits or [],
    )
    if problems:
        raise ValidationError({"limits": problems})


# --- Procedure packages -----------------------------------------------------

PACKAGE_FORMAT = 1


def export_outcomes(version: ProcedureVersion) -> dict[str, Any]:
    """The version's outcomes with their decision forms, as JSON-ready data."""
    outcomes = []
    for outcome in version_outcomes(version):
        item: dict[str, Any] = {name: getattr(outcome, name) for name in OUTCOME_FIELDS}
        form_version = outcome.decision_form
        item["decision_form"] = (
            {
                "code": form_version.form.code,
                "title": form_version.form.title,
                "title_en": form_version.form.title_en,
                "definition": form_version.definition,
            }
            if form_version is not None
            else None
        )
        outcomes.append(item)
    return {"format": PACKAGE_FORMAT, "outcomes": outcomes}


@transaction.atomic
def outcomes_replace(
    *, version: ProcedureVersion, items: list[dict[str, Any]], actor: Any
) -> list[Outcome]:
    """Set a draft version's outcomes (items as in a package, decision forms
    as FormVersion objects or package data); published versions never change."""
    from core.audit import audit_record

    if not version.is_editable:
        raise OutcomeError(
            gettext("公開済みの版は変更できません。新しい版を作ってください。")
        )
    import_outcomes(version, {"format": PACKAGE_FORMAT, "outcomes": items})
    audit_record(
        action="procedure.outcomes",
        actor=actor,
        target=version,
        data={"codes": [item.get("code") for item in items]},
    )
    return list(version.outcomes.all())


def import_outcomes(version: ProcedureVersion, data: dict[str, Any]) -> None:
    """Replace the version's outcomes with ``data``; ValueError when it is broken."""
    from forms_builder.models import FormVersion
    from procedures.packages import import_published_form

    if data.get("format", PACKAGE_FORMAT) != PACKAGE_FORMAT:
        raise ValueError(f"outcomes: unknown format {data.get('format')!r}")
    items = data.get("outcomes")
    if not isinstance(items, list) or not items:
        raise ValueError("outcomes: expected a list of outcomes")
    version.__dict__.pop("_outcomes", None)
    version.outcomes.all().delete()
    created = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"outcomes[{index}]: expected an object")
        unknown = set(item) - {*OUTCOME_FIELDS, "decision_form"}
        if unknown:
            raise ValueError(f"outcomes[{index}]: unknown keys {sorted(unknown)}")
        outcome = Outcome(
            procedure_version=version,
            **{name: item[name] for name in OUTCOME_FIELDS if name in item},
        )
        form_data = item.get("decision_form")
        if isinstance(form_data, FormVersion):
            outcome.decision_form = form_data
        elif form_data is not None:
            if not isinstance(form_data, dict):
                raise ValueError(f"outcomes[{index}].decision_form: expected an object")
            outcome.decision_form = import_published_form(form_data, None)
        outcome_check(outcome)
        outcome.save()
        created.append(outcome)
    problems = outcome_errors(created)
    if problems:
        raise ValueError("outcomes: " + " ".join(problems))


def outcome_description(outcome: Outcome) -> dict[str, Any]:
    """An outcome as a client needs it to decide: words, reason rule, fields."""
    fields = []
    if outcome.decision_form is not None:
        for info in outcome.decision_form.runtime.field_keys():
            spec = info.node.spec
            fields.append(
                {
                    "key": info.key,
                    "label": str(info.label),
                    "type": info.type,
                    "required": spec.get("required") is True,
                    "min": spec.get("min"),
                    "max": spec.get("max"),
                }
            )
    return {
        "code": outcome.code,
        "kind": outcome.kind,
        "label": outcome.label_text,
        "reason_required": outcome.reason_required,
        "notice_title": outcome.notice_title,
        "fields": fields,
        "limits": list(outcome.limits or []),
    }
