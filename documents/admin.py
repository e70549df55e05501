from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentCounter, DocumentTemplate, IssuedDocument
from documents.services import document_retry_now


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(admin.ModelAdmin):
    # Failures must be visible: the list shows status, attempts and the error.
    list_display = [
        "number",
        "title",
        "status",
        "attempts",
        "short_error",
        "next_attempt_at",
        "issued_on",
        "stored_at",
    ]
    list_filter = [
        "status",
        "approved",
        "electronic_delivery",
        "department",
        "fiscal_year",
    ]
    search_fields = ["number", "application__receipt_number", "sha256"]
    list_select_related = ["department"]
    actions = ["retry_now"]
    readonly_fields = [f.name for f in IssuedDocument._meta.fields if f.name != "id"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("直近のエラー"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("選択した文書をすぐに再試行する"))
    def retry_now(self, request, queryset):
        for document in queryset:
            with transaction.atomic():
                document_retry_now(
                    document=document, actor=request.user, request=request
                )
        self.message_user(
            request,
            _("再試行を予約しました。数分以内に発行処理が行われます。"),
            messages.SUCCESS,
        )


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["procedure_version", "preset", "approval_title", "updated_at"]
    list_select_related = ["procedure_version"]


@admin.register(DocumentCounter)
class DocumentCounterAdmin(admin.ModelAdmin):
    list_display = ["department", "fiscal_year", "last_number"]
    readonly_fields = ["department", "fiscal_year", "last_number"]

    def has_add_permission(self, request):
        return False
