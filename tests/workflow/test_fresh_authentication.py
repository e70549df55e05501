"""Issue 16: the second factor again before a final decision (決裁)."""

import time

from django.urls import reverse

from accounts.second_factor import VERIFIED_AT_KEY
from tests.second_factor import current_code, give_second_factor, verified_login

from .helpers import claim, decide, open_task


def _stale(client) -> None:
    """The code was given at sign-in, longer ago than STAFF_REAUTH_MINUTES."""
    session = client.session
    session[VERIFIED_AT_KEY] = time.time() - 11 * 60
    session.save()


def _to_the_final_level(application, people):
    decide(application, people["tanto"])
    decide(application, people["kakaricho"])
    return claim(application, people["kacho"])


def test_the_final_decision_asks_for_the_code_again(client, submit, org):
    p = org["people"]
    application = submit()
    task = _to_the_final_level(application, p)
    verified_login(client, p["kacho"])
    _stale(client)
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])

    page = client.get(reverse("workflow:case_detail", args=[application.public_id]))
    missing = client.post(url, {"decision": "approve", "comment": "決裁"})
    wrong = client.post(url, {"decision": "approve", "otp_code": "000000"})

    assert "確認コード（決裁）" in page.content.decode()
    assert missing.status_code == 400
    assert "確認コードを入力してください。" in missing.content.decode()
    assert wrong.status_code == 400
    assert "確認コードが正しくありません。" in wrong.content.decode()
    assert open_task(application, "review").pk == task.pk  # not decided
    time.sleep(1.1)  # a wrong code holds the device for a second

    done = client.post(
        url,
        {
            "decision": "approve",
            "otp_code": current_code(give_second_factor(p["kacho"])),
        },
    )

    assert done.status_code == 302
    application.case.refresh_from_db()
    assert application.case.status != "NEW"


def test_a_fresh_code_needs_no_second_entry_and_lower_levels_never(client, submit, org):
    p = org["people"]
    application = submit()
    verified_login(client, p["tanto"])
    _stale(client)
    task = claim(application, p["tanto"])
    lower = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "approve"},
    )
    assert lower.status_code == 302

    decide(application, p["kakaricho"])
    task = claim(application, p["kacho"])
    verified_login(client, p["kacho"])  # the code given just now
    final = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "approve"},
    )

    assert final.status_code == 302
