"""Shared set-up of the workflow benchmarks: a scratch PostgreSQL database
built from the models, an organisation, and a procedure with the demo route
on a real published form.

Run from the repository root with DATABASE_URL pointing at PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
# Plain static storage: the manifest is a deployment step, not part of this.
os.environ.setdefault("DJANGO_DEBUG", "false")

BENCH_DB = os.environ.get("BENCH_DB_NAME", "bench_workflow")


def setup_django(create: bool = True) -> None:
    """Configure Django on the scratch database (created from the models when asked)."""
    import django
    from django.conf import settings

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit(
            "Set DATABASE_URL=postgres://... (these measurements are for PostgreSQL)"
        )
    django.setup()
    from django.db import connections

    connections["default"].settings_dict.setdefault("TEST", {})
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    settings.DATABASES["default"]["TEST"].update({"NAME": BENCH_DB, "MIGRATE": False})
    from django.db import connection

    if create:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        connection.close()
        settings.DATABASES["default"]["NAME"] = BENCH_DB
        connection.settings_dict["NAME"] = BENCH_DB
    _patch_edges()


def _patch_edges() -> None:
    # The measurement is the workflow without the document and the mail, as
    # issue 5 asks: documents renders after commit (bench_documents.py) and
    # mail is sent after commit. The form runtime is the real one.
    import procedures.services
    import workflow.services

    procedures.services.send_templated_mail = lambda **kw: None
    workflow.services.document_request = lambda **kw: None


# A small real form: the amount decides the final level (専決).
DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "main",
            "title": {"ja": "申請内容"},
            "fields": [
                {"key": "name", "type": "text", "label": {"ja": "氏名"}},
                {
                    "key": "amount",
                    "type": "amount",
                    "label": {"ja": "申請額（円）"},
                    "required": True,
                },
            ],
        }
    ],
}


def seed() -> dict[str, Any]:
    """One section with 担当/係長/課長 and a published procedure with the demo route."""
    from accounts.models import User
    from forms_builder.services import form_create, form_version_publish
    from organisation.models import Assignment, Department, Position, Section
    from procedures.models import Procedure, ProcedureVersion
    from workflow.demo import seed_demo_route

    department = Department.objects.create(code="kenko-fukushi", name="健康福祉部")
    section = Section.objects.create(
        department=department, code="fukushi", name="福祉政策課"
    )
    people = {}
    for code, name, level in [
        ("tanto", "担当", 10),
        ("kakaricho", "係長", 20),
        ("kacho", "課長", 40),
    ]:
        position = Position.objects.create(code=code, name=name, level=level)
        user = User.objects.create_user(
            f"{code}@example.jp", "x", is_staff=True, full_name=name
        )
        Assignment.objects.create(
            user=user,
            section=section,
            position=position,
            start_date=dt.date(2020, 4, 1),
        )
        people[code] = user
    Position.objects.create(code="bucho", name="部長", level=50, scope="department")
    Position.objects.create(code="chiji", name="知事", level=70, scope="prefecture")
    form = form_create(code="josei", title="助成金", definition=DEFINITION, actor=None)
    form_version = form_version_publish(version=form.versions.get(), actor=None)
    procedure = Procedure.objects.create(
        code="josei", receipt_prefix="J", status="published"
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        title="助成金",
        section=section,
        processing_days=30,
        form_version=form_version,
    )
    procedure.current_version = version
    procedure.save()
    seed_demo_route(version)
    resident = User.objects.create_user(
        "resident@example.jp", "x", full_name="山田 太郎"
    )
    return {
        "people": people,
        "procedure": procedure,
        "version": version,
        "resident": resident,
    }


def teardown() -> None:
    from django.db import connection

    connection.creation.destroy_test_db(BENCH_DB, verbosity=0)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]
