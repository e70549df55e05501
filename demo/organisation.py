"""The demo organisation and accounts, one per role."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.second_factor import TOTP_NAME
from core.roles import (
    ADMINISTRATOR_PERMISSION,
    CASEWORKER_PERMISSION,
    ORGANISATION_PERMISSION,
)
from organisation.models import Assignment, Department, Position, Section

DEMO_PASSWORD = "demo-pass-2026"
# The published authenticator secret of every demo staff account (base32, as
# an authenticator app takes it; README). `manage.py demo_otp_code` prints
# its current code. As public as the password: demo data only.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"
CASEWORKER_GROUP = "審査担当"
ADMINISTRATOR_GROUP = "手続管理者"
ORGANISATION_GROUP = "所属管理者"

POSITIONS = [
    # code, name, name_en, level, scope
    ("tanto", "担当", "Officer", 10, "section"),
    ("kakaricho", "係長", "Unit Chief", 20, "section"),
    ("kacho-hosa", "課長補佐", "Deputy Director", 30, "section"),
    ("kacho", "課長", "Director", 40, "section"),
    ("bucho", "部長", "Director-General", 50, "department"),
    ("fukuchiji", "副知事", "Vice-Governor", 60, "prefecture"),
    ("chiji", "知事", "Governor", 70, "prefecture"),
]


def demo_totp_key() -> str:
    """The demo secret as django-otp stores keys (hex)."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    full_name_kana: str
    role: str
    position: str | None = None
    section: str | None = None


ACCOUNTS = [
    DemoAccount("resident@example.jp", "山田 太郎", "ヤマダ タロウ", "resident"),
    DemoAccount("resident2@example.jp", "𠮷田 花子", "ヨシダ ハナコ", "resident"),
    DemoAccount(
        "tanto@example.jp",
        "佐藤 花子",
        "サトウ ハナコ",
        "caseworker",
        "tanto",
        "fukushi-seisaku",
    ),
    DemoAccount(
        "kakaricho@example.jp",
        "鈴木 一郎",
        "スズキ イチロウ",
        "caseworker",
        "kakaricho",
        "fukushi-seisaku",
    ),
    DemoAccount(
        "kacho@example.jp",
        "髙橋 美咲",
        "タカハシ ミサキ",
        "caseworker",
        "kacho",
        "fukushi-seisaku",
    ),
    DemoAccount(
        "bucho@example.jp",
        "渡邉 健",
        "ワタナベ ケン",
        "caseworker",
        "bucho",
        "fukushi-seisaku",
    ),
    DemoAccount(
        "chiji@example.jp",
        "山﨑 誠",
        "ヤマザキ マコト",
        "caseworker",
        "chiji",
        "chiji-koshitsu",
    ),
    DemoAccount(
        "kikaku@example.jp",
        "伊藤 直樹",
        "イトウ ナオキ",
        "caseworker",
        "kacho",
        "zaisei",
    ),
    DemoAccount("admin@example.jp", "田中 恵", "タナカ メグミ", "administrator"),
]


def _group(name: str, permission: str) -> Group:
    app_label, codename = permission.split(".")
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return group


@transaction.atomic
def seed_organisation() -> list[DemoAccount]:
    """Create or refresh the demo organisation and accounts (idempotent)."""
    welfare, _ = Department.objects.update_or_create(
        code="kenko-fukushi",
        defaults={"name": "健康福祉部", "name_en": "Health and Welfare Department"},
    )
    general, _ = Department.objects.update_or_create(
        code="somu",
        defaults={"name": "総務部", "name_en": "General Affairs Department"},
    )
    governor_office, _ = Department.objects.update_or_create(
        code="chiji-kokyoku",
        defaults={"name": "知事公室", "name_en": "Governor's Office"},
    )
    sections = {
        "fukushi-seisaku": Section.objects.update_or_create(
            code="fukushi-seisaku",
            defaults={
                "department": welfare,
                "name": "福祉政策課",
                "name_en": "Welfare Policy Division",
                "contact": "福祉政策課 助成係 電話 000-000-0000（平日 8:30〜17:15）",
            },
        )[0],
        "zaisei": Section.objects.update_or_create(
            code="zaisei",
            defaults={
                "department": general,
                "name": "財政課",
                "name_en": "Finance Division",
            },
        )[0],
        "chiji-koshitsu": Section.objects.update_or_create(
            code="chiji-koshitsu",
            defaults={
                "department": governor_office,
                "name": "秘書課",
                "name_en": "Secretariat",
            },
        )[0],
    }
    positions = {
        code: Position.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "level": level, "scope": scope},
        )[0]
        for code, name, name_en, level, scope in POSITIONS
    }
    caseworkers = _group(CASEWORKER_GROUP, CASEWORKER_PERMISSION)
    administrators = _group(ADMINISTRATOR_GROUP, ADMINISTRATOR_PERMISSION)
    organisation_administrators = _group(ORGANISATION_GROUP, ORGANISATION_PERMISSION)

    for account in ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={
                "full_name": account.full_name,
                "full_name_kana": account.full_name_kana,
                "is_staff": account.role != "resident",
                "is_active": True,
            },
        )
        if account.role == "resident" and not user.address:
            user.postal_code = "100-0001"
            user.address = "架空県架空市中央1-2-3"
            user.phone = "090-1234-5678"
            user.birth_date = dt.date(1985, 4, 12)
        user.set_password(DEMO_PASSWORD)
        user.save()
        if user.is_staff:
            TOTPDevice.objects.update_or_create(
                user=user,
                name=TOTP_NAME,
                defaults={"key": demo_totp_key(), "confirmed": True},
            )
        if account.role == "caseworker":
            user.groups.add(caseworkers)
            Assignment.objects.get_or_create(
                user=user,
                section=sections[account.section],
                position=positions[account.position],
                defaults={"start_date": dt.date(2026, 4, 1)},
            )
        elif account.role == "administrator":
            user.groups.add(administrators, organisation_administrators, caseworkers)
    return ACCOUNTS
