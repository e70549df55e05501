"""The prefecture's organisation: who holds which position where, and when.

Assignments carry dates so that the personnel move of 1 April is entered in
advance and takes effect on the day; absences name the deputy who decides
on the holder's behalf (代決).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.japanese import format_display_date


class Department(models.Model):
    """部局: the unit that numbers its documents per fiscal year."""

    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("名称（英語）"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("部局")
        verbose_name_plural = _("部局")
        ordering = ["code"]

    def __str__(self) -> str:
        return localized(self, "name")


class Section(models.Model):
    """課・室: where caseworkers work and cases are reviewed."""

    department = models.ForeignKey(
        Department,
        verbose_name=_("部局"),
        on_delete=models.PROTECT,
        related_name="sections",
    )
    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("名称（英語）"), max_length=100, blank=True)
    contact = models.CharField(_("連絡先"), max_length=255, blank=True)
    contact_en = models.CharField(_("連絡先（英語）"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("課室")
        verbose_name_plural = _("課室")
        ordering = ["department__code", "code"]

    def __str__(self) -> str:
        return f"{self.department} {localized(self, 'name')}"


class Position(models.Model):
    """職位 with its level: a higher level holds wider authority."""

    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("名称（英語）"), max_length=50, blank=True)
    level = models.PositiveSmallIntegerField(
        _("レベル"),
        help_text=_(
            "数字が大きいほど上位の職位です（例: 担当 10、課長 40、知事 70）。"
        ),
    )
    # Positions above the section (部長, 副知事, 知事) are held department- or
    # prefecture-wide; the route looks them up in the section's department.
    scope = models.CharField(
        _("所属の範囲"),
        max_length=16,
        choices=[
            ("section", _("課室")),
            ("department", _("部局")),
            ("prefecture", _("県全体")),
        ],
        default="section",
    )

    class Meta:
        verbose_name = _("職位")
        verbose_name_plural = _("職位")
        ordering = ["level"]

    def __str__(self) -> str:
        return localized(self, "name")


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active_on(self, date: dt.date) -> AssignmentQuerySet:
        return self.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=date), start_date__lte=date
        )


class Assignment(models.Model):
    """A staff member holds a position in a section from a date (to a date)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("課室"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("職位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    start_date = models.DateField(_("開始日"))
    end_date = models.DateField(_("終了日"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("配置")
        verbose_name_plural = _("配置")
        ordering = ["section", "-position__level", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["section", "position"], name="assignment_slot_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.section} {self.position}"


class AbsenceQuerySet(models.QuerySet["Absence"]):
    def active_on(self, date: dt.date) -> AbsenceQuerySet:
        return self.filter(start_date__lte=date, end_date__gte=date)


class Absence(models.Model):
    """A holder's absence and the deputy who decides for them (代決)."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("不在の職員"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代決者"),
        on_delete=models.PROTECT,
        related_name="deputy_for",
    )
    start_date = models.DateField(_("開始日"))
    end_date = models.DateField(_("終了日"))
    reason = models.CharField(_("理由"), max_length=200, blank=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("不在・代決者")
        verbose_name_plural = _("不在・代決者")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="absence_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(holder=models.F("deputy")),
                name="absence_deputy_not_holder",
            ),
        ]

    def __str__(self) -> str:
        start = format_display_date(self.start_date)
        end = format_display_date(self.end_date)
        return f"{self.holder} → {self.deputy} ({start}〜{end})"
