"""Key the audit chain: every existing event is re-signed with the HMAC key.

The old chain (plain SHA-256) is checked first; a broken chain stops the
migration rather than being laundered into a keyed one. Heads recorded
before this migration no longer match: record a new one after it
(`manage.py audit_verify --head-file …`).
"""

import hashlib
import json

from django.db import migrations, models


def _legacy_hash(event) -> str:
    payload = json.dumps(
        {
            "prev": event.prev_hash,
            "at": event.created_at.isoformat(),
            "actor": event.actor_id,
            "action": event.action,
            "target": [event.target_type, event.target_id],
            "data": event.data,
            "ip": event.ip_address,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def rekey(apps, schema_editor):
    from core.audit import APPEND_ONLY_TRIGGER, audit_signing_key
    from core.models import AuditEvent as CurrentEvent

    AuditEvent = apps.get_model("core", "AuditEvent")
    if schema_editor.connection.vendor == "postgresql":
        table = AuditEvent._meta.db_table
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {APPEND_ONLY_TRIGGER} ON {table}"
        )
    key_id, key = audit_signing_key()
    old_prev = new_prev = ""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != old_prev or _legacy_hash(event) != event.hash:
            raise RuntimeError(
                f"audit event {event.pk} does not match the unkeyed chain: "
                "investigate before keying it"
            )
        old_prev = event.hash
        keyed = CurrentEvent(
            created_at=event.created_at,
            actor_id=event.actor_id,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            data=event.data,
            ip_address=event.ip_address,
            prev_hash=new_prev,
            key_id=key_id,
        )
        keyed.hash = keyed.compute_hash(key)
        AuditEvent.objects.filter(pk=event.pk).update(
            prev_hash=new_prev, key_id=key_id, hash=keyed.hash
        )
        new_prev = keyed.hash


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
