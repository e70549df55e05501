import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _no_reminders_for_earlier_notices(apps, schema_editor):
    # Notices issued before downloads were recorded all look unread: without
    # this, the first reminder run would mail every applicant of the past.
    from django.utils import timezone

    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    IssuedDocument.objects.filter(unread_reminded_at__isnull=True).update(
        unread_reminded_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="documenttemplate",
            name="honorific",
            field=models.CharField(
                choices=[("様", "様"), ("殿", "殿")],
                default="様",
                max_length=4,
                verbose_name="宛名の敬称",
            ),
        ),
        migrations.AddField(
            model_name="documenttemplate",
            name="print_seal",
            field=models.BooleanField(
                default=True,
                help_text="オフのときは公印を印刷せず「公印省略」と記載します。",
                verbose_name="公印を印刷する",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="electronic_delivery",
            field=models.BooleanField(default=True, verbose_name="電子交付"),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="mailed_on",
            field=models.DateField(blank=True, null=True, verbose_name="発送日"),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="mail_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("kani_kakitome", "簡易書留"),
                    ("kakitome", "一般書留"),
                    ("haitatsu_shomei", "配達証明"),
                    ("tokubetsu_sotatsu", "特別送達"),
                    ("ordinary", "普通郵便"),
                    ("hand", "窓口で手渡し"),
                ],
                max_length=24,
                verbose_name="発送方法",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="mailed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="発送を記録した職員",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="first_downloaded_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="申請者が初めてダウンロードした日時"
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="first_downloaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="初めてダウンロードした人",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="unread_reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(
            _no_reminders_for_earlier_notices, migrations.RunPython.noop
        ),
    ]
