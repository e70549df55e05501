from workflow.models import CaseTask


def test_submission_queues_a_review_for_the_first_level(submit, org):
    application = submit(500_000)
    case = application.case
    assert [step["position"] for step in case.chain] == ["担当", "係長", "課長"]
    task = CaseTask.objects.get(process=case, kind="review", status="NEW")
    assert task.step_label == "担当"
