"""Forms of the organisation screens (/manage/organisation/).

ModelForms validate against the model (unique codes, the date constraints)
without saving: the views hand ``cleaned_data`` to a service.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from organisation.models import Absence, Assignment, Department, Position, Section


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.email}（{obj.email}）"


def _staff() -> Any:
    return User.objects.filter(is_staff=True).order_by("full_name", "email")


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]
        help_texts = {
            "code": _(
                "半角英数字とハイフン。CSV やパッケージで部局を指すのに使います。"
            )
        }


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["department", "code", "name", "name_en", "contact", "contact_en"]
        help_texts = {
            "contact": _("申請者に示す問い合わせ先（係名、電話番号、受付時間）。"),
            "contact_en": _("英語の画面で示す問い合わせ先。空なら日本語を示します。"),
        }


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["code", "name", "name_en", "level", "scope"]


class AssignmentForm(forms.ModelForm):
    user = StaffChoiceField(label=_("職員"), queryset=User.objects.none())

    class Meta:
        model = Assignment
        fields = ["user", "section", "position", "start_date", "end_date"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "start_date": _(
                "4月1日の人事異動は前もって入力できます。開始日から決裁に加わります。"
            ),
            "end_date": _("最後に在職する日。空なら期限なし。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _staff()
        self.fields["section"].queryset = Section.objects.select_related("department")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("終了日は開始日以降の日付にしてください。"))
        elif start and all(cleaned.get(k) for k in ("user", "section", "position")):
            # The same post twice for the same days would list the holder
            # twice wherever holders are shown; a second post (兼務) is fine.
            overlapping = (
                Assignment.objects.filter(
                    user=cleaned["user"],
                    section=cleaned["section"],
                    position=cleaned["position"],
                )
                .exclude(pk=self.instance.pk)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            )
            if end:
                overlapping = overlapping.filter(start_date__lte=end)
            if overlapping.exists():
                self.add_error(
                    "start_date",
                    _("この職員には、この期間に同じ課室・職位の配置がすでにあります。"),
                )
        return cleaned


class AssignmentEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("終了日"), widget=DateInput(), help_text=_("最後に在職する日。")
    )

    def __init__(self, *args: Any, assignment: Assignment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_end_date(self) -> Any:
        end = self.cleaned_data["end_date"]
        if end < self.assignment.start_date:
            raise forms.ValidationError(_("終了日は開始日以降の日付にしてください。"))
        return end


class AbsenceForm(forms.ModelForm):
    holder = StaffChoiceField(label=_("不在の職員"), queryset=User.objects.none())
    deputy = StaffChoiceField(
        label=_("代決者"),
        queryset=User.objects.none(),
        help_text=_("不在の間、この職員に代わって決裁する職員。"),
    )

    class Meta:
        model = Absence
        fields = ["holder", "deputy", "start_date", "end_date", "reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = _staff()
        self.fields["deputy"].queryset = _staff()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("終了日は開始日以降の日付にしてください。"))
        holder, deputy = cleaned.get("holder"), cleaned.get("deputy")
        if holder and deputy and holder == deputy:
            self.add_error("deputy", _("代決者には不在の職員以外を選んでください。"))
        return cleaned


class StaffCreateForm(forms.Form):
    email = forms.EmailField(label=_("メールアドレス"))
    full_name = forms.CharField(label=_("氏名"), max_length=100)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("このメールアドレスのアカウントはすでにあります。")
            )
        return email


class OrganisationCsvForm(forms.Form):
    file = forms.FileField(
        label=_("CSV ファイル"),
        help_text=_(
            "1行目は見出し: メールアドレス,氏名,部局コード,部局名,課室コード,課室名,"
            "職位コード,開始日,終了日。UTF-8 と Shift_JIS（Excel の CSV）を読めます。"
        ),
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（2MBまで）。"))
        return upload.read()


class OrganisationCsvApplyForm(forms.Form):
    """The previewed file, carried back in the page to be applied as shown."""

    content = forms.CharField(widget=forms.HiddenInput)

    def clean_content(self) -> bytes:
        try:
            raw = base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(
                _("ファイルをもう一度選んでください。")
            ) from exc
        if len(raw) > OrganisationCsvForm.MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（2MBまで）。"))
        return raw
