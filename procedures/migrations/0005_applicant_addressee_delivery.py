from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0004_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="procedureversion",
            name="applicant_kind",
            field=models.CharField(
                choices=[
                    ("person", "個人"),
                    ("business", "法人・個人事業主"),
                    ("either", "個人または法人・個人事業主"),
                ],
                default="person",
                max_length=16,
                verbose_name="申請できる者",
            ),
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="allows_proxy",
            field=models.BooleanField(
                default=False,
                help_text="代理人が申請するときは委任状の添付を必須にします。",
                verbose_name="代理申請を認める",
            ),
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="addressee_fields",
            field=models.JSONField(blank=True, default=dict, verbose_name="宛名に使う項目"),
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="asks_delivery_consent",
            field=models.BooleanField(
                default=True,
                help_text="オフのときは、通知書をすべて印刷して郵送します。同意しなかった申請者にも郵送します。",
                verbose_name="通知書の電子交付の同意を申請時に確認する",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="addressee",
            field=models.JSONField(blank=True, default=dict, verbose_name="宛名"),
        ),
        migrations.AddField(
            model_name="application",
            name="delivery_consent_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="電子交付に同意した日時"
            ),
        ),
    ]
