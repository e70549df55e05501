"""The dashboard's filters: period, procedure and section."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Section
from procedures.models import Procedure


def parse_month(value: str) -> dt.date:
    """The first day of a month written 2026-04; ValueError otherwise."""
    year, _dash, month = value.strip().partition("-")
    if not (year.isascii() and year.isdigit() and len(year) == 4 and month.isdigit()):
        raise ValueError(value)
    return dt.date(int(year), int(month), 1)


def _month(value: str) -> dt.date:
    try:
        return parse_month(value)
    except ValueError as error:
        raise forms.ValidationError(
            _("年月は 2026-04 の形で入力してください。"), code="invalid"
        ) from error


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-04"})

    def to_python(self, value: Any) -> dt.date | None:
        value = super().to_python(value)
        return _month(value) if value else None


class KpiFilterForm(forms.Form):
    start = MonthField(label=_("開始月"), required=False)
    end = MonthField(label=_("終了月"), required=False)
    procedure = forms.ModelChoiceField(
        label=_("手続"), queryset=Procedure.objects.none(), required=False
    )
    section = forms.ModelChoiceField(
        label=_("担当課"), queryset=Section.objects.none(), required=False
    )

    def __init__(self, *args: Any, sections: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = Procedure.objects.select_related(
            "current_version"
        ).exclude(current_version=None)
        self.fields["procedure"].empty_label = _("すべての手続")
        self.fields["section"].queryset = (
            sections if sections is not None else Section.objects.all()
        )
        self.fields["section"].empty_label = (
            _("すべての担当課") if sections is None else _("担当するすべての課")
        )
        for name, field in self.fields.items():
            css = "form-select" if name in ("procedure", "section") else "form-control"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today.replace(day=1)
        start = data.get("start") or (end - dt.timedelta(days=330)).replace(day=1)
        if start > end:
            self.add_error("start", _("開始月は終了月より前にしてください。"))
        elif (end.year - start.year) * 12 + end.month - start.month >= 60:
            self.add_error("start", _("期間は60か月までにしてください。"))
        data["start"], data["end"] = start, end
        # The last day of the end month.
        data["last_day"] = (end + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(
            days=1
        )
        return data


class PaperApplicationForm(forms.Form):
    """A paper application: counts only, so no applicant data is asked for."""

    procedure = forms.ModelChoiceField(
        label=_("手続"), queryset=Procedure.objects.exclude(current_version=None)
    )
    received_on = forms.DateField(
        label=_("受付日"), widget=forms.DateInput(attrs={"type": "date"})
    )
    decided_on = forms.DateField(
        label=_("決定日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("決定済みのときだけ入力します。"),
    )
    outcome = forms.ChoiceField(
        label=_("結果"),
        required=False,
        choices=[
            ("", _("未決定")),
            ("approved", _("許可・交付")),
            ("rejected", _("不許可")),
            ("withdrawn", _("取下げ")),
        ],
    )


class KgiTargetForm(forms.Form):
    procedure = forms.ModelChoiceField(
        label=_("手続"),
        queryset=Procedure.objects.exclude(current_version=None),
        required=False,
        empty_label=_("県全体"),
    )
    measure = forms.ChoiceField(label=_("指標"), choices=[])
    target = forms.DecimalField(
        label=_("目標値"),
        max_digits=6,
        decimal_places=1,
        required=False,
        help_text=_("空にして登録すると、この目標を取り下げます。"),
    )
    due_on = forms.DateField(
        label=_("期限"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("説明"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from stats.models import KgiTarget

        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = KgiTarget.Measure.choices


class OpenDataMonthForm(forms.Form):
    month = MonthField(label=_("対象月"))
    note = forms.CharField(
        label=_("訂正の内容"),
        max_length=200,
        required=False,
        help_text=_("公開済みの月を作り直すとき（訂正版）に書きます。"),
    )
