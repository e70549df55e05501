"""Administrators define a version's outcomes on a screen (issue 14)."""

from __future__ import annotations

import pytest
from django.test import Client

from procedures.models import Outcome, ProcedureVersion
from tests.procedures.conftest import login, make_form_version

pytestmark = pytest.mark.django_db

DECISION = {
    "version": 1,
    "pages": [
        {
            "key": "decision",
            "title": {"ja": "決定内容"},
            "fields": [
                {"key": "fee", "type": "amount", "label": {"ja": "手数料（円）"}},
            ],
        }
    ],
}


@pytest.fixture
def admin_client(administrator):
    return login(Client(), administrator)


@pytest.fixture
def draft(admin_client, procedure):
    admin_client.post(f"/manage/procedures/{procedure.code}/versions/new/")
    return procedure.versions.get(status=ProcedureVersion.Status.DRAFT)


def _row(index: int, **values) -> dict[str, str]:
    return {f"outcomes-{index}-{key}": value for key, value in values.items()}


def _post(admin_client, draft, rows, *, total=None):
    data = {
        "outcomes-TOTAL_FORMS": str(total or len(rows)),
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update(_row(index, **row))
    return admin_client.post(
        f"/manage/procedures/{draft.procedure.code}/versions/{draft.number}/outcomes/",
        data,
    )


def test_a_new_version_offers_the_permit_defaults(admin_client, draft):
    page = admin_client.get(
        f"/manage/procedures/{draft.procedure.code}/versions/{draft.number}/outcomes/"
    ).content.decode()
    assert 'value="許可"' in page
    assert 'value="不許可"' in page


def test_the_administrator_defines_a_disclosure_decision(admin_client, draft):
    form_version = make_form_version(DECISION)
    response = _post(
        admin_client,
        draft,
        [
            {
                "code": "disclose",
                "kind": "favourable",
                "label": "開示決定",
                "label_en": "Disclosure",
                "notice_title": "公文書開示決定通知書",
                "decision_form": str(form_version.pk),
            },
            {
                "code": "partly",
                "kind": "partial",
                "label": "部分開示決定",
                "reason_required": "on",
            },
            {
                "code": "refuse",
                "kind": "unfavourable",
                "label": "不開示決定",
                "reason_required": "on",
            },
        ],
    )
    assert response.status_code == 302, response.content.decode()
    rows = list(
        draft.outcomes.order_by("order").values_list(
            "code", "kind", "label", "reason_required", "decision_form"
        )
    )
    assert rows == [
        ("disclose", "favourable", "開示決定", False, form_version.pk),
        ("partly", "partial", "部分開示決定", True, None),
        ("refuse", "unfavourable", "不開示決定", True, None),
    ]


def test_a_refusal_without_a_reason_is_refused_next_to_the_field(admin_client, draft):
    response = _post(
        admin_client,
        draft,
        [
            {"code": "grant", "kind": "favourable", "label": "交付決定"},
            {"code": "no_grant", "kind": "unfavourable", "label": "不交付決定"},
        ],
    )
    assert response.status_code == 400
    assert "行政手続法第8条" in response.content.decode()
    # Nothing changed: the defaults stand.
    assert set(draft.outcomes.values_list("code", flat=True)) <= {"approve", "reject"}


def test_a_version_needs_an_unfavourable_outcome(admin_client, draft):
    response = _post(
        admin_client,
        draft,
        [{"code": "grant", "kind": "favourable", "label": "交付決定"}],
    )
    assert response.status_code == 400
    assert "不認容の決定を少なくとも一つ定めてください。" in response.content.decode()


def test_a_limit_must_compare_numbers(admin_client, draft):
    form_version = make_form_version(DECISION)
    response = _post(
        admin_client,
        draft,
        [
            {
                "code": "grant",
                "kind": "favourable",
                "label": "交付決定",
                "decision_form": str(form_version.pk),
                "limit_field": "fee",
            },
            {
                "code": "no",
                "kind": "unfavourable",
                "label": "不交付決定",
                "reason_required": "on",
            },
        ],
    )
    assert response.status_code == 400
    assert "両方を選んでください" in response.content.decode()


def test_a_published_versions_outcomes_are_read_only(admin_client, procedure):
    version = procedure.current_version
    response = admin_client.get(
        f"/manage/procedures/{procedure.code}/versions/{version.number}/outcomes/"
    )
    page = response.content.decode()
    assert "公開済みの版は変更できません" in page
    assert "<td>許可</td>" in page
    assert "<td>不許可</td>" in page
    # Reading never writes: the defaults are created by the first decision.
    assert not Outcome.objects.filter(procedure_version=version).exists()


HOUSEHOLD = {
    "version": 1,
    "pages": [
        {
            "key": "household",
            "title": {"ja": "世帯"},
            "fields": [
                {
                    "key": "children",
                    "type": "repeat",
                    "label": {"ja": "対象となる児童"},
                    "fields": [
                        {"key": "name", "type": "text", "label": {"ja": "氏名"}},
                        {"key": "monthly", "type": "amount", "label": {"ja": "月額"}},
                    ],
                },
                {
                    "key": "requested",
                    "type": "computed",
                    "format": "amount",
                    "label": {"ja": "請求する手当の月額"},
                    "expression": {
                        "reduce": [
                            {"var": "children"},
                            {"+": [{"var": "accumulator"}, {"var": "current.monthly"}]},
                            0,
                        ]
                    },
                },
            ],
        }
    ],
}
GRANTED = {
    "version": 1,
    "pages": [
        {
            "key": "decision",
            "title": {"ja": "認定の内容"},
            "fields": [
                {"key": "granted", "type": "amount", "label": {"ja": "認定月額"}},
            ],
        }
    ],
}


def test_a_computed_total_may_be_the_ceiling_of_a_decided_amount(admin_client, draft):
    """QA walk: a household's 請求額 is the sum of its rows, a computed value;
    the outcomes screen offered only typed integers and amounts as ceilings."""
    from procedures.outcomes import decision_data_clean

    draft.form_version = make_form_version(HOUSEHOLD)
    draft.save()
    decision = make_form_version(GRANTED)
    url = f"/manage/procedures/{draft.procedure.code}/versions/{draft.number}/outcomes/"
    page = admin_client.get(url).content.decode()
    assert '<option value="requested">請求する手当の月額 (requested)</option>' in page
    response = _post(
        admin_client,
        draft,
        [
            {
                "code": "grant",
                "kind": "favourable",
                "label": "認定",
                "decision_form": str(decision.pk),
                "limit_field": "granted",
                "limit_answer": "requested",
            },
            {
                "code": "reduced",
                "kind": "partial",
                "label": "一部認定",
                "reason_required": "on",
                "decision_form": str(decision.pk),
                "limit_field": "granted",
                "limit_answer": "requested",
            },
            {
                "code": "refuse",
                "kind": "unfavourable",
                "label": "却下",
                "reason_required": "on",
            },
        ],
    )
    assert response.status_code == 302, response.content.decode()
    reduced = draft.outcomes.get(code="reduced")
    assert reduced.limits == [{"field": "granted", "answer": "requested"}]
    answers = draft.form_version.runtime.clean(
        {
            "children": [
                {"name": "一郎", "monthly": 15000},
                {"name": "二郎", "monthly": 10000},
            ]
        }
    )
    assert answers["requested"] == 25_000
    _cleaned, errors = decision_data_clean(
        outcome=reduced, data={"granted": 30_000}, answers=answers
    )
    assert "25,000以下にしてください" in errors["granted"][0]
    cleaned, errors = decision_data_clean(
        outcome=reduced, data={"granted": 10_000}, answers=answers
    )
    assert errors == {}
    assert cleaned["granted"] == 10_000
