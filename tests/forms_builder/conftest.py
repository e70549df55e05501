"""Fixtures for the form builder's tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.factories import AdministratorFactory, ResidentFactory
from tests.second_factor import verified_login

SAMPLE: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "applicant_page",
            "title": {"ja": "申請者", "en": "Applicant"},
            "fields": [
                {
                    "key": "applicant",
                    "type": "name_pair",
                    "label": {"ja": "氏名", "en": "Name"},
                    "required": True,
                    "prefill": "full_name",
                },
                {
                    "key": "birth_date",
                    "type": "date",
                    "label": {"ja": "生年月日", "en": "Date of birth"},
                    "prefill": "birth_date",
                },
                {
                    "key": "has_household",
                    "type": "yesno",
                    "label": {
                        "ja": "同居の家族がいますか",
                        "en": "Do you live with family?",
                    },
                    "required": True,
                },
                {
                    "key": "members",
                    "type": "repeat",
                    "label": {"ja": "世帯員", "en": "Household members"},
                    "show_if": {"==": [{"var": "has_household"}, True]},
                    "min_rows": 1,
                    "max_rows": 5,
                    "fields": [
                        {
                            "key": "name",
                            "type": "text",
                            "label": {"ja": "氏名", "en": "Name"},
                            "required": True,
                        },
                        {
                            "key": "relationship",
                            "type": "choice",
                            "label": {"ja": "続柄", "en": "Relationship"},
                            "widget": "select",
                            "options": [
                                {
                                    "value": "spouse",
                                    "label": {"ja": "配偶者", "en": "Spouse"},
                                },
                                {
                                    "value": "child",
                                    "label": {"ja": "子", "en": "Child"},
                                },
                            ],
                        },
                        {
                            "key": "income",
                            "type": "amount",
                            "label": {"ja": "収入", "en": "Income"},
                        },
                    ],
                },
                {
                    "key": "household_income",
                    "type": "computed",
                    "label": {"ja": "世帯員の収入合計", "en": "Household income"},
                    "format": "amount",
                    "show_if": {"==": [{"var": "has_household"}, True]},
                    "expression": {
                        "reduce": [
                            {"var": "members"},
                            {"+": [{"var": "accumulator"}, {"var": "current.income"}]},
                            0,
                        ]
                    },
                },
            ],
        },
        {
            "key": "request_page",
            "title": {"ja": "申請内容", "en": "Request"},
            "fields": [
                {
                    "key": "purpose",
                    "type": "choice",
                    "label": {"ja": "目的", "en": "Purpose"},
                    "required": True,
                    "options": [
                        {"value": "new", "label": {"ja": "新規", "en": "New"}},
                        {"value": "renewal", "label": {"ja": "更新", "en": "Renewal"}},
                    ],
                },
                {
                    "key": "previous_number",
                    "type": "text",
                    "label": {"ja": "前回の許可番号", "en": "Previous permit number"},
                    "show_if": {"==": [{"var": "purpose"}, "renewal"]},
                    "required": True,
                    "pattern": "^[A-Z]{2}[0-9]{4}$",
                    "pattern_message": {
                        "ja": "英大文字2字と数字4桁で入力してください。"
                    },
                },
                {
                    "key": "fee",
                    "type": "amount",
                    "label": {"ja": "手数料", "en": "Fee"},
                    "min": 0,
                    "max": 100000,
                    "required_if": {"==": [{"var": "purpose"}, "new"]},
                },
                {
                    "key": "postal_code",
                    "type": "postal_code",
                    "label": {"ja": "郵便番号", "en": "Postal code"},
                    "prefill": "postal_code",
                },
                {
                    "key": "phone",
                    "type": "phone",
                    "label": {"ja": "電話番号", "en": "Phone"},
                },
                {
                    "key": "documents",
                    "type": "file",
                    "label": {"ja": "添付書類", "en": "Documents"},
                    "accept": ["application/pdf"],
                    "max_size": 1024 * 1024,
                    "max_files": 2,
                    "required_if": {"==": [{"var": "purpose"}, "new"]},
                },
            ],
        },
        {
            "key": "consent_page",
            "title": {"ja": "同意", "en": "Consent"},
            "hide_if": {"==": [{"var": "purpose"}, "renewal"]},
            "fields": [
                {
                    "key": "agree",
                    "type": "agreement",
                    "label": {
                        "ja": "記載内容に誤りがないことを誓います",
                        "en": "I confirm the above is true",
                    },
                    "required": True,
                }
            ],
        },
    ],
}


@pytest.fixture
def sample_definition() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE)


@pytest.fixture
def administrator(db):
    return AdministratorFactory()


@pytest.fixture
def admin_client(client, administrator):
    verified_login(client, administrator)
    return client


@pytest.fixture
def resident(db):
    return ResidentFactory()


@pytest.fixture(autouse=True)
def _forms_builder_urls(settings):
    settings.ROOT_URLCONF = "tests.forms_builder.urls"
