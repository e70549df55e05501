from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from demo.organisation import demo_totp_key


class Command(BaseCommand):
    help = (
        "Print the current second-factor code of the demo staff accounts "
        "(development only)."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Only with DJANGO_DEBUG=true: the demo secret is public."
            )
        code = TOTP(bytes.fromhex(demo_totp_key())).token()
        self.stdout.write(f"{code:06d}")
