"""合議 with an outcome: 同意 / 条件付き同意 / 異議 (issue 14)."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from documents.models import IssuedDocument
from tests.second_factor import login_as
from workflow import services

from .helpers import claim, decide, open_task


def _ask_zaisei(application, org):
    p, sections, positions = org["people"], org["sections"], org["positions"]
    decide(application, p["tanto"])
    decide(
        application,
        p["kakaricho"],
        decision="consult",
        internal_comment="財政課の意見を聞きたい。",
        consult_slot=f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}",
        consult_label="財政課 担当",
    )


def test_an_objection_stops_the_case_at_the_level_that_asked(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    _ask_zaisei(application, org)
    decide(
        application,
        p["zaisei_tanto"],
        kind="consult",
        opinion="object",
        internal_comment="予算の裏付けがありません。",
    )
    # Back at the 係長, who may not simply approve over the objection.
    task = claim(application, p["kakaricho"])
    assert task.level == 1
    login_as(client, p["kakaricho"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "異議が解決されていません" in page
    with pytest.raises(services.WorkflowError) as refused:
        services.task_decide(
            task_id=task.pk, case_id=task.process_id, user=p["kakaricho"],
            decision="approve",
        )  # fmt: skip
    assert refused.value.code == "objection_unresolved"
    assert open_task(application).step_label == "係長"
    # Proceeding with its reason recorded resolves it.
    services.task_decide(
        task_id=task.pk,
        case_id=task.process_id,
        user=p["kakaricho"],
        decision="approve",
        internal_comment="補正予算で手当て済みのため進めます。",
    )
    application.case.refresh_from_db()
    (item,) = application.case.consultations
    assert item["resolved"] is True
    assert item["resolution"]["how"] == "proceeded"
    assert item["resolution"]["comment"] == "補正予算で手当て済みのため進めます。"
    assert open_task(application).step_label == "課長"


def test_an_objection_is_resolved_by_consulting_again(submit, org):
    p, sections, positions = org["people"], org["sections"], org["positions"]
    application = submit(500_000)
    _ask_zaisei(application, org)
    decide(
        application,
        p["zaisei_tanto"],
        kind="consult",
        opinion="object",
        internal_comment="根拠が不足しています。",
    )
    decide(
        application,
        p["kakaricho"],
        decision="consult",
        internal_comment="資料を追加しました。再度ご確認ください。",
        consult_slot=f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}",
        consult_label="財政課 担当",
    )
    application.case.refresh_from_db()
    first, second = application.case.consultations
    assert first["resolution"]["how"] == "consult"
    assert second["status"] != "done"  # asked again, waiting for the answer


def test_the_consultation_and_its_answer_are_on_the_approval_record(
    submit, org, signing, django_capture_on_commit_callbacks
):
    p = org["people"]
    application = submit(500_000)
    _ask_zaisei(application, org)
    decide(
        application,
        p["zaisei_tanto"],
        kind="consult",
        opinion="conditional",
        internal_comment="実績報告を求めることを条件に同意します。",
    )
    decide(application, p["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, p["kacho"])
    document = IssuedDocument.objects.get(application=application)
    marks = [item["mark"] for item in document.snapshot["approvals"]]
    assert "合議（条件付同意）" in marks
    with document.file.open("rb") as stored:
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"],
            input=stored.read(),
            capture_output=True,
            check=True,
        ).stdout.decode()
    assert "条件付同意" in text


def test_a_consultation_stamp_stands_beside_the_level_that_asked_it(
    submit, org, signing, django_capture_on_commit_callbacks
):
    """QA walk: the 決裁欄 reads 課長・係長・合議・担当 for a 合議 asked before the
    係長 decided, not 課長・係長・担当・合議 (nor between 係長 and 担当 for one
    asked before the 課長)."""
    from documents.rendering import stamps

    p = org["people"]
    application = submit(500_000)
    _ask_zaisei(application, org)  # asked by the 係長, before its own approval
    decide(
        application,
        p["zaisei_tanto"],
        kind="consult",
        opinion="agree",
        internal_comment="異議ありません。",
    )
    decide(application, p["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, p["kacho"])
    document = IssuedDocument.objects.get(application=application)
    order = [stamp["position"] for stamp in stamps(document.snapshot["approvals"])]
    assert order == ["課長", "係長", "財政課 担当", "担当"]
