"""Issue 11 item 8 in Chromium (with the page script): a file chosen on a page
that fails on another question is shown as attached and is not chosen again."""

from __future__ import annotations

import pytest

from procedures.models import Application
from tests.factories import PASSWORD, ResidentFactory
from tests.procedures.conftest import PDF_BYTES, make_form_version, make_procedure
from tests.procedures.test_pages_keep_input import PAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_attachment_survives_a_mistake_elsewhere_on_the_page(
    live_server, page, office, tmp_path
):
    procedure = make_procedure(office)
    version = procedure.current_version
    version.form_version = make_form_version(PAGE)
    version.save(update_fields=["form_version"])
    resident = ResidentFactory(full_name="山田 花子", email="hanako@example.jp")
    url = live_server.url
    page.goto(url + "/accounts/login/")
    page.get_by_label("メールアドレス").fill(resident.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログインする").click()
    page.goto(f"{url}/procedures/{procedure.code}/")
    page.get_by_role("button", name="申請を始める").click()
    page.wait_for_selector("[data-fb-form][data-fb-ready]")

    page.get_by_label("新規").check()
    page.get_by_label("申請額").fill("たくさん")
    pdf = tmp_path / "見積書.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.locator("input[type=file][name=estimate]").set_input_files(str(pdf))
    page.get_by_role("button", name="次へ進む").click()

    # The page comes back from the server with its errors (wait for it: a
    # loaded machine answers after the click returns).
    summary = page.locator(".error-summary")
    summary.wait_for(state="visible")
    assert "申請額" in summary.inner_text()
    assert "見積書" not in summary.inner_text()  # the file is not asked for again
    attached = page.locator("#div_id_estimate-remove")
    assert "添付済みのファイル" in attached.inner_text()
    assert "見積書.pdf" in attached.inner_text()

    page.get_by_label("申請額").fill("1,200")
    page.get_by_role("button", name="次へ進む").click()
    page.wait_for_url("**/confirm/")
    assert "見積書.pdf" in page.locator("main").inner_text()
    application = Application.objects.get()
    assert [ref["name"] for ref in application.answers["estimate"]] == ["見積書.pdf"]
