"""Sections' chat channels (issue 15): the message each service expects, and
what 所属管理者 do with a channel (/manage/organisation/webhooks/).

A channel is a ``SectionWebhook``; what it is told goes through the outbox
(``core.outbox``) with the channel as the message's ``about``, so its page
lists its deliveries. The address is a credential: every audit entry and
screen has it masked (``SectionWebhook.masked_target``), and a changed or
deleted channel takes its undelivered messages with it (readdressed or
given up), so nothing keeps going to an address that was wrong or leaked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.audit import audit_record
from core.models import OutboxMessage
from core.outbox import outbox_webhook_now, outbox_webhook_readdress
from organisation.models import Section
from workflow.models import SectionWebhook

Service = SectionWebhook.Service


def webhook_url(hook: SectionWebhook) -> str:
    """Where the channel's messages are posted."""
    if hook.service == Service.CHATWORK:
        return f"{settings.CHATWORK_API_URL}/rooms/{hook.target}/messages"
    return hook.target


def chat_message(
    hook: SectionWebhook, *, title: str, text: str, link: str, link_label: str
) -> dict[str, Any]:
    """The ``outbox_webhook`` arguments for one message on ``hook``'s channel,
    in the shape its service reads (Slack JSON, a Teams MessageCard,
    Chatwork's form-encoded API with the site's token)."""
    label = f"{hook.section} ({hook.get_service_display()})"
    common = {"url": webhook_url(hook), "label": label, "about": hook}
    if hook.service == Service.SLACK:
        return {**common, "body": {"text": f"{title}\n{text}\n{link}"}}
    if hook.service == Service.TEAMS:
        return {
            **common,
            "body": {
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": title,
                "title": title,
                "text": text,
                "potentialAction": [
                    {
                        "@type": "OpenUri",
                        "name": link_label,
                        "targets": [{"os": "default", "uri": link}],
                    }
                ],
            },
        }
    return {
        **common,
        "body": {"body": f"[info][title]{title}[/title]{text}\n{link}[/info]"},
        "form": True,
        "auth": "chatwork",
    }


# --- Reads -----------------------------------------------------------------------


def _deliveries_about(pk: Any) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.WEBHOOK,
        about_type=SectionWebhook._meta.label_lower,
        about_id=pk,
    )


def webhook_list(*, section: Section | None = None) -> QuerySet[SectionWebhook]:
    """Channels by section, each with its last delivery's status and time."""
    last = _deliveries_about(Cast(OuterRef("pk"), output_field=CharField())).order_by(
        "-created_at", "-pk"
    )
    hooks = SectionWebhook.objects.select_related("section__department").annotate(
        last_status=Subquery(last.values("status")[:1]),
        last_at=Subquery(last.values("created_at")[:1]),
    )
    if section is not None:
        hooks = hooks.filter(section=section)
    return hooks.order_by("section__department__code", "section__code", "pk")


def webhook_deliveries(
    hook: SectionWebhook, *, limit: int = 20
) -> QuerySet[OutboxMessage]:
    """The channel's latest deliveries, newest first (the payload, which holds
    the URL, is not read)."""
    return (
        _deliveries_about(str(hook.pk))
        .defer("payload")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Changes (each audited, the address masked) ------------------------------------


def _described(hook: SectionWebhook) -> dict[str, Any]:
    return {
        "section": str(hook.section),
        "service": hook.service,
        "target": hook.masked_target,
        "active": hook.active,
    }


@transaction.atomic
def section_webhook_save(
    *,
    webhook: SectionWebhook | None = None,
    section: Section,
    service: str,
    target: str = "",
    actor: Any,
    request: Any = None,
) -> SectionWebhook:
    """Add a chat channel to a section, or change one; an empty ``target``
    keeps the address it has (the screens never show it back)."""
    hook = webhook or SectionWebhook()
    created = hook.pk is None
    before = None if created else _described(hook)
    old_url, old_service = (
        (None, None) if created else (webhook_url(hook), hook.service)
    )
    hook.section = section
    hook.service = service
    if target:
        hook.target = target
    hook.full_clean()
    hook.save()
    if not created and webhook_url(hook) != old_url:
        # Messages waiting for the old address follow the channel; a message
        # in another service's shape cannot, and is given up.
        outbox_webhook_readdress(
            about=hook, url=webhook_url(hook) if service == old_service else None
        )
    after = _described(hook)
    changes = {
        key: [None if before is None else before[key], value]
        for key, value in after.items()
        if before is None or before[key] != value
    }
    if before is not None and old_url != webhook_url(hook):
        changes["target"] = [before["target"], after["target"]]
    audit_record(
        action=f"workflow.webhook.{'create' if created else 'update'}",
        actor=actor,
        target=hook,
        data={"changes": changes},
        request=request,
    )
    return hook


@transaction.atomic
def section_webhook_set_active(
    *, webhook: SectionWebhook, active: bool, actor: Any, request: Any = None
) -> SectionWebhook:
    """Stop telling a channel of new tasks, or start again (messages already
    written are still delivered)."""
    webhook.active = active
    webhook.save(update_fields=["active"])
    audit_record(
        action=f"workflow.webhook.{'enable' if active else 'disable'}",
        actor=actor,
        target=webhook,
        data=_described(webhook),
        request=request,
    )
    return webhook


@transaction.atomic
def section_webhook_delete(
    *, webhook: SectionWebhook, actor: Any, request: Any = None
) -> None:
    """Remove a channel; its undelivered messages are given up."""
    audit_record(
        action="workflow.webhook.delete",
        actor=actor,
        target=webhook,
        data=_described(webhook),
        request=request,
    )
    outbox_webhook_readdress(about=webhook, url=None)
    webhook.delete()


def section_webhook_test(
    *, webhook: SectionWebhook, actor: Any, request: Any = None
) -> OutboxMessage:
    """Post a test message to the channel now and record it as a delivery.

    The message names the section and links to the inbox: nothing about a
    case or a person. It is sent outside any transaction (the request waits
    for the chat service, at most ``WEBHOOK_TIMEOUT_SECONDS``) and is not
    retried: the administrator sees the answer and tries again.
    """
    with translation.override(settings.LANGUAGE_CODE):
        title = gettext("テスト送信: %(section)s のチャット通知") % {
            "section": webhook.section
        }
        text = gettext(
            "電子申請システムからのテストです。この課室の職位に新しいタスクが"
            "届くと、このチャンネルに受付番号・手続名・段階をお知らせします。"
        )
        link_label = gettext("受信箱を開く")
    message = outbox_webhook_now(
        **chat_message(
            webhook,
            title=title,
            text=text,
            link=settings.SITE_URL + reverse("workflow:inbox"),
            link_label=link_label,
        )
    )
    audit_record(
        action="workflow.webhook.test",
        actor=actor,
        target=webhook,
        data={
            **_described(webhook),
            "result": message.status,
            "response_status": message.response_status,
        },
        request=request,
    )
    return message
