from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.disclosure import seed_disclosure
from demo.organisation import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_organisation
from demo.permit import seed_permit
from demo.procedure import seed_procedure


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation, accounts and procedure (idempotent)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--allow-demo-passwords-in-production",
            action="store_true",
            help=(
                "Create the demo accounts even with DJANGO_DEBUG off. Their "
                "password is published in the README: anyone can sign in as "
                "the governor or an administrator. Only for a closed test site."
            ),
        )

    def handle(self, *args, **options) -> None:
        # The password is in the README: on a site reachable by others the
        # demo accounts are open doors (the 知事 account decides everything).
        if not settings.DEBUG and not options["allow_demo_passwords_in_production"]:
            raise CommandError(
                "seed_demo creates accounts whose password is published in the "
                "README, and DJANGO_DEBUG is off (a production setting). Refusing. "
                "Run it with DJANGO_DEBUG=true on a development machine, or pass "
                "--allow-demo-passwords-in-production on a closed test site. / "
                "本番設定（DJANGO_DEBUG がオフ）では、公開済みのパスワードを持つ"
                "デモアカウントを作成しません。"
            )
        accounts = seed_organisation()
        procedure = seed_procedure()
        # A procedure for businesses, addressed to the corporation (issue 14).
        permit = seed_permit()
        # A request whose outcome may be partial: 部分開示 with its reasons.
        disclosure = seed_disclosure()
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
            f"Business procedure / 法人の手続: {permit} ({permit.get_absolute_url()})"
        )
        self.stdout.write(
            f"Disclosure request / 開示請求: {disclosure}"
            f" ({disclosure.get_absolute_url()})"
        )
        self.stdout.write(
            "Residents: /accounts/login/  Caseworkers: /staff/login/  "
            "Administrators: /manage/login/"
        )
