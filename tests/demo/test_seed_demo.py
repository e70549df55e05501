import pytest
from django.core.management import call_command

from accounts.models import User
from demo.organisation import ACCOUNTS, DEMO_PASSWORD
from organisation.models import Assignment

pytestmark = pytest.mark.django_db


def test_seed_demo_can_run_twice_without_duplicates(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.count() == len(ACCOUNTS)
    assert Assignment.objects.filter(user__email="kacho@example.jp").count() == 1
    assert DEMO_PASSWORD in capsys.readouterr().out


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
    call_command("seed_demo")

    response = client.post(
        login_url, {"username": email, "password": DEMO_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_seed_demo_publishes_a_procedure_with_form_route_and_template():
    call_command("seed_demo")
    call_command("seed_demo")

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


def test_seed_demo_also_publishes_a_business_procedure_addressed_to_the_corporation():
    call_command("seed_demo")
    call_command("seed_demo")

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
