"""Sections' chat channels for 所属管理者 (/manage/organisation/webhooks/, issue 15).

Only organisation administrators (``accounts.manage_organisation``) reach
these pages, for every section: a channel decides where news of cases
leaves the platform, which is decided with the organisation itself, not by
a caseworker or a procedure administrator (docs/workflow.md).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import organisation_administrator_required
from core.models import OutboxMessage
from organisation.models import Section
from organisation.views import edit_with_service, form_copy
from workflow import webhooks
from workflow.models import SectionWebhook


class WebhookForm(forms.ModelForm):
    """The address is write-only: an existing one is never put back in the
    page, and an empty field keeps it."""

    service = forms.ChoiceField(
        label=gettext_lazy("サービス"),
        choices=SectionWebhook.Service.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = SectionWebhook
        fields = ["section", "service", "target"]
        widgets = {
            "target": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false"}
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.select_related("department")
        self.saved_target = self.instance.target if self.instance.pk else ""
        target = self.fields["target"]
        if self.saved_target:
            self.initial["target"] = ""
            target.required = False
            target.help_text = _(
                "いまの登録: %(masked)s（全体は表示しません）。変えるときだけ"
                "入力してください。空のままなら今のものを使います。"
            ) % {"masked": self.instance.masked_target}
        else:
            target.help_text = _(
                "Slack・Teams は Webhook の URL（https:// で始まるもの）、"
                "Chatwork はルーム ID（数字）。URL は秘密の情報なので、"
                "保存した後は一部だけを表示します。"
            )

    def clean_service(self) -> str:
        service = self.cleaned_data["service"]
        if service == SectionWebhook.Service.CHATWORK and not (
            settings.CHATWORK_API_TOKEN
        ):
            raise forms.ValidationError(
                _(
                    "Chatwork の API トークンがシステムに設定されていないため、"
                    "Chatwork は選べません。システムの担当者に設定を依頼してください。"
                )
            )
        return service

    def clean_target(self) -> str:
        return self.cleaned_data["target"].strip() or self.saved_target


def _actor(request: HttpRequest) -> dict[str, Any]:
    return {"actor": request.user, "request": request}


def _detail_url(hook: SectionWebhook) -> str:
    return reverse("workflow_webhooks:detail", args=[hook.pk])


@organisation_administrator_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    sections = Section.objects.select_related("department")
    section = sections.filter(code=request.GET.get("section", "")).first()
    hooks = list(webhooks.webhook_list(section=section))
    for hook in hooks:
        hook.last_status_label = (
            OutboxMessage.Status(hook.last_status).label if hook.last_status else ""
        )
    return render(
        request,
        "workflow/webhook_list.html",
        {
            "hooks": hooks,
            "sections": sections,
            "section": section,
        },
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    hook = get_object_or_404(SectionWebhook, pk=pk) if pk else None
    section = Section.objects.filter(code=request.GET.get("section", "")).first()
    form = WebhookForm(
        request.POST or None,
        instance=form_copy(hook),
        initial={"section": section} if section else None,
    )
    return edit_with_service(
        request,
        form=form,
        save=lambda data: webhooks.section_webhook_save(
            webhook=hook, **data, **_actor(request)
        ),
        title=_("チャット通知を編集") if hook else _("チャット通知を追加"),
        list_url=_detail_url(hook) if hook else reverse("workflow_webhooks:list"),
        next_url=_detail_url,
        done=_("チャット通知を保存しました。テスト送信で届くか確かめてください。"),
    )


@organisation_administrator_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(
        SectionWebhook.objects.select_related("section__department"), pk=pk
    )
    return render(
        request,
        "workflow/webhook_detail.html",
        {
            "hook": hook,
            "deliveries": webhooks.webhook_deliveries(hook),
            "chatwork_unconfigured": hook.service == SectionWebhook.Service.CHATWORK
            and not settings.CHATWORK_API_TOKEN,
        },
    )


@organisation_administrator_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(
        SectionWebhook.objects.select_related("section__department"), pk=pk
    )
    message = webhooks.section_webhook_test(webhook=hook, **_actor(request))
    answer = message.response_status or "—"
    if message.status == OutboxMessage.Status.SENT:
        messages.success(
            request,
            _(
                "テストメッセージを送りました（応答 HTTP %(status)s）。"
                "チャンネルに届いたか確かめてください。"
            )
            % {"status": answer},
        )
    else:
        messages.error(
            request,
            _(
                "テスト送信に失敗しました（応答 HTTP %(status)s）。URL（ルーム ID）と、"
                "チャンネル側で受け取りが有効になっているかを確かめてください。"
                "エラー: %(error)s"
            )
            % {"status": answer, "error": message.last_error},
        )
    return redirect(_detail_url(hook))


@organisation_administrator_required
@require_POST
def webhook_active(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(
        SectionWebhook.objects.select_related("section__department"), pk=pk
    )
    active = request.POST.get("active") == "1"
    webhooks.section_webhook_set_active(webhook=hook, active=active, **_actor(request))
    messages.success(
        request,
        _("チャット通知を有効にしました。")
        if active
        else _("チャット通知を無効にしました。新しいタスクを知らせません。"),
    )
    return redirect(_detail_url(hook))


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(
        SectionWebhook.objects.select_related("section__department"), pk=pk
    )
    if request.method == "POST":
        webhooks.section_webhook_delete(webhook=hook, **_actor(request))
        messages.success(request, _("チャット通知を削除しました。"))
        return redirect("workflow_webhooks:list")
    return render(request, "workflow/webhook_confirm_delete.html", {"hook": hook})
