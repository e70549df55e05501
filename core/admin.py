from django.contrib import admin

from core.models import AccessRecord, AuditEvent


class _AppendOnlyAdmin(admin.ModelAdmin):
    # Append-only records, also for superusers.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(_AppendOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["target_id", "actor__email"]


@admin.register(AccessRecord)
class AccessRecordAdmin(_AppendOnlyAdmin):
    list_display = ["created_at", "user", "what", "channel", "target_id"]
    list_filter = ["what", "channel"]
    search_fields = ["target_id", "user__email"]
