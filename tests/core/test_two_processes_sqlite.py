"""Two processes writing to the SQLite default at once do not crash."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import django
django.setup()
from django.db import transaction
from core.audit import audit_record
for i in range(60):
    with transaction.atomic():
        audit_record(action="test.write", data={"i": i})
"""


def test_two_writer_processes_on_sqlite_never_see_database_locked(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DATABASE")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]

    assert [writer.returncode for writer in writers] == [0, 0], errors
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from core.models import AuditEvent;"
            "from core.audit import audit_verify_chain;"
            "print(AuditEvent.objects.count(), audit_verify_chain())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    # 120 rows and an unbroken hash chain: the writers queued, none forked it.
    assert count.stdout.split() == ["120", "None"]
