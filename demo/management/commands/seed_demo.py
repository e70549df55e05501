from django.core.management.base import BaseCommand

from demo.organisation import DEMO_PASSWORD, seed_organisation
from demo.permit import seed_permit
from demo.procedure import seed_procedure


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation, accounts and procedure (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        accounts = seed_organisation()
        procedure = seed_procedure()
        # A procedure for businesses, addressed to the corporation (issue 14).
        permit = seed_permit()
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. デモデータを用意しました。")
        )
        self.stdout.write(
            f"Password for every demo account / パスワード: {DEMO_PASSWORD}"
        )
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<14} {account.email:<24} {account.full_name}"
            )
        self.stdout.write(
            f"Demo procedure / デモ手続: {procedure} ({procedure.get_absolute_url()})"
        )
        self.stdout.write(
            f"Business procedure / 法人の手続: {permit} ({permit.get_absolute_url()})"
        )
        self.stdout.write(
            "Residents: /accounts/login/  Caseworkers: /staff/login/  "
            "Administrators: /manage/login/"
        )
