from django.contrib import admin

from workflow.forms import rule_form
from workflow.models import (
    Case,
    CaseTask,
    FinalAuthorityRule,
    PostReview,
    Reminder,
    Route,
    RouteConsultation,
    RouteLevel,
    SectionWebhook,
)


class RouteLevelInline(admin.TabularInline):
    model = RouteLevel
    extra = 0


# Rules are checked against the version's form here too, as in the route
# editor and the package import (the form finds it through the row's route).


class FinalAuthorityRuleInline(admin.TabularInline):
    model = FinalAuthorityRule
    form = rule_form(FinalAuthorityRule)
    extra = 0


class RouteConsultationInline(admin.TabularInline):
    model = RouteConsultation
    form = rule_form(RouteConsultation)
    extra = 0


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["procedure_version", "note"]
    inlines = [RouteLevelInline, FinalAuthorityRuleInline, RouteConsultationInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["pk", "application", "status", "level", "decision", "created"]
    list_filter = ["status"]
    readonly_fields = ["chain", "consultations", "slots"]
    raw_id_fields = ["application"]


@admin.register(CaseTask)
class CaseTaskAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "process",
        "flow_task",
        "status",
        "owner",
        "decision",
        "created",
    ]
    list_filter = ["status", "kind"]
    raw_id_fields = ["process", "owner", "acted_by", "on_behalf_of", "application"]


@admin.register(PostReview)
class PostReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "holder", "deputy", "created_at", "reviewed_at"]
    raw_id_fields = ["task", "application"]


@admin.register(SectionWebhook)
class SectionWebhookAdmin(admin.ModelAdmin):
    """A section's chat channel (issue 15). 所属管理者 keep them at
    /manage/organisation/webhooks/ (masked, audited); this is the superuser's."""

    # The URL is a secret: listed by section and service only.
    list_display = ["section", "service", "active"]
    list_filter = ["service", "active"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """What the deadline scan sent, once each (read only: it is a record)."""

    list_display = ["application", "kind", "deadline", "created_at"]
    list_filter = ["kind"]
    readonly_fields = ["application", "kind", "deadline", "created_at", "recipients"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
