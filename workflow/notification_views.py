"""Each member of staff chooses how to hear of new tasks (issue 15)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.decorators import caseworker_required
from workflow.models import NotificationSetting
from workflow.notifications import notification_setting_update


class NotificationSettingForm(forms.Form):
    email = forms.ChoiceField(
        label=gettext_lazy("新しいタスクが届いたときのメール"),
        choices=NotificationSetting.Email.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("知らせ方を選んでください。")},
    )


@caseworker_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = (
        NotificationSetting.objects.filter(user=request.user)
        .values_list("email", flat=True)
        .first()
        or NotificationSetting.Email.DIGEST
    )
    if request.method == "POST":
        form = NotificationSettingForm(request.POST)
        if form.is_valid():
            notification_setting_update(
                user=request.user, email=form.cleaned_data["email"]
            )
            messages.success(request, _("通知の設定を保存しました。"))
            return redirect("workflow:notification_settings")
        status = 400
    else:
        form = NotificationSettingForm(initial={"email": current})
        status = 200
    return render(
        request, "workflow/notification_settings.html", {"form": form}, status=status
    )
