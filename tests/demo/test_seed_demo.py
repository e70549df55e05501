import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import TOTP

from accounts.models import User
from demo.organisation import ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from organisation.models import Assignment

pytestmark = pytest.mark.django_db


def test_seed_demo_can_run_twice_without_duplicates(capsys):
    call_command("seed_demo", allow_demo_passwords_in_production=True)
    call_command("seed_demo", allow_demo_passwords_in_production=True)

    assert User.objects.count() == len(ACCOUNTS)
    assert Assignment.objects.filter(user__email="kacho@example.jp").count() == 1
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    assert DEMO_TOTP_SECRET in out


@pytest.mark.parametrize(
    ("email", "login_url", "home"),
    [
        ("resident@example.jp", "/accounts/login/", "/"),
        ("tanto@example.jp", "/staff/login/", "/staff/"),
        ("kacho@example.jp", "/staff/login/", "/staff/"),
        ("admin@example.jp", "/manage/login/", "/manage/"),
    ],
)
def test_each_demo_account_logs_in_to_its_area(client, email, login_url, home):
    call_command("seed_demo", allow_demo_passwords_in_production=True)

    response = client.post(
        login_url, {"username": email, "password": DEMO_PASSWORD}, follow=True
    )
    if email != "resident@example.jp":
        # Staff: the code from an authenticator app holding the README's secret.
        assert "/accounts/2fa/verify/" in response.redirect_chain[-1][0]
        key = base64.b32decode(DEMO_TOTP_SECRET)
        response = client.post(
            response.redirect_chain[-1][0],
            {"code": f"{TOTP(key).token():06d}"},
            follow=True,
        )

    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_seed_demo_publishes_a_procedure_with_form_route_and_template():
    call_command("seed_demo", allow_demo_passwords_in_production=True)
    call_command("seed_demo", allow_demo_passwords_in_production=True)

    from procedures.models import Procedure

    procedure = Procedure.objects.get(code="chiiki-fukushi-josei")
    version = procedure.current_version
    assert procedure.accepts_applications
    assert version.form_version.is_published
    assert [level.position.code for level in version.route.levels.all()] == [
        "tanto",
        "kakaricho",
        "kacho",
        "bucho",
        "chiji",
    ]
    assert version.document_template.preset == "grant"


def test_seed_demo_refuses_published_passwords_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="allow-demo-passwords-in-production"):
        call_command("seed_demo")

    assert not User.objects.exists()


def test_seed_demo_runs_in_debug_without_the_flag(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=StringIO())

    assert User.objects.filter(email="chiji@example.jp").exists()


def test_seed_demo_also_publishes_a_business_procedure_addressed_to_the_corporation():
    call_command("seed_demo", allow_demo_passwords_in_production=True)
    call_command("seed_demo", allow_demo_passwords_in_production=True)

    from procedures import services
    from procedures.models import Procedure

    procedure = Procedure.objects.get(code="kaigo-jigyosha-shitei")
    version = procedure.current_version
    assert procedure.accepts_applications
    assert version.applicant_kind == "business"
    assert version.allows_proxy is True
    assert version.document_template.print_seal is False
    assert version.document_template.honorific == "殿"

    resident = User.objects.get(email="resident@example.jp")
    application = services.application_start(procedure=procedure, applicant=resident)
    # The business profile prefills the corporation's part of the form.
    assert application.answers["corp_name"] == "株式会社かせい介護サービス"
    assert application.answers["corporate_number"] == "9010401012345"
    assert application.answers["rep_name"] == "架空 太郎"


def test_seed_demo_publishes_a_disclosure_request_with_partial_outcomes():
    call_command("seed_demo", allow_demo_passwords_in_production=True)
    call_command("seed_demo", allow_demo_passwords_in_production=True)

    from procedures.models import Procedure

    procedure = Procedure.objects.get(code="kobunsho-kaiji-seikyu")
    assert Procedure.objects.filter(code="kobunsho-kaiji-seikyu").count() == 1
    version = procedure.current_version
    assert procedure.accepts_applications
    assert version.applicant_kind == "either"
    outcomes = {o.code: o for o in version.outcomes.all()}
    assert [(o.label, o.kind, o.reason_required) for o in outcomes.values()] == [
        ("開示決定", "favourable", False),
        ("部分開示決定", "partial", True),
        ("不開示決定", "unfavourable", True),
    ]
    assert outcomes["disclose_partly"].notice_title == "公文書部分開示決定通知書"
    group = outcomes["disclose_partly"].decision_form.runtime.by_key["withheld"]
    assert group.label == "不開示とした部分とその理由"
    assert [level.position.code for level in version.route.levels.all()] == [
        "tanto",
        "kakaricho",
        "kacho",
    ]
    assert version.document_template.approval_title == "公文書開示決定通知書"
