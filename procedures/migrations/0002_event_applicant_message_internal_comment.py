"""Split the timeline's one ``message`` into the applicant's and the staff's text.

Issue 11: a decision's comment, written for colleagues, reached the resident
word for word. What was written for the applicant stays theirs (the 補正
request, the office's notices, the resident's own reason for a 取下げ); every
other text, decision comments included, becomes an internal comment.
"""

from django.db import migrations, models

# The kinds whose text was written for the applicant (or by them).
APPLICANT_KINDS = ("amendment_requested", "message", "withdrawn")


def split_messages(apps, schema_editor):
    Event = apps.get_model("procedures", "ApplicationEvent")
    for event in (
        Event.objects.filter(kind__in=APPLICANT_KINDS, visible_to_applicant=True)
        .exclude(internal_comment="")
        .only("pk", "internal_comment")
        .iterator()
    ):
        Event.objects.filter(pk=event.pk).update(
            applicant_message=event.internal_comment, internal_comment=""
        )


def join_messages(apps, schema_editor):
    Event = apps.get_model("procedures", "ApplicationEvent")
    for event in (
        Event.objects.exclude(applicant_message="")
        .only("pk", "applicant_message", "internal_comment")
        .iterator()
    ):
        text = "\n\n".join(
            part for part in (event.applicant_message, event.internal_comment) if part
        )
        Event.objects.filter(pk=event.pk).update(
            internal_comment=text, applicant_message=""
        )


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [
        migrations.RenameField(
            model_name="applicationevent",
            old_name="message",
            new_name="internal_comment",
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="internal_comment",
            field=models.TextField(
                blank=True, verbose_name="内部コメント（申請者には表示されません）"
            ),
        ),
        migrations.AddField(
            model_name="applicationevent",
            name="applicant_message",
            field=models.TextField(
                blank=True, verbose_name="申請者へのメッセージ（申請者に表示されます）"
            ),
        ),
        migrations.RunPython(split_messages, join_messages, elidable=False),
        migrations.AddConstraint(
            model_name="applicationevent",
            constraint=models.CheckConstraint(
                condition=models.Q(applicant_message="")
                | models.Q(visible_to_applicant=True),
                name="event_applicant_message_is_shown",
            ),
        ),
    ]
