from django.core.management.base import BaseCommand

from demo.organisation import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_organisation
from demo.procedure import seed_procedure


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation, accounts and procedure (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        accounts = seed_organisation()
        procedure = seed_procedure()
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. デモデータを用意しました。")
        )
        self.stdout.write(
            f"Password for every demo account / パスワード: {DEMO_PASSWORD}"
        )
        self.stdout.write(
            "Staff second factor / 職員の2段階認証: authenticator secret "
            f"{DEMO_TOTP_SECRET} (current code: manage.py demo_otp_code)"
        )
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<14} {account.email:<24} {account.full_name}"
            )
        self.stdout.write(
            f"Demo procedure / デモ手続: {procedure} ({procedure.get_absolute_url()})"
        )
        self.stdout.write(
            "Residents: /accounts/login/  Caseworkers: /staff/login/  "
            "Administrators: /manage/login/"
        )
