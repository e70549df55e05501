"""The addressee is chosen where the procedure is created (issues 12 and 14):
next to who may apply, guessed from the form's questions, so that a business
procedure publishes on the first try; a refusal links to the drop-down."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from procedures.addressee import guess_mapping, roles_for
from procedures.models import Procedure, ProcedureVersion
from tests.procedures.conftest import give_route, login, make_form_version
from tests.procedures.test_addressee import DEFINITION, MAPPING

pytestmark = pytest.mark.django_db

SUBSIDY = {
    "version": 1,
    "pages": [
        {
            "key": "applicant",
            "title": {"ja": "申請者"},
            "fields": [
                {
                    "key": "company",
                    "type": "text",
                    "label": {"ja": "法人・事業者の名称"},
                },
                {"key": "rep", "type": "text", "label": {"ja": "代表者の氏名"}},
                {"key": "office", "type": "text", "label": {"ja": "所在地"}},
                {"key": "amount", "type": "amount", "label": {"ja": "名称の数"}},
                {
                    "key": "equipment",
                    "type": "repeat",
                    "label": {"ja": "設備"},
                    "fields": [
                        {
                            "key": "maker",
                            "type": "text",
                            "label": {"ja": "製造者の名称"},
                        }
                    ],
                },
            ],
        }
    ],
}
GUESSED = {
    "business_name": "company",
    "representative_name": "rep",
    "business_address": "office",
}


def _questions(definition: dict[str, Any]) -> list:
    return make_form_version(definition).runtime.field_keys()


def test_the_guess_reads_keys_first_then_labels():
    roles = roles_for(kind="either", allows_proxy=True)
    assert guess_mapping(_questions(DEFINITION), roles) == MAPPING


def test_the_guess_takes_only_top_level_questions_of_a_fitting_type():
    # 「名称の数」 is an amount and 「製造者の名称」 a column: neither is the name.
    roles = roles_for(kind="business", allows_proxy=False)
    assert guess_mapping(_questions(SUBSIDY), roles) == GUESSED


def _create_post(office, form_version, **overrides: str) -> dict[str, Any]:
    data = {
        "procedure-code": "setsubi",
        "procedure-receipt_prefix": "SB",
        "procedure-category": "",
        "version-title": "設備導入補助金",
        "version-processing_days": "30",
        "version-retention_years": "5",
        "version-fee_yen": "0",
        "version-section": office["section"].pk,
        "version-form_version": form_version.pk,
        "version-applicant_kind": "business",
        "version-asks_delivery_consent": "on",
    }
    data.update(overrides)
    return data


def _selected(page: str) -> dict[str, str]:
    """The chosen option of every addressee drop-down of a page."""
    chosen = {}
    for name, body in re.findall(
        r'<select name="(?:version-)?addressee_(\w+)".*?>(.*?)</select>', page, re.S
    ):
        match = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[name] = match.group(1) if match else ""
    return chosen


def test_the_drop_downs_are_redrawn_for_the_chosen_form_and_kind(administrator, office):
    admin = login(Client(), administrator)
    form_version = make_form_version(SUBSIDY)
    url = "/manage/procedures/new/addressee/"
    page = admin.get(
        url,
        {
            "form_version": form_version.pk,
            "applicant_kind": "business",
            "prefix": "version",
        },
    ).content.decode()
    assert _selected(page) == {
        "business_name": "company",
        "representative_title": "",
        "representative_name": "rep",
        "business_postal_code": "",
        "business_address": "office",
    }
    assert page.count("項目の名前やキーから推測して選びました。確かめてください。") == 3
    assert f'value="{form_version.pk}:business:0"' in page

    # What was chosen is kept where it still fits; 代理申請 adds its parts.
    page = admin.get(
        url,
        {
            "form_version": form_version.pk,
            "applicant_kind": "business",
            "allows_proxy": "1",
            "addressee_business_name": "office",
            "addressee_business_address": "company",
        },
    ).content.decode()
    chosen = _selected(page)
    assert chosen["business_name"] == "office"
    assert chosen["business_address"] == "company"
    assert chosen["representative_name"] == "rep"  # needed, so still guessed
    assert "power_of_attorney" in chosen
    assert admin.get(url, {"prefix": "Robert'); DROP"}).status_code == 400
    resident = login(Client(), office["clerk"])
    assert resident.get(url).status_code == 403


def test_without_script_the_page_comes_back_with_the_guesses_to_confirm(
    administrator, office
):
    admin = login(Client(), administrator)
    form_version = make_form_version(SUBSIDY)
    page = admin.get("/manage/procedures/new/").content.decode()
    # No form chosen yet: the drop-downs were drawn for nothing.
    drawn = re.search(r'name="version-addressee_drawn" value="([^"]*)"', page)
    assert drawn.group(1) == ":person:0"
    assert "申請フォームの版を選ぶと" in page

    response = admin.post(
        "/manage/procedures/new/",
        _create_post(office, form_version, **{"version-addressee_drawn": ":person:0"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "宛名に使う項目を、選んだフォームと申請できる者に合わせて選び直しました" in page
    )
    assert not Procedure.objects.exists()
    chosen = {role: key for role, key in _selected(page).items() if key}
    assert chosen == GUESSED

    # Saved as shown: created with the mapping, published on the first try.
    again = _create_post(
        office,
        form_version,
        **{"version-addressee_drawn": f"{form_version.pk}:business:0"},
        **{f"version-addressee_{role}": key for role, key in chosen.items()},
    )
    assert admin.post("/manage/procedures/new/", again).status_code == 302
    version = ProcedureVersion.objects.get(procedure__code="setsubi")
    assert version.addressee_fields == GUESSED
    give_route(version, office["position"])
    response = admin.post("/manage/procedures/setsubi/versions/1/publish/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.PUBLISHED


def test_a_kind_of_applicant_drops_the_parts_it_does_not_use(administrator, office):
    admin = login(Client(), administrator)
    form_version = make_form_version(DEFINITION)
    post = _create_post(
        office,
        form_version,
        **{
            "version-addressee_drawn": f"{form_version.pk}:business:0",
            "version-addressee_business_name": "corp_name",
            "version-addressee_representative_name": "rep_name",
            "version-addressee_business_address": "corp_address",
            "version-addressee_person_name": "person_name",  # not a business's
        },
    )
    assert admin.post("/manage/procedures/new/", post).status_code == 302
    version = ProcedureVersion.objects.get(procedure__code="setsubi")
    assert version.addressee_fields == {
        "business_name": "corp_name",
        "representative_name": "rep_name",
        "business_address": "corp_address",
    }


def test_a_persons_procedure_is_created_at_once_without_script(administrator, office):
    # Nothing is needed for a person's notice: no second look is asked for.
    admin = login(Client(), administrator)
    form_version = make_form_version(DEFINITION)
    post = _create_post(
        office,
        form_version,
        **{"version-applicant_kind": "person", "version-addressee_drawn": ":person:0"},
    )
    assert admin.post("/manage/procedures/new/", post).status_code == 302
    version = ProcedureVersion.objects.get(procedure__code="setsubi")
    assert version.addressee_fields == {}


def test_a_new_procedure_shows_no_addressee_drop_downs_before_a_form_is_chosen(
    administrator, office
):
    # QA walk N2: 14 drop-downs offering only 使わない stood on 手続を作る.
    admin = login(Client(), administrator)
    page = admin.get("/manage/procedures/new/").content.decode()
    assert not re.search(r'<select[^>]*name="version-addressee_', page)
    assert "申請フォームの版を選ぶと、通知書の宛名に使う項目" in page
