"""The catalogue and the procedure page: what a resident sees before applying."""

from __future__ import annotations

import pytest

from procedures.models import Category, Procedure
from tests.procedures.conftest import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(db):
    return {
        "fukushi": Category.objects.create(code="fukushi", name="福祉", order=1),
        "kankyo": Category.objects.create(code="kankyo", name="環境", order=2),
    }


def test_catalogue_lists_published_and_suspended_procedures_only(client, office):
    published = make_procedure(office, title="介護施設整備助成金")
    suspended = make_procedure(
        office, title="狩猟免許", status=Procedure.Status.SUSPENDED
    )
    draft = make_procedure(office, title="作成中の手続", status=Procedure.Status.DRAFT)
    retired = make_procedure(
        office, title="廃止した手続", status=Procedure.Status.RETIRED
    )

    page = client.get("/procedures/").content.decode()

    assert "介護施設整備助成金" in page
    assert "狩猟免許" in page
    assert "受付停止中" in page
    assert "作成中の手続" not in page
    assert "廃止した手続" not in page
    assert published.get_absolute_url() in page
    assert suspended
    assert draft
    assert retired


def test_catalogue_search_needs_every_word(client, office):
    make_procedure(office, title="介護施設整備助成金", keywords="補助金 高齢者")
    make_procedure(office, title="産業廃棄物処理業許可", summary="廃棄物の収集運搬")

    page = client.get("/procedures/", {"q": "補助金 介護"}).content.decode()
    assert "介護施設整備助成金" in page
    assert "産業廃棄物処理業許可" not in page
    assert "1件" in page

    nothing = client.get("/procedures/", {"q": "存在しない言葉"}).content.decode()
    assert "条件に合う手続が見つかりませんでした" in nothing


def test_catalogue_filters_by_category_and_counts_each(client, office, categories):
    make_procedure(office, title="介護施設整備助成金", category=categories["fukushi"])
    make_procedure(office, title="浄化槽設置補助", category=categories["kankyo"])

    page = client.get("/procedures/", {"category": "kankyo"}).content.decode()

    assert "浄化槽設置補助" in page
    assert "介護施設整備助成金" not in page
    assert "福祉 <span" in page
    assert "(1)" in page


def test_catalogue_with_a_bad_category_is_not_an_error(client, office):
    make_procedure(office)
    response = client.get("/procedures/", {"category": "../../etc", "q": "x" * 500})
    assert response.status_code == 200


def test_catalogue_query_count_does_not_grow_with_procedures(
    client, office, categories, django_assert_max_num_queries
):
    for n in range(12):
        make_procedure(office, title=f"手続{n}", category=categories["fukushi"])
    with django_assert_max_num_queries(4):
        response = client.get("/procedures/")
    assert response.content.decode().count('class="procedure-item"') == 12


def test_procedure_page_says_what_is_needed_before_starting(client, procedure):
    page = client.get(procedure.get_absolute_url()).content.decode()

    assert "申請できる方" in page
    assert "県内で福祉施設を運営する法人" in page
    assert "用意するもの" in page
    assert "見積書（PDF）" in page
    assert "手数料" in page
    assert "無料" in page
    assert "翌日から 30 日" in page  # calendar days, the default
    assert "福祉政策課" in page
    assert "000-000-0000" in page
    assert "ログインして申請する" in page


def test_procedure_page_of_a_draft_procedure_is_404(client, office):
    draft = make_procedure(office, status=Procedure.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/procedures/no-such-thing/").status_code == 404


def test_suspended_procedure_says_so_and_offers_no_start(client, office):
    suspended = make_procedure(office, status=Procedure.Status.SUSPENDED)
    page = client.get(suspended.get_absolute_url()).content.decode()
    assert "受付を停止しています" in page
    assert "申請を始める" not in page


def test_procedure_page_in_english_uses_the_english_texts(client, procedure):
    version = procedure.current_version
    version.title_en = "Welfare Facility Grant"
    version.save()
    client.cookies["django_language"] = "en"
    page = client.get(
        procedure.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Welfare Facility Grant" in page
