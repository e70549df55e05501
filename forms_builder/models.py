"""A form is data: a stable code with numbered versions of its definition."""

from __future__ import annotations

import uuid
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.i18n import localized

if TYPE_CHECKING:
    from forms_builder.runtime import FormRuntime


class Form(models.Model):
    """An administrator's form, known by a stable code across its versions."""

    code = models.SlugField(
        _("フォームコード"),
        max_length=50,
        unique=True,
        help_text=_("半角英数字とハイフン。公開後は変更できません。"),
    )
    title = models.CharField(_("フォーム名"), max_length=200)
    title_en = models.CharField(_("フォーム名（英語）"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("フォーム")
        verbose_name_plural = _("フォーム")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("forms_builder:form_detail", kwargs={"code": self.code})

    @property
    def title_text(self) -> str:
        return localized(self, "title")


class PublishedVersionError(Exception):
    """A published version was about to change; it never may."""


class FormVersion(models.Model):
    """One numbered version of a form's definition: a draft or, once published,
    an immutable record that submissions are validated and displayed against."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        PUBLISHED = "published", _("公開済み")

    form = models.ForeignKey(
        Form,
        verbose_name=_("フォーム"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("版"))
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    definition = models.JSONField(_("定義"), default=dict)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公開者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("フォームの版")
        verbose_name_plural = _("フォームの版")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "number"], name="form_version_unique_number"
            ),
            # Editing always happens on the one draft; two drafts would fork.
            models.UniqueConstraint(
                fields=["form"],
                condition=Q(status="draft"),
                name="form_version_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="form_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form.code} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_stored_status", None) == self.Status.PUBLISHED:
            raise PublishedVersionError(
                f"{self} is published and cannot be changed; create a draft"
            )
        super().save(*args, **kwargs)
        self._stored_status = self.status
        self.__dict__.pop("runtime", None)

    def get_absolute_url(self) -> str:
        return reverse(
            "forms_builder:version_edit",
            kwargs={"code": self.form.code, "number": self.number},
        )

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "_stored_status", self.status) == self.Status.PUBLISHED:
            raise PublishedVersionError(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if getattr(self, "_stored_status", None) == self.Status.PUBLISHED:
            raise ValidationError(_("公開済みの版は変更できません。"))

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> FormVersion:
        instance = super().from_db(db, field_names, values)
        # Remember what the database holds, so save() can refuse to change a
        # published row without an extra query.
        instance._stored_status = instance.__dict__.get("status")
        return instance

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def schema(self) -> dict[str, Any]:
        """The form definition (the JSON document described in docs/forms.md)."""
        return self.definition

    @cached_property
    def runtime(self) -> FormRuntime:
        from forms_builder.runtime import FormRuntime

        return FormRuntime(self.definition)


def template_file_storage_name(instance: TemplateFile, filename: str) -> str:
    # A generated name: the administrator's file name is data, not a path.
    return f"form-templates/{instance.public_id.hex}"


class TemplateFile(models.Model):
    """A 様式: a blank document (an Excel budget sheet, a Word form) that an
    administrator attaches to a file question for residents to download,
    fill in and attach. Stored privately; served by a download view."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.ForeignKey(
        Form, on_delete=models.CASCADE, related_name="template_files"
    )
    file = models.FileField(
        _("ファイル"), upload_to=template_file_storage_name, max_length=255
    )
    original_name = models.CharField(_("ファイル名"), max_length=255)
    content_type = models.CharField(_("種類"), max_length=100)
    size = models.PositiveBigIntegerField(_("サイズ"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("様式ファイル")
        verbose_name_plural = _("様式ファイル")
        ordering = ["form", "created_at"]

    def __str__(self) -> str:
        return self.original_name

    def as_ref(self) -> dict[str, Any]:
        """The reference a file question's ``template`` holds."""
        return {
            "id": str(self.public_id),
            "name": self.original_name,
            "size": self.size,
        }
