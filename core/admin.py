from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.japanese import format_display_date
from core.models import AccessRecord, AuditEvent


class _AppendOnlyAdmin(admin.ModelAdmin):
    # Append-only records, also for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # The platform's one date style (和暦 with the local time), not Django's.
    @admin.display(description=_("日時"), ordering="created_at")
    def when(self, record) -> str:
        return format_display_date(record.created_at, time=True)


@admin.register(AuditEvent)
class AuditEventAdmin(_AppendOnlyAdmin):
    list_display = ["when", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor__email"]


@admin.register(AccessRecord)
class AccessRecordAdmin(_AppendOnlyAdmin):
    list_display = ["when", "user", "what", "channel", "target_id"]
    list_filter = ["what", "channel"]
    search_fields = ["target_id", "user__email"]
